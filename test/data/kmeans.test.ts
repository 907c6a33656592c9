import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { kMeans, type KMeansResult } from '../../src/data/kmeans';
import { InvalidArgumentError } from '../../src/errors';
import { Random } from '../../src/trainers/random';
import { describeEachBackend } from '../helpers/backends';

/** Rows of a flat float array, as float64 vectors. */
function rowsOf(values: ArrayLike<number>, n: number, d: number): Float64Array[] {
  return Array.from({ length: n }, (_, i) => Float64Array.from({ length: d }, (_, j) => values[i * d + j]!));
}

function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j]! - b[j]!) ** 2;
  return s;
}

/**
 * Checks, in float64, that a result is a fixed point of Lloyd's algorithm on `points`: every point is at its
 * nearest centroid (up to float32 rounding of ties), every non-empty cluster's centroid is the mean of its points,
 * sizes count the assignments and inertia is the sum of squared distances.
 */
function expectLloydFixedPoint(points: Float64Array[], result: KMeansResult): void {
  const { k, dim } = result;
  const centroids = rowsOf(result.centroids, k, dim);
  expect(result.assignments).toHaveLength(points.length);
  expect(result.centroids).toHaveLength(k * dim);
  const sizes = new Array<number>(k).fill(0);
  const sums = Array.from({ length: k }, () => new Float64Array(dim));
  let inertia = 0;
  points.forEach((p, i) => {
    const a = result.assignments[i]!;
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(k);
    const own = squaredDistance(p, centroids[a]!);
    const best = Math.min(...centroids.map((c) => squaredDistance(p, c)));
    expect(own).toBeLessThanOrEqual(best + 1e-5 * (1 + best));
    inertia += own;
    sizes[a]!++;
    for (let j = 0; j < dim; j++) sums[a]![j]! += p[j]!;
  });
  expect(result.sizes).toEqual(sizes);
  for (let c = 0; c < k; c++) {
    if (sizes[c] === 0) continue;
    for (let j = 0; j < dim; j++) expect(Math.abs(centroids[c]![j]! - sums[c]![j]! / sizes[c]!)).toBeLessThan(1e-4);
  }
  expect(Math.abs(result.inertia - inertia)).toBeLessThanOrEqual(1e-5 * inertia + 1e-9);
}

/** `blobs` Gaussian blobs (std 0.05) around well-separated 2-D centres, points interleaved: point i is in blob i % blobs. */
function blobs(perBlob: number, seed: number): { values: Float32Array; blob: number[] } {
  const centres = [[0, 0], [1, 0], [0, 1], [1, 1]];
  const rng = new Random(seed);
  const n = perBlob * centres.length;
  const values = new Float32Array(n * 2);
  const blob: number[] = [];
  for (let i = 0; i < n; i++) {
    const b = i % centres.length;
    blob.push(b);
    values[2 * i] = centres[b]![0]! + 0.05 * rng.normal();
    values[2 * i + 1] = centres[b]![1]! + 0.05 * rng.normal();
  }
  return { values, blob };
}

function uniformPoints(n: number, d: number, seed: number): Float32Array {
  return new Random(seed).fillUniform(new Float32Array(n * d), -1, 1);
}

