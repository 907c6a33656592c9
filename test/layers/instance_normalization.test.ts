import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { InstanceNormalization, InvalidArgumentError, ShapeError } from '../../src/index';
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

function modelWith(layer: InstanceNormalization, shape: number[]): tf.LayersModel {
  const input = tf.input({ shape });
  return tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
}

/** Float64 instance norm of x [N, S, C] (S = all spatial positions). */
function reference(x: number[], N: number, S: number, C: number, gamma: number[], beta: number[], eps: number): number[] {
  const y = x.slice();
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      let mean = 0;
      for (let s = 0; s < S; s++) mean += x[(n * S + s) * C + c]! / S;
      let variance = 0;
      for (let s = 0; s < S; s++) variance += (x[(n * S + s) * C + c]! - mean) ** 2 / S;
      for (let s = 0; s < S; s++) {
        y[(n * S + s) * C + c] = ((x[(n * S + s) * C + c]! - mean) / Math.sqrt(variance + eps)) * gamma[c]! + beta[c]!;
      }
    }
  }
  return y;
}

describeEachBackend('InstanceNormalization', () => {
  it('keeps the shape; has gamma and beta [C] with affine, no weights without', () => {
    const affine = new InstanceNormalization();
    expect((affine.apply(tf.input({ shape: [3, 5, 4] })) as tf.SymbolicTensor).shape).toEqual([null, 3, 5, 4]);
    expect(affine.weights.map((w) => w.shape)).toEqual([[4], [4]]);
    const plain = new InstanceNormalization({ affine: false });
    expect((plain.apply(tf.input({ shape: [7, 2] })) as tf.SymbolicTensor).shape).toEqual([null, 7, 2]);
    expect(plain.weights).toHaveLength(0);
  });

  it('gives zero mean and unit variance per instance and channel (affine: false)', async () => {
    const model = modelWith(new InstanceNormalization({ affine: false, epsilon: 1e-5 }), [4, 3, 2]);
    // Channels with very different scales and offsets, per example.
    const xs = randomArray(2 * 4 * 3 * 2, 11).map((v, i) => v * (1 + (i % 2) * 9) + (i % 5));
    const x = tf.tensor4d(xs, [2, 4, 3, 2]);
    const y = model.predict(x) as tf.Tensor;
    const { mean, variance } = tf.moments(y, [1, 2]);
    expectClose(await mean.data(), [0, 0, 0, 0], 1e-5);
    // Exactly σ²/(σ² + ε) per (example, channel); compute σ² from the input in float64.
    const ys = reference(xs, 2, 12, 2, [1, 1], [0, 0], 1e-5);
    expectClose(await y.data(), ys, 1e-5);
    expectClose(await variance.data(), [1, 1, 1, 1], 1e-4);
    tf.dispose([x, y, mean, variance]);
  });

  it('matches a float64 reference with learned gamma and beta, for 2-D and 1-D spatial inputs', async () => {
    for (const shape of [
      [3, 2, 3],
      [5, 3],
    ]) {
      const layer = new InstanceNormalization({ epsilon: 1e-3 });
      const model = modelWith(layer, shape);
      const C = shape[shape.length - 1]!;
      const S = shape.slice(0, -1).reduce((a, b) => a * b, 1);
      const gamma = randomArray(C, 1);
      const beta = randomArray(C, 2);
      layer.setWeights([tf.tensor1d(gamma), tf.tensor1d(beta)]);
      const xs = randomArray(2 * S * C, 3, 2);
      const x = tf.tensor(xs, [2, ...shape]);
      const y = model.predict(x) as tf.Tensor;
      expectClose(await y.data(), reference(xs, 2, S, C, gamma, beta, 1e-3), 1e-5);
      tf.dispose([x, y]);
    }
  });

  it('normalises each example on its own: the same in a batch, alone, training or not', async () => {
    const model = modelWith(new InstanceNormalization(), [2, 2, 3]);
    const x = tf.randomNormal([3, 2, 2, 3], 1, 2, 'float32', 5);
    const batch = model.apply(x, { training: true }) as tf.Tensor;
    const alone = model.predict(tf.slice(x, [1, 0, 0, 0], [1, 2, 2, 3])) as tf.Tensor;
    expectClose(await alone.data(), await tf.slice(batch, [1, 0, 0, 0], [1, 2, 2, 3]).data(), 1e-6);
    tf.dispose([x, batch, alone]);
  });

  it('sends gradients to gamma and beta that match finite differences', () => {
    const layer = new InstanceNormalization();
    const model = modelWith(layer, [3, 2, 2]);
    layer.setWeights([tf.tensor1d([0.5, -1.5]), tf.tensor1d([0.2, 0.1])]);
    const x = tf.randomNormal([2, 3, 2, 2], 0, 1, 'float32', 6);
    expectGradientToEveryWeight(model, x);
    expectGradientsMatchFiniteDifferences(model, x);
    x.dispose();
  });

  it('saves and loads with its options, reproducing outputs exactly', async () => {
    const layer = new InstanceNormalization({ epsilon: 1e-3 });
    const model = modelWith(layer, [2, 3, 4]);
    layer.setWeights([tf.tensor1d(randomArray(4, 7)), tf.tensor1d(randomArray(4, 8))]);
    const loaded = await roundTrip(model);
    expect(loaded.layers[1]).toBeInstanceOf(InstanceNormalization);
    expect((loaded.layers[1] as InstanceNormalization).epsilon).toBe(1e-3);
    const x = tf.randomNormal([2, 2, 3, 4], 0, 1, 'float32', 9);
    await expectSameOutputs(model, loaded, x);
    const plain = modelWith(new InstanceNormalization({ affine: false }), [2, 3, 4]);
    const plainLoaded = await roundTrip(plain);
    expect((plainLoaded.layers[1] as InstanceNormalization).affine).toBe(false);
    await expectSameOutputs(plain, plainLoaded, x);
    x.dispose();
  });

  it('rejects bad options and inputs without spatial axes', () => {
    expect(() => new InstanceNormalization({ epsilon: 0 })).toThrow(InvalidArgumentError);
    expect(() => new InstanceNormalization({ affine: 'yes' as never })).toThrow(/affine/);
    expect(() => new InstanceNormalization().apply(tf.input({ shape: [4] }))).toThrow(ShapeError);
  });

  it('leaks no tensors', () => {
    const model = modelWith(new InstanceNormalization(), [2, 2, 3]);
    const x = tf.randomNormal([2, 2, 2, 3]);
    expectNoLeak(() => (model.predict(x) as tf.Tensor).dispose());
    x.dispose();
  });
});
