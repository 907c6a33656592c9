/**
 * The browser example's shipped assets: the float16 encoder used to export the pretrained generator (checked
 * against tfjs' own float16 decoder and an exhaustive nearest-value search), the exported generator itself
 * (loads in tfjs, matches its info.json, draws images in [-1, 1] that vary with the code), and the MNIST subset.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { float16Bits, toFloat16 } from '../../examples/browser/scripts/float16';
import { fileSystemHandler, setupBackend } from '../../src/index';

const example = resolve(__dirname, '../../examples/browser');

beforeAll(async () => {
  await setupBackend({ backend: 'cpu' });
});

/** Every binary16 pattern decoded by tfjs (the reader the page uses), independent of our encoder. */
function decodeAllHalves(): Float32Array {
  const bits = new Uint16Array(65536).map((_, i) => i);
  const [tensor] = Object.values(
    tf.io.decodeWeights(bits.buffer, [{ name: 'all', shape: [65536], dtype: 'float32', quantization: { dtype: 'float16' } }]),
  );
  const values = tensor!.dataSync() as Float32Array;
  tensor!.dispose();
  return values;
}

describe('float16 export', () => {
  let halves: Float32Array;
  beforeAll(() => {
    halves = decodeAllHalves();
  });

  /** Reference: the nearest binary16 value by search over all positive patterns; ties to the even pattern. */
  function nearestHalf(value: number): number {
    if (Number.isNaN(value)) return Number.NaN;
    const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
    const magnitude = Math.abs(value);
    // Positive finite patterns 0x0000..0x7bff increase with their value; 0x7c00 is +Infinity, which IEEE
    // rounding reaches from 65520 (halfway to the next binade's 65536) up.
    let low = 0;
    for (let lo = 0, hi = 0x7bff; lo <= hi; ) {
      const mid = (lo + hi) >> 1;
      if (halves[mid]! <= magnitude) {
        low = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    const high = low + 1;
    const highValue = high === 0x7c00 ? 65536 : halves[high]!;
    const below = magnitude - halves[low]!;
    const above = highValue - magnitude;
    const pick = below < above ? low : above < below ? high : low % 2 === 0 ? low : high;
    return sign | pick;
  }

  it('rounds to the nearest binary16 value, ties to even, for values across the whole range', () => {
    const values: number[] = [0, -0, 1, -1, 0.1, 1 / 3, 65504, 65519, 65520, 70000, -1e9, Infinity, -Infinity, 1e-8, 2.98e-8, 3e-8, 5.96e-8, 6.1e-5, 6.097e-5];
    // Exact midpoints between neighbours (ties) and their float32 neighbours.
    for (const i of [0, 1, 2, 3, 100, 0x3ff, 0x400, 0x3c00, 0x3c01, 0x7bfe]) {
      const mid = Math.fround((halves[i]! + halves[i + 1]!) / 2);
      values.push(mid, -mid, Math.fround(mid * (1 + 2 ** -20)), Math.fround(mid * (1 - 2 ** -20)));
    }
    let seed = 12345;
    for (let i = 0; i < 5000; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      values.push(Math.fround((seed / 2 ** 32 - 0.5) * 2 ** ((i % 48) - 28)));
    }
    for (const value of values) {
      const v = Math.fround(value);
      expect(float16Bits(v), `value ${v}`).toBe(nearestHalf(v));
    }
    expect(Number.isNaN(halves[float16Bits(Number.NaN)]!)).toBe(true);
  });

  it('maps every binary16 value back to its own pattern', () => {
    const all = toFloat16(halves);
    for (let i = 0; i < 65536; i++) {
      if (Number.isNaN(halves[i]!)) expect(Number.isNaN(halves[all[i]!]!)).toBe(true);
      else expect(all[i]).toBe(i);
    }
  });
});

describe('the pretrained generator in examples/browser/public/pretrained/dcgan-mnist', () => {
  const dir = resolve(example, 'public/pretrained/dcgan-mnist');
  const info = JSON.parse(readFileSync(resolve(dir, 'info.json'), 'utf8')) as { latentDim: number; imageShape: number[]; weights: string };

  it('is small, stored as float16, and loads with tfjs as its info.json says', async () => {
    const size = statSync(resolve(dir, 'weights.bin')).size;
    expect(size).toBeLessThan(400 * 1024);
    const manifest = JSON.parse(readFileSync(resolve(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    const specs = manifest.weightsManifest.flatMap((g) => g.weights);
    expect(specs.every((s) => s.quantization?.dtype === 'float16')).toBe(true);
    // 2 bytes per weight: the file holds exactly the listed weights.
    expect(size).toBe(2 * specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0));

    const model = await tf.loadLayersModel(fileSystemHandler(dir));
    expect(model.inputs[0]!.shape).toEqual([null, info.latentDim]);
    expect(model.outputs[0]!.shape).toEqual([null, ...info.imageShape]);
    const z = tf.randomNormal([16, info.latentDim], 0, 1, 'float32', 3);
    const images = model.predict(z) as tf.Tensor;
    const values = await images.data();
    tf.dispose([z, images]);
    model.dispose();
    expect(Array.from(values).every((v) => v >= -1 && v <= 1)).toBe(true);
    // Different codes give different images (not a collapsed or constant generator): per-pixel spread across the batch.
    const pixels = values.length / 16;
    let spread = 0;
    for (let p = 0; p < pixels; p++) {
      let mean = 0;
      for (let i = 0; i < 16; i++) mean += values[i * pixels + p]! / 16;
      for (let i = 0; i < 16; i++) spread += (values[i * pixels + p]! - mean) ** 2 / (16 * pixels);
    }
    expect(Math.sqrt(spread)).toBeGreaterThan(0.2);
  });
});

describe('the MNIST subset examples/browser/public/mnist/mnist-1000.png', () => {
  it('holds 1,000 greyscale 28x28 digits in a 40 x 25 sprite, each with ink on a dark background', () => {
    const png = PNG.sync.read(readFileSync(resolve(example, 'public/mnist/mnist-1000.png')));
    expect([png.width, png.height]).toEqual([40 * 28, 25 * 28]);
    for (let tile = 0; tile < 1000; tile++) {
      const x0 = (tile % 40) * 28;
      const y0 = Math.floor(tile / 40) * 28;
      let ink = 0;
      let border = 0;
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          const v = png.data[((y0 + y) * png.width + x0 + x) * 4]!;
          if (v > 128) ink++;
          if ((x === 0 || y === 0 || x === 27 || y === 27) && v > 32) border++;
        }
      }
      expect(ink, `tile ${tile}`).toBeGreaterThan(20);
      expect(border, `tile ${tile}`).toBeLessThan(8);
    }
  });
});
