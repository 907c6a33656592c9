import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { ClassEmbedding, GlobalSumPooling2D, InvalidArgumentError, ShapeError } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import {
  expectClose,
  expectGradientsMatchFiniteDifferences,
  expectGradientToEveryWeight,
  expectNoLeak,
  expectSameOutputs,
  randomArray,
  roundTrip,
} from './helpers';

function embeddingModel(layer: ClassEmbedding): tf.LayersModel {
  const y = tf.input({ shape: [1], dtype: 'int32' });
  return tf.model({ inputs: y, outputs: layer.apply(y) as tf.SymbolicTensor });
}

describeEachBackend('ClassEmbedding', () => {
  it('maps labels [batch, 1] or [batch] to rows [batch, D] of a [K, D] table', async () => {
    const layer = new ClassEmbedding({ numClasses: 4, outputDim: 3 });
    const model = embeddingModel(layer);
    expect(model.outputs[0]!.shape).toEqual([null, 3]);
    const table = randomArray(12, 1);
    layer.setWeights([tf.tensor2d(table, [4, 3])]);
    const out = model.predict(tf.tensor2d([3, 0, 3], [3, 1], 'int32')) as tf.Tensor;
    expectClose(await out.data(), [...table.slice(9, 12), ...table.slice(0, 3), ...table.slice(9, 12)], 1e-7);
    const flat = layer.apply(tf.tensor1d([1, 7])) as tf.Tensor; // float labels; 7 is out of range
    expectClose(await flat.data(), [...table.slice(3, 6), 0, 0, 0], 1e-7);
    tf.dispose([out, flat]);
  });

  it('trains its table (on wasm too: no gather gradient) with gradients matching finite differences', () => {
    const layer = new ClassEmbedding({ numClasses: 3, outputDim: 2 });
    const model = embeddingModel(layer);
    const y = tf.tensor2d([0, 2, 1, 2], [4, 1], 'int32');
    expectGradientToEveryWeight(model, y);
    expectGradientsMatchFiniteDifferences(model, y, { entries: 6 });
    y.dispose();
  });

  it('saves and loads, reproducing outputs exactly', async () => {
    const model = embeddingModel(new ClassEmbedding({ numClasses: 5, outputDim: 4 }));
    const loaded = await roundTrip(model);
    const copy = loaded.layers[1] as ClassEmbedding;
    expect([copy.numClasses, copy.outputDim]).toEqual([5, 4]);
    const y = tf.tensor2d([4, 1, 0], [3, 1], 'int32');
    await expectSameOutputs(model, loaded, y);
    y.dispose();
  });

  it('rejects bad options and label shapes', () => {
    expect(() => new ClassEmbedding({ numClasses: 2 } as never)).toThrow(InvalidArgumentError);
    expect(() => new ClassEmbedding({ numClasses: 2, outputDim: 2 }).apply(tf.input({ shape: [3] }))).toThrow(ShapeError);
  });

  it('leaks no tensors', () => {
    const layer = new ClassEmbedding({ numClasses: 3, outputDim: 2 });
    const y = tf.tensor2d([0, 2], [2, 1], 'int32');
    expectNoLeak(() => (layer.apply(y) as tf.Tensor).dispose());
    y.dispose();
  });
});

describeEachBackend('GlobalSumPooling2D', () => {
  it('sums over height and width: [batch, H, W, C] → [batch, C]', async () => {
    const layer = new GlobalSumPooling2D();
    expect((layer.apply(tf.input({ shape: [3, 2, 5] })) as tf.SymbolicTensor).shape).toEqual([null, 5]);
    const xs = randomArray(2 * 3 * 2 * 2, 2);
    const out = new GlobalSumPooling2D().apply(tf.tensor4d(xs, [2, 3, 2, 2])) as tf.Tensor;
    const expected = [0, 0, 0, 0];
    xs.forEach((v, i) => {
      expected[Math.floor(i / 12) * 2 + (i % 2)] += v;
    });
    expectClose(await out.data(), expected, 1e-6);
    out.dispose();
  });

  it('passes gradients to the layers before it and saves and loads, reproducing outputs exactly', async () => {
    const input = tf.input({ shape: [2, 2, 3] });
    const h = tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: new GlobalSumPooling2D().apply(h) as tf.SymbolicTensor });
    const x = tf.randomNormal([2, 2, 2, 3], 0, 1, 'float32', 3);
    expectGradientToEveryWeight(model, x);
    const loaded = await roundTrip(model);
    expect(loaded.layers[2]).toBeInstanceOf(GlobalSumPooling2D);
    await expectSameOutputs(model, loaded, x);
    x.dispose();
  });

  it('rejects inputs that are not rank 4', () => {
    expect(() => new GlobalSumPooling2D().apply(tf.input({ shape: [3] }))).toThrow(ShapeError);
  });
});
