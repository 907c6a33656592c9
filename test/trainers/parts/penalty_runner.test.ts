import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '../../../src/index';
import { InvalidArgumentError, ShapeError, UnknownOptionError } from '../../../src/errors';
import { draganPenalty } from '../../../src/regularizers/dragan_penalty';
import { gradientPenalty } from '../../../src/regularizers/gradient_penalty';
import { r1Penalty, r2Penalty } from '../../../src/regularizers/r1_penalty';
import { PenaltyRunner } from '../../../src/trainers/parts/penalty_runner';
import { Random } from '../../../src/trainers/random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** D(x) = Σ_j w_j·x_j: ∇ₓD = w for every sample, so R1 = γ/2·‖w‖². */
const w = [3, 4];
const critic = (x: tf.Tensor): tf.Tensor => tf.matMul(x, tf.tensor2d(w, [2, 1]));

function context(step: number) {
  const real = tf.tensor2d([[1, 2], [0, -1]]);
  const fake = tf.tensor2d([[0.5, 0.5], [2, 0]]);
  return { critic, real, fake, realLogits: critic(real), fakeLogits: critic(fake), step, random: new Random(0) };
}

describe('PenaltyRunner', () => {
  it('computes each penalty on the steps its `every` selects, scaled by weight and every, under its name', () => {
    const runner = new PenaltyRunner([
      { fn: r1Penalty, on: 'real', options: { gamma: 2 }, every: 4 },
      { name: 'constant', compute: () => tf.scalar(0.5), weight: 3 },
      { fn: gradientPenalty, weight: 10 },
    ]);
    const c0 = context(0);
    const v0 = runner.compute(c0);
    expect(Object.keys(v0)).toEqual(['r1Penalty', 'constant', 'gradientPenalty']);
    expect(v0['r1Penalty']!.dataSync()[0]).toBeCloseTo((2 / 2) * (9 + 16) * 4, 4); // γ/2·‖w‖² × every
    expect(v0['constant']!.dataSync()[0]).toBeCloseTo(1.5, 6);
    expect(v0['gradientPenalty']!.dataSync()[0]).toBeCloseTo(10 * (5 - 1) ** 2, 3); // ‖w‖ = 5 everywhere
    const v1 = runner.compute(context(1));
    expect(Object.keys(v1)).toEqual(['constant', 'gradientPenalty']);
    expect(runner.activeAt(8).map((p) => p.name)).toEqual(['r1Penalty', 'constant', 'gradientPenalty']);
    tf.dispose([...Object.values(v0), ...Object.values(v1)]);
  });

  it('a penalty missing on:, or with the wrong on:, fails at construction with its own message', () => {
    const fail = (p: unknown) => {
      try {
        new PenaltyRunner([p as never]);
      } catch (error) {
        return error as InvalidArgumentError;
      }
      throw new Error('expected an error');
    };
    const missing = fail({ fn: r1Penalty, options: { gamma: 1 } });
    expect(missing).toBeInstanceOf(InvalidArgumentError);
    expect(missing.argument).toBe('penalties[0].on');
    expect(missing.message).toMatch(/on: 'real'/);
    expect(fail({ fn: r2Penalty }).message).toMatch(/on: 'fake'/);
    expect(fail({ fn: draganPenalty }).argument).toBe('penalties[0].on');
    expect(fail({ fn: r1Penalty, on: 'fake' }).message).toMatch(/use r2Penalty/);
    expect(fail({ fn: r2Penalty, on: 'real' }).message).toMatch(/use r1Penalty/);
    expect(fail({ fn: r1Penalty, on: 'both' }).message).toMatch(/'real' or 'fake'/);
    expect(fail({ fn: gradientPenalty, on: 'real' }).message).toMatch(/Remove on/);
  });

  it('rejects unknown keys with the nearest name, and bad weights or every', () => {
    expect(() => new PenaltyRunner([{ fn: gradientPenalty, wieght: 10 } as never])).toThrow(UnknownOptionError);
    expect(() => new PenaltyRunner([{ fn: gradientPenalty, wieght: 10 } as never])).toThrow(/did you mean "weight"/i);
    expect(() => new PenaltyRunner([{ name: 'x', compute: () => tf.scalar(0), on: 'real' } as never])).toThrow(UnknownOptionError);
    expect(() => new PenaltyRunner([{ fn: gradientPenalty, every: 0 }])).toThrow(/every/);
    expect(() => new PenaltyRunner([{ fn: gradientPenalty, weight: -1 }])).toThrow(/weight/);
  });

  it('a custom penalty returning a non-scalar is a ShapeError naming it', () => {
    const runner = new PenaltyRunner([{ name: 'perSample', compute: (ctx) => tf.sum(ctx.realLogits, 1) as tf.Scalar }]);
    const c = context(0);
    const before = tf.memory().numTensors;
    let error: unknown;
    try {
      runner.compute(c);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ShapeError);
    expect((error as ShapeError).message).toMatch(/penalties\[0\] \(perSample\)\.compute.*scalar.*shape \[2\]/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
