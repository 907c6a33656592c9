import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError } from '../../src/errors';
import { precisionRecall } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { Rng } from './reference';

/** Brute-force reference: full sorted distance lists for the radii, then a membership test against every ball. */
function referencePr(real: number[][], fake: number[][], k: number): { precision: number; recall: number } {
  const dist = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0));
  const radii = (set: number[][]) =>
    set.map((p, i) =>
      set
        .filter((_, j) => j !== i)
        .map((q) => dist(p, q))
        .sort((a, b) => a - b)[k - 1],
    );
  const rr = radii(real);
  const rf = radii(fake);
  const inside = (query: number[][], set: number[][], r: number[]) =>
    query.filter((q) => set.some((p, j) => dist(q, p) <= r[j])).length / query.length;
  return { precision: inside(fake, real, rr), recall: inside(real, fake, rf) };
}

describe('precisionRecall: hand-computed', () => {
  it('1-d points with k = 1', () => {
    // Real {0, 1, 2, 3, 10}: 1-NN radii 1, 1, 1, 1, 7. Generated {0.5, 5, 20, 2.9}:
    // 0.5 (inside 0's ball), 5 (inside 10's ball of radius 7), 20 (outside), 2.9 (inside) -> precision 3/4.
    // Generated radii: 0.5 -> 2.4, 5 -> 2.1, 20 -> 15, 2.9 -> 2.1; every real point is inside one -> recall 1.
    const real = [[0], [1], [2], [3], [10]];
    const fake = [[0.5], [5], [20], [2.9]];
    expect(precisionRecall(real, fake, { k: 1 })).toEqual({ precision: 0.75, recall: 1 });
  });

  it('a collapsed generator: high precision, low recall', () => {
    const rng = new Rng(71);
    const real = Array.from({ length: 200 }, () => [rng.normal(), rng.normal()]);
    const fake = Array.from({ length: 200 }, () => [0.01 * rng.normal(), 0.01 * rng.normal()]);
    const { precision, recall } = precisionRecall(real, fake);
    expect(precision).toBe(1);
    expect(recall).toBeLessThan(0.05);
  });

  it('rejects k too large for the sets, and mismatched dimensions', () => {
    expect(() => precisionRecall([[0], [1], [2]], [[0], [1], [2]], { k: 3 })).toThrow(ShapeError);
    expect(() => precisionRecall([[0], [1]], [[0, 1], [1, 1]], { k: 1 })).toThrow(ShapeError);
    expect(() => precisionRecall([[0], [1]], [[0], [1]], { k: 0 })).toThrow(InvalidArgumentError);
  });
});

describe('precisionRecall: against the brute-force reference', () => {
  it('random 5-d clouds, k = 3 (exact counts)', () => {
    const rng = new Rng(72);
    const real = Array.from({ length: 150 }, () => Array.from({ length: 5 }, () => rng.normal()));
    const fake = Array.from({ length: 120 }, () => Array.from({ length: 5 }, () => 0.7 * rng.normal() + 0.5));
    expect(precisionRecall(real, fake, { k: 3 })).toEqual(referencePr(real, fake, 3));
    expect(precisionRecall(real, fake, { k: 5 })).toEqual(referencePr(real, fake, 5));
  });
});

describeEachBackend('precisionRecall on tensors', () => {
  it('same distribution: both high; reads tensors without leaks', () => {
    const real = tf.randomNormal([200, 8], 0, 1, 'float32', 11);
    const fake = tf.randomNormal([200, 8], 0, 1, 'float32', 12);
    const before = tf.memory().numTensors;
    const r = precisionRecall(real, fake);
    expect(tf.memory().numTensors).toBe(before);
    expect(r).toEqual(referencePr(real.arraySync() as number[][], fake.arraySync() as number[][], 3));
    expect(r.precision).toBeGreaterThan(0.6);
    expect(r.recall).toBeGreaterThan(0.6);
    tf.dispose([real, fake]);
  });
});
