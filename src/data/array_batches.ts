/**
 * Batches of rows of an in-memory array as a `tf.data.Dataset`, reshuffled every epoch from a seed. The common
 * core of gan-kit's data pipelines (MNIST, image folders, the CycleGAN domains).
 *
 * @module data/array_batches
 * @internal
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors';
import { Random } from '../trainers/random';

/** How rows are grouped into batches. */
export interface BatchingOptions {
  /** Rows per batch. Default: 64. */
  batchSize?: number;
  /** Visit the rows in a new random order every epoch. Default: true. */
  shuffle?: boolean;
  /**
   * Seed of the shuffle: the same seed gives the same batches in the same order, epoch after epoch. Default: a
   * random seed.
   */
  seed?: number;
  /**
   * Drop the last batch of an epoch when it is smaller than `batchSize` (GANs with batch norm train better on
   * batches of one size). Default: true.
   */
  dropRemainder?: boolean;
}

/** Validated batching settings. @internal */
export interface ResolvedBatching {
  batchSize: number;
  shuffle: boolean;
  seed: number;
  dropRemainder: boolean;
}

/** Checks the batching options against the number of rows. @internal */
export function resolveBatching(options: BatchingOptions, rows: number, what: string): ResolvedBatching {
  const batchSize = options.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError('options.batchSize', 'an integer >= 1', options.batchSize);
  }
  const dropRemainder = options.dropRemainder ?? true;
  if (dropRemainder && batchSize > rows) {
    throw new InvalidArgumentError(
      'options.batchSize',
      `at most the number of ${what} (${rows})`,
      batchSize,
      'With dropRemainder (the default) no full batch could be made: use a smaller batch or dropRemainder: false.',
    );
  }
  if (options.seed !== undefined && !Number.isFinite(options.seed)) {
    throw new InvalidArgumentError('options.seed', 'a finite number', options.seed);
  }
  return {
    batchSize,
    shuffle: options.shuffle ?? true,
    seed: options.seed ?? Math.floor(Math.random() * 2 ** 32),
    dropRemainder,
  };
}

/** Fisher–Yates shuffle of 0..n-1 driven by `random`. @internal */
export function permutation(n: number, random: Random): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/**
 * A dataset whose elements are `makeBatch(rowIndices)` for consecutive slices of a per-epoch permutation of
 * `0..rows-1`. Every iteration over the dataset is one epoch; epoch k uses the k-th permutation drawn from the
 * seed, so a dataset iterated twice yields two different orders, and two datasets with the same seed yield the
 * same ones. `makeBatch` must return new tensors (the consumer disposes them).
 * @internal
 */
export function batchedDataset<T extends tf.TensorContainer>(
  rows: number,
  batching: ResolvedBatching,
  makeBatch: (indices: Int32Array) => T,
): tf.data.Dataset<T> {
  const random = new Random(batching.seed);
  return tf.data.generator(function* () {
    const order = batching.shuffle ? permutation(rows, random) : Int32Array.from({ length: rows }, (_, i) => i);
    const end = batching.dropRemainder ? rows - (rows % batching.batchSize) : rows;
    for (let start = 0; start < end; start += batching.batchSize) {
      yield makeBatch(order.subarray(start, Math.min(start + batching.batchSize, end)));
    }
  } as () => Iterator<T>);
}

/** Copies the rows `indices` of a row-major `[rows, rowSize]` array into a new array. @internal */
export function gatherRows(source: Float32Array, rowSize: number, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * rowSize);
  for (let k = 0; k < indices.length; k++) {
    const row = indices[k]!;
    out.set(source.subarray(row * rowSize, (row + 1) * rowSize), k * rowSize);
  }
  return out;
}
