/**
 * Training on your own images: a folder of PNG, JPEG or WebP files as batches of [-1, 1] tensors (Node.js).
 * Decoding uses `pngjs`, `jpeg-js` and `@jsquash/webp` (see {@link decodeImage}); in a browser, use
 * {@link imagesFromPixels} with the browser's own decoding.
 *
 * @module data/image_folder
 */
import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, GanKitError, InvalidArgumentError } from '../errors';
import { nodeFs } from '../io/node_fs';
import type { BatchingOptions } from './array_batches';
import { decodeImage, type DecodeLimits } from './image_decode';
import { pixelsToTensor, resolvePreprocess, type ImagePreprocessOptions } from './image_preprocess';
import { tensorDataset } from './image_sources';
import { optionKeys } from '../option_keys';

/** File extensions read from a folder (case-insensitive). Other files are ignored. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg', '.webp'];

/** Options of {@link loadImageFolder}. */
export interface LoadImageFolderOptions extends ImagePreprocessOptions, DecodeLimits {
  /** Also read images in subfolders (at any depth). Default: false. */
  recursive?: boolean;
  /** Read at most this many images (the first ones in sorted path order). Default: all. */
  limit?: number;
  /**
   * Called once per file that could not be decoded (it is skipped). Default: none; {@link imageFolder} prints one
   * `console.warn` line with the count and the first few names.
   */
  onSkip?: (file: string, reason: string) => void;
}

/** The keys of {@link LoadImageFolderOptions} (checked against it by the compiler, both ways). */
const LOAD_IMAGE_FOLDER_OPTION_KEYS = optionKeys<LoadImageFolderOptions>()(['recursive', 'limit', 'onSkip', 'size', 'channels', 'crop', 'range', 'maxMegapixels']);

/** What {@link loadImageFolder} read. */
export interface LoadedImageFolder {
  /** `[n, height, width, channels]` float32 images in `range` (default [-1, 1]); the caller disposes them. */
  images: tf.Tensor4D;
  /** The files the images came from, in order (paths joined to the folder). */
  files: string[];
  /** Files with an image extension that could not be decoded, and why. */
  skipped: { file: string; reason: string }[];
}

async function listImages(dir: string, recursive: boolean): Promise<string[]> {
  const { fs, path } = await nodeFs('imageFolder');
  const out: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    const entries = await fs.readdir(folder, { withFileTypes: true });
    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (recursive && !entry.name.startsWith('.')) await walk(full);
      } else if (IMAGE_EXTENSIONS.includes(path.extname(entry.name).toLowerCase()) && !entry.name.startsWith('.')) {
        out.push(full);
      }
    }
  };
  await walk(dir);
  return out.sort();
}

/**
 * Reads every PNG, JPEG and WebP image of a folder into one tensor, fitted to one size and channel count and
 * scaled to [-1, 1] (see {@link ImagePreprocessOptions}). Files that cannot be decoded are skipped and listed;
 * 16-bit and palette PNGs, greyscale and progressive JPEGs, and WebP with alpha all decode.
 *
 * @param dir - the folder (files whose names start with '.' are ignored).
 * @throws {GanKitError} if the folder does not exist, holds no image file, or no file could be decoded.
 * @throws {InvalidArgumentError} if images differ in size and no `size` was given (the message names two).
 * @example
 * ```ts
 * const { images, files, skipped } = await loadImageFolder('photos/', { size: 64, channels: 3 });
 * ```
 */
