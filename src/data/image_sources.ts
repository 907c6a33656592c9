/**
 * Images that are already in memory — browser `HTMLImageElement`s, canvases, `ImageData`, or decoded pixels —
 * as training tensors and datasets. No file-system code: safe for browser bundles.
 *
 * @module data/image_sources
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors';
import { batchedDataset, gatherRows, resolveBatching, type BatchingOptions } from './array_batches';
import { pixelsToTensor, resolvePreprocess, type ImagePreprocessOptions, type RgbaPixels } from './image_preprocess';

/**
 * Something holding an image: decoded RGBA pixels (`{ width, height, data }`, e.g. an `ImageData`), or in a
 * browser an `HTMLImageElement` (loaded), `HTMLCanvasElement`, `HTMLVideoElement` or `ImageBitmap`.
 */
export type ImageSource = RgbaPixels | ImageData | HTMLImageElement | HTMLCanvasElement | HTMLVideoElement | ImageBitmap;

function isPixels(source: unknown): source is RgbaPixels {
  const s = source as RgbaPixels | null;
  return s != null && typeof s === 'object' && typeof s.width === 'number' && typeof s.height === 'number' && s.data != null && typeof s.data.length === 'number';
}

/** Reads any {@link ImageSource} as RGBA pixels (the browser decodes elements). */
function toPixels(source: ImageSource, index: number): RgbaPixels {
  if (isPixels(source)) return source;
  if (source == null || typeof source !== 'object') {
    throw new InvalidArgumentError(`sources[${index}]`, 'ImageData, { width, height, data } pixels, or an image element', source);
  }
  const rgba = tf.browser.fromPixels(source as HTMLImageElement, 4);
  try {
    const [height, width] = rgba.shape;
    return { width, height, data: Uint8Array.from(rgba.dataSync()) };
  } finally {
    rgba.dispose();
  }
}

/**
 * Converts images in memory to one `[n, height, width, channels]` float32 tensor in [-1, 1], fitted to one size
 * as {@link loadImageFolder} does. In a browser, pass loaded `<img>` elements (or canvases, `ImageData`, …):
 * the browser has already decoded PNG, JPEG or WebP.
 *
 * @param sources - the images (not modified).
 * @param options - size, channels (default 3), crop (default `'center'`) and range (default [-1, 1]).
 * @returns a new tensor; the caller disposes it.
 * @throws {InvalidArgumentError} for an empty list, an unsupported source, or images of different sizes
 *   without `size`.
 * @example
 * ```ts
 * const images = imagesFromPixels([...document.querySelectorAll('img.training')], { size: 64 });
 * ```
 */
export function imagesFromPixels(sources: readonly ImageSource[], options: ImagePreprocessOptions = {}): tf.Tensor4D {
  if (!Array.isArray(sources) || sources.length === 0) {
    throw new InvalidArgumentError('sources', 'a non-empty array of images', sources);
  }
  const settings = resolvePreprocess(options);
  const tensors: tf.Tensor3D[] = [];
  try {
    sources.forEach((source, i) => {
      const pixels = toPixels(source, i);
      const first = tensors[0];
      if (settings.size === undefined && first !== undefined && (first.shape[0] !== pixels.height || first.shape[1] !== pixels.width)) {
        throw new InvalidArgumentError(
          `sources[${i}]`,
          `the size of sources[0] (${first.shape[1]}x${first.shape[0]})`,
          `${pixels.width}x${pixels.height}`,
          'Pass size (e.g. { size: 64 }) to resize every image.',
        );
      }
      tensors.push(pixelsToTensor(pixels, settings));
    });
    return tf.stack(tensors) as tf.Tensor4D;
  } finally {
    tf.dispose(tensors);
  }
}

/**
 * Batches the rows of an image tensor `[n, h, w, c]` as a `tf.data.Dataset` reshuffled every epoch (the
 * values are copied; `images` is not disposed). For images loaded with {@link imagesFromPixels} or your own.
 *
 * @example
 * ```ts
 * const data = await tensorDataset(imagesFromPixels(elements, { size: 32 }), { batchSize: 16, seed: 0 });
 * ```
 * @throws {InvalidArgumentError} for a tensor that is not rank 4, or a batch larger than `n` (with
 *   `dropRemainder`, the default).
 */
export async function tensorDataset(images: tf.Tensor4D, options: BatchingOptions = {}): Promise<tf.data.Dataset<tf.Tensor4D>> {
  if (!(images instanceof tf.Tensor) || images.rank !== 4) {
    throw new InvalidArgumentError('images', 'a tensor [n, height, width, channels]', images);
  }
  const [n, h, w, c] = images.shape;
  const values = (await images.data()) as Float32Array;
  const batching = resolveBatching(options, n, 'images');
  const rowSize = h * w * c;
  return batchedDataset(n, batching, (rows) => tf.tensor4d(gatherRows(values, rowSize, rows), [rows.length, h, w, c]));
}
