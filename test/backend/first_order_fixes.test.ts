/**
 * Gradients that stock tfjs 4.22 gets wrong at first order, fixed by gan-kit (src/backend/gradients/mirror_pad.ts,
 * src/backend/gradients/pooling.ts, src/backend/kernels/pooling.ts):
 * - MirrorPad (every backend): the stock gradient drops what flows back through the reflected copies;
 * - max pooling on wasm: the stock MaxPoolGrad, MaxPoolWithArgmax, MaxPool3D and MaxPool3DGrad kernels start
 *   each window's maximum at +1.2e-38, so windows of negative values route to their first element;
 * - MaxPool/AvgPool on wasm with a numeric pad and 'ceil'/'round' rounding (uninitialised output rows), and the
 *   AvgPool gradient there on every backend (AvgPoolGrad ignores the rounding mode).
 * References are plain-JS float64 index maps written here, central finite differences, and the cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { replacedGradient } from '../../src/backend/gradients/registry';
import { describeEachBackend } from '../helpers/backends';
import { autodiffGradient, centralDifferences, norm, relativeError, spreadCoords } from '../helpers/finite_differences';

type Mode = 'reflect' | 'symmetric';
type Pads = Array<[number, number]>;

function randn(shape: number[], seed: number, std = 1): tf.Tensor {
  return tf.randomNormal(shape, 0, std, 'float32', seed);
}

function fmt(v: ArrayLike<number>): string {
  return `[${Array.from(v, (x) => x.toPrecision(5)).join(', ')}]`;
}

/** Asserts autodiff matches central differences of `f` on up to `coords` coordinates of θ. */
function expectMatchesFd(f: (t: tf.Tensor) => tf.Tensor, theta: tf.Tensor, eps: number, rtol: number, coords = 12): void {
  const picks = spreadCoords(theta.size, coords);
  const analytic = autodiffGradient(f, theta);
  const picked = picks.map((k) => analytic[k]);
  const fd = centralDifferences(f, theta, picks, eps);
  expect(norm(fd), 'the finite-difference gradient is not ~0 (the check can fail)').toBeGreaterThan(1e-3);
  expect(relativeError(picked, fd), `autodiff ${fmt(picked)} vs finite differences ${fmt(fd)}`).toBeLessThan(rtol);
}

/** Runs `fn` with the stock tfjs gradient of `kernelName` registered instead of gan-kit's. */
function withStockGradient<T>(kernelName: string, fn: () => T): T {
  const ours = tf.getGradient(kernelName);
  const stock = replacedGradient(kernelName);
  if (stock == null || ours == null) throw new Error(`no stock gradient was replaced for ${kernelName}`);
  tf.unregisterGradient(kernelName);
  tf.registerGradient(stock);
  try {
    return fn();
  } finally {
    tf.unregisterGradient(kernelName);
    tf.registerGradient(ours);
  }
}

// ---------------------------------------------------------------------------------------------------------
// MirrorPad: float64 reference from the definition of the padding as an index map.
// ---------------------------------------------------------------------------------------------------------

/** The input index that output position `k` of an axis of length n padded by `before` reads. */
function mirrorSource(k: number, n: number, before: number, mode: Mode): number {
  const j = k - before;
  if (j < 0) return mode === 'reflect' ? -j : -j - 1;
  if (j >= n) return mode === 'reflect' ? 2 * (n - 1) - j : 2 * n - 1 - j;
  return j;
}

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/** For every flat output position, the flat input position it copies. */
function mirrorMap(shape: readonly number[], pads: Pads, mode: Mode): Int32Array {
  const outShape = shape.map((d, i) => d + pads[i][0] + pads[i][1]);
  const size = outShape.reduce((p, d) => p * d, 1);
  const outStrides = strides(outShape);
  const inStrides = strides(shape);
  const map = new Int32Array(size);
  for (let o = 0; o < size; o++) {
    let rest = o;
    let source = 0;
    for (let axis = 0; axis < shape.length; axis++) {
      const k = Math.floor(rest / outStrides[axis]);
      rest -= k * outStrides[axis];
      source += mirrorSource(k, shape[axis], pads[axis][0], mode) * inStrides[axis];
    }
    map[o] = source;
  }
  return map;
}

