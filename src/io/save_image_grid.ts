import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, DTypeError, InvalidArgumentError, ShapeError } from '../errors';
import { nodeFs, writeFileAtomic } from './node_fs';
import { optionKeys } from '../option_keys';

/** Options of {@link imageGridPixels} and {@link saveImageGrid}. */
export interface ImageGridOptions {
  /** Number of rows of the grid. Default: `ceil(sqrt(n))`, the squarest grid. Columns: `ceil(n / rows)`. */
  rows?: number;
  /**
   * Value range of the input that maps to black..white, `[low, high]`. Values outside are clipped. Default:
   * `[-1, 1]`, the range of a tanh generator; use `[0, 1]` for a sigmoid generator, `[0, 255]` for raw pixels.
   */
  range?: readonly [number, number];
  /** Gap between images and around the grid, in pixels. Default: 2. */
  padding?: number;
  /** Grey level (0–255) of the gaps and of empty cells. Default: 0 (black). */
  padValue?: number;
}

/** The keys of {@link ImageGridOptions} (checked against it by the compiler, both ways). */
const IMAGE_GRID_OPTION_KEYS = optionKeys<ImageGridOptions>()(['rows', 'range', 'padding', 'padValue']);

/** An RGBA image: `width × height` pixels, 4 bytes each, row-major. */
export interface RgbaImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** `width * height * 4` bytes, RGBA, row-major from the top-left. */
  data: Uint8Array;
}

interface GridLayout {
  n: number;
  h: number;
  w: number;
  c: number;
  rows: number;
  cols: number;
  padding: number;
  padValue: number;
  low: number;
  high: number;
}

function layoutFor(shape: readonly number[], dtype: string, options: ImageGridOptions): GridLayout {
  if (dtype !== 'float32' && dtype !== 'int32') {
    throw new DTypeError('images', "dtype 'float32' or 'int32'", dtype);
  }
  const full = shape.length === 3 ? [1, ...shape] : [...shape];
  if (full.length !== 4 || ![1, 3, 4].includes(full[3]!)) {
    throw new ShapeError(
      'images',
      'shape [n, height, width, channels] or [height, width, channels] with 1, 3 or 4 channels',
      `shape [${shape.join(', ')}]`,
    );
  }
  const [n, h, w, c] = full as [number, number, number, number];
  if (n < 1) throw new ShapeError('images', 'at least one image', `shape [${shape.join(', ')}]`);
  const rows = options.rows ?? Math.ceil(Math.sqrt(n));
  if (!Number.isInteger(rows) || rows < 1) throw new InvalidArgumentError('options.rows', 'a positive integer', rows);
  const cols = Math.ceil(n / rows);
  const padding = options.padding ?? 2;
  if (!Number.isInteger(padding) || padding < 0) {
    throw new InvalidArgumentError('options.padding', 'a non-negative integer (pixels)', padding);
  }
  const padValue = options.padValue ?? 0;
  if (!(padValue >= 0 && padValue <= 255)) throw new InvalidArgumentError('options.padValue', 'a number in [0, 255]', padValue);
  const [low, high] = options.range ?? [-1, 1];
  if (!(Number.isFinite(low) && Number.isFinite(high) && high > low)) {
    throw new InvalidArgumentError('options.range', '[low, high] with finite low < high', options.range);
  }
  return { n, h, w, c, rows, cols, padding, padValue, low, high };
}

function compose(values: ArrayLike<number>, g: GridLayout): RgbaImage {
  const width = g.cols * g.w + (g.cols + 1) * g.padding;
  const height = g.rows * g.h + (g.rows + 1) * g.padding;
  const data = new Uint8Array(width * height * 4);
  const pad = Math.round(g.padValue);
  for (let i = 0; i < width * height; i++) {
    data[i * 4] = pad;
    data[i * 4 + 1] = pad;
    data[i * 4 + 2] = pad;
    data[i * 4 + 3] = 255;
  }
  const scale = 255 / (g.high - g.low);
  const toByte = (v: number): number => {
    const b = Math.round((v - g.low) * scale);
    return b < 0 || Number.isNaN(b) ? 0 : b > 255 ? 255 : b;
  };
  for (let k = 0; k < g.n; k++) {
    const row = Math.floor(k / g.cols);
    const col = k % g.cols;
    const x0 = g.padding + col * (g.w + g.padding);
    const y0 = g.padding + row * (g.h + g.padding);
    for (let y = 0; y < g.h; y++) {
      for (let x = 0; x < g.w; x++) {
        const src = ((k * g.h + y) * g.w + x) * g.c;
        const dst = ((y0 + y) * width + (x0 + x)) * 4;
        if (g.c === 1) {
          const v = toByte(values[src]!);
          data[dst] = v;
          data[dst + 1] = v;
          data[dst + 2] = v;
        } else {
          data[dst] = toByte(values[src]!);
          data[dst + 1] = toByte(values[src + 1]!);
          data[dst + 2] = toByte(values[src + 2]!);
          if (g.c === 4) data[dst + 3] = toByte(values[src + 3]!);
        }
      }
    }
  }
  return { width, height, data };
}

/**
 * Tiles a batch of images into one RGBA picture (no file I/O; works in browsers too). Images fill the grid row by
 * row; values are mapped linearly from `options.range` to 0–255 and clipped.
 *
 * @param images - `[n, height, width, channels]` (or one `[height, width, channels]` image), 1, 3 or 4 channels.
 * @throws {ShapeError} / {DTypeError} for other shapes or dtypes.
 */
export async function imageGridPixels(images: tf.Tensor, options: ImageGridOptions = {}): Promise<RgbaImage> {
  checkOptionKeys('imageGridPixels options', options, IMAGE_GRID_OPTION_KEYS);
  const layout = layoutFor(images.shape, images.dtype, options);
  return compose(await images.data(), layout);
}

/**
 * Writes a batch of images as one PNG grid — the usual way to watch a GAN train (see the `sampleGrid` callback).
 * Node.js only; the file is written atomically (temp file + rename).
 *
 * @param images - `[n, height, width, channels]` with 1 (grey), 3 (RGB) or 4 (RGBA) channels, values in
 *   `options.range` (default `[-1, 1]`, a tanh generator's output). Not disposed.
 * @param file - path of the PNG to write; parent directories are created.
 * @example
 * ```ts
 * const images = trainer.sample(16, { seed: 0 }); // [16, 28, 28, 1] in [-1, 1]
 * await saveImageGrid(images, 'runs/exp1/step-1000.png', { rows: 4 });
 * images.dispose();
 * ```
 */
export async function saveImageGrid(images: tf.Tensor, file: string, options: ImageGridOptions = {}): Promise<void> {
  checkOptionKeys('saveImageGrid options', options, IMAGE_GRID_OPTION_KEYS);
  const picture = await imageGridPixels(images, options);
  const { fs, path } = await nodeFs('saveImageGrid');
  // pngjs needs Node's zlib and streams: the specifier is held in a variable so that browser bundles (which use
  // imageGridPixels, never this function) do not try to bundle it.
  const pngjs = 'pngjs';
  const pngModule = (await import(/* @vite-ignore */ /* webpackIgnore: true */ pngjs)) as unknown as {
    PNG?: typeof import('pngjs').PNG;
    default?: { PNG: typeof import('pngjs').PNG };
  };
  const PNG = pngModule.PNG ?? pngModule.default!.PNG;
  const png = new PNG({ width: picture.width, height: picture.height });
  png.data = Buffer.from(picture.data.buffer, picture.data.byteOffset, picture.data.byteLength);
  const encoded = PNG.sync.write(png, { colorType: 6 });
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, encoded);
}
