import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError } from '../../src/errors';
import { FeatureMoments, frechetDistance, frechetDistanceFromMoments } from '../../src/index';
import { symmetricEigen, traceSqrtProduct } from '../../src/metrics/linalg';
import { describeEachBackend } from '../helpers/backends';
import {
  fromEigen,
  gaussianSamples,
  meanAndCovariance,
  mul,
  randomOrthogonal,
  referenceFrechet,
  relDiff,
  Rng,
  transpose,
} from './reference';

/** A random SPD matrix C with eigenvalues in [lo, hi], and its symmetric square root (a factor with F F^T = C). */
function randomSpd(n: number, rng: Rng, lo = 0.2, hi = 3): { c: Float64Array; factor: Float64Array } {
  const q = randomOrthogonal(n, rng);
  const values = Array.from({ length: n }, () => lo + (hi - lo) * rng.uniform());
  const factor = fromEigen(q, values.map(Math.sqrt), n); // symmetric square root, factor factor^T = c
  return { c: fromEigen(q, values, n), factor };
}

describe('symmetricEigen (float64 Householder + implicit QR)', () => {
  it('reconstructs A = V diag(values) V^T with orthonormal V, and finds known eigenvalues', () => {
    const rng = new Rng(3);
    for (const n of [1, 2, 3, 7, 24]) {
      const q = randomOrthogonal(n, rng);
      const values = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : rng.normal() * 5)); // repeated zeros
      const a = fromEigen(q, values, n);
      const { values: got, vectors } = symmetricEigen(a, n, true);
      expect(Array.from(got)).toEqual(Array.from(got).sort((x, y) => x - y));
      const want = values.slice().sort((x, y) => x - y);
      want.forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThan(1e-12 * 5 * n + 1e-13));
      const v = transpose(vectors!, n); // columns are eigenvectors
      const vtv = mul(vectors!, v, n);
      const diag = new Float64Array(n * n);
      got.forEach((x, i) => (diag[i * n + i] = x));
      const rebuilt = mul(mul(v, diag, n), vectors!, n);
      for (let i = 0; i < n * n; i++) {
        expect(Math.abs(vtv[i] - (i % (n + 1) === 0 ? 1 : 0))).toBeLessThan(1e-13);
        expect(Math.abs(rebuilt[i] - a[i])).toBeLessThan(1e-12);
      }
    }
  });

  it('handles a diagonal matrix and the zero matrix', () => {
    const d = Float64Array.from([3, 0, 0, 0, -1, 0, 0, 0, 2]);
    expect(Array.from(symmetricEigen(d, 3, false).values)).toEqual([-1, 2, 3]);
    expect(Array.from(symmetricEigen(new Float64Array(16), 4, true).values)).toEqual([0, 0, 0, 0]);
  });

  it('traceSqrtProduct equals tr sqrtm(A B) computed by Denman–Beavers', () => {
    const rng = new Rng(11);
    const n = 9;
    const a = randomSpd(n, rng).c;
    const b = randomSpd(n, rng).c;
    const want = referenceFrechet(new Float64Array(n), a, new Float64Array(n), b, n);
    // referenceFrechet = tr A + tr B - 2 tr sqrt(AB); recover the cross term from it.
    let tr = 0;
    for (let i = 0; i < n; i++) tr += a[i * n + i] + b[i * n + i];
    expect(relDiff(traceSqrtProduct(a, b, n), (tr - want) / 2)).toBeLessThan(1e-11);
  });
});

