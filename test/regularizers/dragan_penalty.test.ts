import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { draganPenalty, InvalidArgumentError, ShapeError } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { expectClose, mean64, normalArray } from '../losses/reference';
import { convCritic, denseCritic, expectPenaltyMatchesReference, meanOverGradNorms, samplesOf, type TestCritic } from './critics';

const critics: TestCritic[] = [denseCritic('softplus'), denseCritic('leakyRelu'), convCritic('leakyRelu')];

const BATCH = 3;

/** Kodali et al. 2017 in float64: λ·mean((‖∇D(x + δ)‖ − 1)²). */
function dragan64(critic: TestCritic, params: readonly number[][], real: number[][], delta: number[][], weight: number): number {
  const points = real.map((r, i) => r.map((v, j) => v + delta[i]![j]!));
  return weight * meanOverGradNorms(critic, params, points, (sq) => (Math.sqrt(sq) - 1) ** 2);
}

describeEachBackend('draganPenalty', () => {
  for (const critic of critics) {
    describe(critic.name, () => {
      const n = critic.sampleShape.reduce((a, b) => a * b, 1);
      const realFlat = normalArray(BATCH * n, 91);
      const deltaFlat = normalArray(BATCH * n, 92, 0.3);
      for (const weight of [10, 3]) {
        it(`matches the float64 value and weight gradients (λ = ${weight})`, () => {
          const real = tf.tensor(realFlat, [BATCH, ...critic.sampleShape]);
          const perturbation = tf.tensor(deltaFlat, [BATCH, ...critic.sampleShape]);
          expectPenaltyMatchesReference(
            critic,
            (fn) => draganPenalty(fn, real, weight === 10 ? { perturbation } : { perturbation, weight }),
            (params) => dragan64(critic, params, samplesOf(realFlat, BATCH), samplesOf(deltaFlat, BATCH), weight),
          );
          tf.dispose([real, perturbation]);
        });
      }
    });
  }

  it('perturbs by 0.5·std(real)·U[0, 1) elementwise by default', () => {
    const seen: number[][] = [];
    const critic = (x: tf.Tensor) => {
      seen.push(...(x.arraySync() as number[][]));
      return tf.sum(x, 1, true);
    };
    const realFlat = normalArray(64 * 16, 93, 3);
    const real = tf.tensor2d(realFlat, [64, 16]);
    const m = mean64(realFlat);
    const std = Math.sqrt(mean64(realFlat.map((v) => (v - m) ** 2)));
    tf.dispose(draganPenalty(critic, real));
    const deltas = seen.flat().map((v, i) => (v - realFlat[i]!) / (0.5 * std));
    // δ / (0.5·std) must look like U[0, 1): inside the interval, mean ≈ 1/2, variance ≈ 1/12.
    expect(Math.min(...deltas)).toBeGreaterThanOrEqual(-1e-4);
    expect(Math.max(...deltas)).toBeLessThanOrEqual(1 + 1e-4);
    expect(Math.abs(mean64(deltas) - 0.5)).toBeLessThan(0.06);
    const md = mean64(deltas);
    expect(Math.abs(mean64(deltas.map((d) => (d - md) ** 2)) - 1 / 12)).toBeLessThan(0.02);
    real.dispose();
  });

  it('is λ·(‖w‖ − 1)² for a linear critic (hand-computed: w = (0, 3) → 10·4 = 40)', () => {
    const w = tf.tensor2d([[0], [3]]);
    const critic = (x: tf.Tensor) => tf.matMul(x as tf.Tensor2D, w);
    const real = tf.randomNormal([5, 2]);
    const p = draganPenalty(critic, real);
    expectClose(p.dataSync()[0]!, 40, 1e-6);
    tf.dispose([w, real, p]);
  });

  it('leaks no tensors and rejects bad input with typed errors', () => {
    const critic = (x: tf.Tensor) => tf.sum(tf.square(x), 1, true);
    const real = tf.randomNormal([4, 3]);
    const wrong = tf.zeros([4, 2]);
    tf.dispose(draganPenalty(critic, real));
    const before = tf.memory().numTensors;
    tf.dispose(draganPenalty(critic, real));
    expect(() => draganPenalty(critic, real, { perturbation: wrong })).toThrow(ShapeError);
    expect(() => draganPenalty(critic, real, { perturbation: wrong })).toThrow(/options\.perturbation: expected the same shape as real/);
    expect(() => draganPenalty(critic, real, { weight: -2 })).toThrow(InvalidArgumentError);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([real, wrong]);
  });
});
