/**
 * Two unpaired image domains made from MNIST, so that CycleGAN runs offline with no download: domain A is
 * digits in their original style (light ink on a dark background), domain B is other digits rendered
 * differently — strokes thickened and colours inverted (dark, bold ink on a light background). Translation
 * A → B must change the style and keep the digit, which can be checked: a domain classifier tells A from B, and
 * gan-kit's MNIST classifier reads the digit after {@link mnistDomainBToA} (see docs/examples.md).
 *
 * @module data/mnist_domains
 */
import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError, ShapeError } from '../errors';
import { Random } from '../trainers/random';
import { batchedDataset, gatherRows, permutation, resolveBatching, type BatchingOptions } from './array_batches';
import { loadMnist, type MnistSelection } from './mnist';
import { MNIST_IMAGE_SIZE, MNIST_PIXELS } from './mnist_raw';
import { optionKeys } from '../option_keys';

/** Options of {@link mnistDomains}. */
export interface MnistDomainsOptions extends Pick<MnistSelection, 'split' | 'digits' | 'limit'>, BatchingOptions {}

/** The keys of {@link MnistDomainsOptions} (checked against it by the compiler, both ways). */
const MNIST_DOMAINS_OPTION_KEYS = optionKeys<MnistDomainsOptions>()(['split', 'digits', 'limit', 'batchSize', 'shuffle', 'seed', 'dropRemainder']);

/** A batch for `CycleGanTrainer.fit`: unpaired images of each domain. */
export type DomainBatch = {
  /** `[batch, 28, 28, 1]` domain A images (original style) in [-1, 1]. */
  a: tf.Tensor4D;
  /** `[batch, 28, 28, 1]` domain B images (thick, inverted) in [-1, 1]. */
  b: tf.Tensor4D;
};

function checkDigits(images: tf.Tensor, argument: string): void {
  if (!(images instanceof tf.Tensor) || images.rank !== 4 || images.shape[3] !== 1) {
    throw new ShapeError(argument, 'grey images [n, height, width, 1] in [-1, 1]', images);
  }
}

/**
 * Renders digits in domain B's style: strokes thickened by one pixel (a 2x2 maximum filter, i.e. a dilation of
 * the ink), then colours inverted (`x → −x`), so ink becomes dark and the background light. gan-kit's MNIST
 * classifier still reads about 97 % of thickened held-out digits correctly (98 % of the originals), so the
 * identity check after translation has headroom.
 *
 * @param images - `[n, h, w, 1]` digits in domain A's style, values in [-1, 1] (−1 background). Not disposed.
 * @returns a new tensor of the same shape.
 */
export function mnistDomainB(images: tf.Tensor4D): tf.Tensor4D {
  checkDigits(images, 'images');
  return tf.tidy(() => tf.neg(tf.maxPool(images, 2, 1, 'same')));
}

/**
 * Maps a domain-B-style image back to domain A's colours (`x → −x`: light ink on dark), keeping its thick
 * strokes — what gan-kit's MNIST classifier is given to read the digit of a translated image.
 *
 * @param images - `[n, h, w, 1]` in [-1, 1]. Not disposed.
 * @returns a new tensor of the same shape.
 */
export function mnistDomainBToA(images: tf.Tensor4D): tf.Tensor4D {
  checkDigits(images, 'images');
  return tf.tidy(() => tf.neg(images));
}

/**
 * The default CycleGAN data: a `tf.data.Dataset` of unpaired `{ a, b }` batches (see the module notes). The
 * selected digits are split in two disjoint halves by a fixed shuffle; the first half is domain A as is, the
 * second is rendered by {@link mnistDomainB}. Each epoch pairs the two halves in a new random order.
 *
 * Defaults: all 10,000 digits (5,000 per domain), batches of 64, a random seed, partial batches dropped.
 *
 * @example
 * ```ts
 * const data = await mnistDomains({ batchSize: 16, seed: 0 });
 * await cycleGanTrainer.fit(data, { steps: 2000 });
 * ```
 */
export async function mnistDomains(options: MnistDomainsOptions = {}): Promise<tf.data.Dataset<DomainBatch>> {
  checkOptionKeys('mnistDomains options', options, MNIST_DOMAINS_OPTION_KEYS);
  const { images, labels } = await loadMnist({ split: options.split, digits: options.digits, limit: options.limit });
  labels.dispose();
  let values: Float32Array;
  try {
    const n = images.shape[0];
    if (n < 2) throw new InvalidArgumentError('options', 'a selection of at least 2 digits (one per domain)', n);
    // A fixed split (not the batching seed), so that A and B never share a digit image across runs.
    const order = permutation(n, new Random(0x5eed));
    const half = Math.floor(n / 2);
    const all = (await images.data()) as Float32Array;
    const bSource = tf.tensor4d(gatherRows(all, MNIST_PIXELS, order.subarray(half, 2 * half)), [half, MNIST_IMAGE_SIZE, MNIST_IMAGE_SIZE, 1]);
    const bImages = mnistDomainB(bSource);
    bSource.dispose();
    values = new Float32Array(2 * half * MNIST_PIXELS);
    values.set(gatherRows(all, MNIST_PIXELS, order.subarray(0, half)), 0);
    values.set((await bImages.data()) as Float32Array, half * MNIST_PIXELS);
    bImages.dispose();
  } finally {
    images.dispose();
  }
  const half = values.length / MNIST_PIXELS / 2;
  const domainA = values.subarray(0, half * MNIST_PIXELS);
  const domainB = values.subarray(half * MNIST_PIXELS);
  const batching = resolveBatching(options, half, 'digits per domain');
  // Domain B is visited in its own order, drawn from a second stream of the same seed.
  const orderB = new Random(batching.seed ^ 0x9e3779b9);
  let permB = permutation(half, orderB);
  let cursor = 0;
  const shape: [number, number, number, number] = [0, MNIST_IMAGE_SIZE, MNIST_IMAGE_SIZE, 1];
  return batchedDataset(half, batching, (rows) => {
    const rowsB = new Int32Array(rows.length);
    for (let k = 0; k < rows.length; k++) {
      if (cursor === half) {
        permB = batching.shuffle ? permutation(half, orderB) : permB;
        cursor = 0;
      }
      rowsB[k] = batching.shuffle ? permB[cursor]! : rows[k]!;
      cursor++;
    }
    shape[0] = rows.length;
    return {
      a: tf.tensor4d(gatherRows(domainA, MNIST_PIXELS, rows), [...shape]),
      b: tf.tensor4d(gatherRows(domainB, MNIST_PIXELS, rowsB), [...shape]),
    };
  });
}