describe('frechetDistanceFromMoments: closed forms', () => {
  it('diagonal covariances: ||m1 - m2||^2 + sum (sqrt(a_i) - sqrt(b_i))^2', () => {
    const a = [0.5, 1, 2, 4, 9];
    const b = [1, 1, 0.5, 16, 0.01];
    const n = a.length;
    const m1 = [0, 1, 2, 3, 4];
    const m2 = [1, 1, 0, 3, 4.5];
    const diag = (v: number[]) => fromEigen(Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0)), v, n);
    let want = 0;
    for (let i = 0; i < n; i++) want += (m1[i] - m2[i]) ** 2 + (Math.sqrt(a[i]) - Math.sqrt(b[i])) ** 2;
    const got = frechetDistanceFromMoments({ mean: m1, covariance: diag(a) }, { mean: m2, covariance: diag(b) });
    expect(relDiff(got, want)).toBeLessThan(1e-13);
  });

  it('commuting covariances in a random rotated basis match the same closed form', () => {
    const rng = new Rng(5);
    const n = 12;
    const q = randomOrthogonal(n, rng);
    const a = Array.from({ length: n }, () => 0.1 + 4 * rng.uniform());
    const b = Array.from({ length: n }, () => 0.1 + 4 * rng.uniform());
    const m1 = Array.from({ length: n }, () => rng.normal());
    const m2 = Array.from({ length: n }, () => rng.normal());
    let want = 0;
    for (let i = 0; i < n; i++) want += (m1[i] - m2[i]) ** 2 + (Math.sqrt(a[i]) - Math.sqrt(b[i])) ** 2;
    const got = frechetDistanceFromMoments({ mean: m1, covariance: fromEigen(q, a, n) }, { mean: m2, covariance: fromEigen(q, b, n) });
    expect(relDiff(got, want)).toBeLessThan(1e-11);
  });

  it('non-commuting covariances match the Denman–Beavers reference', () => {
    const rng = new Rng(8);
    for (const n of [2, 6, 16]) {
      const c1 = randomSpd(n, rng).c;
      const c2 = randomSpd(n, rng).c;
      const m1 = Array.from({ length: n }, () => rng.normal());
      const m2 = Array.from({ length: n }, () => rng.normal());
      const want = referenceFrechet(m1, c1, m2, c2, n);
      expect(relDiff(frechetDistanceFromMoments({ mean: m1, covariance: c1 }, { mean: m2, covariance: c2 }), want)).toBeLessThan(1e-10);
    }
  });

  it('is 0 for identical Gaussians and symmetric in its arguments', () => {
    const rng = new Rng(9);
    const n = 10;
    const c = randomSpd(n, rng).c;
    const m = Array.from({ length: n }, () => rng.normal());
    expect(frechetDistanceFromMoments({ mean: m, covariance: c }, { mean: m, covariance: c })).toBeLessThan(1e-12);
    const c2 = randomSpd(n, rng).c;
    const ab = frechetDistanceFromMoments({ mean: m, covariance: c }, { mean: m, covariance: c2 });
    const ba = frechetDistanceFromMoments({ mean: m, covariance: c2 }, { mean: m, covariance: c });
    expect(relDiff(ab, ba)).toBeLessThan(1e-11);
  });

  it('rejects statistics of different dimensions', () => {
    expect(() => frechetDistanceFromMoments({ mean: [0, 0], covariance: [1, 0, 0, 1] }, { mean: [0], covariance: [1] })).toThrow(ShapeError);
    expect(() => frechetDistanceFromMoments({ mean: [0, 0], covariance: [1, 0, 0] }, { mean: [0, 0], covariance: [1, 0, 0, 1] })).toThrow(ShapeError);
  });
});

describe('frechetDistanceFromMoments: rank-deficient covariances', () => {
  it('features confined to a 3-d subspace of 16-d give the FID of their 3-d coordinates', () => {
    const rng = new Rng(21);
    const low = 3;
    const high = 16;
    const l1 = randomSpd(low, rng).factor;
    const l2 = randomSpd(low, rng).factor;
    const x = gaussianSamples(300, [0, 1, 2], l1, rng);
    const y = gaussianSamples(250, [0.5, 1, 1], l2, rng);
    const reference = (() => {
      const a = meanAndCovariance(x);
      const b = meanAndCovariance(y);
      return referenceFrechet(a.mean, a.cov, b.mean, b.cov, low);
    })();
    // Orthonormal embedding: the first `low` columns of a random 16x16 orthogonal matrix.
    const q = randomOrthogonal(high, rng);
    const embed = (rows: number[][]) =>
      rows.map((r) => Array.from({ length: high }, (_, i) => r.reduce((s, v, k) => s + q[i * high + k] * v, 0)));
    const got = frechetDistance(embed(x), embed(y));
    expect(Number.isFinite(got)).toBe(true);
    expect(relDiff(got, reference)).toBeLessThan(1e-11);
  });

  it('fewer samples than features (singular covariances): finite, >= 0, and 0 for identical sets', () => {
    const rng = new Rng(22);
    const rows = (n: number) => Array.from({ length: n }, () => Array.from({ length: 32 }, () => rng.normal()));
    const a = rows(8);
    const b = rows(8);
    const ab = frechetDistance(a, b);
    expect(Number.isFinite(ab)).toBe(true);
    expect(ab).toBeGreaterThan(0);
    expect(frechetDistance(a, a)).toBeLessThan(1e-10 * ab);
  });

  it('dead (constant) features do not disturb the result', () => {
    const rng = new Rng(23);
    const x = Array.from({ length: 200 }, () => [rng.normal(), 0, 2 * rng.normal(), 0]);
    const y = Array.from({ length: 200 }, () => [1 + rng.normal(), 0, rng.normal(), 0]);
    const a = meanAndCovariance(x.map((r) => [r[0], r[2]]));
    const b = meanAndCovariance(y.map((r) => [r[0], r[2]]));
    expect(relDiff(frechetDistance(x, y), referenceFrechet(a.mean, a.cov, b.mean, b.cov, 2))).toBeLessThan(1e-10);
  });
});

