/**
 * Turning decoded pixels into training tensors: crop, resize, channel conversion and scaling to [-1, 1].
 * Shared by the Node image-folder loader and the browser loaders; no file-system code here.
 *
 * @module data/image_preprocess
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '../errors';
import { optionKeys } from '../option_keys';

/** Decoded pixels: `width × height` RGBA pixels, 4 bytes each, row-major from the top-left (as `ImageData`). */
export interface RgbaPixels {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** How images are brought to one size and channel count. */
export interface ImagePreprocessOptions {
  /**
   * Output size: `64` for 64x64, or `[height, width]`. Default: none — every image keeps its own size, and all
   * must then have the same size (otherwise an error names two that differ).
   */
  size?: number | readonly [number, number];
  /** Output channels: 1 (grey, ITU-R BT.601 luma), 3 (RGB) or 4 (RGBA). Default: 3. */
  channels?: 1 | 3 | 4;
  /**
   * How an image whose aspect ratio differs from `size`'s is fitted: `'center'` (default) crops the largest
   * centred region of the target aspect ratio, then resizes; `'stretch'` resizes the whole image, distorting it.
   */
  crop?: 'center' | 'stretch';
  /** The `[low, high]` range that pixel values 0 and 255 are mapped to. Default: `[-1, 1]` (a tanh generator's). */
  range?: readonly [number, number];
}

/** The keys of {@link ImagePreprocessOptions} (checked against it by the compiler, both ways). */
export const IMAGE_PREPROCESS_OPTION_KEYS = optionKeys<ImagePreprocessOptions>()(['size', 'channels', 'crop', 'range']);

/** Validated preprocessing settings. @internal */
export interface ResolvedPreprocess {
  size: [number, number] | undefined;
  channels: 1 | 3 | 4;
  crop: 'center' | 'stretch';
  range: [number, number];
}

/** Checks the preprocessing options. @internal */
export function resolvePreprocess(options: ImagePreprocessOptions): ResolvedPreprocess {
  let size: [number, number] | undefined;
  if (options.size !== undefined) {
    const s = typeof options.size === 'number' ? [options.size, options.size] : options.size;
    if (!Array.isArray(s) || s.length !== 2 || !s.every((d) => Number.isInteger(d) && d >= 1)) {
      throw new InvalidArgumentError('options.size', 'a positive integer or [height, width]', options.size);
    }
    size = [s[0]!, s[1]!];
  }
  const channels = options.channels ?? 3;
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new InvalidArgumentError('options.channels', '1, 3 or 4', options.channels);
  const crop = options.crop ?? 'center';
  if (crop !== 'center' && crop !== 'stretch') throw new InvalidArgumentError('options.crop', "'center' or 'stretch'", options.crop);
  const [low, high] = options.range ?? [-1, 1];
  if (!(Number.isFinite(low) && Number.isFinite(high) && low !== high)) {
    throw new InvalidArgumentError('options.range', '[low, high], two different finite numbers', options.range);
  }
  return { size, channels, crop, range: [low, high] };
}

/** The centred crop box `[top, left, height, width]` of aspect `th:tw` inside an `h × w` image. @internal */
export function centerCropBox(h: number, w: number, th: number, tw: number): [number, number, number, number] {
  // Keep the full extent along the axis that limits the target aspect ratio.
  if (h * tw > w * th) {
    const ch = Math.max(1, Math.round((w * th) / tw));
    return [Math.floor((h - ch) / 2), 0, ch, w];
  }
  const cw = Math.max(1, Math.round((h * tw) / th));
  return [0, Math.floor((w - cw) / 2), h, cw];
}

/**
 * Converts decoded RGBA pixels to a float32 `[height, width, channels]` tensor in `range`, cropped and resized
 * as asked. Downscaling averages whole blocks of pixels first (area filter) and then resizes bilinearly, so small
 * outputs of large photos do not alias.
 * @internal
 */
export function pixelsToTensor(pixels: RgbaPixels, settings: ResolvedPreprocess): tf.Tensor3D {
  const { width, height, data } = pixels;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0) || data.length !== width * height * 4) {
    throw new ShapeError('pixels', 'width × height RGBA pixels (data.length = width·height·4)', { width, height, length: data?.length });
  }
  const [low, high] = settings.range;
  return tf.tidy(() => {
    let x = tf.tensor3d(Float32Array.from(data), [height, width, 4]);
    if (settings.channels === 1) {
      const [r, g, b] = tf.split(x, [1, 1, 1, 1], 2) as tf.Tensor3D[];
      x = tf.addN([tf.mul(r!, 0.299), tf.mul(g!, 0.587), tf.mul(b!, 0.114)]) as tf.Tensor3D;
    } else if (settings.channels === 3) {
      x = tf.slice(x, [0, 0, 0], [height, width, 3]);
    }
    if (settings.size !== undefined) {
      const [th, tw] = settings.size;
      if (settings.crop === 'center' && height * tw !== width * th) {
        const [top, left, ch, cw] = centerCropBox(height, width, th, tw);
        x = tf.slice(x, [top, left, 0], [ch, cw, settings.channels]);
      }
      const [h, w] = [x.shape[0], x.shape[1]];
      if (h !== th || w !== tw) {
        const factor = Math.min(Math.floor(h / th), Math.floor(w / tw));
        if (factor >= 2) x = tf.avgPool(x, factor, factor, 'valid');
        x = tf.image.resizeBilinear(x, [th, tw], false, true);
      }
    }
    return tf.add(tf.mul(x, (high - low) / 255), low) as tf.Tensor3D;
  });
}
