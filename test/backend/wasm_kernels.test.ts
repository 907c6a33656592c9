/**
 * gan-kit's wasm training kernels against the cpu backend as oracle, over a matrix of shapes: stride 1 and 2,
 * kernel 1..5, 'same' and 'valid', odd and even sizes, batch 1..8, channels 1..64.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { filterCacheStats, phaseSplitPlan, subPixelFilter } from '../../src/backend/kernels/conv2d_backprop_input';

interface Case {
  batch: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  kh: number;
  kw: number;
  stride: [number, number];
  pad: 'same' | 'valid';
}

/** Deterministic PRNG (mulberry32) so every run checks the same cases. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomArray(n: number, next: () => number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = next() * 2 - 1;
  return a;
}

function buildCases(): Case[] {
  const next = rng(1234);
  const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)];
  const cases: Case[] = [];
  // Every (kernel, stride, padding) combination, with random odd/even sizes, batches and channels.
  for (const k of [1, 2, 3, 4, 5]) {
    for (const s of [1, 2]) {
      for (const pad of ['same', 'valid'] as const) {
        cases.push({
          batch: pick([1, 2, 3, 5, 8]),
          h: pick([5, 6, 7, 8, 9, 14]),
          w: pick([5, 6, 7, 8, 11]),
          ci: pick([1, 2, 3, 8, 17]),
          co: pick([1, 4, 5, 16]),
          kh: k,
          kw: k,
          stride: [s, s],
          pad,
        });
      }
    }
  }
  // Non-square kernels and strides, and wide channels.
  cases.push({ batch: 2, h: 9, w: 8, ci: 3, co: 4, kh: 3, kw: 5, stride: [2, 1], pad: 'same' });
  cases.push({ batch: 1, h: 7, w: 10, ci: 2, co: 3, kh: 4, kw: 2, stride: [1, 2], pad: 'valid' });
  cases.push({ batch: 4, h: 8, w: 8, ci: 64, co: 32, kh: 4, kw: 4, stride: [2, 2], pad: 'same' });
  cases.push({ batch: 2, h: 7, w: 7, ci: 32, co: 64, kh: 3, kw: 3, stride: [1, 1], pad: 'same' });
  cases.push({ batch: 8, h: 14, w: 14, ci: 1, co: 64, kh: 4, kw: 4, stride: [2, 2], pad: 'same' });
  cases.push({ batch: 3, h: 4, w: 4, ci: 5, co: 2, kh: 4, kw: 4, stride: [2, 2], pad: 'valid' });
  // Stride larger than the kernel.
  cases.push({ batch: 2, h: 9, w: 9, ci: 3, co: 2, kh: 2, kw: 2, stride: [3, 3], pad: 'same' });
  // DCGAN's transposed convolutions (7→14→28), with fewer channels; and even sizes for every kernel size.
  cases.push({ batch: 3, h: 14, w: 14, ci: 16, co: 24, kh: 4, kw: 4, stride: [2, 2], pad: 'same' });
  cases.push({ batch: 2, h: 28, w: 28, ci: 1, co: 8, kh: 4, kw: 4, stride: [2, 2], pad: 'same' });
  for (const k of [1, 2, 3, 5]) cases.push({ batch: 2, h: 8, w: 6, ci: 3, co: 5, kh: k, kw: k, stride: [2, 2], pad: 'same' });
  cases.push({ batch: 2, h: 8, w: 8, ci: 3, co: 5, kh: 3, kw: 3, stride: [2, 2], pad: 'valid' });
  return cases;
}

function outSize(c: Case): [number, number] {
  const info = tf.backend_util.computeConv2DInfo(
    [c.batch, c.h, c.w, c.ci],
    [c.kh, c.kw, c.ci, c.co],
    c.stride,
    1,
    c.pad,
  );
  return [info.outHeight, info.outWidth];
}

async function onBackend(name: string, fn: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(name);
  const t = fn();
  const data = (await t.data()) as Float32Array;
  t.dispose();
  return data;
}

function expectClose(actual: Float32Array, expected: Float32Array, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  // Float32 sums of up to a few thousand products: 1e-5 of the largest value is far below any real error.
  expect(worst / Math.max(scale, 1e-6), label).toBeLessThan(1e-5);
}

const CASES = buildCases();

describe('wasm Conv2DBackpropFilter, Conv2DBackpropInput and BatchMatMul vs the cpu backend', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    await tf.ready();
  });

  it('the input-gradient cases exercise both the exact phase-split form and the stacked form', () => {
    let split = 0;
    let stacked = 0;
    for (const c of CASES) {
      if (c.stride[0] === 1 && c.stride[1] === 1) continue;
      const info = tf.backend_util.computeConv2DInfo([c.batch, c.h, c.w, c.ci], [c.kh, c.kw, c.ci, c.co], c.stride, 1, c.pad);
      const usable =
        c.h % c.stride[0] === 0 &&
        c.w % c.stride[1] === 0 &&
        phaseSplitPlan(new Float32Array(c.kh * c.kw * c.ci * c.co), [c.kh, c.kw, c.ci, c.co], c.stride, [info.padInfo.top, info.padInfo.left], [c.h, c.w], [info.outHeight, info.outWidth]) != null;
      if (usable) split++;
      else stacked++;
    }
    expect(split).toBeGreaterThanOrEqual(4);
    expect(stacked).toBeGreaterThanOrEqual(4);
  });

  it('are registered on the wasm backend by importing gan-kit', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBeDefined();
  });

  it.each(CASES.map((c) => [JSON.stringify(c), c] as const))('filter gradient %s', async (_label, c) => {
    const next = rng(c.batch * 1000 + c.h * 31 + c.kh);
    const [oh, ow] = outSize(c);
    const x = randomArray(c.batch * c.h * c.w * c.ci, next);
    const dy = randomArray(c.batch * oh * ow * c.co, next);
    const run = () =>
      tf.engine().runKernel(
        'Conv2DBackpropFilter',
        { x: tf.tensor4d(x, [c.batch, c.h, c.w, c.ci]), dy: tf.tensor4d(dy, [c.batch, oh, ow, c.co]) },
        { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: [c.kh, c.kw, c.ci, c.co] },
      ) as tf.Tensor;
    const expected = await onBackend('cpu', () => tf.tidy(run));
    const actual = await onBackend('wasm', () => tf.tidy(run));
    expectClose(actual, expected, JSON.stringify(c));
  });

  it.each(CASES.map((c) => [JSON.stringify(c), c] as const))('input gradient %s', async (_label, c) => {
    const next = rng(c.batch * 977 + c.w * 13 + c.kw);
    const [oh, ow] = outSize(c);
    const filter = randomArray(c.kh * c.kw * c.ci * c.co, next);
    const dy = randomArray(c.batch * oh * ow * c.co, next);
    const run = () =>
      tf.engine().runKernel(
        'Conv2DBackpropInput',
        { dy: tf.tensor4d(dy, [c.batch, oh, ow, c.co]), filter: tf.tensor4d(filter, [c.kh, c.kw, c.ci, c.co]) },
        { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: [c.batch, c.h, c.w, c.ci] },
      ) as tf.Tensor;
    const expected = await onBackend('cpu', () => tf.tidy(run));
    const actual = await onBackend('wasm', () => tf.tidy(run));
    expectClose(actual, expected, JSON.stringify(c));
  });

  it.each([
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[64, 100], [64, 129], true, false],
    [[2, 4, 6], [2, 6, 3], false, false],
    [[3, 6, 4], [3, 5, 6], true, true],
    [[1, 6, 4], [3, 6, 5], true, false],
    [[6, 20, 4], [6, 9, 4], false, true],
    [[4, 9, 20], [1, 9, 7], true, false],
    [[5, 12, 12], [5, 12, 3], false, false],
  ] as const)('BatchMatMul %j x %j (transposeA %s, transposeB %s)', async (aShape, bShape, ta, tb) => {
    const next = rng(aShape[0] * 7 + bShape[bShape.length - 1]);
    const a = randomArray((aShape as readonly number[]).reduce((x, y) => x * y, 1), next);
    const b = randomArray((bShape as readonly number[]).reduce((x, y) => x * y, 1), next);
    const run = () => tf.matMul(tf.tensor(a, [...aShape]), tf.tensor(b, [...bShape]), ta, tb);
    const expected = await onBackend('cpu', () => tf.tidy(run));
    const actual = await onBackend('wasm', () => tf.tidy(run));
    expectClose(actual, expected, `${aShape} x ${bShape}`);
  });

  it('gives conv2d and conv2dTranspose layers the same gradients as the cpu backend', async () => {
    const next = rng(99);
    const xData = randomArray(2 * 8 * 8 * 3, next);
    const grads = async (backend: string) => {
      await tf.setBackend(backend);
      tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor4d(xData, [2, 8, 8, 3]);
        const w1 = tf.tensor4d(randomArray(4 * 4 * 3 * 5, rng(7)), [4, 4, 3, 5]);
        const w2 = tf.tensor4d(randomArray(4 * 4 * 2 * 5, rng(8)), [4, 4, 2, 5]);
        const f = (a: tf.Tensor4D, b: tf.Tensor4D, c: tf.Tensor4D) =>
          tf.conv2dTranspose(tf.conv2d(a, b, 2, 'same'), c, [2, 8, 8, 2], 2, 'same').square().sum();
        const g = tf.grads(f as (...t: tf.Tensor[]) => tf.Tensor)([x, w1, w2]);
        return g.map((t) => t.dataSync().slice() as Float32Array);
      });
    };
    const cpu = await grads('cpu');
    const wasm = await grads('wasm');
    cpu.forEach((expected, i) => expectClose(wasm[i], expected, `gradient ${i}`));
  });

  it('leaks no tensors and no wasm memory across repeated calls', async () => {
    await tf.setBackend('wasm');
    const step = () =>
      tf.tidy(() => {
        const x = tf.randomNormal([4, 9, 9, 3]) as tf.Tensor4D;
        const w = tf.variable(tf.randomNormal([3, 3, 3, 4]));
        const g = tf.grad((a: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 2, 'same').square().sum())(x);
        const gw = tf.grad((b: tf.Tensor) => tf.conv2d(x, b as tf.Tensor4D, 2, 'same').square().sum())(w);
        g.dataSync();
        gw.dataSync();
        w.dispose();
      });
    step();
    const before = tf.memory();
    for (let i = 0; i < 5; i++) step();
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
  });
});

describe('wasm Conv2DBackpropInput filter cache', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    await tf.ready();
  });

  type Shape4 = [number, number, number, number];
  const attrsFor = (inputShape: Shape4) => ({ strides: [2, 2], pad: 'same', dataFormat: 'NHWC', inputShape });
  const inputGradient = (dy: tf.Tensor, filter: tf.Tensor, inputShape: Shape4) =>
    tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrsFor(inputShape)) as tf.Tensor;
  /** The cpu backend's input gradient for plain arrays (the oracle). */
  const reference = (dy: Float32Array, dyShape: Shape4, w: Float32Array, wShape: Shape4, inputShape: Shape4) =>
    onBackend('cpu', () => tf.tidy(() => inputGradient(tf.tensor4d(dy, dyShape), tf.tensor4d(w, wShape), inputShape)));

  // 8 x 8 takes the phase-split form, 7 x 7 (not a multiple of the stride) the stacked form.
  it.each([8, 7])(
    'rearranges a filter once while its data stays the same, and again after the variable is updated (%i-pixel square input)',
    async (size) => {
      await tf.setBackend('wasm');
      const next = rng(4242 + size);
      const wShape: Shape4 = [4, 4, 3, 5];
      const inputShape: Shape4 = [2, size, size, 3];
      const dyShape: Shape4 = [2, Math.ceil(size / 2), Math.ceil(size / 2), 5];
      const w1 = randomArray(4 * 4 * 3 * 5, next);
      const w2 = randomArray(4 * 4 * 3 * 5, next);
      const dyData = randomArray(dyShape.reduce((a, b) => a * b, 1), next);
      const filter = tf.variable(tf.tensor4d(w1, wShape));
      const dy = tf.tensor4d(dyData, dyShape);
      const before = { ...filterCacheStats };
      const a = inputGradient(dy, filter, inputShape);
      const b = inputGradient(dy, filter, inputShape);
      expect(filterCacheStats.rearranged - before.rearranged).toBe(1);
      expect(filterCacheStats.hits - before.hits).toBe(1);
      tf.tidy(() => filter.assign(tf.tensor4d(w2, wShape)));
      const c = inputGradient(dy, filter, inputShape);
      expect(filterCacheStats.rearranged - before.rearranged).toBe(2);
      const [aData, bData, cData] = (await Promise.all([a.data(), b.data(), c.data()])) as Float32Array[];
      tf.dispose([a, b, c, dy, filter]);
      expect(Array.from(bData)).toEqual(Array.from(aData));
      expectClose(aData, await reference(dyData, dyShape, w1, wShape, inputShape), 'first weights');
      expectClose(cData, await reference(dyData, dyShape, w2, wShape, inputShape), 'after assign');
    },
  );

  it('keeps a reshaped filter (same data, other shape) apart from the original', async () => {
    await tf.setBackend('wasm');
    const next = rng(77);
    const w = randomArray(4 * 4 * 2 * 6, next);
    const shapeA: Shape4 = [4, 4, 2, 6];
    const shapeB: Shape4 = [4, 4, 6, 2];
    const dyA = randomArray(1 * 4 * 4 * 6, next);
    const dyB = randomArray(1 * 4 * 4 * 2, next);
    const filter = tf.tensor4d(w, shapeA);
    const reshaped = tf.reshape(filter, shapeB);
    const before = filterCacheStats.rearranged;
    const dyTensors = [tf.tensor4d(dyA, [1, 4, 4, 6]), tf.tensor4d(dyB, [1, 4, 4, 2])];
    const outA = inputGradient(dyTensors[0]!, filter, [1, 8, 8, 2]);
    const outB = inputGradient(dyTensors[1]!, reshaped, [1, 8, 8, 6]);
    expect(filterCacheStats.rearranged - before).toBe(2);
    const [aData, bData] = (await Promise.all([outA.data(), outB.data()])) as Float32Array[];
    tf.dispose([outA, outB, filter, reshaped, ...dyTensors]);
    expectClose(aData, await reference(dyA, [1, 4, 4, 6], w, shapeA, [1, 8, 8, 2]), 'original shape');
    expectClose(bData, await reference(dyB, [1, 4, 4, 2], w, shapeB, [1, 8, 8, 6]), 'reshaped');
  });
});

