import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { decodeImage, sniffImageFormat } from '../../src/data/image_decode';
import { imageFolder, loadImageFolder } from '../../src/data/image_folder';
import { imagesFromPixels, tensorDataset } from '../../src/data/image_sources';
import { GanKitError, InvalidArgumentError } from '../../src/errors';

/** A w×h RGBA test pattern: r = 20·x, g = 30·y, b = 200 − 10·(x + y), alpha 255. */
function pattern(w: number, h: number): Uint8Array {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      data.set([20 * x, 30 * y, 200 - 10 * (x + y), 255], i);
    }
  }
  return data;
}

function png(w: number, h: number, data: Uint8Array): Buffer {
  const image = new PNG({ width: w, height: h });
  image.data = Buffer.from(data);
  return PNG.sync.write(image);
}

async function webpLossless(w: number, h: number, data: Uint8Array): Promise<Uint8Array> {
  const require = createRequire(import.meta.url);
  const { default: encode, init } = (await import('@jsquash/webp/encode.js')) as unknown as {
    default: (img: { data: Uint8ClampedArray; width: number; height: number }, o: object) => Promise<ArrayBuffer>;
    init: (m: WebAssembly.Module) => Promise<void>;
  };
  await init(await WebAssembly.compile(readFileSync(require.resolve('@jsquash/webp/codec/enc/webp_enc.wasm'))));
  return new Uint8Array(await encode({ data: new Uint8ClampedArray(data), width: w, height: h }, { lossless: 1 }));
}

const toByte = (v: number): number => Math.round(((v + 1) / 2) * 255);
let root = '';