/** The exact gradient of Σ w ⊙ mirrorPad(x): w scatter-added through the index map, in float64. */
function mirrorAdjoint(w: ArrayLike<number>, shape: readonly number[], pads: Pads, mode: Mode): Float64Array {
  const map = mirrorMap(shape, pads, mode);
  const g = new Float64Array(shape.reduce((p, d) => p * d, 1));
  for (let o = 0; o < map.length; o++) g[map[o]] += w[o];
  return g;
}

interface MirrorCase {
  shape: number[];
  pads: Pads;
  mode: Mode;
}

const MIRROR_CASES: MirrorCase[] = [
  // 1-D: the largest paddings each mode allows (n − 1 reflect, n symmetric), one-sided and asymmetric.
  { shape: [5], pads: [[2, 4]], mode: 'reflect' },
  { shape: [5], pads: [[4, 0]], mode: 'reflect' },
  { shape: [5], pads: [[5, 1]], mode: 'symmetric' },
  { shape: [5], pads: [[0, 3]], mode: 'symmetric' },
  // 4-D, padded along every axis including batch and channels, and along the spatial axes only.
  { shape: [2, 4, 5, 3], pads: [[1, 0], [3, 1], [2, 4], [0, 2]], mode: 'reflect' },
  { shape: [2, 4, 5, 3], pads: [[2, 1], [4, 0], [1, 5], [3, 3]], mode: 'symmetric' },
  { shape: [1, 6, 5, 2], pads: [[0, 0], [2, 2], [1, 1], [0, 0]], mode: 'reflect' },
  { shape: [1, 6, 5, 2], pads: [[0, 0], [3, 3], [3, 3], [0, 0]], mode: 'symmetric' },
  // Other ranks.
  { shape: [3, 4], pads: [[2, 1], [3, 0]], mode: 'reflect' },
  { shape: [2, 3, 4], pads: [[1, 2], [0, 3], [2, 2]], mode: 'symmetric' },
  { shape: [2, 2, 3, 2, 3], pads: [[1, 1], [0, 2], [2, 1], [1, 0], [2, 2]], mode: 'symmetric' },
  { shape: [2, 3, 2, 3, 2, 3], pads: [[1, 0], [2, 1], [0, 1], [1, 2], [1, 1], [0, 2]], mode: 'reflect' },
];

const caseName = (c: MirrorCase) => `${c.shape.length}-D ${c.mode} ${JSON.stringify(c.shape)} by ${JSON.stringify(c.pads)}`;

// ---------------------------------------------------------------------------------------------------------
// Max pooling: float64 reference (first maximum in row-major window order, in-image elements only).
// ---------------------------------------------------------------------------------------------------------

interface PoolCase {
  name: string;
  shape: [number, number, number, number];
  filter: number | [number, number];
  stride: number | [number, number];
  pad: 'valid' | 'same' | number;
  rounding?: 'ceil' | 'round';
}

const POOL_CASES: PoolCase[] = [
  { name: "2×2 stride 2 'valid'", shape: [2, 4, 6, 3], filter: 2, stride: 2, pad: 'valid' },
  { name: "3×3 stride 2 'same'", shape: [2, 5, 6, 3], filter: 3, stride: 2, pad: 'same' },
  { name: "3×3 stride 1 'same' (overlapping windows)", shape: [1, 5, 6, 2], filter: 3, stride: 1, pad: 'same' },
  { name: "2×3 stride [1, 2] 'valid'", shape: [2, 5, 7, 2], filter: [2, 3], stride: [1, 2], pad: 'valid' },
  { name: "2×2 stride 3 'same'", shape: [1, 7, 8, 2], filter: 2, stride: 3, pad: 'same' },
  { name: "3×3 stride 2, pad 1, 'ceil' rounding", shape: [1, 6, 6, 2], filter: 3, stride: 2, pad: 1, rounding: 'ceil' },
  { name: "2×2 stride 2, pad 0, 'round' rounding", shape: [2, 5, 7, 2], filter: 2, stride: 2, pad: 0, rounding: 'round' },
];

