import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, r1Penalty, r2Penalty, ShapeError } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { expectClose, normalArray } from '../losses/reference';
import { convCritic, denseCritic, expectPenaltyMatchesReference, meanOverGradNorms, samplesOf, type TestCritic } from './critics';

const critics: TestCritic[] = [
  denseCritic('softplus'),
  denseCritic('leakyRelu'),
  convCritic('leakyRelu'),
  convCritic('linear', { patch: true, filters: 1, stride: 1, size: 4, channels: 1, kernel: 2 }),
];

const BATCH = 3;

/** Mescheder et al. 2018 in float64: γ/2 · mean(‖∇ₓ D(x)‖²). */
const zeroCentered64 = (critic: TestCritic, params: readonly number[][], points: number[][], gamma: number) =>
  (gamma / 2) * meanOverGradNorms(critic, params, points, (sq) => sq);

describeEachBackend('r1Penalty and r2Penalty', () => {
  for (const critic of critics) {
    describe(critic.name, () => {
      const n = critic.sampleShape.reduce((a, b) => a * b, 1);
      const flat = normalArray(BATCH * n, 81);
      for (const [name, penalty] of [
        ['r1Penalty', r1Penalty],
        ['r2Penalty', r2Penalty],
      ] as const) {
        for (const gamma of [10, 0.5]) {
          it(`${name} matches the float64 value and weight gradients (γ = ${gamma})`, () => {
            const x = tf.tensor(flat, [BATCH, ...critic.sampleShape]);
            expectPenaltyMatchesReference(
              critic,
              (fn) => penalty(fn, x, gamma === 10 ? undefined : { gamma }),
              (params) => zeroCentered64(critic, params, samplesOf(flat, BATCH), gamma),
            );
            x.dispose();
          });
        }
      }
    });
  }

  it('is γ/2·‖w‖² for a linear critic (hand-computed: γ = 10, w = (1, 2, 2) → 45)', () => {
    const w = tf.tensor2d([[1], [2], [2]]);
    const critic = (x: tf.Tensor) => tf.add(tf.matMul(x as tf.Tensor2D, w), 7);
    const x = tf.randomNormal([6, 3]);
    const r1 = r1Penalty(critic, x);
    const r2 = r2Penalty(critic, x, { gamma: 2 });
    expectClose(r1.dataSync()[0]!, 45, 1e-6);
    expectClose(r2.dataSync()[0]!, 9, 1e-6);
    tf.dispose([w, x, r1, r2]);
  });

  it('leaks no tensors and rejects bad input with typed errors', () => {
    const critic = (x: tf.Tensor) => tf.sum(tf.square(x), 1, true);
    const x = tf.randomNormal([4, 3]);
    const scalar = tf.scalar(1);
    tf.dispose(r1Penalty(critic, x));
    const before = tf.memory().numTensors;
    tf.dispose([r1Penalty(critic, x), r2Penalty(critic, x)]);
    expect(() => r1Penalty(critic, x, { gamma: -1 })).toThrow(InvalidArgumentError);
    expect(() => r1Penalty(critic, x, { gamma: -1 })).toThrow(/options\.gamma: expected a finite number >= 0/);
    expect(() => r2Penalty(critic, scalar)).toThrow(/fake: expected a tensor of rank >= 1/);
    expect(() => r1Penalty((t) => tf.sum(t), x)).toThrow(ShapeError);
    expect(() => r1Penalty(undefined as never, x)).toThrow(/critic: expected a function/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, scalar]);
  });
});