describe('subPixelFilter', () => {
  it('places every tap of W exactly once, at the documented position', () => {
    const [kh, kw, ci, co, sh, sw] = [5, 4, 2, 3, 2, 2];
    const w = new Float32Array(kh * kw * ci * co).map((_, i) => i + 1);
    const { data, shape } = subPixelFilter(w, [kh, kw, ci, co], sh, sw);
    const [th, tw, , outC] = shape;
    expect(shape).toEqual([3, 2, co, sh * sw * ci]);
    const seen = new Set<number>();
    for (let fh = 0; fh < kh; fh++)
      for (let fw = 0; fw < kw; fw++)
        for (let c = 0; c < ci; c++)
          for (let o = 0; o < co; o++) {
            const rh = fh % sh, uh = th - 1 - (fh - rh) / sh;
            const rw = fw % sw, uw = tw - 1 - (fw - rw) / sw;
            const idx = ((uh * tw + uw) * co + o) * outC + (rh * sw + rw) * ci + c;
            expect(data[idx]).toBe(w[((fh * kw + fw) * ci + c) * co + o]);
            seen.add(idx);
          }
    // Everything else is zero padding (taps beyond K).
    const nonzero = data.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
    expect(nonzero).toBe(seen.size);
    expect(seen.size).toBe(w.length);
  });
});

