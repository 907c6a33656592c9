import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError, ShapeError } from '../errors';
import { FeatureMoments, type GaussianStatistics } from './feature_moments';
import { frechetDistanceFromMoments } from './frechet_distance';
import { mnistFeatureExtractor } from './mnist_classifier';
import { optionKeys } from '../option_keys';

/**
 * A network that maps a batch of samples to a batch of feature vectors: any `tf.LayersModel` or
 * `tf.GraphModel` (e.g. an InceptionV3 the user loaded with `tf.loadGraphModel`), run with `predict` in
 * inference mode, or a synchronous function. Outputs of rank > 2 (e.g. `[b, 1, 1, 2048]` pooled maps) are
 * flattened to `[b, features]`. Models must have a single output.
 */
export type FeatureExtractor = tf.LayersModel | tf.GraphModel | ((batch: tf.Tensor) => tf.Tensor);

/**
 * Where generated samples come from: a generator `tf.LayersModel` with one latent input (fed standard-normal
 * latents), or a function returning a batch of `batchSize` samples (the tensor is disposed after use; extra rows
 * are ignored). Use a function for conditional generators or other latent distributions.
 */
export type SampleSource = tf.LayersModel | ((batchSize: number) => tf.Tensor | Promise<tf.Tensor>);

/**
 * Batches of samples: a tensor `[n, ...]` (read in slices of `batchSize`, never disposed), an array of batch
 * tensors (not disposed), or a `tf.data.Dataset` / generator / async iterable yielding batch tensors (each
 * disposed after use). Map datasets of `{xs, ys}` to the image tensor first: `ds.map((e) => e.xs)`.
 */
export type SampleBatches =
  | tf.Tensor
  | tf.data.Dataset<tf.Tensor>
  | readonly tf.Tensor[]
  | Iterable<tf.Tensor>
  | AsyncIterable<tf.Tensor>;

/** Options of {@link computeFeatureMoments}. */
export interface FeatureMomentsOptions {
  /**
   * The feature network. Default: gan-kit's MNIST classifier features (`mnistFeatureExtractor()`, 128-d, for
   * `[n, 28, 28, 1]` digits in [-1, 1]).
   */
  featureExtractor?: FeatureExtractor;
  /** Applied to every batch before the feature extractor (e.g. resizing to 299x299 for InceptionV3). Default: none. */
  preprocess?: (batch: tf.Tensor) => tf.Tensor;
  /** Rows per slice when the data is one big tensor. Default: 100. */
  batchSize?: number;
  /** Stop after this many samples. Default: all of them. */
  maxSamples?: number;
}

/** The keys of {@link FeatureMomentsOptions} (checked against it by the compiler, both ways). */
const FEATURE_MOMENTS_OPTION_KEYS = optionKeys<FeatureMomentsOptions>()(['featureExtractor', 'preprocess', 'batchSize', 'maxSamples']);

/** Options of {@link fid}. */
export interface FidOptions extends FeatureMomentsOptions {
  /** Number of generated samples. Default: 10,000. */
  n?: number;
  /** Samples per generator call (and per slice of a real-data tensor). Default: 100. */
  batchSize?: number;
  /** Real samples to use at most. Default: all of `realData`. */
  maxSamples?: number;
  /**
   * Seed of the latent vectors when the source is a generator model (batch i uses seed + i). Default: undefined
   * (fresh random latents each call).
   */
  seed?: number;
}

/** The keys of {@link FidOptions} (checked against it by the compiler, both ways). */
const FID_OPTION_KEYS = optionKeys<FidOptions>()(['n', 'batchSize', 'maxSamples', 'seed', 'featureExtractor', 'preprocess']);

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError(name, 'an integer >= 1', value);
  return value;
}

function isDataset(x: unknown): x is tf.data.Dataset<tf.Tensor> {
  const d = x as { iterator?: unknown; forEachAsync?: unknown } | null;
  return d != null && typeof d === 'object' && typeof d.iterator === 'function' && typeof d.forEachAsync === 'function';
}

