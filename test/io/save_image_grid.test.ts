import { afterAll, beforeAll, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describeEachBackend } from '../helpers/backends';
import { DTypeError, InvalidArgumentError, ShapeError } from '../../src/errors';
import { imageGridPixels, saveImageGrid } from '../../src/io/save_image_grid';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gan-kit-grid-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Independent reference: pixel (x, y) of the grid, from the layout rules written out directly. */
function referencePixel(
  values: number[],
  [n, h, w, c]: number[],
  cols: number,
  pad: number,
  x: number,
  y: number,
  range: [number, number],
): number[] {
  const cellX = Math.floor((x - pad) / (w + pad));
  const cellY = Math.floor((y - pad) / (h + pad));
  const inX = x - pad - cellX * (w + pad);
  const inY = y - pad - cellY * (h + pad);
  const k = cellY * cols + cellX;
  if (x < pad || y < pad || inX >= w || inY >= h || k >= n!) return [0, 0, 0, 255];
  const toByte = (v: number) => Math.min(255, Math.max(0, Math.round(((v - range[0]) / (range[1] - range[0])) * 255)));
  const base = ((k * h! + inY) * w! + inX) * c!;
  if (c === 1) {
    const g = toByte(values[base]!);
    return [g, g, g, 255];
  }
  return [toByte(values[base]!), toByte(values[base + 1]!), toByte(values[base + 2]!), c === 4 ? toByte(values[base + 3]!) : 255];
}

describeEachBackend('imageGridPixels / saveImageGrid', () => {
  it('tiles images row by row with padding, mapping [-1, 1] to 0..255 and clipping', async () => {
    const shape = [5, 3, 4, 3];
    const values = Array.from({ length: 5 * 3 * 4 * 3 }, (_, i) => Math.sin(i * 1.7) * 1.3);
    const images = tf.tensor4d(values, shape as [number, number, number, number]);
    const picture = await imageGridPixels(images, { rows: 2, padding: 1 });
    const cols = 3;
    expect(picture.width).toBe(cols * 4 + 4);
    expect(picture.height).toBe(2 * 3 + 3);
    for (let y = 0; y < picture.height; y++) {
      for (let x = 0; x < picture.width; x++) {
        const i = (y * picture.width + x) * 4;
        expect(Array.from(picture.data.slice(i, i + 4))).toEqual(referencePixel(values, shape, cols, 1, x, y, [-1, 1]));
      }
    }
    images.dispose();
  });

  it('writes a PNG that decodes to the same pixels (grey images, custom range)', async () => {
    const values = Array.from({ length: 4 * 2 * 2 }, (_, i) => i * 16);
    const images = tf.tensor4d(values, [4, 2, 2, 1]);
    const file = join(dir, 'nested', 'grid.png');
    await saveImageGrid(images, file, { range: [0, 255], padding: 0 });
    const png = PNG.sync.read(await readFile(file));
    const expected = await imageGridPixels(images, { range: [0, 255], padding: 0 });
    expect(png.width).toBe(4);
    expect(png.height).toBe(4);
    expect(Array.from(png.data)).toEqual(Array.from(expected.data));
    // Top-left image, pixel (0, 0) = value 0; its pixel (1, 0) = value 16.
    expect(png.data[0]).toBe(0);
    expect(png.data[4]).toBe(16);
    images.dispose();
  });

  it('rejects bad shapes, dtypes and options with typed errors', async () => {
    const bad = tf.zeros([2, 4, 4, 2]);
    await expect(imageGridPixels(bad)).rejects.toThrow(ShapeError);
    const ints = tf.zeros([1, 2, 2, 1], 'bool');
    await expect(imageGridPixels(ints)).rejects.toThrow(DTypeError);
    const ok = tf.zeros([2, 2, 2, 1]);
    await expect(imageGridPixels(ok, { rows: 0 })).rejects.toThrow(InvalidArgumentError);
    await expect(imageGridPixels(ok, { range: [1, 1] })).rejects.toThrow(/low < high/);
    tf.dispose([bad, ints, ok]);
  });
});
