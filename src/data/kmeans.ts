/**
 * k-means clustering of the rows of a tensor: k-means++ seeding, then Lloyd iterations computed with tf ops in
 * chunks of rows. Made for self-conditioned GAN training, where the cluster of each real image stands in for a
 * class label (Logo-GAN, Sage et al. 2018, https://arxiv.org/abs/1712.04407; self-conditioned GANs, Liu et al.
 * 2020, https://arxiv.org/abs/2006.10728). No file-system code: safe for browser bundles.
 *
 * @module data/kmeans
 */
import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, DTypeError, InvalidArgumentError, ShapeError } from '../errors';
import { Random } from '../trainers/random';
import { optionKeys } from '../option_keys';

/** Options of {@link kMeans}. */
export interface KMeansOptions {
  /** Number of clusters, integer in [1, n]. */
  k: number;
  /** Most Lloyd iterations. Default 25. Stops earlier when no assignment changes. */
  iterations?: number;
  /** Seed of the k-means++ initialisation (gan-kit's Random from src/trainers/random.ts). Default 0. */
  seed?: number;
}

/** The keys of {@link KMeansOptions} (checked against it by the compiler, both ways). */
const K_MEANS_OPTION_KEYS = optionKeys<KMeansOptions>()(['k', 'iterations', 'seed']);

/** What {@link kMeans} found. */
export interface KMeansResult {
  /** Number of clusters (the `k` asked for). */
  k: number;
  /** Cluster of each point, n values in [0, k). */
  assignments: Int32Array;
  /** Centroids, row-major [k, d] (d = product of the point shape). */
  centroids: Float32Array;
  /** d: values per point, the product of the point shape (784 for `[n, 28, 28, 1]` MNIST digits). */
  dim: number;
  /** Points per cluster (length k). */
  sizes: number[];
  /** Sum of squared distances of the points to their centroids. */
  inertia: number;
  /** Lloyd iterations run. */
  iterations: number;
}

/** Rows per chunk of the distance computations: a chunk's `[rows, k]` distance matrix is all that is materialised. */
const CHUNK_ROWS = 4096;

interface Chunk {
  /** `[m, d]` float32 rows. */
  rows: tf.Tensor2D;
  /** `[m]` squared norms of the rows. */
  norms: tf.Tensor1D;
  /** Index of the chunk's first row. */
  start: number;
}

/** One assignment pass over all chunks: nearest centroids, and the sums that make the next centroids. */
interface Pass {
  assignments: Int32Array;
  /** Squared distance of each point to its assigned centroid (float32 formula, clamped at 0). */
  distances: Float32Array;
  /** `[k, d]` sums of the points of each cluster. */
  sums: Float32Array;
  /** Points per cluster. */
  counts: Float32Array;
}

function validate(points: tf.Tensor, options: KMeansOptions): { n: number; d: number; k: number; iterations: number; seed: number } {
  if (!(points instanceof tf.Tensor)) {
    throw new InvalidArgumentError('points', 'a tf.Tensor of shape [n, ...] (one point per row)', points);
  }
  if (points.rank < 2) {
    throw new ShapeError('points', 'a tensor of rank >= 2, [n, ...] with one point per row', points, 'Reshape a vector of scalars to [n, 1].');
  }
  if (points.dtype === 'string' || points.dtype === 'complex64') {
    throw new DTypeError('points', 'a numeric tensor (float32, int32 or bool)', points);
  }
  const n = points.shape[0]!;
  const d = points.size / Math.max(n, 1);
  if (n === 0) throw new ShapeError('points', 'at least one point (n >= 1)', points);
  if (d === 0) throw new ShapeError('points', 'points with at least one value each', points);
  if (options == null || typeof options !== 'object') {
    throw new InvalidArgumentError('options', 'an object { k, iterations?, seed? }', options);
  }
  const { k } = options;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > n) {
    throw new InvalidArgumentError('options.k', `an integer in [1, n] = [1, ${n}] (number of clusters)`, k);
  }
  const iterations = options.iterations ?? 25;
  if (typeof iterations !== 'number' || !Number.isInteger(iterations) || iterations < 1) {
    throw new InvalidArgumentError('options.iterations', 'a positive integer (most Lloyd iterations)', options.iterations);
  }
  const seed = options.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new InvalidArgumentError('options.seed', 'a finite number', options.seed);
  }
  return { n, d, k, iterations, seed };
}

