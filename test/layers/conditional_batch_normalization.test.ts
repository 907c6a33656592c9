import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { ConditionalBatchNormalization, InvalidArgumentError, ShapeError } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import {
  expectClose,
  expectGradientsMatchFiniteDifferences,
  expectGradientToEveryWeight,
  expectNoLeak,
  expectSameOutputs,
  gradientMagnitudes,
  randomArray,
  roundTrip,
} from './helpers';

const K = 3;

function modelWith(layer: ConditionalBatchNormalization, shape: number[]): tf.LayersModel {
  const x = tf.input({ shape });
  const y = tf.input({ shape: [1], dtype: 'int32' });
  return tf.model({ inputs: [x, y], outputs: layer.apply([x, y]) as tf.SymbolicTensor });
}

/** Float64 conditional BN of x [N, S, C] with given per-channel statistics. */
function reference(
  x: number[],
  labels: number[],
  [N, S, C]: [number, number, number],
  mean: number[],
  variance: number[],
  gamma: number[],
  beta: number[],
  eps: number,
): number[] {
  const y: number[] = [];
  for (let n = 0; n < N; n++)
    for (let s = 0; s < S; s++)
      for (let c = 0; c < C; c++) {
        const k = labels[n]!;
        y.push(((x[(n * S + s) * C + c]! - mean[c]!) / Math.sqrt(variance[c]! + eps)) * gamma[k * C + c]! + beta[k * C + c]!);
      }
  return y;
}

function batchStats(x: number[], N: number, S: number, C: number): { mean: number[]; variance: number[] } {
  const mean = Array.from({ length: C }, (_, c) => {
    let s = 0;
    for (let i = 0; i < N * S; i++) s += x[i * C + c]!;
    return s / (N * S);
  });
  const variance = Array.from({ length: C }, (_, c) => {
    let s = 0;
    for (let i = 0; i < N * S; i++) s += (x[i * C + c]! - mean[c]!) ** 2;
    return s / (N * S);
  });
  return { mean, variance };
}

