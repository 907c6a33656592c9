import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DTypeError, gradientPenalty, InvalidArgumentError, ShapeError } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { expectClose, normalArray, uniformRng } from '../losses/reference';
import { convCritic, denseCritic, expectPenaltyMatchesReference, meanOverGradNorms, samplesOf, type TestCritic } from './critics';

const critics: TestCritic[] = [
  denseCritic('softplus'),
  denseCritic('leakyRelu'),
  convCritic('leakyRelu'),
  convCritic('linear', { patch: true, filters: 1, stride: 1, size: 4, channels: 1, kernel: 2 }),
];

const BATCH = 3;

/** Gulrajani et al. 2017 in float64: λ·mean((‖∇D(x̂)‖ − target)²), x̂ = α·real + (1 − α)·fake. */
function gp64(
  critic: TestCritic,
  params: readonly number[][],
  real: number[][],
  fake: number[][],
  alpha: number[],
  { weight = 10, target = 1, oneSided = false } = {},
): number {
  const points = real.map((r, i) => r.map((v, j) => alpha[i]! * v + (1 - alpha[i]!) * fake[i]![j]!));
  return (
    weight *
    meanOverGradNorms(critic, params, points, (sq) => {
      const d = Math.sqrt(sq) - target;
      return oneSided ? Math.max(0, d) ** 2 : d * d;
    })
  );
}

