import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { auxiliaryClassifierLoss, DTypeError, InvalidArgumentError, ShapeError } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { expectAllClose, expectClose, normalArray, numericGradient } from './reference';

/** Mean over rows of −log softmax(z_i)[y_i], in double precision with the max subtracted. */
function crossEntropy64(logits: readonly number[], labels: readonly number[], k: number): number {
  let total = 0;
  labels.forEach((y, i) => {
    const row = logits.slice(i * k, (i + 1) * k);
    const m = Math.max(...row);
    const logSumExp = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    total += logSumExp - row[y]!;
  });
  return total / labels.length;
}

const K = 3;
const realLogits = normalArray(4 * K, 31, 2);
const fakeLogits = normalArray(4 * K, 32, 2);
const realLabels = [0, 2, 1, 2];
const fakeLabels = [1, 1, 0, 2];

describeEachBackend('auxiliaryClassifierLoss', () => {
  it('matches the float64 softmax cross-entropy with int32 labels and with one-hot labels', () => {
    const ac = auxiliaryClassifierLoss();
    const rz = tf.tensor2d(realLogits, [4, K]);
    const fz = tf.tensor2d(fakeLogits, [4, K]);
    const ry = tf.tensor1d(realLabels, 'int32');
    const fy = tf.tensor1d(fakeLabels, 'int32');
    const ryHot = tf.oneHot(ry, K).toFloat();
    const fyHot = tf.oneHot(fy, K).toFloat();
    const expectedD = crossEntropy64(realLogits, realLabels, K) + crossEntropy64(fakeLogits, fakeLabels, K);
    const expectedG = crossEntropy64(fakeLogits, fakeLabels, K);
    expectClose(ac.discriminatorLoss(rz, ry, fz, fy).dataSync()[0]!, expectedD);
    expectClose(ac.discriminatorLoss(rz, ryHot, fz, fyHot).dataSync()[0]!, expectedD);
    expectClose(ac.generatorLoss(fz, fy).dataSync()[0]!, expectedG);
    expectClose(ac.generatorLoss(fz, fyHot).dataSync()[0]!, expectedG);
    tf.dispose([rz, fz, ry, fy, ryHot, fyHot]);
  });

  it('weights the fake term of the discriminator loss by discriminatorFakeWeight', () => {
    const rz = tf.tensor2d(realLogits, [4, K]);
    const fz = tf.tensor2d(fakeLogits, [4, K]);
    const ry = tf.tensor1d(realLabels, 'int32');
    const fy = tf.tensor1d(fakeLabels, 'int32');
    const real = crossEntropy64(realLogits, realLabels, K);
    const fake = crossEntropy64(fakeLogits, fakeLabels, K);
    const zero = auxiliaryClassifierLoss({ discriminatorFakeWeight: 0 }).discriminatorLoss(rz, ry, fz, fy);
    const half = auxiliaryClassifierLoss({ discriminatorFakeWeight: 0.5 }).discriminatorLoss(rz, ry, fz, fy);
    expectClose(zero.dataSync()[0]!, real);
    expectClose(half.dataSync()[0]!, real + 0.5 * fake);
    tf.dispose([rz, fz, ry, fy, zero, half]);
  });

  it('gives gradients equal to finite differences and stays finite for logits of ±100', () => {
    const ac = auxiliaryClassifierLoss();
    const fz = tf.tensor2d(fakeLogits, [4, K]);
    const fy = tf.tensor1d(fakeLabels, 'int32');
    const g = tf.grad((z: tf.Tensor) => ac.generatorLoss(z, fy))(fz);
    expectAllClose(g.dataSync(), numericGradient((z) => crossEntropy64(z, fakeLabels, K), fakeLogits), 1e-4, 1e-6);
    const extreme = [100, -100, 0, -100, 100, 0, 0, 0, 100, -100, -100, -100];
    const ez = tf.tensor2d(extreme, [4, K]);
    const loss = ac.generatorLoss(ez, fy);
    expectClose(loss.dataSync()[0]!, crossEntropy64(extreme, fakeLabels, K), 1e-6, 1e-5);
    const eg = tf.grad((z: tf.Tensor) => ac.generatorLoss(z, fy))(ez);
    expect(Array.from(eg.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([fz, fy, g, ez, loss, eg]);
  });

  it('returns a float32 scalar and leaks no tensors', () => {
    const ac = auxiliaryClassifierLoss();
    const rz = tf.tensor2d(realLogits, [4, K]);
    const ry = tf.tensor1d(realLabels, 'int32');
    const before = tf.memory().numTensors;
    const d = ac.discriminatorLoss(rz, ry, rz, ry);
    expect(d.shape).toEqual([]);
    expect(d.dtype).toBe('float32');
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([d, rz, ry]);
  });

  it('rejects bad logits, labels and options with typed errors', () => {
    const ac = auxiliaryClassifierLoss();
    expect(ac.name).toBe('auxiliary-classifier');
    const z = tf.zeros([4, K]);
    const badIdx = tf.zeros([3], 'int32');
    const badHot = tf.zeros([4, K + 1]);
    const boolLabels = tf.zeros([4], 'bool');
    const z3 = tf.zeros([4, K, 1]);
    const ok = tf.zeros([4], 'int32');
    expect(() => ac.generatorLoss(z, badIdx)).toThrow(ShapeError);
    expect(() => ac.generatorLoss(z, badIdx)).toThrow(/fakeLabels: expected int32 class indices of shape \[4\]/);
    expect(() => ac.generatorLoss(z, badHot)).toThrow(ShapeError);
    expect(() => ac.generatorLoss(z, boolLabels)).toThrow(DTypeError);
    expect(() => ac.generatorLoss(z3, ok)).toThrow(/fakeClassLogits/);
    expect(() => ac.discriminatorLoss(z, badIdx, z, ok)).toThrow(/realLabels/);
    expect(() => auxiliaryClassifierLoss({ discriminatorFakeWeight: -1 })).toThrow(InvalidArgumentError);
    tf.dispose([z, badIdx, badHot, boolLabels, z3, ok]);
  });
});