export async function loadImageFolder(dir: string, options: LoadImageFolderOptions = {}): Promise<LoadedImageFolder> {
  checkOptionKeys('loadImageFolder options', options, LOAD_IMAGE_FOLDER_OPTION_KEYS);
  if (typeof dir !== 'string' || dir === '') throw new InvalidArgumentError('dir', 'a folder path', dir);
  const settings = resolvePreprocess(options);
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 1)) {
    throw new InvalidArgumentError('options.limit', 'an integer >= 1', options.limit);
  }
  const { fs } = await nodeFs('imageFolder');
  try {
    if (!(await fs.stat(dir)).isDirectory()) throw new GanKitError(`${dir} is not a folder.`);
  } catch (error) {
    if (error instanceof GanKitError) throw error;
    throw new GanKitError(`Cannot read the image folder ${dir}: ${(error as Error).message}`);
  }
  let files = await listImages(dir, options.recursive ?? false);
  if (files.length === 0) {
    throw new GanKitError(
      `The folder ${dir} holds no image (${IMAGE_EXTENSIONS.join(', ')})` +
        (options.recursive ? '.' : '. If the images are in subfolders, pass recursive: true.'),
    );
  }
  if (options.limit !== undefined) files = files.slice(0, options.limit);

  const tensors: tf.Tensor3D[] = [];
  const kept: string[] = [];
  const skipped: { file: string; reason: string }[] = [];
  let first: { file: string; height: number; width: number } | undefined;
  try {
    for (const file of files) {
      let pixels;
      try {
        pixels = await decodeImage(await fs.readFile(file), options);
      } catch (error) {
        const reason = (error as Error).message;
        skipped.push({ file, reason });
        options.onSkip?.(file, reason);
        continue;
      }
      if (settings.size === undefined) {
        if (first === undefined) first = { file, height: pixels.height, width: pixels.width };
        else if (pixels.height !== first.height || pixels.width !== first.width) {
          throw new InvalidArgumentError(
            'images',
            `one size for every image (${first.file} is ${first.width}x${first.height})`,
            `${file} of ${pixels.width}x${pixels.height}`,
            'Pass size (e.g. { size: 64 }) to resize them all, with crop: "center" (default) or "stretch".',
          );
        }
      }
      tensors.push(pixelsToTensor(pixels, settings));
      kept.push(file);
    }
    if (tensors.length === 0) {
      throw new GanKitError(
        `None of the ${files.length} image files in ${dir} could be decoded; the first failed with: ${skipped[0]?.reason}`,
      );
    }
    return { images: tf.stack(tensors) as tf.Tensor4D, files: kept, skipped };
  } finally {
    tf.dispose(tensors);
  }
}

/** Options of {@link imageFolder}: what to read, and how to batch it. */
export interface ImageFolderOptions extends LoadImageFolderOptions, BatchingOptions {}

/** The keys of {@link ImageFolderOptions} (checked against it by the compiler, both ways). */
const IMAGE_FOLDER_OPTION_KEYS = optionKeys<ImageFolderOptions>()(['recursive', 'limit', 'onSkip', 'size', 'channels', 'crop', 'range', 'maxMegapixels', 'batchSize', 'shuffle', 'seed', 'dropRemainder']);

/**
 * A folder of images as a `tf.data.Dataset` of shuffled batches `[batch, height, width, channels]` in [-1, 1],
 * ready for `trainer.fit` (Node.js). All images are decoded once, up front, and kept in memory.
 *
 * Defaults: 3 channels, the images' own size (they must agree; pass `size` to resize), centre crop, batches of
 * 64 reshuffled each epoch, the last partial batch dropped. Undecodable files are skipped with one warning
 * (`console.warn`) giving their count; if none decodes, it throws.
 *
 * @example
 * ```ts
 * const data = await imageFolder('faces/', { size: 64, batchSize: 32, seed: 0 });
 * await trainer.fit(data, { steps: 10_000 });
 * ```
 * @throws {GanKitError} for an empty or missing folder, or when no image decodes; {@link InvalidArgumentError}
 *   for images of different sizes without `size`, or a batch larger than the number of images.
 */
export async function imageFolder(dir: string, options: ImageFolderOptions = {}): Promise<tf.data.Dataset<tf.Tensor4D>> {
  checkOptionKeys('imageFolder options', options, IMAGE_FOLDER_OPTION_KEYS);
  const { batchSize, shuffle, seed, dropRemainder, ...folder } = options;
  const { images, skipped } = await loadImageFolder(dir, folder);
  if (skipped.length > 0 && options.onSkip === undefined) {
    const names = skipped.slice(0, 3).map((s) => s.file).join(', ');
    console.warn(
      `gan-kit: skipped ${skipped.length} unreadable image file${skipped.length === 1 ? '' : 's'} in ${dir} ` +
        `(${names}${skipped.length > 3 ? ', …' : ''}): ${skipped[0]!.reason}`,
    );
  }
  try {
    return await tensorDataset(images, { batchSize, shuffle, seed, dropRemainder });
  } finally {
    images.dispose();
  }
}
