/**
 * Images that are already in memory — browser `HTMLImageElement`s, canvases, `ImageData`, or decoded pixels —
 * as training tensors and datasets. No file-system code: safe for browser bundles.
 *
 * @module data/image_sources
 */
import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError } from '../errors';
import { batchedDataset, gatherRows, resolveBatching, type BatchingOptions } from './array_batches';
import { IMAGE_PREPROCESS_OPTION_KEYS, pixelsToTensor, resolvePreprocess, type ImagePreprocessOptions, type RgbaPixels } from './image_preprocess';
import { optionKeys } from '../option_keys';

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
  checkOptionKeys('imagesFromPixels options', options, IMAGE_PREPROCESS_OPTION_KEYS);
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

/** Options of {@link tensorDataset}: batching, and optional labels. */
export interface TensorDatasetOptions extends BatchingOptions {
  /**
   * One class index per image (`n` integers ≥ 0: an array, an Int32Array or an int32 tensor `[n]`, not
   * disposed). With labels the dataset yields `{ images, labels }` batches (labels: int32 `[batch]`) for
   * `ConditionalGanTrainer`, e.g. the cluster assignments of {@link kMeans} for a self-conditioned GAN.
   * Default: none (batches of images alone).
   */
  labels?: ArrayLike<number> | tf.Tensor1D;
}

/** The keys of {@link TensorDatasetOptions} (checked against it by the compiler, both ways). */
const TENSOR_DATASET_OPTION_KEYS = optionKeys<TensorDatasetOptions>()(['labels', 'batchSize', 'shuffle', 'seed', 'dropRemainder']);

/** A batch of labelled images, as yielded by `tensorDataset(images, { labels })`. */
export type LabeledImageBatch = {
  /** `[batch, h, w, c]` float32 images. */
  images: tf.Tensor4D;
  /** `[batch]` int32 class indices. */
  labels: tf.Tensor1D;
};

/**
 * Batches the rows of an image tensor `[n, h, w, c]` as a `tf.data.Dataset` reshuffled every epoch (the
 * values are copied; `images` is not disposed). For images loaded with {@link imagesFromPixels} or your own.
 * With `labels`, batches are `{ images, labels }` (the same rows of both).
 *
 * @example
 * ```ts
 * const data = await tensorDataset(imagesFromPixels(elements, { size: 32 }), { batchSize: 16, seed: 0 });
 * const labelled = await tensorDataset(images, { labels: [0, 1, 1, 0], batchSize: 2 }); // { images, labels }
 * ```
 * @throws {InvalidArgumentError} for a tensor that is not rank 4, labels that are not `n` integers ≥ 0, or a
 *   batch larger than `n` (with `dropRemainder`, the default).
 */
export async function tensorDataset(images: tf.Tensor4D, options: TensorDatasetOptions & { labels: ArrayLike<number> | tf.Tensor1D }): Promise<tf.data.Dataset<LabeledImageBatch>>;
export async function tensorDataset(images: tf.Tensor4D, options?: BatchingOptions & { labels?: undefined }): Promise<tf.data.Dataset<tf.Tensor4D>>;
export async function tensorDataset(images: tf.Tensor4D, options?: TensorDatasetOptions): Promise<tf.data.Dataset<tf.Tensor4D | LabeledImageBatch>>;
export async function tensorDataset(images: tf.Tensor4D, options: TensorDatasetOptions = {}): Promise<tf.data.Dataset<tf.Tensor4D | LabeledImageBatch>> {
  checkOptionKeys('tensorDataset options', options, TENSOR_DATASET_OPTION_KEYS);
  if (!(images instanceof tf.Tensor) || images.rank !== 4) {
    throw new InvalidArgumentError('images', 'a tensor [n, height, width, channels]', images);
  }
  const [n, h, w, c] = images.shape;
  let labels: Int32Array | undefined;
  if (options.labels !== undefined) {
    const given = options.labels;
    const values = given instanceof tf.Tensor ? await given.data() : given;
    const ok =
      (given instanceof tf.Tensor ? given.rank === 1 : typeof values?.length === 'number') &&
      values.length === n &&
      Array.prototype.every.call(values, (v: number) => Number.isInteger(v) && v >= 0);
    if (!ok) {
      const actual = given instanceof tf.Tensor ? `a tensor of shape [${given.shape.join(', ')}]` : given;
      throw new InvalidArgumentError('options.labels', `${n} class indices (integers >= 0), one per image`, actual);
    }
    labels = Int32Array.from(values as ArrayLike<number>);
  }
  const values = (await images.data()) as Float32Array;
  const batching = resolveBatching(options, n, 'images');
  const rowSize = h * w * c;
  return batchedDataset<tf.Tensor4D | LabeledImageBatch>(n, batching, (rows) => {
    const batch = tf.tensor4d(gatherRows(values, rowSize, rows), [rows.length, h, w, c]);
    if (labels === undefined) return batch;
    return { images: batch, labels: tf.tensor1d(Int32Array.from(rows, (i) => labels![i]!), 'int32') };
  });
}