describeEachBackend('ConditionalBatchNormalization', () => {
  it('keeps the shape of x and holds per-class gamma and beta [K, C] and moving statistics [C]', () => {
    const layer = new ConditionalBatchNormalization({ numClasses: K });
    const model = modelWith(layer, [2, 2, 4]);
    expect(model.outputs[0]!.shape).toEqual([null, 2, 2, 4]);
    expect(layer.trainableWeights.map((w) => w.shape)).toEqual([
      [K, 4],
      [K, 4],
    ]);
    expect(layer.nonTrainableWeights.map((w) => w.shape)).toEqual([[4], [4]]);
    expect(model.countParams()).toBe(2 * K * 4 + 2 * 4);
  });

  it('normalises with batch statistics and applies gamma[y], beta[y] in training; updates the moving averages', async () => {
    const layer = new ConditionalBatchNormalization({ numClasses: K, momentum: 0.8, epsilon: 1e-3 });
    const model = modelWith(layer, [2, 1, 3]);
    const [N, S, C] = [4, 2, 3];
    const gamma = randomArray(K * C, 1);
    const beta = randomArray(K * C, 2);
    layer.setWeights([tf.tensor2d(gamma, [K, C]), tf.tensor2d(beta, [K, C]), tf.zeros([C]), tf.ones([C])]);
    const xs = randomArray(N * S * C, 3, 3).map((v, i) => v + (i % C));
    const labels = [2, 0, 2, 1];
    const x = tf.tensor4d(xs, [N, 2, 1, C]);
    const y = tf.tensor2d(labels, [N, 1], 'int32');
    const out = model.apply([x, y], { training: true }) as tf.Tensor;
    const { mean, variance } = batchStats(xs, N, S, C);
    expectClose(await out.data(), reference(xs, labels, [N, S, C], mean, variance, gamma, beta, 1e-3), 1e-5);
    const [movingMean, movingVariance] = layer.nonTrainableWeights.map((w) => w.read().dataSync());
    expectClose(movingMean!, mean.map((m) => 0.2 * m), 1e-6);
    expectClose(movingVariance!, variance.map((v) => 0.8 + 0.2 * v), 1e-6);
    tf.dispose([x, y, out]);
  });

  it('uses the moving statistics in inference, and takes labels of shape [batch] as floats too', async () => {
    const layer = new ConditionalBatchNormalization({ numClasses: K });
    layer.apply([tf.input({ shape: [3] }), tf.input({ shape: [] })]);
    const C = 3;
    const gamma = randomArray(K * C, 4);
    const beta = randomArray(K * C, 5);
    const mean = randomArray(C, 6);
    const variance = randomArray(C, 7).map((v) => 1 + Math.abs(v));
    layer.setWeights([tf.tensor2d(gamma, [K, C]), tf.tensor2d(beta, [K, C]), tf.tensor1d(mean), tf.tensor1d(variance)]);
    const xs = randomArray(2 * C, 8);
    const labels = [1, 2];
    const out = layer.apply([tf.tensor2d(xs, [2, C]), tf.tensor1d(labels)]) as tf.Tensor; // inference by default
    expectClose(await out.data(), reference(xs, labels, [2, 1, C], mean, variance, gamma, beta, 1e-5), 1e-5);
    out.dispose();
  });

  it('sends gradients to gamma and beta rows of the classes present only, matching finite differences', () => {
    const layer = new ConditionalBatchNormalization({ numClasses: K });
    const model = modelWith(layer, [2, 2, 2]);
    layer.setWeights([
      tf.tensor2d(randomArray(K * 2, 9), [K, 2]),
      tf.tensor2d(randomArray(K * 2, 10), [K, 2]),
      tf.tensor1d([0.1, -0.2]),
      tf.tensor1d([1.5, 0.7]),
    ]);
    const x = tf.randomNormal([3, 2, 2, 2], 0, 1, 'float32', 11);
    const labels = tf.tensor2d([0, 2, 0], [3, 1], 'int32');
    expectGradientToEveryWeight(model, [x, labels]);
    // Class 1 is absent from the batch: its rows get exactly zero gradient.
    const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(model.apply([x, labels], { training: true }) as tf.Tensor, tf.randomNormal([3, 2, 2, 2], 0, 1, 'float32', 1))) as tf.Scalar,
      vars,
    );
    for (const v of vars) {
      const g = grads[v.name]!.arraySync() as number[][];
      expect(g[1]).toEqual([0, 0]);
      expect(Math.abs(g[0]![0]!) + Math.abs(g[2]![0]!)).toBeGreaterThan(0);
    }
    tf.dispose([value, ...Object.values(grads)]);
    expectGradientsMatchFiniteDifferences(model, [x, labels]);
    expect(Object.keys(gradientMagnitudes(model, [x, labels]))).toHaveLength(2);
    tf.dispose([x, labels]);
  });

  it('saves and loads its classes, statistics and options, reproducing outputs exactly', async () => {
    const layer = new ConditionalBatchNormalization({ numClasses: K, momentum: 0.5, epsilon: 1e-4 });
    const model = modelWith(layer, [2, 2, 3]);
    const x = tf.randomNormal([4, 2, 2, 3], 1, 2, 'float32', 12);
    const labels = tf.tensor2d([0, 1, 2, 1], [4, 1], 'int32');
    layer.setWeights([tf.tensor2d(randomArray(K * 3, 13), [K, 3]), tf.tensor2d(randomArray(K * 3, 14), [K, 3]), tf.zeros([3]), tf.ones([3])]);
    (model.apply([x, labels], { training: true }) as tf.Tensor).dispose(); // moves the statistics
    const loaded = await roundTrip(model);
    const copy = loaded.layers.find((l) => l instanceof ConditionalBatchNormalization) as ConditionalBatchNormalization;
    expect([copy.numClasses, copy.momentum, copy.epsilon]).toEqual([K, 0.5, 1e-4]);
    await expectSameOutputs(model, loaded, [x, labels]);
    tf.dispose([x, labels]);
  });

  it('rejects bad options and inputs', () => {
    expect(() => new ConditionalBatchNormalization({} as never)).toThrow(InvalidArgumentError);
    expect(() => new ConditionalBatchNormalization({ numClasses: 2, momentum: 1 })).toThrow(/momentum/);
    const layer = new ConditionalBatchNormalization({ numClasses: 2 });
    expect(() => layer.apply(tf.input({ shape: [2, 2, 3] }))).toThrow(ShapeError);
    expect(() => layer.apply([tf.input({ shape: [2, 2, 3] }), tf.input({ shape: [2] })])).toThrow(/labels/);
  });

  it('leaks no tensors in training or inference', () => {
    const model = modelWith(new ConditionalBatchNormalization({ numClasses: K }), [2, 2, 3]);
    const x = tf.randomNormal([2, 2, 2, 3]);
    const labels = tf.tensor2d([0, 2], [2, 1], 'int32');
    expectNoLeak(() => {
      (model.apply([x, labels], { training: true }) as tf.Tensor).dispose();
      (model.predict([x, labels]) as tf.Tensor).dispose();
    });
    tf.dispose([x, labels]);
  });
});