function isStatistics(x: unknown): x is GaussianStatistics {
  if (x instanceof FeatureMoments) return true;
  const s = x as { mean?: unknown; covariance?: unknown } | null;
  return s != null && typeof s === 'object' && !(x instanceof tf.Tensor) && s.mean != null && s.covariance != null;
}

/** Runs the extractor on one batch and returns `[b, features]` (a new tensor). */
function extractFeatures(extractor: FeatureExtractor, batch: tf.Tensor, preprocess?: (b: tf.Tensor) => tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const input = preprocess ? preprocess(batch) : batch;
    let out: tf.Tensor | tf.Tensor[] | tf.NamedTensorMap;
    if (typeof extractor === 'function') out = extractor(input);
    else out = extractor.predict(input);
    if (Array.isArray(out)) {
      if (out.length !== 1) throw new InvalidArgumentError('featureExtractor', 'a model with one output', `${out.length} outputs`);
      out = out[0];
    } else if (!(out instanceof tf.Tensor)) {
      const values = Object.values(out);
      if (values.length !== 1) throw new InvalidArgumentError('featureExtractor', 'a model with one output', `${values.length} outputs`);
      out = values[0];
    }
    const features = out as tf.Tensor;
    if (features.rank < 1 || features.shape[0] !== batch.shape[0]) {
      throw new ShapeError('featureExtractor output', `${batch.shape[0]} rows, one per sample`, features);
    }
    return (features.rank === 2 ? features : features.reshape([features.shape[0], -1])).toFloat() as tf.Tensor2D;
  });
}

async function accumulate(
  moments: FeatureMoments,
  extractor: FeatureExtractor,
  batch: tf.Tensor,
  preprocess: ((b: tf.Tensor) => tf.Tensor) | undefined,
): Promise<void> {
  const features = extractFeatures(extractor, batch, preprocess);
  try {
    const [rows, cols] = features.shape;
    moments.updateRows(await features.data(), rows, cols);
  } finally {
    features.dispose();
  }
}

async function resolveExtractor(extractor: FeatureExtractor | undefined): Promise<FeatureExtractor> {
  return extractor ?? (await mnistFeatureExtractor());
}

/** Iterates over the batches of a {@link SampleBatches}, saying for each whether the caller must dispose it. */
async function* batchesOf(data: SampleBatches, batchSize: number): AsyncGenerator<{ batch: tf.Tensor; owned: boolean }> {
  if (data instanceof tf.Tensor) {
    const n = data.shape[0] ?? 0;
    if (data.rank < 1) throw new ShapeError('data', 'a tensor [samples, ...]', data);
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      const begin = data.shape.map((_, i) => (i === 0 ? start : 0));
      const sizes = data.shape.map((d, i) => (i === 0 ? size : d));
      yield { batch: data.slice(begin, sizes), owned: true };
    }
    return;
  }
  const check = (x: unknown): tf.Tensor => {
    if (!(x instanceof tf.Tensor)) {
      throw new InvalidArgumentError('data', 'batches that are tensors', x, 'Map the dataset to its image tensor first, e.g. ds.map((e) => e.xs).');
    }
    return x;
  };
  if (isDataset(data)) {
    const it = await data.iterator();
    for (let r = await it.next(); !r.done; r = await it.next()) yield { batch: check(r.value), owned: true };
    return;
  }
  if (Array.isArray(data)) {
    for (const x of data as readonly tf.Tensor[]) yield { batch: check(x), owned: false };
    return;
  }
  const asyncIt = (data as AsyncIterable<tf.Tensor>)[Symbol.asyncIterator];
  const syncIt = (data as Iterable<tf.Tensor>)[Symbol.iterator];
  if (typeof asyncIt !== 'function' && typeof syncIt !== 'function') {
    throw new InvalidArgumentError('data', 'a tensor, an array of tensors, a tf.data.Dataset or an (async) iterable of tensors', data);
  }
  // A one-shot iterator (a generator) yields fresh tensors nobody else holds: dispose them. A re-iterable
  // container keeps its tensors: leave them.
  const iterable = data as AsyncIterable<tf.Tensor> & Iterable<tf.Tensor>;
  const oneShot =
    typeof asyncIt === 'function' ? iterable[Symbol.asyncIterator]() === (data as unknown) : iterable[Symbol.iterator]() === (data as unknown);
  if (typeof asyncIt === 'function') {
    for await (const x of iterable as AsyncIterable<tf.Tensor>) yield { batch: check(x), owned: oneShot };
  } else {
    for (const x of iterable as Iterable<tf.Tensor>) yield { batch: check(x), owned: oneShot };
  }
}

