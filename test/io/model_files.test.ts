import { afterAll, beforeAll, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEachBackend } from '../helpers/backends';
import { ShapeError } from '../../src/errors';
import {
  CheckpointError,
  fileSystemHandler,
  loadModelFromDir,
  loadWeightsIntoModel,
  readTensorBundle,
  saveModelToDir,
  writeTensorBundle,
} from '../../src/io/model_files';
import { writeFileAtomic } from '../../src/io/node_fs';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gan-kit-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function mlp(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [3], units: 5, activation: 'tanh' }),
      tf.layers.batchNormalization(),
      tf.layers.dense({ units: 2 }),
    ],
  });
}

describeEachBackend('file-system model I/O', (backend) => {
  it('saves model.json + weights.bin and loads a model that computes the same outputs', async () => {
    const model = mlp();
    const target = join(dir, `${backend}-model`);
    await saveModelToDir(model, target);
    expect((await readdir(target)).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(join(target, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    const loaded = await loadModelFromDir(target);
    const x = tf.randomNormal([4, 3]);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    // Also through tf.loadLayersModel with the handler directly.
    const viaHandler = await tf.loadLayersModel(fileSystemHandler(target));
    expect(viaHandler.countParams()).toBe(model.countParams());
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
    viaHandler.dispose();
  });

  it('loads weights into a model built separately (other layer names), checking shapes', async () => {
    const source = mlp();
    const target = join(dir, `${backend}-weights`);
    await saveModelToDir(source, target);
    const fresh = mlp(); // auto-named layers differ from the saved ones
    await loadWeightsIntoModel(fresh, target);
    const expected = source.getWeights();
    const actual = fresh.getWeights();
    for (let i = 0; i < expected.length; i++) {
      expect(Array.from(await actual[i]!.data())).toEqual(Array.from(await expected[i]!.data()));
    }
    const other = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 4 })] });
    await expect(loadWeightsIntoModel(other, target)).rejects.toThrow(ShapeError);
    await expect(loadWeightsIntoModel(other, join(dir, 'missing'))).rejects.toThrow(CheckpointError);
    source.dispose();
    fresh.dispose();
    other.dispose();
  });

  it('round-trips a tensor bundle exactly and detects a truncated file', async () => {
    const tensors = [
      { name: 'a', tensor: tf.tensor2d([[1.5, -2], [3, 1e-30]]) },
      { name: 'b', tensor: tf.scalar(7, 'int32') },
    ];
    const file = join(dir, `${backend}-bundle.bin`);
    const entries = await writeTensorBundle(file, tensors);
    const back = await readTensorBundle(file, entries);
    expect(back.map((t) => t.dtype)).toEqual(['float32', 'int32']);
    expect(Array.from(await back[0]!.data())).toEqual(Array.from(await tensors[0]!.tensor.data()));
    expect(await back[1]!.data()).toEqual(new Int32Array([7]));
    await writeFile(file, new Uint8Array(3));
    await expect(readTensorBundle(file, entries)).rejects.toThrow(CheckpointError);
    tf.dispose([...back, ...tensors.map((t) => t.tensor)]);
  });
});

it('writeFileAtomic replaces a file and leaves no temporary files', async () => {
  const file = join(dir, 'atomic.json');
  await writeFileAtomic(file, '{"v":1}');
  await writeFileAtomic(file, '{"v":2}');
  expect(await readFile(file, 'utf8')).toBe('{"v":2}');
  expect((await readdir(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
});
