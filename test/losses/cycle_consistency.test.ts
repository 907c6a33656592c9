import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { cycleConsistencyLoss, InvalidArgumentError, ShapeError } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { expectAllClose, expectClose, mean64, normalArray, numericGradient } from './reference';

const x = normalArray(2 * 4 * 4 * 3, 41);
const xr = normalArray(2 * 4 * 4 * 3, 42);
const l1 = (a: readonly number[], b: readonly number[]) => mean64(a.map((v, i) => Math.abs(v - b[i]!)));

describeEachBackend('cycleConsistencyLoss', () => {
  it('is the weighted mean absolute error (Zhu et al. 2017, Eq. 2)', () => {
    const a = tf.tensor4d(x, [2, 4, 4, 3]);
    const b = tf.tensor4d(xr, [2, 4, 4, 3]);
    const plain = cycleConsistencyLoss(a, b);
    const weighted = cycleConsistencyLoss(a, b, { weight: 10 });
    expectClose(plain.dataSync()[0]!, l1(x, xr));
    expectClose(weighted.dataSync()[0]!, 10 * l1(x, xr));
    expect(plain.shape).toEqual([]);
    tf.dispose([a, b, plain, weighted]);
  });

  it('gives the L1 gradient w.r.t. the reconstruction', () => {
    const a = tf.tensor4d(x, [2, 4, 4, 3]);
    const b = tf.tensor4d(xr, [2, 4, 4, 3]);
    const g = tf.grad((rec: tf.Tensor) => cycleConsistencyLoss(a, rec, { weight: 10 }))(b);
    expectAllClose(g.dataSync(), numericGradient((rec) => 10 * l1(x, rec), xr, 1e-6), 1e-4, 1e-6);
    tf.dispose([a, b, g]);
  });

  it('leaks no tensors and rejects mismatched shapes and negative weights', () => {
    const a = tf.zeros([2, 4, 4, 3]);
    const b = tf.zeros([2, 4, 4, 1]);
    const before = tf.memory().numTensors;
    tf.dispose(cycleConsistencyLoss(a, a));
    expect(tf.memory().numTensors).toBe(before);
    expect(() => cycleConsistencyLoss(a, b)).toThrow(ShapeError);
    expect(() => cycleConsistencyLoss(a, b)).toThrow(/reconstructed: expected the same shape as real \[2, 4, 4, 3\]/);
    expect(() => cycleConsistencyLoss(a, a, { weight: -1 })).toThrow(InvalidArgumentError);
    tf.dispose([a, b]);
  });
});
