import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { describeEachBackend } from '../helpers/backends';
import { InvalidArgumentError } from '../../src/errors';
import { Random } from '../../src/trainers/random';
import { normalLatent, toLatentSampler, uniformLatent } from '../../src/trainers/latent';

/** xoshiro128** 1.1 written independently with BigInt arithmetic, straight from the published C code. */
function referenceXoshiro(state: [number, number, number, number]): () => number {
  const s = state.map((w) => BigInt(w >>> 0));
  const mask = 0xffffffffn;
  const rotl = (x: bigint, k: bigint): bigint => ((x << k) | (x >> (32n - k))) & mask;
  return () => {
    const result = (rotl((s[1]! * 5n) & mask, 7n) * 9n) & mask;
    const t = (s[1]! << 9n) & mask;
    s[2] = s[2]! ^ s[0]!;
    s[3] = s[3]! ^ s[1]!;
    s[1] = s[1]! ^ s[2]!;
    s[0] = s[0]! ^ s[3]!;
    s[2] = s[2]! ^ t;
    s[3] = rotl(s[3]!, 11n);
    return Number(result);
  };
}

describe('Random (xoshiro128**)', () => {
  it('produces the xoshiro128** stream of its state (checked against a BigInt reference)', () => {
    for (const seed of [0, 1, 42, 2 ** 31 + 7]) {
      const rng = new Random(seed);
      const ref = referenceXoshiro([...rng.getState().state] as [number, number, number, number]);
      for (let i = 0; i < 1000; i++) expect(rng.nextUint32()).toBe(ref());
    }
  });

  it('is reproducible from a seed and from a saved state, and different seeds differ', () => {
    const a = new Random(7);
    const b = new Random(7);
    const c = new Random(8);
    const xs = Array.from({ length: 20 }, () => a.uniform());
    expect(Array.from({ length: 20 }, () => b.uniform())).toEqual(xs);
    expect(Array.from({ length: 20 }, () => c.uniform())).not.toEqual(xs);
    const saved = a.getState();
    const next = Array.from({ length: 50 }, () => a.normal());
    const restored = new Random(saved);
    expect(Array.from({ length: 50 }, () => restored.normal())).toEqual(next);
    // A JSON round trip keeps the state exact.
    const viaJson = new Random(JSON.parse(JSON.stringify(saved)));
    expect(viaJson.normal()).toBe(next[0]);
  });

  it('draws uniforms in [0, 1) with mean 1/2 and variance 1/12', () => {
    const rng = new Random(3);
    const n = 200_000;
    let sum = 0;
    let sq = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      sum += u;
      sq += u * u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    const mean = sum / n;
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(sq / n - mean * mean - 1 / 12)).toBeLessThan(0.002);
  });

  it('draws normals with mean 0, variance 1 and the right tail mass', () => {
    const rng = new Random(11);
    const out = rng.fillNormal(new Float32Array(200_001));
    let sum = 0;
    let sq = 0;
    let beyond2 = 0;
    for (const v of out) {
      sum += v;
      sq += v * v;
      if (Math.abs(v) > 2) beyond2++;
    }
    const n = out.length;
    expect(Math.abs(sum / n)).toBeLessThan(0.01);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.015);
    // P(|Z| > 2) = 0.0455 for a standard normal.
    expect(Math.abs(beyond2 / n - 0.0455)).toBeLessThan(0.003);
  });

  it('truncates normals to [-t, t] with the truncated normal variance', () => {
    const rng = new Random(5);
    const t = 0.5;
    const out = rng.fillNormal(new Float32Array(100_000), t);
    let sq = 0;
    let maxAbs = 0;
    for (const v of out) {
      maxAbs = Math.max(maxAbs, Math.abs(v));
      sq += v * v;
    }
    expect(maxAbs).toBeLessThanOrEqual(t);
    // Var of N(0,1) truncated to [-t, t]: 1 - 2 t φ(t) / (2Φ(t) - 1); Φ(0.5) = 0.691462461274013.
    const phi = Math.exp(-t * t / 2) / Math.sqrt(2 * Math.PI);
    const expected = 1 - (2 * t * phi) / (2 * 0.691462461274013 - 1);
    expect(Math.abs(sq / out.length - expected)).toBeLessThan(0.002);
  });

  it('draws integers uniformly in [0, n)', () => {
    const rng = new Random(9);
    const counts = new Array<number>(7).fill(0);
    const n = 70_000;
    for (let i = 0; i < n; i++) counts[rng.int(7)]!++;
    // Chi-square with 6 degrees of freedom: 22.5 is its 99.9 % quantile.
    const chi2 = counts.reduce((s, c) => s + (c - n / 7) ** 2 / (n / 7), 0);
    expect(chi2).toBeLessThan(22.5);
  });

  it('rejects invalid seeds, states and arguments with typed errors', () => {
    expect(() => new Random(NaN)).toThrow(InvalidArgumentError);
    expect(() => new Random({ algorithm: 'xoshiro128**', state: [0, 0, 0, 0] })).toThrow(/not all zero/);
    expect(() => new Random({ algorithm: 'mt' as 'xoshiro128**', state: [1, 2, 3, 4] })).toThrow(InvalidArgumentError);
    expect(() => new Random(1).int(0)).toThrow(InvalidArgumentError);
    expect(() => new Random(1).fillNormal(new Float32Array(2), 0)).toThrow(/truncation/);
  });
});

describeEachBackend('latent samplers', () => {
  it('normalLatent draws [batch, ...shape] float32 codes from the given stream, reproducibly', async () => {
    const sampler = normalLatent([2, 3]);
    const z = sampler.sample(4, new Random(1));
    expect(z.shape).toEqual([4, 2, 3]);
    expect(z.dtype).toBe('float32');
    const expected = new Random(1).fillNormal(new Float32Array(24));
    expect(Array.from(await z.data())).toEqual(Array.from(expected));
    z.dispose();
  });

  it('normalLatent truncates; uniformLatent stays in [low, high) and refuses truncation', async () => {
    const z = normalLatent(64).sample(32, new Random(2), { truncation: 0.3 });
    expect(Math.max(...Array.from(await z.abs().data()))).toBeLessThanOrEqual(0.3);
    const u = uniformLatent(8, { low: -2, high: 3 }).sample(100, new Random(3));
    const values = Array.from(await u.data());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...values)).toBeLessThan(3);
    expect(() => uniformLatent(8).sample(2, new Random(1), { truncation: 1 })).toThrow(/normal priors/);
    tf.dispose([z, u]);
  });

  it('toLatentSampler accepts a size or a sampler and rejects anything else', () => {
    expect(toLatentSampler(16).shape).toEqual([16]);
    const custom = uniformLatent(3);
    expect(toLatentSampler(custom)).toBe(custom);
    expect(() => toLatentSampler(0)).toThrow(InvalidArgumentError);
    expect(() => toLatentSampler({} as never)).toThrow(/LatentSampler/);
  });
});
