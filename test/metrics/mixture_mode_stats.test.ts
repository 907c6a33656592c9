import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError } from '../../src/errors';
import { mixtureModeStats } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { Rng } from './reference';

/** The 2-D ring of 8 Gaussians (radius 2) used by VEEGAN / PacGAN. */
const ring = Array.from({ length: 8 }, (_, k) => [2 * Math.cos((2 * Math.PI * k) / 8), 2 * Math.sin((2 * Math.PI * k) / 8)]);
const STD = 0.02;

describe('mixtureModeStats: hand-computed', () => {
  it('counts high-quality samples, covered modes and the reverse KL', () => {
    const [c0, c1, c2] = ring;
    const samples = [
      c0,
      c0,
      [c0[0] + 0.01, c0[1]], // 0.5 std from mode 0
      [c1[0], c1[1] + 2.5 * STD], // 2.5 std from mode 1: high quality
      [c2[0] + 3.5 * STD, c2[1]], // 3.5 std from mode 2: not high quality
      [0, 0], // far from every mode
    ];
    const r = mixtureModeStats(samples, ring, STD);
    expect(Array.from(r.counts)).toEqual([3, 1, 0, 0, 0, 0, 0, 0]);
    expect(r.modesCovered).toBe(2);
    expect(r.highQualityFraction).toBeCloseTo(4 / 6, 15);
    // q = (3/4, 1/4, 0, ...): KL(q || uniform over 8) = 3/4 ln(8 * 3/4) + 1/4 ln(8 * 1/4).
    expect(r.reverseKL).toBeCloseTo(0.75 * Math.log(6) + 0.25 * Math.log(2), 14);
  });

  it('the boundary: exactly 3 std counts as high quality; the threshold option moves it', () => {
    const centers = [[0, 0], [100, 0]];
    expect(mixtureModeStats([[3, 0]], centers, 1).modesCovered).toBe(1); // distance exactly 3 std
    expect(mixtureModeStats([[3, 1e-6]], centers, 1).modesCovered).toBe(0);
    expect(mixtureModeStats([[3, 0]], centers, 1, { threshold: 2 }).modesCovered).toBe(0);
    expect(mixtureModeStats([[0, 8]], centers, 2, { threshold: 4 }).modesCovered).toBe(1);
  });

  it('even spread gives KL 0, one mode gives log K, none gives NaN', () => {
    const even = ring.flatMap((c) => [c, c]);
    const e = mixtureModeStats(even, ring, STD);
    expect(e.reverseKL).toBe(0);
    expect(e.modesCovered).toBe(8);
    const one = mixtureModeStats([ring[3], ring[3], ring[3]], ring, STD);
    expect(one.reverseKL).toBeCloseTo(Math.log(8), 14);
    expect(one.modesCovered).toBe(1);
    const none = mixtureModeStats([[0, 0], [5, 5]], ring, STD);
    expect(none.reverseKL).toBeNaN();
    expect(none.modesCovered).toBe(0);
    expect(none.highQualityFraction).toBe(0);
  });

  it('rejects bad std, threshold and shapes', () => {
    expect(() => mixtureModeStats([[0, 0]], ring, 0)).toThrow(InvalidArgumentError);
    expect(() => mixtureModeStats([[0, 0]], ring, STD, { threshold: -1 })).toThrow(InvalidArgumentError);
    expect(() => mixtureModeStats([[0, 0, 0]], ring, STD)).toThrow(ShapeError);
    expect(() => mixtureModeStats([], ring, STD)).toThrow();
  });
});

describeEachBackend('mixtureModeStats on samples of the true mixture', () => {
  it('covers all modes with ~98.9% high-quality samples (P(r <= 3 std) for a 2-D Gaussian) and tiny KL', () => {
    const rng = new Rng(81);
    const n = 4000;
    const rows = Array.from({ length: n }, () => {
      const c = ring[Math.floor(rng.uniform() * 8)];
      return [c[0] + STD * rng.normal(), c[1] + STD * rng.normal()];
    });
    const samples = tf.tensor2d(rows);
    const centers = tf.tensor2d(ring);
    const r = mixtureModeStats(samples, centers, STD);
    tf.dispose([samples, centers]);
    expect(r.modesCovered).toBe(8);
    const expected = 1 - Math.exp(-4.5); // the 2-D radial (Rayleigh) CDF at 3 std
    expect(Math.abs(r.highQualityFraction - expected)).toBeLessThan(4 * Math.sqrt((expected * (1 - expected)) / n));
    // Multinomial noise alone: E[KL] ~ (K - 1) / (2 n).
    expect(r.reverseKL).toBeLessThan(10 * (7 / (2 * n)));
    expect(r.reverseKL).toBeGreaterThanOrEqual(0);
  });
});