/**
 * Streams batches of samples through a feature network and accumulates the features' mean and covariance in
 * float64 ({@link FeatureMoments}); only one batch of samples and features is in memory at a time. Use it to
 * compute the real data's statistics once and pass them to {@link fid} for many evaluations.
 *
 * @param data - see {@link SampleBatches}.
 * @param options - see {@link FeatureMomentsOptions}.
 * @example
 * ```ts
 * const realStats = await computeFeatureMoments(realImages);   // [n, 28, 28, 1] in [-1, 1]
 * const score = await fid(generator, realStats, { n: 5000 });
 * ```
 */
export async function computeFeatureMoments(data: SampleBatches, options: FeatureMomentsOptions = {}): Promise<FeatureMoments> {
  checkOptionKeys('computeFeatureMoments options', options, FEATURE_MOMENTS_OPTION_KEYS);
  const batchSize = positiveInteger(options.batchSize ?? 100, 'options.batchSize');
  const maxSamples = options.maxSamples ?? Infinity;
  if (!(maxSamples >= 1)) throw new InvalidArgumentError('options.maxSamples', 'a number >= 1', maxSamples);
  const extractor = await resolveExtractor(options.featureExtractor);
  const moments = new FeatureMoments();
  for await (const { batch, owned } of batchesOf(data, batchSize)) {
    try {
      const remaining = maxSamples - moments.count;
      if (batch.shape[0] > remaining) {
        const part = batch.slice(0, remaining);
        try {
          await accumulate(moments, extractor, part, options.preprocess);
        } finally {
          part.dispose();
        }
      } else {
        await accumulate(moments, extractor, batch, options.preprocess);
      }
    } finally {
      if (owned) batch.dispose();
    }
    if (moments.count >= maxSamples) break;
  }
  return moments;
}

/** Draws `size` samples from the source (a new tensor the caller disposes). */
async function sample(source: SampleSource, size: number, seed: number | undefined): Promise<tf.Tensor> {
  if (typeof source === 'function') {
    const out = await source(size);
    if (!(out instanceof tf.Tensor) || out.rank < 1 || out.shape[0] < size) {
      if (out instanceof tf.Tensor) out.dispose();
      throw new InvalidArgumentError('generatorOrSampler', `a sampler returning a tensor with at least ${size} rows`, out);
    }
    if (out.shape[0] === size) return out;
    const part = out.slice(0, size);
    out.dispose();
    return part;
  }
  if (source.inputs.length !== 1) {
    throw new InvalidArgumentError(
      'generatorOrSampler',
      'a generator with one (latent) input',
      `${source.inputs.length} inputs`,
      'For a conditional generator pass a sampler: (n) => generator.predict([noise(n), labels(n)]).',
    );
  }
  const latentShape = source.inputs[0].shape.slice(1);
  if (latentShape.some((d) => d == null)) {
    throw new InvalidArgumentError('generatorOrSampler', 'a generator whose latent input has a fixed shape', source.inputs[0].shape);
  }
  return tf.tidy(() => {
    const z = tf.randomNormal([size, ...(latentShape as number[])], 0, 1, 'float32', seed);
    const out = source.predict(z);
    if (Array.isArray(out)) {
      if (out.length !== 1) throw new InvalidArgumentError('generatorOrSampler', 'a generator with one output', `${out.length} outputs`);
      return out[0];
    }
    return out;
  });
}

