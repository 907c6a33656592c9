import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError } from '../../src/errors';
import { kernelInceptionDistance } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { relDiff, Rng } from './reference';

/** Unbiased MMD^2 over the whole sets with k(x, y) = (x.y / d + 1)^3, summing every ordered pair explicitly. */
function referenceMmd2(x: number[][], y: number[][]): number {
  const d = x[0].length;
  const k = (a: number[], b: number[]) => (a.reduce((s, v, i) => s + v * b[i], 0) / d + 1) ** 3;
  const within = (s: number[][]) => {
    let total = 0;
    for (let i = 0; i < s.length; i++) for (let j = 0; j < s.length; j++) if (i !== j) total += k(s[i], s[j]);
    return total / (s.length * (s.length - 1));
  };
  let cross = 0;
  for (const a of x) for (const b of y) cross += k(a, b);
  return within(x) + within(y) - (2 * cross) / (x.length * y.length);
}

describe('kernelInceptionDistance: hand-computed', () => {
  it('two 1-d sets of two points', () => {
    // k(x, y) = (x y + 1)^3 with d = 1. X = {0, 1}: k(0,1) = 1. Y = {1, 2}: k(1,2) = 27.
    // Cross: k(0,1) + k(0,2) + k(1,1) + k(1,2) = 1 + 1 + 8 + 27 = 37.
    // MMD^2_u = 2*1/2 + 2*27/2 - 2*37/4 = 1 + 27 - 18.5 = 9.5.
    const r = kernelInceptionDistance([[0], [1]], [[1], [2]], { subsets: 1, subsetSize: 2 });
    expect(r.mean).toBeCloseTo(9.5, 12);
    expect(r.std).toBe(0);
    expect(r.subsetSize).toBe(2);
  });

  it('honours degree, gamma and coef0', () => {
    // Linear kernel k(x, y) = x y (degree 1, gamma 1, coef0 0): MMD^2_u = (sum_{i!=j} x_i x_j)/2 + ... = 0 + 2 - 2*(0+0+1+2)/4 = 0.5.
    const r = kernelInceptionDistance([[0], [1]], [[1], [2]], { subsets: 1, subsetSize: 2, degree: 1, gamma: 1, coef0: 0 });
    expect(r.mean).toBeCloseTo(0.5, 12);
  });
});

describe('kernelInceptionDistance: against the float64 reference', () => {
  it('one subset covering both whole sets equals the full unbiased estimate', () => {
    const rng = new Rng(51);
    const x = Array.from({ length: 90 }, () => Array.from({ length: 8 }, () => rng.normal()));
    const y = Array.from({ length: 90 }, () => Array.from({ length: 8 }, () => 0.4 + 1.2 * rng.normal()));
    const r = kernelInceptionDistance(x, y, { subsets: 1, subsetSize: 1000 });
    expect(r.subsetSize).toBe(90);
    expect(relDiff(r.mean, referenceMmd2(x, y))).toBeLessThan(1e-11);
  });

  it('is near 0 for two samples of one distribution and clearly positive for shifted ones', () => {
    const rng = new Rng(52);
    const draw = (shift: number) => Array.from({ length: 300 }, () => Array.from({ length: 16 }, () => shift + rng.normal()));
    const base = draw(0);
    const same = kernelInceptionDistance(base, draw(0), { subsets: 20, subsetSize: 200 });
    const shifted = kernelInceptionDistance(base, draw(0.5), { subsets: 20, subsetSize: 200 });
    expect(Math.abs(same.mean)).toBeLessThan(4 * same.std + 0.01);
    expect(shifted.mean).toBeGreaterThan(10 * Math.abs(same.mean));
    expect(shifted.mean).toBeGreaterThan(5 * shifted.std);
  });

  it('is deterministic for a seed, and averages the subsets it draws', () => {
    const rng = new Rng(53);
    const x = Array.from({ length: 60 }, () => [rng.normal(), rng.normal()]);
    const y = Array.from({ length: 50 }, () => [rng.normal() + 1, rng.normal()]);
    const a = kernelInceptionDistance(x, y, { subsets: 7, subsetSize: 20, seed: 3 });
    const b = kernelInceptionDistance(x, y, { subsets: 7, subsetSize: 20, seed: 3 });
    const c = kernelInceptionDistance(x, y, { subsets: 7, subsetSize: 20, seed: 4 });
    expect(b).toEqual(a);
    expect(c.mean).not.toBe(a.mean);
    expect(a.std).toBeGreaterThan(0);
    // Every subset estimate is an unbiased estimate of the same MMD^2: their mean is close to the full one.
    const many = kernelInceptionDistance(x, y, { subsets: 200, subsetSize: 20, seed: 5 });
    expect(Math.abs(many.mean - referenceMmd2(x, y))).toBeLessThan(4 * many.std / Math.sqrt(200));
  });

  it('rejects bad options and shapes', () => {
    expect(() => kernelInceptionDistance([[0], [1]], [[0, 1], [1, 1]])).toThrow(ShapeError);
    expect(() => kernelInceptionDistance([[0]], [[0], [1]])).toThrow(ShapeError);
    expect(() => kernelInceptionDistance([[0], [1]], [[0], [1]], { subsets: 0 })).toThrow(InvalidArgumentError);
    expect(() => kernelInceptionDistance([[0], [1]], [[0], [1]], { subsetSize: 1 })).toThrow(InvalidArgumentError);
  });
});

describeEachBackend('kernelInceptionDistance on tensors', () => {
  it('reads [n, d] tensors, matches the reference and leaks nothing', () => {
    const x = tf.randomNormal([64, 4], 0, 1, 'float32', 1);
    const y = tf.randomNormal([64, 4], 0.3, 1, 'float32', 2);
    const before = tf.memory().numTensors;
    const r = kernelInceptionDistance(x, y, { subsets: 1, subsetSize: 64 });
    expect(tf.memory().numTensors).toBe(before);
    expect(relDiff(r.mean, referenceMmd2(x.arraySync() as number[][], y.arraySync() as number[][]))).toBeLessThan(1e-11);
    tf.dispose([x, y]);
  });
});