/** Throws if a chunk holds NaN or ±Infinity, naming the first such point and value. */
async function checkFinite(chunk: Chunk, points: tf.Tensor): Promise<void> {
  const rowFinite = tf.tidy(() => tf.all(tf.isFinite(chunk.rows), 1));
  const flags = await rowFinite.data();
  rowFinite.dispose();
  const bad = flags.findIndex((f) => !f);
  if (bad < 0) return;
  const row = tf.tidy(() => tf.slice(chunk.rows, [bad, 0], [1, -1]));
  const values = await row.data();
  row.dispose();
  const column = values.findIndex((v) => !Number.isFinite(v));
  throw new InvalidArgumentError(
    'points',
    'finite values (no NaN or ±Infinity)',
    points,
    `Point ${chunk.start + bad} holds the non-finite value ${values[column]} (flattened index ${column}).`,
  );
}

/**
 * k-means++ seeding (Arthur & Vassilvitskii 2007): the first centre is a uniformly drawn point, each next one a
 * point drawn with probability proportional to its squared distance to the nearest centre chosen so far.
 * Returns the indices of the chosen points.
 */
async function seedCentres(x: tf.Tensor2D, chunks: Chunk[], n: number, k: number, rng: Random): Promise<number[]> {
  const nearest = new Float64Array(n).fill(Infinity);
  const chosen: number[] = [rng.int(n)];
  while (chosen.length < k) {
    const latest = chosen[chosen.length - 1]!;
    const [centre, centreNorm] = tf.tidy(() => {
      // gather, not slice: the wasm backend's slice copies the whole input out of the heap first.
      const row = tf.gather(x, [latest]);
      return [row, tf.sum(tf.square(row))];
    });
    for (const chunk of chunks) {
      // ‖x‖² − 2x·c + ‖c‖²: one matrix-vector product per chunk.
      const dist = tf.tidy(() => tf.add(tf.sub(chunk.norms, tf.mul(tf.reshape(tf.matMul(chunk.rows, centre!, false, true), [-1]), 2)), centreNorm!));
      const values = await dist.data();
      dist.dispose();
      for (let i = 0; i < values.length; i++) {
        const j = chunk.start + i;
        const v = Math.max(values[i]!, 0);
        if (v < nearest[j]!) nearest[j] = v;
      }
    }
    tf.dispose([centre!, centreNorm!]);
    // Rounding leaves a chosen point a tiny distance from itself: make it exactly 0 so it is never drawn again.
    for (const c of chosen) nearest[c] = 0;
    let total = 0;
    for (let i = 0; i < n; i++) total += nearest[i]!;
    if (!(total > 0)) {
      // Every point coincides with a centre (fewer distinct points than k): any point will do.
      chosen.push(rng.int(n));
      continue;
    }
    const target = rng.uniform() * total;
    let cumulative = 0;
    let pick = -1;
    for (let i = 0; i < n; i++) {
      if (nearest[i]! <= 0) continue;
      pick = i;
      cumulative += nearest[i]!;
      if (cumulative > target) break;
    }
    chosen.push(pick);
  }
  return chosen;
}

/**
 * Assigns every point to its nearest centroid, with squared distances ‖x‖² − 2x·cᵀ + ‖c‖² from one matMul per
 * chunk, and sums the points of each cluster (one-hotᵀ · x) for the next centroids.
 */