/**
 * Fréchet Inception Distance between a generator's samples and real data (Heusel et al. 2017,
 * https://arxiv.org/abs/1706.08500), streamed: `n` generated samples and the real batches go through the
 * feature network one batch at a time, their features' mean and covariance are accumulated in float64
 * ({@link FeatureMoments}), and {@link frechetDistanceFromMoments} compares them. No full-set tensor is ever
 * built, so n can be 50,000 with InceptionV3 features.
 *
 * The feature network defaults to gan-kit's MNIST classifier (28x28 digits in [-1, 1]); any single-output
 * `tf.LayersModel` or `tf.GraphModel` works, e.g. an InceptionV3 loaded from disk with a `preprocess` that
 * resizes to 299x299. Values depend on the feature network and on n (FID is biased upwards for small n):
 * compare only numbers computed with the same network, preprocessing and n. MNIST-classifier FIDs are not
 * comparable with published InceptionV3 FIDs (see docs/metrics.md).
 *
 * Generator models are run with `predict` (inference mode: batch norm uses its moving statistics).
 *
 * @param generatorOrSampler - see {@link SampleSource}.
 * @param realData - real samples (see {@link SampleBatches}) or their precomputed feature statistics (a
 *   {@link FeatureMoments} from {@link computeFeatureMoments}, or `{ mean, covariance }`).
 * @param options - see {@link FidOptions}.
 * @returns the FID (>= 0, lower is better).
 * @example
 * ```ts
 * const score = await fid(generator, realImages, { n: 10000 });                 // MNIST features
 * const inception = await tf.loadGraphModel('file://…/inception_v3/model.json'); // any feature network
 * const score2 = await fid(generator, realImages, {
 *   featureExtractor: inception,
 *   preprocess: (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [299, 299]),
 * });
 * ```
 */
export async function fid(
  generatorOrSampler: SampleSource,
  realData: SampleBatches | GaussianStatistics,
  options: FidOptions = {},
): Promise<number> {
  checkOptionKeys('fid options', options, FID_OPTION_KEYS);
  const n = options.n ?? 10000;
  if (!Number.isInteger(n) || n < 2) throw new InvalidArgumentError('options.n', 'an integer >= 2', n);
  const batchSize = positiveInteger(options.batchSize ?? 100, 'options.batchSize');
  if (typeof generatorOrSampler !== 'function' && !(generatorOrSampler instanceof tf.LayersModel)) {
    throw new InvalidArgumentError('generatorOrSampler', 'a tf.LayersModel generator or a sampler function', generatorOrSampler);
  }
  const extractor = await resolveExtractor(options.featureExtractor);
  const real = isStatistics(realData)
    ? realData
    : await computeFeatureMoments(realData, { preprocess: options.preprocess, maxSamples: options.maxSamples, featureExtractor: extractor, batchSize });
  if (real instanceof FeatureMoments && real.count < 2) {
    throw new InvalidArgumentError('realData', 'at least 2 samples', real.count);
  }
  const generated = new FeatureMoments();
  let batchIndex = 0;
  while (generated.count < n) {
    const size = Math.min(batchSize, n - generated.count);
    const seed = options.seed === undefined ? undefined : options.seed + batchIndex;
    const batch = await sample(generatorOrSampler, size, seed);
    try {
      await accumulate(generated, extractor, batch, options.preprocess);
    } finally {
      batch.dispose();
    }
    batchIndex++;
  }
  return frechetDistanceFromMoments(real, generated);
}