describe('image folders', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    root = mkdtempSync(join(tmpdir(), 'gan-kit-images-'));
    const mixed = join(root, 'mixed');
    mkdirSync(mixed);
    writeFileSync(join(mixed, 'a.png'), png(6, 4, pattern(6, 4)));
    writeFileSync(join(mixed, 'b.JPG'), jpeg.encode({ data: Buffer.from(pattern(6, 4)), width: 6, height: 4 }, 100).data);
    writeFileSync(join(mixed, 'c.webp'), await webpLossless(6, 4, pattern(6, 4)));
    writeFileSync(join(mixed, 'broken.png'), Buffer.from('not really a png'));
    writeFileSync(join(mixed, 'notes.txt'), 'ignored');
    mkdirSync(join(root, 'empty'));
    mkdirSync(join(root, 'corrupt'));
    writeFileSync(join(root, 'corrupt', 'x.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0, 1, 2, 3]));
    mkdirSync(join(root, 'sizes'));
    writeFileSync(join(root, 'sizes', 'small.png'), png(4, 4, pattern(4, 4)));
    writeFileSync(join(root, 'sizes', 'wide.png'), png(8, 4, pattern(8, 4)));
  });

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('recognises PNG, JPEG and WebP by their first bytes', async () => {
    const dir = join(root, 'mixed');
    expect(sniffImageFormat(readFileSync(join(dir, 'a.png')))).toBe('png');
    expect(sniffImageFormat(readFileSync(join(dir, 'b.JPG')))).toBe('jpeg');
    expect(sniffImageFormat(readFileSync(join(dir, 'c.webp')))).toBe('webp');
    expect(sniffImageFormat(new Uint8Array([1, 2, 3]))).toBeUndefined();
    // A small file read synchronously lives in Node's shared Buffer pool: the decoders must read only its bytes.
    for (const name of ['a.png', 'b.JPG', 'c.webp']) {
      const pixels = await decodeImage(readFileSync(join(dir, name)));
      expect([pixels.width, pixels.height, pixels.data.length]).toEqual([6, 4, 96]);
    }
    await expect(decodeImage(new Uint8Array([1, 2, 3]))).rejects.toThrow(GanKitError);
  });

  it('decodes PNG and lossless WebP exactly and JPEG (quality 100) closely, scaled to [-1, 1]; skips the broken file', async () => {
    const skippedNames: string[] = [];
    const { images, files, skipped } = await loadImageFolder(join(root, 'mixed'), { onSkip: (f) => skippedNames.push(f) });
    expect(files.map((f) => f.split('/').pop())).toEqual(['a.png', 'b.JPG', 'c.webp']);
    expect(skipped.map((s) => s.file.split('/').pop())).toEqual(['broken.png']);
    expect(skippedNames).toHaveLength(1);
    expect(images.shape).toEqual([3, 4, 6, 3]);
    const v = await images.data();
    const expected = pattern(6, 4);
    let jpegError = 0;
    for (let p = 0; p < 24; p++) {
      for (let c = 0; c < 3; c++) {
        expect(toByte(v[p * 3 + c]!)).toBe(expected[p * 4 + c]); // PNG
        expect(toByte(v[2 * 72 + p * 3 + c]!)).toBe(expected[p * 4 + c]); // WebP, lossless
        jpegError = Math.max(jpegError, Math.abs(toByte(v[72 + p * 3 + c]!) - expected[p * 4 + c]!));
      }
    }
    expect(jpegError).toBeLessThan(20);
    images.dispose();
  });

  it('converts to grey with the BT.601 luma weights', async () => {
    const { images } = await loadImageFolder(join(root, 'mixed'), { channels: 1, limit: 1 });
    const v = await images.data();
    const e = pattern(6, 4);
    for (let p = 0; p < 24; p++) {
      const luma = 0.299 * e[p * 4]! + 0.587 * e[p * 4 + 1]! + 0.114 * e[p * 4 + 2]!;
      expect(v[p]!).toBeCloseTo((luma / 255) * 2 - 1, 5);
    }
    images.dispose();
  });

  it('refuses mixed sizes without `size`, naming both files, and centre-crops then resizes with it', async () => {
    const dir = join(root, 'sizes');
    await expect(loadImageFolder(dir)).rejects.toThrow(/small\.png is 4x4.*wide\.png of 8x4/);
    await expect(loadImageFolder(dir)).rejects.toThrow(InvalidArgumentError);
    const { images } = await loadImageFolder(dir, { size: 4, channels: 3 });
    expect(images.shape).toEqual([2, 4, 4, 3]);
    const v = await images.data();
    // wide.png (8x4) → its centre 4x4 (columns 2–5), already the target size: exact pixels.
    const e = pattern(8, 4);
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 4; x++) {
        expect(toByte(v[48 + (y * 4 + x) * 3]!)).toBe(e[(y * 8 + x + 2) * 4]);
      }
    }
    images.dispose();
  });

  it('downsizes by block averaging: a 4x4 image to 2x2 gives the mean of each 2x2 block', async () => {
    const pixels = pattern(4, 4);
    const t = imagesFromPixels([{ width: 4, height: 4, data: pixels }], { size: 2, range: [0, 255] });
    const v = await t.data();
    for (let by = 0; by < 2; by++) {
      for (let bx = 0; bx < 2; bx++) {
        let mean = 0;
        for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) mean += pixels[((2 * by + dy!) * 4 + 2 * bx + dx!) * 4]! / 4;
        expect(v[(by * 2 + bx) * 3]!).toBeCloseTo(mean, 4);
      }
    }
    t.dispose();
  });

  it('gives clear errors for an empty folder, a missing one, and a folder where nothing decodes', async () => {
    await expect(loadImageFolder(join(root, 'empty'))).rejects.toThrow(/holds no image/);
    await expect(loadImageFolder(join(root, 'missing'))).rejects.toThrow(/Cannot read the image folder/);
    await expect(loadImageFolder(join(root, 'corrupt'))).rejects.toThrow(/None of the 1 image files/);
  });

  it('imageFolder batches the images as a reshuffled dataset and leaks no tensor', async () => {
    const before = tf.memory().numTensors;
    const data = await imageFolder(join(root, 'mixed'), { batchSize: 2, seed: 0, onSkip: () => undefined });
    const batches = await data.toArray();
    expect(batches.map((b) => b.shape)).toEqual([[2, 4, 6, 3]]);
    tf.dispose(batches);
    const zeros = tf.zeros([5, 2, 2, 1]) as tf.Tensor4D;
    const fromTensor = await tensorDataset(zeros, { batchSize: 2, dropRemainder: false });
    const parts = await fromTensor.toArray();
    expect(parts.map((b) => b.shape[0])).toEqual([2, 2, 1]);
    tf.dispose([...parts, zeros]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('tensorDataset with labels', () => {
  it('yields { images, labels } batches whose labels belong to the same rows, every epoch, without leaks', async () => {
    const before = tf.memory().numTensors;
    // Image i is filled with the value i, and its label is (7·i) mod 5: each batch's labels follow from its images.
    const n = 12;
    const images = tf.tidy(() => tf.range(0, n).reshape([n, 1, 1, 1]).tile([1, 2, 2, 1])) as tf.Tensor4D;
    const labelValues = Array.from({ length: n }, (_, i) => (7 * i) % 5);
    for (const labels of [labelValues, Int32Array.from(labelValues), tf.tensor1d(labelValues, 'int32')]) {
      const data = await tensorDataset(images, { labels, batchSize: 4, seed: 1 });
      for (let epoch = 0; epoch < 2; epoch++) {
        const batches = await data.toArray();
        expect(batches).toHaveLength(3);
        const seen: number[] = [];
        for (const b of batches) {
          expect(b.images.shape).toEqual([4, 2, 2, 1]);
          expect(b.labels.dtype).toBe('int32');
          const pixels = await b.images.data();
          const rows = [0, 1, 2, 3].map((r) => Math.round(pixels[r * 4]!));
          expect(Array.from(await b.labels.data())).toEqual(rows.map((i) => (7 * i) % 5));
          seen.push(...rows);
        }
        expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        tf.dispose(batches as unknown as tf.TensorContainer);
      }
      if (labels instanceof tf.Tensor) labels.dispose();
    }
    images.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects labels that are not one integer >= 0 per image, naming options.labels', async () => {
    const images = tf.zeros([3, 2, 2, 1]) as tf.Tensor4D;
    const wrongRank = tf.zeros([3, 1], 'int32');
    for (const labels of [[0, 1], [0, 1, -1], [0, 1.5, 2], wrongRank]) {
      await expect(tensorDataset(images, { labels: labels as number[] })).rejects.toThrow(InvalidArgumentError);
    }
    await expect(tensorDataset(images, { labels: [0, 1] })).rejects.toThrow(/options\.labels: expected 3 class indices/);
    tf.dispose([images, wrongRank]);
  });
});