async function assign(chunks: Chunk[], centroids: tf.Tensor2D, n: number, k: number, d: number): Promise<Pass> {
  const assignments = new Int32Array(n);
  const distances = new Float32Array(n);
  const [minusTwoC, centroidNorms] = tf.tidy(() => [tf.mul(centroids, -2), tf.sum(tf.square(centroids), 1)]);
  let sums: tf.Tensor2D = tf.zeros([k, d]);
  let counts: tf.Tensor1D = tf.zeros([k]);
  try {
    for (const chunk of chunks) {
      const [index, distance, nextSums, nextCounts] = tf.tidy(() => {
        // ‖x‖² is the same for every centroid: leave it out of the argmin and add it to the minimum only.
        const scores = tf.add(tf.matMul(chunk.rows, minusTwoC!, false, true), centroidNorms!);
        const idx = tf.argMin(scores, 1);
        const dist = tf.relu(tf.add(tf.min(scores, 1), chunk.norms));
        // Not tf.oneHot: it needs depth >= 2, and the wasm backend (tfjs 4.22) ignores its float32 dtype and
        // writes int32 bits (1 reads as 1.4e-45).
        const oneHot = tf.cast(tf.equal(tf.expandDims(idx, 1), tf.range(0, k, 1, 'int32')), 'float32');
        return [idx, dist, tf.add(sums, tf.matMul(oneHot, chunk.rows, true, false)), tf.add(counts, tf.sum(oneHot, 0))];
      });
      sums.dispose();
      counts.dispose();
      sums = nextSums as tf.Tensor2D;
      counts = nextCounts as tf.Tensor1D;
      const [idxValues, distValues] = await Promise.all([index!.data(), distance!.data()]);
      tf.dispose([index!, distance!]);
      assignments.set(idxValues as Int32Array, chunk.start);
      distances.set(distValues as Float32Array, chunk.start);
    }
    const [sumValues, countValues] = await Promise.all([sums.data(), counts.data()]);
    return { assignments, distances, sums: sumValues as Float32Array, counts: countValues as Float32Array };
  } finally {
    tf.dispose([minusTwoC!, centroidNorms!, sums, counts]);
  }
}

/**
 * New centroids: the mean of each cluster's points (Lloyd's update). An empty cluster is re-seeded with the point
 * farthest from its current centroid (each such point used once).
 */
async function updateCentroids(x: tf.Tensor2D, pass: Pass, k: number, d: number): Promise<Float32Array> {
  const centroids = new Float32Array(k * d);
  const distances = Float64Array.from(pass.distances);
  for (let c = 0; c < k; c++) {
    const count = pass.counts[c]!;
    if (count > 0) {
      for (let j = 0; j < d; j++) centroids[c * d + j] = pass.sums[c * d + j]! / count;
      continue;
    }
    let farthest = 0;
    for (let i = 1; i < distances.length; i++) if (distances[i]! > distances[farthest]!) farthest = i;
    distances[farthest] = -1;
    const row = tf.gather(x, [farthest]);
    centroids.set(await row.data(), c * d);
    row.dispose();
  }
  return centroids;
}