describeEachBackend('gradientPenalty', () => {
  for (const critic of critics) {
    describe(critic.name, () => {
      const n = critic.sampleShape.reduce((a, b) => a * b, 1);
      const realFlat = normalArray(BATCH * n, 61);
      const fakeFlat = normalArray(BATCH * n, 62, 1.5);
      const alpha = [0.15, 0.6, 0.9];
      const variants = [
        {},
        { oneSided: true, target: 0.5 },
        { weight: 2, target: 2 },
      ];
      for (const options of variants) {
        it(`matches the float64 value and weight gradients for options ${JSON.stringify(options)}`, () => {
          const real = tf.tensor(realFlat, [BATCH, ...critic.sampleShape]);
          const fake = tf.tensor(fakeFlat, [BATCH, ...critic.sampleShape]);
          const a = tf.tensor1d(alpha);
          expectPenaltyMatchesReference(
            critic,
            (fn) => gradientPenalty(fn, real, fake, { ...options, alpha: a }),
            (params) => gp64(critic, params, samplesOf(realFlat, BATCH), samplesOf(fakeFlat, BATCH), alpha, options),
          );
          tf.dispose([real, fake, a]);
        });
      }
    });
  }

  it('is λ·(‖w‖ − 1)² for a linear critic x ↦ w·x, whatever α (hand-computed: ‖(3, 4)‖ = 5 → 160)', () => {
    const w = tf.tensor2d([[3], [4]]);
    const critic = (x: tf.Tensor) => tf.matMul(x as tf.Tensor2D, w);
    const real = tf.randomNormal([5, 2]);
    const fake = tf.randomNormal([5, 2]);
    const gp = gradientPenalty(critic, real, fake);
    expectClose(gp.dataSync()[0]!, 160, 1e-6);
    const oneSided = gradientPenalty(critic, real, fake, { oneSided: true, target: 6, weight: 1 });
    expect(oneSided.dataSync()[0]).toBe(0);
    tf.dispose([w, real, fake, gp, oneSided]);
  });

  it('draws one α ~ U[0, 1) per sample by default, fresh on every call', () => {
    const seen: number[][][] = [];
    const critic = (x: tf.Tensor) => {
      seen.push(x.arraySync() as number[][]);
      return tf.sum(tf.square(x), 1, true);
    };
    const real = tf.tensor2d(normalArray(8 * 3, 71), [8, 3]);
    const fake = tf.tensor2d(normalArray(8 * 3, 72), [8, 3]);
    const r = real.arraySync();
    const f = fake.arraySync();
    const alphas: number[][] = [];
    for (let call = 0; call < 2; call++) {
      tf.dispose(gradientPenalty(critic, real, fake));
      const xHat = seen[seen.length - 1]!;
      alphas.push(
        xHat.map((row, i) => {
          // Each row must be real_i·α + fake_i·(1 − α) for a single α shared by all its elements.
          const a = (row[0]! - f[i]![0]!) / (r[i]![0]! - f[i]![0]!);
          row.forEach((v, j) => expectClose(v, a * r[i]![j]! + (1 - a) * f[i]![j]!, 1e-4, 1e-5));
          expect(a).toBeGreaterThanOrEqual(-1e-6);
          expect(a).toBeLessThanOrEqual(1 + 1e-6);
          return a;
        }),
      );
    }
    expect(new Set(alphas[0]!.map((a) => a.toFixed(4))).size).toBeGreaterThan(4);
    expect(alphas[0]).not.toEqual(alphas[1]);
    tf.dispose([real, fake]);
  });

  it('leaks no tensors, alone or inside tf.variableGrads', () => {
    const model = denseCritic('softplus').build();
    const fn = (x: tf.Tensor) => model.apply(x) as tf.Tensor;
    const real = tf.randomNormal([4, 3]);
    const fake = tf.randomNormal([4, 3]);
    tf.dispose(gradientPenalty(fn, real, fake)); // warm-up
    const before = tf.memory().numTensors;
    tf.dispose(gradientPenalty(fn, real, fake));
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => gradientPenalty(fn, real, fake), vars);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([real, fake]);
    model.dispose();
  });

  it('rejects bad input with typed errors naming the argument', () => {
    const critic = (x: tf.Tensor) => tf.sum(x, 1, true);
    const real = tf.zeros([4, 3]);
    const fake = tf.zeros([4, 3]);
    const other = tf.zeros([4, 2]);
    const ints = tf.zeros([4, 3], 'int32');
    const badAlpha = tf.zeros([4, 1]);
    const shortAlpha = tf.zeros([3]);
    const scalar = tf.scalar(1);
    const before = tf.memory().numTensors;
    expect(() => gradientPenalty(critic, real, other)).toThrow(ShapeError);
    expect(() => gradientPenalty(critic, real, other)).toThrow(/fake: expected the same shape as real \[4, 3\]/);
    expect(() => gradientPenalty(critic, real, fake, { alpha: badAlpha })).toThrow(ShapeError);
    expect(() => gradientPenalty(critic, real, fake, { alpha: shortAlpha })).toThrow(/options\.alpha: expected one coefficient per sample, shape \[4\]/);
    expect(() => gradientPenalty(critic, ints, fake)).toThrow(DTypeError);
    expect(() => gradientPenalty(critic, real, fake, { weight: -1 })).toThrow(InvalidArgumentError);
    expect(() => gradientPenalty(critic, real, fake, { weight: -1 })).toThrow(/options\.weight: expected a finite number >= 0/);
    expect(() => gradientPenalty(critic, real, fake, { target: -1 })).toThrow(/options\.target/);
    expect(() => gradientPenalty(critic, real, fake, { oneSided: 'yes' as never })).toThrow(/options\.oneSided/);
    expect(() => gradientPenalty('critic' as never, real, fake)).toThrow(/critic: expected a function/);
    expect(() => gradientPenalty((x) => tf.mean(x), real, fake)).toThrow(ShapeError);
    expect(() => gradientPenalty((x) => tf.mean(x), real, fake)).toThrow(/one score \(or one patch of scores\) per sample/);
    expect(() => gradientPenalty(critic, scalar, scalar)).toThrow(/real: expected a tensor of rank >= 1/);
    expect(() => gradientPenalty(() => 'x' as never, real, fake)).toThrow(/critic\(x\): expected a single tf.Tensor/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([real, fake, other, ints, badAlpha, shortAlpha, scalar]);
  });

  it('accepts a critic that returns a one-element array (LayersModel.apply output)', () => {
    const rng = uniformRng(3);
    const w = tf.tensor2d([[rng()], [rng()], [rng()]]);
    const critic = ((x: tf.Tensor) => [tf.matMul(x as tf.Tensor2D, w)]) as unknown as (x: tf.Tensor) => tf.Tensor;
    const real = tf.randomNormal([2, 3]);
    const gp = gradientPenalty(critic, real, real, { weight: 1 });
    const norm = Math.hypot(...(w.dataSync() as Float32Array));
    expectClose(gp.dataSync()[0]!, (norm - 1) ** 2, 1e-5);
    tf.dispose([w, real, gp]);
  });
});