describe('wasm Tile vs the cpu backend', () => {
  beforeAll(async () => {
    await tf.ready();
  });

  it.each([
    [[3, 4], [2, 3]],
    [[2, 3, 1, 3, 1, 5], [1, 1, 2, 1, 2, 1]], // nearest-neighbour upsampling via broadcastTo
    [[2, 1, 3], [1, 4, 1]],
    [[5], [3]],
    [[2, 3, 4], [1, 1, 1]],
    [[1, 2, 2, 3], [3, 2, 1, 2]],
    [[2, 0, 3], [2, 2, 2]],
  ] as const)('tiles %j by %j', async (shape, reps) => {
    const next = rng(shape.length * 13 + reps[0]);
    const size = (shape as readonly number[]).reduce((a, b) => a * b, 1);
    const x = randomArray(size, next);
    const run = () => tf.tile(tf.tensor(x, [...shape]), [...reps]);
    const expected = await onBackend('cpu', () => tf.tidy(run));
    const actual = await onBackend('wasm', () => tf.tidy(run));
    expect(Array.from(actual)).toEqual(Array.from(expected));
  });

  it('tiles int32 and bool tensors and broadcasts like tf.broadcastTo', async () => {
    await tf.setBackend('wasm');
    const ints = tf.tile(tf.tensor2d([[1, 2, 3]], [1, 3], 'int32'), [2, 2]);
    expect(ints.dtype).toBe('int32');
    expect(await ints.array()).toEqual([
      [1, 2, 3, 1, 2, 3],
      [1, 2, 3, 1, 2, 3],
    ]);
    const bools = tf.tile(tf.tensor1d([true, false], 'bool'), [3]);
    expect(Array.from(await bools.data())).toEqual([1, 0, 1, 0, 1, 0]);
    const up = tf.broadcastTo(tf.reshape(tf.tensor2d([[1, 2], [3, 4]]), [1, 2, 1, 2, 1, 1]), [1, 2, 2, 2, 2, 1]);
    expect(Array.from(await tf.reshape(up, [4, 4]).data())).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    tf.dispose([ints, bools, up]);
  });
});