function sameAssignments(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Sum over points of ‖x − c(x)‖², from exact differences (so a point on its centroid adds exactly 0), accumulated
 * in float64; one chunk of rows is read at a time.
 */
async function inertiaOf(chunks: Chunk[], centroids: Float32Array, assignments: Int32Array, d: number): Promise<number> {
  let inertia = 0;
  for (const chunk of chunks) {
    const rows = await chunk.rows.data();
    for (let i = 0; i < rows.length / d; i++) {
      const c = assignments[chunk.start + i]! * d;
      const r = i * d;
      for (let j = 0; j < d; j++) {
        const diff = rows[r + j]! - centroids[c + j]!;
        inertia += diff * diff;
      }
    }
  }
  return inertia;
}

/**
 * Clusters the rows of `points` into `k` groups with k-means: k-means++ seeding (Arthur & Vassilvitskii 2007,
 * "k-means++: the advantages of careful seeding", https://theory.stanford.edu/~sergei/papers/kMeansPP-soda.pdf),
 * then Lloyd's iterations (Lloyd 1982, "Least squares quantization in PCM", IEEE Trans. Inf. Theory 28(2),
 * https://doi.org/10.1109/TIT.1982.1056489): assign every point to its nearest centroid (squared Euclidean
 * distance), move every centroid to the mean of its points, until no assignment changes or `iterations` updates
 * have run.
 *
 * Use it for self-conditioned GAN training: the clusters of the real images serve as class labels for a
 * conditional GAN when the data have none (Sage et al. 2018, https://arxiv.org/abs/1712.04407; Liu et al. 2020,
 * https://arxiv.org/abs/2006.10728).
 *
 * - `points`: any numeric tensor `[n, ...]` of rank ≥ 2; each row is flattened to `d` values (784 for
 *   `[n, 28, 28, 1]` digits) and cast to float32. The caller keeps it (it is not disposed).
 * - Distances come from ‖x‖² − 2x·cᵀ + ‖c‖² (one matMul), computed on the active backend in chunks of 4,096 rows:
 *   beyond one float32 copy of the points, memory stays about `4096 × (k + d)` floats for any n.
 * - Deterministic: the same points, options and backend give the same result.
 * - An empty cluster is re-seeded with the point farthest from its centroid. A cluster can stay empty only when
 *   the points have fewer than `k` distinct values.
 * - The returned assignments are always the nearest centroids of the returned `centroids`, and `inertia` their
 *   sum of squared distances. When `iterations` is below the limit, Lloyd's iterations converged and each
 *   centroid is also the mean of its points (a local minimum of the inertia).
 *
 * @param points - `[n, ...]` points, one per row (any numeric dtype; cast to float32).
 * @param options - `k` (required), `iterations` (default 25), `seed` (default 0).
 * @returns assignments `[n]`, centroids `[k, d]`, cluster sizes, inertia and the number of iterations run.
 * @throws {InvalidArgumentError} (or its subclasses `ShapeError`, `DTypeError`) if `points` is not a numeric tensor
 *   of rank ≥ 2 with n ≥ 1, holds NaN or ±Infinity, `k` is not an integer in [1, n], or `iterations` is not a
 *   positive integer.
 *
 * @example
 * ```ts
 * const { images } = await loadMnist();                                // [10000, 28, 28, 1]
 * const { assignments, sizes } = await kMeans(images, { k: 30 });     // a cluster id in [0, 30) per digit
 * const labels = tf.tensor1d(assignments, 'int32');                    // "class" labels for a conditional GAN
 * ```
 */
export async function kMeans(points: tf.Tensor, options: KMeansOptions): Promise<KMeansResult> {
  checkOptionKeys('kMeans options', options, K_MEANS_OPTION_KEYS);
  const { n, d, k, iterations: maxIterations, seed } = validate(points, options);
  const x = tf.tidy(() => tf.reshape(tf.cast(points, 'float32'), [n, d])) as tf.Tensor2D;
  const chunks: Chunk[] = [];
  let centroids: tf.Tensor2D | undefined;
  try {
    for (let start = 0; start < n; start += CHUNK_ROWS) {
      const m = Math.min(CHUNK_ROWS, n - start);
      const rows = m === n ? x : tf.tidy(() => tf.gather(x, tf.range(start, start + m, 1, 'int32')) as tf.Tensor2D);
      chunks.push({ rows, norms: tf.tidy(() => tf.sum(tf.square(rows), 1)), start });
    }
    for (const chunk of chunks) await checkFinite(chunk, points);

    const seeds = await seedCentres(x, chunks, n, k, new Random(seed));
    centroids = tf.tidy(() => tf.gather(x, tf.tensor1d(seeds, 'int32')));
    let pass = await assign(chunks, centroids, n, k, d);
    let iterations = 0;
    while (iterations < maxIterations) {
      const next = await updateCentroids(x, pass, k, d);
      centroids.dispose();
      centroids = tf.tensor2d(next, [k, d]);
      iterations++;
      const previous = pass.assignments;
      pass = await assign(chunks, centroids, n, k, d);
      if (sameAssignments(previous, pass.assignments)) break;
    }

    const sizes = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) sizes[pass.assignments[i]!]!++;
    const centroidValues = (await centroids.data()) as Float32Array;
    const inertia = await inertiaOf(chunks, centroidValues, pass.assignments, d);
    return { k, assignments: pass.assignments, centroids: centroidValues, dim: d, sizes, inertia, iterations };
  } finally {
    for (const chunk of chunks) {
      if (chunk.rows !== x) chunk.rows.dispose();
      chunk.norms.dispose();
    }
    x.dispose();
    centroids?.dispose();
  }
}
