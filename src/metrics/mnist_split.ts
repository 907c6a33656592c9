/**
 * The fixed train / held-out split of the 10,000 `mnist` package digits used to train and to test gan-kit's
 * MNIST classifier. Shared by `scripts/train-mnist-classifier.ts` and the tests, so both see the same digits.
 *
 * @module metrics/mnist_split
 * @internal
 */
import { InvalidArgumentError } from '../errors';
import { MetricsRandom } from './prng';

/** Seed of the shuffle that splits the digits. */
export const MNIST_SPLIT_SEED = 20190404;
/** Number of digits held out from training (the classifier's test set). */
export const MNIST_HELD_OUT = 1500;

/** Indices into the raw MNIST arrays: the training digits and the held-out test digits. @internal */
export interface MnistSplit {
  readonly train: Int32Array;
  readonly test: Int32Array;
}

/**
 * Shuffles 0..count-1 with a fixed seed; the first {@link MNIST_HELD_OUT} indices are the held-out test set,
 * the rest the training set (8,500 for the package's 10,000 digits).
 *
 * @param count - number of digits (the raw loader's `count`).
 */
export function mnistSplit(count: number): MnistSplit {
  if (!Number.isInteger(count) || count <= MNIST_HELD_OUT) {
    throw new InvalidArgumentError('count', `an integer > ${MNIST_HELD_OUT}`, count);
  }
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  new MetricsRandom(MNIST_SPLIT_SEED).shuffle(order);
  return { test: order.slice(0, MNIST_HELD_OUT), train: order.slice(MNIST_HELD_OUT) };
}