describeEachBackend('kMeans', () => {
  it('recovers four well-separated Gaussian blobs exactly, up to relabelling', async () => {
    const { values, blob } = blobs(50, 1);
    const points = tf.tensor2d(values, [200, 2]);
    const before = tf.memory().numTensors;
    const result = await kMeans(points, { k: 4 });
    expect(tf.memory().numTensors).toBe(before);
    // The partition is the blobs': a one-to-one map from clusters to blobs.
    const blobOfCluster = new Map<number, number>();
    result.assignments.forEach((c, i) => {
      if (!blobOfCluster.has(c)) blobOfCluster.set(c, blob[i]!);
      expect(blobOfCluster.get(c)).toBe(blob[i]);
    });
    expect(new Set(blobOfCluster.values()).size).toBe(4);
    expect(result.sizes).toEqual([50, 50, 50, 50]);
    expect(result.k).toBe(4);
    expect(result.dim).toBe(2);
    expect(result.iterations).toBeLessThan(25);
    expectLloydFixedPoint(rowsOf(values, 200, 2), result);
    points.dispose();
  });

  it.each([
    ['300 points of shape [2, 3, 1], k = 7', [300, 2, 3, 1], 7],
    ['5,000 points in 3-D (two row chunks), k = 5', [5000, 3], 5],
  ] as const)('converges to a Lloyd fixed point, checked in float64: %s', async (_, shape, k) => {
    const n = shape[0];
    const d = shape.slice(1).reduce<number>((a, b) => a * b, 1);
    const values = uniformPoints(n, d, 7);
    const points = tf.tensor(values, [...shape]);
    const result = await kMeans(points, { k, iterations: 300, seed: 3 });
    expect(result.iterations).toBeLessThan(300); // converged: no assignment changed
    expect(result.dim).toBe(d);
    expect(result.sizes.every((s) => s > 0)).toBe(true);
    expectLloydFixedPoint(rowsOf(values, n, d), result);
    expect(points.isDisposed).toBe(false); // the caller keeps the points
    points.dispose();
  });

  it('returns nearest-centroid assignments and their inertia when stopped by the iteration limit', async () => {
    const values = uniformPoints(400, 4, 11);
    const points = tf.tensor2d(values, [400, 4]);
    const result = await kMeans(points, { k: 12, iterations: 1 });
    expect(result.iterations).toBe(1);
    const centroids = rowsOf(result.centroids, 12, 4);
    let inertia = 0;
    rowsOf(values, 400, 4).forEach((p, i) => {
      const own = squaredDistance(p, centroids[result.assignments[i]!]!);
      expect(own).toBeLessThanOrEqual(Math.min(...centroids.map((c) => squaredDistance(p, c))) + 1e-5);
      inertia += own;
    });
    expect(result.inertia).toBeCloseTo(inertia, 4);
    points.dispose();
  });

  it('is deterministic for a seed; k = 1 gives the mean; k = n gives inertia 0', async () => {
    const values = uniformPoints(120, 3, 5);
    const points = tf.tensor2d(values, [120, 3]);
    const a = await kMeans(points, { k: 6, seed: 42 });
    const b = await kMeans(points, { k: 6, seed: 42 });
    expect(Array.from(b.assignments)).toEqual(Array.from(a.assignments));
    expect(Array.from(b.centroids)).toEqual(Array.from(a.centroids));
    expect(b.inertia).toBe(a.inertia);

    const one = await kMeans(points, { k: 1 });
    expect(Array.from(one.assignments)).toEqual(new Array(120).fill(0));
    expect(one.sizes).toEqual([120]);
    const rows = rowsOf(values, 120, 3);
    const mean = [0, 1, 2].map((j) => rows.reduce((s, r) => s + r[j]!, 0) / 120);
    mean.forEach((m, j) => expect(Math.abs(one.centroids[j]! - m)).toBeLessThan(1e-6));
    expect(one.inertia).toBeCloseTo(rows.reduce((s, r) => s + squaredDistance(r, mean), 0), 4);

    const small = tf.tensor2d(values.subarray(0, 30), [10, 3]);
    const all = await kMeans(small, { k: 10 });
    expect(all.inertia).toBeLessThan(1e-12);
    expect(all.sizes).toEqual(new Array(10).fill(1));
    expect(new Set(all.assignments).size).toBe(10);
    tf.dispose([points, small]);
  });

  it('casts integer points, and copes with fewer distinct points than k (a cluster may stay empty)', async () => {
    const points = tf.tensor2d([[0, 0], [5, 5], [0, 0], [5, 5], [0, 0], [5, 5]], [6, 2], 'int32');
    const result = await kMeans(points, { k: 3 });
    expect(result.inertia).toBe(0);
    expect(result.sizes.reduce((s, v) => s + v, 0)).toBe(6);
    expectLloydFixedPoint(rowsOf([0, 0, 5, 5, 0, 0, 5, 5, 0, 0, 5, 5], 6, 2), result);
    points.dispose();
  });

  it('re-seeds a cluster that Lloyd\'s update leaves empty with the point farthest from its centroid', async () => {
    // Integers, so every distance is exact in float32. With seed 1 the k-means++ seeds are 1343, 657 and 1512.
    // The first update moves them to 1171.5 (1000 and 1343; 1000 is equidistant from 1343 and 657), 905.25 and
    // 1512; then 1000 is nearer 905.25 and 1343 nearer 1512, so the first cluster is empty. Re-seeded with 657
    // (the farthest point, 248.25 from 905.25), Lloyd reaches the best 3-clustering. Left where it was, or moved
    // anywhere near the origin, that centroid would stay empty.
    const values = [992, 999, 1512, 973, 657, 1000, 1343];
    const points = tf.tensor2d(values, [7, 1]);
    const result = await kMeans(points, { k: 3, seed: 1 });
    expect(result.sizes.every((s) => s > 0)).toBe(true);
    const groups = [[4], [0, 1, 3, 5], [2, 6]].map((g) => new Set(g.map((i) => result.assignments[i])));
    groups.forEach((g) => expect(g.size).toBe(1));
    expect(new Set(groups.map((g) => [...g][0])).size).toBe(3);
    expectLloydFixedPoint(rowsOf(values, 7, 1), result);
    points.dispose();
  });

  it('throws InvalidArgumentError naming the argument for each invalid input, and leaks nothing', async () => {
    const good = tf.tensor2d([[0, 1], [2, 3], [4, 5]]);
    const vector = tf.tensor1d([1, 2, 3]);
    const empty = tf.zeros([0, 2]);
    const withNaN = tf.tensor2d([[0, 1], [2, NaN], [4, 5]]);
    const withInf = tf.tensor2d([[0, 1], [2, 3], [Infinity, 5]]);
    const strings = tf.tensor(['a', 'b'], [2, 1]);
    const before = tf.memory().numTensors;
    const cases: Array<[tf.Tensor | unknown, unknown, string, RegExp?]> = [
      [[[0, 1], [2, 3]], { k: 1 }, 'points'],
      [vector, { k: 1 }, 'points', /rank >= 2/],
      [empty, { k: 1 }, 'points', /at least one point/],
      [strings, { k: 1 }, 'points', /numeric/],
      [withNaN, { k: 1 }, 'points', /finite.*Point 1 holds the non-finite value NaN/],
      [withInf, { k: 2 }, 'points', /Point 2 holds the non-finite value Infinity/],
      [good, { k: 0 }, 'options.k', /\[1, 3\]/],
      [good, { k: 4 }, 'options.k', /got 4/],
      [good, { k: 1.5 }, 'options.k'],
      [good, {}, 'options.k'],
      [good, { k: 2, iterations: 0 }, 'options.iterations'],
      [good, { k: 2, iterations: 2.5 }, 'options.iterations'],
      [good, { k: 2, seed: NaN }, 'options.seed'],
    ];
    for (const [points, options, argument, message] of cases) {
      const error = await kMeans(points as tf.Tensor, options as { k: number }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, `${argument} ${JSON.stringify(options)}`).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).argument).toBe(argument);
      if (message) expect((error as Error).message).toMatch(message);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([good, vector, empty, withNaN, withInf, strings]);
  });

  it('leaks no tensor across calls', async () => {
    const points = tf.tensor2d(uniformPoints(5000, 2, 9), [5000, 2]);
    const before = tf.memory().numTensors;
    await kMeans(points, { k: 8 });
    await kMeans(points, { k: 3, iterations: 2 });
    expect(tf.memory().numTensors).toBe(before);
    points.dispose();
  });
});