function poolInfo(c: PoolCase): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computePool2DInfo(c.shape, c.filter, c.stride, 1, c.pad, c.rounding);
}

/** Distinct negative values, at least 0.05 apart (no ties, and steps of 1e-3 never change a window's argmax). */
function distinctNegative(size: number, seed: number): Float32Array {
  const order = Array.from({ length: size }, (_, i) => i);
  let state = seed;
  for (let i = size - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const j = state % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return Float32Array.from(order, (r) => -0.5 - 0.05 * r);
}

/** For each output of the pooling, the flat input index of its window's maximum (or the average's members). */
function windows(info: tf.backend_util.Conv2DInfo): number[][] {
  const result: number[][] = [];
  for (let b = 0; b < info.batchSize; b++)
    for (let oh = 0; oh < info.outHeight; oh++)
      for (let ow = 0; ow < info.outWidth; ow++)
        for (let c = 0; c < info.inChannels; c++) {
          const members: number[] = [];
          for (let i = 0; i < info.filterHeight; i++)
            for (let j = 0; j < info.filterWidth; j++) {
              const h = oh * info.strideHeight - info.padInfo.top + i;
              const w = ow * info.strideWidth - info.padInfo.left + j;
              if (h < 0 || h >= info.inHeight || w < 0 || w >= info.inWidth) continue;
              members.push(((b * info.inHeight + h) * info.inWidth + w) * info.inChannels + c);
            }
          result.push(members);
        }
  return result;
}

function argmaxOf(x: ArrayLike<number>, members: number[]): number {
  let best = members[0];
  for (const m of members) if (x[m] > x[best]) best = m;
  return best;
}

/** d/dx Σ w ⊙ maxPool(x) in float64: w added at each window's maximum. */
function maxPoolAdjoint(x: ArrayLike<number>, w: ArrayLike<number>, info: tf.backend_util.Conv2DInfo): Float64Array {
  const g = new Float64Array(x.length);
  windows(info).forEach((members, o) => {
    g[argmaxOf(x, members)] += w[o];
  });
  return g;
}

function maxPoolOf(t: tf.Tensor, c: PoolCase): tf.Tensor {
  return tf.maxPool(t as tf.Tensor4D, c.filter, c.stride, c.pad, c.rounding);
}

// ---------------------------------------------------------------------------------------------------------

describeEachBackend('MirrorPad gradient', () => {
  const dyExample = () => tf.tensor1d([1, 10, 100, 1000, 1e4, 1e5, 1e6]);
  const exampleForward = (mode: Mode) =>
    tf.tidy(() => Array.from(tf.mirrorPad(tf.tensor1d([1, 2, 3]), [[2, 2]], mode).dataSync()));
  const exampleGrad = (mode: Mode) =>
    tf.tidy(() => {
      const dy = dyExample();
      const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.mirrorPad(t, [[2, 2]], mode), dy)));
      return Array.from(grad(tf.tensor1d([1, 2, 3])).dataSync());
    });

  it('[1, 2, 3] reflect-padded by 2 ([3, 2, 1, 2, 3, 2, 1]), upstream 1…10⁶: gradient [1000100, 101010, 10001]', () => {
    expect(exampleForward('reflect')).toEqual([3, 2, 1, 2, 3, 2, 1]);
    // x₀ at positions 2 and 6, x₁ at 1, 3 and 5, x₂ at 0 and 4.
    expect(exampleGrad('reflect')).toEqual([100 + 1e6, 10 + 1000 + 1e5, 1 + 1e4]);
  });

  it('[1, 2, 3] symmetric-padded by 2 ([2, 1, 1, 2, 3, 3, 2]): gradient [110, 1001001, 110000]', () => {
    expect(exampleForward('symmetric')).toEqual([2, 1, 1, 2, 3, 3, 2]);
    // x₀ at positions 1 and 2, x₁ at 0, 3 and 6, x₂ at 4 and 5.
    expect(exampleGrad('symmetric')).toEqual([10 + 100, 1 + 1000 + 1e6, 1e4 + 1e5]);
  });

  it('stock tfjs 4.22 is wrong there (why gan-kit replaces it): it keeps only the centre [100, 1000, 10000]', () => {
    expect(withStockGradient('MirrorPad', () => exampleGrad('reflect'))).toEqual([100, 1000, 1e4]);
  });

  for (const c of MIRROR_CASES) {
    it(`${caseName(c)}: forward matches the index map, gradient matches its float64 adjoint`, () => {
      const x = randn(c.shape, 31);
      const out = tf.mirrorPad(x, c.pads, c.mode);
      const w = randn(out.shape, 32);
      const map = mirrorMap(c.shape, c.pads, c.mode);
      const xv = x.dataSync();
      expect(Array.from(out.dataSync())).toEqual(Array.from(map, (m) => xv[m]));
      const g = autodiffGradient((t) => tf.sum(tf.mul(tf.mirrorPad(t, c.pads, c.mode), w)), x);
      const expected = mirrorAdjoint(w.dataSync(), c.shape, c.pads, c.mode);
      expect(relativeError(g, expected), `${fmt(g.slice(0, 6))}… vs ${fmt(expected.slice(0, 6))}…`).toBeLessThan(1e-6);
      tf.dispose([x, out, w]);
    });
  }

  for (const c of MIRROR_CASES.filter((m) => m.shape.length === 1 || m.shape.length === 4)) {
    it(`${caseName(c)}: gradient of Σ w ⊙ tanh(mirrorPad(x)) matches finite differences`, () => {
      const x = randn(c.shape, 33);
      const w = tf.tidy(() => randn(tf.mirrorPad(x, c.pads, c.mode).shape, 34));
      expectMatchesFd((t) => tf.sum(tf.mul(tf.tanh(tf.mirrorPad(t, c.pads, c.mode)), w)), x, 1e-2, 1e-2, 16);
      tf.dispose([x, w]);
    });
  }

  for (const mode of ['reflect', 'symmetric'] as const) {
    it(`${mode}: the gradient's gradient with respect to the upstream gradient is mirrorPad again`, () => {
      const pads: Pads = [[0, 0], [2, 1], [1, 3], [1, 0]];
      const x = randn([2, 4, 5, 2], 35);
      const dy0 = tf.tidy(() => randn(tf.mirrorPad(x, pads, mode).shape, 36));
      const v = randn(x.shape, 37);
      // g(dy) = ∂/∂x Σ dy ⊙ mirrorPad(x) = Aᵀ dy, so ∂/∂dy Σ v ⊙ g(dy) = A v = mirrorPad(v).
      const vjp = (dy: tf.Tensor) => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.mirrorPad(t, pads, mode), dy)))(x);
      const g = (dy: tf.Tensor) => tf.sum(tf.mul(vjp(dy), v));
      const second = autodiffGradient(g, dy0);
      const expected = tf.tidy(() => tf.mirrorPad(v, pads, mode).dataSync().slice());
      expect(relativeError(second, expected)).toBeLessThan(1e-6);
      tf.dispose([x, dy0, v]);
    });

    it(`${mode}: a gradient penalty through conv → tanh → mirrorPad → conv → tanh matches finite differences`, () => {
      // f(W) = Σ (∂/∂x Σ c ⊙ tanh(conv(mirrorPad(tanh(conv(x, W))), K)))²: second order through MirrorPad.
      const pads: Pads = [[0, 0], [2, 1], [1, 2], [0, 0]];
      const x = randn([2, 4, 5, 2], 38);
      const k = randn([3, 3, 3, 2], 39, 0.4);
      const h = (xx: tf.Tensor, w: tf.Tensor) => {
        const inner = tf.tanh(tf.conv2d(xx as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid'));
        return tf.tanh(tf.conv2d(tf.mirrorPad(inner, pads, mode) as tf.Tensor4D, k as tf.Tensor4D, 1, 'valid'));
      };
      const w0 = randn([1, 1, 2, 3], 40, 0.8);
      const c = tf.tidy(() => randn(h(x, w0).shape, 41));
      const penalty = (w: tf.Tensor) =>
        tf.sum(tf.square(tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(h(xx, w), c)))(x)));
      expectMatchesFd(penalty, w0, 1e-2, 2e-2, 6);
      tf.dispose([x, k, w0, c]);
    });
  }

  it('leaves tf.memory().numTensors flat', () => {
    const x = randn([1, 4, 5, 2], 42);
    const pads: Pads = [[0, 0], [2, 2], [1, 1], [0, 0]];
    const step = () => tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.mirrorPad(t, pads, 'reflect'))))(x).dispose();
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describeEachBackend('max pooling over windows of negative values', () => {
  it("[-4, -3, -2, -1] in one 2×2 window: the gradient goes to the maximum -1 ([0, 0, 0, 1]), argmax 3", () => {
    const x = tf.tensor4d([-4, -3, -2, -1], [1, 2, 2, 1]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')))(x);
    expect(Array.from(g.dataSync())).toEqual([0, 0, 0, 1]);
    const { result, indexes } = tf.maxPoolWithArgmax(x, 2, 2, 'valid');
    expect(Array.from(result.dataSync())).toEqual([-1]);
    expect(Array.from(indexes.dataSync())).toEqual([3]);
    tf.dispose([x, g, result, indexes]);
  });

  for (const c of POOL_CASES) {
    it(`maxPool ${c.name}, all values negative, no ties: gradient matches the float64 argmax and finite differences`, () => {
      const size = c.shape.reduce((p, d) => p * d, 1);
      const x = tf.tensor4d(distinctNegative(size, size + 7), c.shape);
      const w = tf.tidy(() => randn(maxPoolOf(x, c).shape, 43));
      const f = (t: tf.Tensor) => tf.sum(tf.mul(maxPoolOf(t, c), w));
      const g = autodiffGradient(f, x);
      const expected = maxPoolAdjoint(x.dataSync(), w.dataSync(), poolInfo(c));
      expect(relativeError(g, expected), `${fmt(g.slice(0, 8))}… vs ${fmt(expected.slice(0, 8))}…`).toBeLessThan(1e-6);
      // Finite differences where the gradient is non-zero (window maxima) and elsewhere.
      const maxima = Array.from(expected.keys()).filter((i) => expected[i] !== 0);
      const coords = [...maxima.slice(0, 8), ...spreadCoords(size, 6)];
      const fd = centralDifferences(f, x, coords, 1e-3);
      expect(relativeError(coords.map((k) => g[k]), fd)).toBeLessThan(1e-2);
      tf.dispose([x, w]);
    });
  }

  it("maxPoolWithArgmax on all-negative inputs ('same' and 'valid'): values and indexes of the first maxima", () => {
    for (const c of POOL_CASES.filter((p) => typeof p.pad === 'string')) {
      const size = c.shape.reduce((p, d) => p * d, 1);
      const xv = distinctNegative(size, size + 11);
      const x = tf.tensor4d(xv, c.shape);
      const info = poolInfo(c);
      const argmax = windows(info).map((members) => argmaxOf(xv, members));
      const perImage = size / c.shape[0];
      for (const includeBatchInIndex of [true, false]) {
        const pad = c.pad as 'valid' | 'same';
        const { result, indexes } = tf.maxPoolWithArgmax(x, c.filter, c.stride, pad, includeBatchInIndex);
        const perOut = result.size / c.shape[0];
        expect(Array.from(result.dataSync()), c.name).toEqual(argmax.map((i) => xv[i]));
        const want = argmax.map((i, o) => (includeBatchInIndex ? i : i - Math.floor(o / perOut) * perImage));
        expect(Array.from(indexes.dataSync()), `${c.name} includeBatchInIndex ${includeBatchInIndex}`).toEqual(want);
        tf.dispose([result, indexes]);
      }
      x.dispose();
    }
  });

  it('ties go to the first maximum, in MaxPoolGrad and MaxPoolWithArgmax alike', () => {
    const x = tf.tensor4d([-2, -1, -1, -3, -5, -1, -4, -1], [1, 2, 4, 1]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')))(x);
    expect(Array.from(g.dataSync())).toEqual([0, 1, 1, 0, 0, 0, 0, 0]);
    const { indexes } = tf.maxPoolWithArgmax(x, 2, 2, 'valid');
    expect(Array.from(indexes.dataSync())).toEqual([1, 2]);
    tf.dispose([x, g, indexes]);
  });

  it("second order: a gradient penalty through maxPool of negative windows ('same', overlapping) matches finite differences", () => {
    const x = randn([1, 5, 6, 2], 44);
    const w0 = randn([1, 1, 2, 2], 45, 0.8);
    // tanh(·) − 2 lies in (−3, −1): every window is negative.
    const h = (xx: tf.Tensor, w: tf.Tensor) => {
      const z = tf.sub(tf.tanh(tf.conv2d(xx as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid')), 2) as tf.Tensor4D;
      return tf.square(tf.maxPool(z, 3, 1, 'same'));
    };
    const c = tf.tidy(() => randn(h(x, w0).shape, 46));
    const penalty = (w: tf.Tensor) =>
      tf.sum(tf.square(tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(h(xx, w), c)))(x)));
    expectMatchesFd(penalty, w0, 1e-3, 2e-2, 4);
    tf.dispose([x, w0, c]);
  });

  it("the 3-D max pooling gradient on negative values matches finite differences ('same', 2×2×2)", () => {
    const shape = [1, 3, 4, 5, 2];
    const size = shape.reduce((p, d) => p * d, 1);
    const x = tf.tensor(distinctNegative(size, 5), shape);
    const w = tf.tidy(() => randn(tf.maxPool3d(x as tf.Tensor5D, 2, 1, 'same').shape, 47));
    const f = (t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool3d(t as tf.Tensor5D, 2, 1, 'same'), w));
    // Forward: every output is a window maximum, hence negative (stock wasm returned +1.2e-38).
    expect(tf.tidy(() => tf.max(tf.maxPool3d(x as tf.Tensor5D, 2, 1, 'same')).dataSync()[0])).toBeLessThan(0);
    expectMatchesFd(f, x, 1e-3, 1e-2, 24);
    tf.dispose([x, w]);
  });
});

describeEachBackend("pooling with a numeric pad and 'ceil'/'round' rounding", () => {
  for (const c of POOL_CASES.filter((p) => p.rounding != null)) {
    it(`avgPool ${c.name}: forward is the in-image window mean; gradient vs its float64 adjoint and finite differences`, () => {
      const x = randn(c.shape, 48);
      const out = tf.avgPool(x as tf.Tensor4D, c.filter, c.stride, c.pad, c.rounding);
      const info = poolInfo(c);
      expect(out.shape).toEqual(info.outShape);
      const xv = x.dataSync();
      const ws = windows(info);
      const means = ws.map((m) => m.reduce((s, i) => s + xv[i], 0) / m.length);
      expect(relativeError(out.dataSync(), means)).toBeLessThan(1e-6);
      const w = randn(out.shape, 49);
      const f = (t: tf.Tensor) =>
        tf.sum(tf.mul(tf.avgPool(t as tf.Tensor4D, c.filter, c.stride, c.pad, c.rounding), w));
      const wv = w.dataSync();
      const expected = new Float64Array(xv.length);
      ws.forEach((m, o) => m.forEach((i) => (expected[i] += wv[o] / m.length)));
      expect(relativeError(autodiffGradient(f, x), expected)).toBeLessThan(1e-5);
      expectMatchesFd(f, x, 1e-2, 1e-2, 16);
      tf.dispose([x, out, w]);
    });

    it(`maxPool ${c.name}: forward is the window maximum`, () => {
      const x = randn(c.shape, 50);
      const out = tf.maxPool(x as tf.Tensor4D, c.filter, c.stride, c.pad, c.rounding);
      const xv = x.dataSync();
      expect(Array.from(out.dataSync())).toEqual(windows(poolInfo(c)).map((m) => xv[argmaxOf(xv, m)]));
      tf.dispose([x, out]);
    });

    it(`second order through avgPool and maxPool ${c.name} matches finite differences`, () => {
      const x = randn(c.shape, 51);
      const w0 = randn([1, 1, c.shape[3], c.shape[3]], 52, 0.8);
      const h = (xx: tf.Tensor, w: tf.Tensor) => {
        const z = tf.tanh(tf.conv2d(xx as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid')) as tf.Tensor4D;
        const avg = tf.avgPool(z, c.filter, c.stride, c.pad, c.rounding);
        return tf.add(tf.square(avg), tf.square(tf.maxPool(z, c.filter, c.stride, c.pad, c.rounding)));
      };
      const cw = tf.tidy(() => randn(h(x, w0).shape, 53));
      const penalty = (w: tf.Tensor) =>
        tf.sum(tf.square(tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(h(xx, w), cw)))(x)));
      expectMatchesFd(penalty, w0, 1e-3, 2e-2, 4);
      tf.dispose([x, w0, cw]);
    });
  }
});

// ---------------------------------------------------------------------------------------------------------
// The wasm pooling kernels against the cpu backend as oracle.
// ---------------------------------------------------------------------------------------------------------

async function onBackend(name: string, fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(name);
  await tf.ready();
  return tf.tidy(fn).map((t) => {
    const data = Float32Array.from(t.dataSync());
    t.dispose();
    return data;
  });
}

function expectSame(actual: Float32Array[], expected: Float32Array[], label: string): void {
  expect(actual.length, label).toBe(expected.length);
  expected.forEach((e, i) => {
    expect(actual[i].length, label).toBe(e.length);
    const scale = Math.max(1e-6, ...Array.from(e, Math.abs));
    let worst = 0;
    for (let k = 0; k < e.length; k++) worst = Math.max(worst, Math.abs(actual[i][k] - e[k]));
    expect(worst / scale, `${label} (output ${i})`).toBeLessThan(1e-6);
  });
}

const kernel = (name: string, inputs: tf.NamedTensorMap, attrs: object): tf.Tensor | tf.Tensor[] =>
  tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
const list = (t: tf.Tensor | tf.Tensor[]) => (Array.isArray(t) ? t : [t]);

describe('wasm pooling kernels vs the cpu backend', () => {
  const shifts = [0, -5]; // mixed signs (border windows of negative values) and all negative

  for (const c of POOL_CASES) {
    for (const shift of shifts) {
      const kernels = `MaxPool, MaxPoolGrad, AvgPool, AvgPoolGrad${typeof c.pad === 'string' ? ', MaxPoolWithArgmax' : ''}`;
      it(`${kernels}: ${c.name}, values + ${shift}`, async () => {
        const attrs = { filterSize: c.filter, strides: c.stride, pad: c.pad, dimRoundingMode: c.rounding };
        const xv = (await onBackend('cpu', () => [tf.add(randn(c.shape, 60), shift)]))[0];
        const outShape = poolInfo(c).outShape;
        const dyv = (await onBackend('cpu', () => [randn(outShape, 61)]))[0];
        const run = () => {
          const x = tf.tensor4d(xv, c.shape);
          const dy = tf.tensor4d(dyv, outShape);
          const pooled = kernel('MaxPool', { x }, attrs) as tf.Tensor;
          const outs = [
            pooled,
            kernel('MaxPoolGrad', { dy, input: x, output: pooled }, attrs) as tf.Tensor,
            kernel('AvgPool', { x }, attrs) as tf.Tensor,
            // AvgPoolGrad takes no rounding mode: the same windows as explicit padding.
            tf.grad((t: tf.Tensor) =>
              tf.sum(tf.mul(tf.avgPool(t as tf.Tensor4D, c.filter, c.stride, c.pad, c.rounding), dy)),
            )(x),
          ];
          if (typeof c.pad === 'string') {
            for (const includeBatchInIndex of [true, false]) {
              const [values, indexes] = list(kernel('MaxPoolWithArgmax', { x }, { ...attrs, includeBatchInIndex }));
              outs.push(values, tf.cast(indexes, 'float32'));
            }
          }
          return outs;
        };
        expectSame(await onBackend('wasm', run), await onBackend('cpu', run), c.name);
      });
    }
  }

  // Window height = width only: the cpu MaxPool3DGrad (the oracle) mis-indexes windows whose height and width differ.
  type Triple = number | [number, number, number];
  const cases3d: Array<[Triple, Triple, 'same' | 'valid']> = [
    [2, 1, 'same'],
    [[3, 2, 2], [1, 2, 1], 'valid'],
    [3, 2, 'same'],
  ];
  for (const [filter, stride, pad] of cases3d) {
    for (const shift of shifts) {
      const label = `filter ${JSON.stringify(filter)}, stride ${JSON.stringify(stride)}, '${pad}', values + ${shift}`;
      it(`MaxPool3D, MaxPool3DGrad, AvgPool3D, AvgPool3DGrad: ${label}`, async () => {
        const shape: [number, number, number, number, number] = [2, 4, 5, 4, 3];
        const attrs = { filterSize: filter, strides: stride, pad, dataFormat: 'NDHWC' };
        const xv = (await onBackend('cpu', () => [tf.add(randn(shape, 62), shift)]))[0];
        const outShape = tf.backend_util.computePool3DInfo(shape, filter, stride, 1, pad).outShape;
        const dyv = (await onBackend('cpu', () => [randn(outShape, 63)]))[0];
        const run = () => {
          const x = tf.tensor(xv, shape);
          const dy = tf.tensor(dyv, outShape);
          const pooled = kernel('MaxPool3D', { x }, attrs) as tf.Tensor;
          return [
            pooled,
            kernel('MaxPool3DGrad', { dy, input: x, output: pooled }, attrs) as tf.Tensor,
            kernel('AvgPool3D', { x }, attrs) as tf.Tensor,
            kernel('AvgPool3DGrad', { dy, input: x }, attrs) as tf.Tensor,
          ];
        };
        expectSame(await onBackend('wasm', run), await onBackend('cpu', run), JSON.stringify(attrs));
      });
    }
  }

  it('the replaced kernels leak no tensors and no wasm memory', async () => {
    await tf.setBackend('wasm');
    const x = tf.sub(randn([2, 6, 6, 3], 64), 3);
    const x3 = tf.sub(randn([1, 3, 4, 4, 2], 65), 3);
    const step = () =>
      tf.tidy(() => {
        tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.maxPool(t as tf.Tensor4D, 3, 2, 'same'))))(x).dataSync();
        tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.maxPool3d(t as tf.Tensor5D, 2, 1, 'same'))))(x3).dataSync();
        tf.maxPoolWithArgmax(x as tf.Tensor4D, 2, 2, 'valid').indexes.dataSync();
        tf.avgPool(x as tf.Tensor4D, 3, 2, 1, 'ceil').dataSync();
      });
    step();
    const before = tf.memory();
    for (let i = 0; i < 3; i++) step();
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    tf.dispose([x, x3]);
  });
});
