import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEachBackend } from '../helpers/backends';
import { InvalidArgumentError, ShapeError } from '../../src/errors';
import {
  CheckpointError,
  fileSystemHandler,
  loadModelFromDir,
  loadWeightsIntoModel,
  readTensorBundle,
  readWeightsForModel,
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

describe('damaged weight files', () => {
  it('a truncated weights.bin, or one of the right size filled with garbage, is a CheckpointError naming the file', async () => {
    await tf.setBackend('cpu');
    const model = mlp();
    const target = join(dir, 'damaged');
    await saveModelToDir(model, target);
    const weightsFile = join(target, 'weights.bin');
    const good = await readFile(weightsFile);
    // The saved size and SHA-256 (independent computation) travel in model.json.
    const json = JSON.parse(await readFile(join(target, 'model.json'), 'utf8'));
    expect(json.ganKit).toEqual({ weightsBytes: good.byteLength, weightsSha256: createHash('sha256').update(good).digest('hex') });
    const params = model.countParams(); // every weight, the batch-norm moving statistics included
    expect(good.byteLength).toBe(params * 4);

    await writeFile(weightsFile, good.subarray(0, 40));
    const truncated = loadModelFromDir(target);
    await expect(truncated).rejects.toThrow(CheckpointError);
    await expect(loadModelFromDir(target)).rejects.toThrow(
      new RegExp(`weights\\.bin holds 40 bytes, but .*model\\.json describes ${good.byteLength} bytes \\(8 weight tensors\\)`),
    );
    await expect(loadWeightsIntoModel(mlp(), target)).rejects.toThrow(/truncated or corrupted/);

    const garbage = Buffer.from(good);
    garbage.writeFloatLE(Number.NaN, 8);
    await writeFile(weightsFile, garbage);
    await expect(loadModelFromDir(target)).rejects.toThrow(CheckpointError);
    await expect(loadModelFromDir(target)).rejects.toThrow(/weights\.bin does not match the SHA-256 checksum saved in .*model\.json/);

    await writeFile(weightsFile, good);
    const restored = await loadModelFromDir(target);
    expect(restored.countParams()).toBe(model.countParams());
    restored.dispose();
    model.dispose();
  });

  it('a tensor bundle of the right size filled with garbage fails its checksum', async () => {
    const t = tf.tensor1d([1, 2, 3, 4]);
    const file = join(dir, 'garbage-bundle.bin');
    const entries = await writeTensorBundle(file, [{ name: 'x', tensor: t }]);
    expect((await readFile(`${file}.sha256`, 'utf8')).trim()).toBe(createHash('sha256').update(await readFile(file)).digest('hex'));
    await writeFile(file, new Uint8Array(16).fill(0xff));
    await expect(readTensorBundle(file, entries)).rejects.toThrow(/garbage-bundle\.bin does not match its SHA-256 checksum/);
    t.dispose();
  });

  it('saving into a path that is a regular file is a typed error naming it', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    const model = mlp();
    await expect(saveModelToDir(model, file)).rejects.toThrow(InvalidArgumentError);
    await expect(saveModelToDir(model, join(file, 'below'))).rejects.toThrow(/a-file.*is a regular file/);
    model.dispose();
  });
});

it('readWeightsForModel reads and checks without changing the model; nothing leaks on failure', async () => {
  await tf.setBackend('cpu');
  const source = mlp();
  const target = join(dir, 'two-phase');
  await saveModelToDir(source, target);
  const fresh = mlp();
  const before = fresh.getWeights().map((w) => Array.from(w.dataSync()));
  const start = tf.memory().numTensors;
  const tensors = await readWeightsForModel(fresh, target);
  // Not applied yet: the model still holds its own weights.
  expect(fresh.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
  expect(tensors.map((t) => Array.from(t.dataSync()))).toEqual(source.getWeights().map((w) => Array.from(w.dataSync())));
  tf.dispose(tensors);
  expect(tf.memory().numTensors).toBe(start);
  const other = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 4 })] });
  const otherStart = tf.memory().numTensors;
  await expect(readWeightsForModel(other, target)).rejects.toThrow(ShapeError);
  expect(tf.memory().numTensors).toBe(otherStart);
  [source, fresh, other].forEach((m) => m.dispose());
});