describe('FeatureMoments (streaming float64 mean and covariance)', () => {
  it('batches of any sizes give the two-pass mean and unbiased covariance', () => {
    const rng = new Rng(31);
    const d = 6;
    const x = Array.from({ length: 203 }, () => Array.from({ length: d }, () => rng.normal() * 3 + 1));
    const m = new FeatureMoments();
    let start = 0;
    for (const size of [1, 50, 7, 100, 45]) {
      m.update(x.slice(start, start + size));
      start += size;
    }
    expect(m.count).toBe(203);
    const ref = meanAndCovariance(x);
    ref.mean.forEach((v, i) => expect(Math.abs(m.mean[i] - v)).toBeLessThan(1e-13));
    const cov = m.covariance;
    ref.cov.forEach((v, i) => expect(Math.abs(cov[i] - v)).toBeLessThan(1e-12));
  });

  it('stays accurate when the mean dwarfs the spread (no sum-of-squares cancellation)', () => {
    const rng = new Rng(32);
    const x = Array.from({ length: 400 }, () => [1e7 + rng.normal(), -3e6 + 0.5 * rng.normal()]);
    const m = new FeatureMoments();
    for (let i = 0; i < 400; i += 64) m.update(x.slice(i, i + 64));
    const ref = meanAndCovariance(x);
    const cov = m.covariance;
    ref.cov.forEach((v, i) => expect(Math.abs(cov[i] - v)).toBeLessThan(1e-8));
  });

  it('mergeFrom combines two accumulators exactly like one', () => {
    const rng = new Rng(33);
    const x = Array.from({ length: 90 }, () => [rng.normal(), rng.normal() * 2, rng.uniform()]);
    const a = new FeatureMoments().update(x.slice(0, 31));
    const b = new FeatureMoments().update(x.slice(31));
    a.mergeFrom(b);
    const ref = meanAndCovariance(x);
    const cov = a.covariance;
    ref.cov.forEach((v, i) => expect(Math.abs(cov[i] - v)).toBeLessThan(1e-13));
  });

  it('needs two samples for a covariance and a consistent dimension', () => {
    const m = new FeatureMoments().update([[1, 2]]);
    expect(() => m.covariance).toThrow(InvalidArgumentError);
    expect(() => m.update([[1, 2, 3]])).toThrow(ShapeError);
    expect(() => new FeatureMoments(0)).toThrow(InvalidArgumentError);
  });
});

describeEachBackend('frechetDistance on tensors', () => {
  it('matches the float64 reference on sampled Gaussian features, and is ~0 for identical sets', () => {
    const rng = new Rng(41);
    const d = 8;
    const l1 = randomSpd(d, rng).factor;
    const l2 = randomSpd(d, rng).factor;
    const x = gaussianSamples(400, Array(d).fill(0), l1, rng);
    const y = gaussianSamples(300, Array(d).fill(0.3), l2, rng);
    const xt = tf.tensor2d(x);
    const yt = tf.tensor2d(y);
    const before = tf.memory().numTensors;
    const got = frechetDistance(xt, yt);
    const same = frechetDistance(xt, xt);
    expect(tf.memory().numTensors).toBe(before);
    // The reference reads the same float32 values the tensors hold.
    const xs = (xt.arraySync() as number[][]).map((r) => r.slice());
    const ys = (yt.arraySync() as number[][]).map((r) => r.slice());
    const a = meanAndCovariance(xs);
    const b = meanAndCovariance(ys);
    expect(relDiff(got, referenceFrechet(a.mean, a.cov, b.mean, b.cov, d))).toBeLessThan(1e-9);
    let traces = 0;
    for (let i = 0; i < d; i++) traces += 2 * a.cov[i * d + i];
    expect(same).toBeLessThan(1e-12 * traces);
    tf.dispose([xt, yt]);
  });

  it('rejects bad input with typed errors', () => {
    tf.tidy(() => {
      const a = tf.zeros([4, 3]);
      expect(() => frechetDistance(a, tf.zeros([4, 2]))).toThrow(ShapeError);
      expect(() => frechetDistance(a, tf.zeros([1, 3]))).toThrow(ShapeError);
      expect(() => frechetDistance(tf.zeros([4]), a)).toThrow(ShapeError);
    });
    expect(() => frechetDistance([[0, 1], [NaN, 1]], [[0, 1], [1, 1]])).toThrow(InvalidArgumentError);
  });
});
