/**
 * gan-kit's gradient registrations (src/backend/gradients): gradients of gradients against central finite
 * differences, on cpu and wasm.
 *
 * The typical quantity is a gradient penalty f(θ) = Σ (∂/∂x Σ c ⊙ h(x; θ))², with h containing the op under
 * test and c a fixed random weighting; tf.grad(f) (second order) is compared with central differences of f.
 * First-order gradients that gan-kit replaced are checked separately against finite differences of the
 * forward kernels alone, and against the stock tfjs gradient where that one is right.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it, vi } from 'vitest';
import { registerSecondOrderGradients, SECOND_ORDER_GRADIENTS } from '../../src/backend/gradients/index';
import { replacedGradient } from '../../src/backend/gradients/registry';
import { describeEachBackend } from '../helpers/backends';
import {
  autodiffGradient,
  centralDifferences,
  norm,
  relativeError,
  spreadCoords,
  variableCentralDifferences,
} from '../helpers/finite_differences';

/** Relative error allowed between autodiff and finite differences: catches sign flips and factors of 2. */
const RTOL = 2e-2;

function randn(shape: number[], seed: number, std = 1): tf.Tensor {
  return tf.randomNormal(shape, 0, std, 'float32', seed);
}

function kernel(name: string, inputs: tf.NamedTensorMap, attrs: object): tf.Tensor {
  return tf.engine().runKernel<tf.Tensor>(name, inputs, attrs as unknown as tf.NamedAttrMap);
}

/** Asserts autodiff matches central differences on `coords` of θ, and that the reference is not zero. */
function expectMatchesFd(
  f: (theta: tf.Tensor) => tf.Tensor,
  theta: tf.Tensor,
  options: { eps: number; coords?: number; rtol?: number },
): void {
  const coords = spreadCoords(theta.size, options.coords ?? 8);
  const analytic = autodiffGradient(f, theta);
  const picked = coords.map((k) => analytic[k]);
  const fd = centralDifferences(f, theta, coords, options.eps);
  expect(norm(fd), 'the finite-difference gradient is not ~0 (the check can fail)').toBeGreaterThan(1e-4);
  expect(relativeError(picked, fd), `autodiff ${fmt(picked)} vs finite differences ${fmt(fd)}`).toBeLessThan(
    options.rtol ?? RTOL,
  );
}

function fmt(v: ArrayLike<number>): string {
  return `[${Array.from(v, (x) => x.toPrecision(4)).join(', ')}]`;
}

/** min |t|: pre-activations must stay clear of an op's kinks so finite differences do not straddle one. */
function minAbs(t: tf.Tensor): number {
  return tf.tidy(() => tf.min(tf.abs(t)).dataSync()[0]);
}

// ---------------------------------------------------------------------------------------------------------
// 1. The measured scalar case: d/dw (d/dx act(w·x))² against float64 formulas.
// ---------------------------------------------------------------------------------------------------------

/** act'(z) and act''(z) (and act'''(z) for the third-order check) in float64. */
interface ScalarActivation {
  name: string;
  apply: (z: tf.Tensor) => tf.Tensor;
  x: number;
  d1: (z: number) => number;
  d2: (z: number) => number;
  d3?: (z: number) => number;
}

const sig = (z: number) => 1 / (1 + Math.exp(-z));
const SELU_SCALE = 1.0507009873554805;
const SELU_SCALEALPHA = 1.7580993408473768;

const SCALAR_ACTIVATIONS: ScalarActivation[] = [
  {
    name: 'tanh',
    apply: tf.tanh,
    x: -0.7,
    d1: (z) => 1 - Math.tanh(z) ** 2,
    d2: (z) => -2 * Math.tanh(z) * (1 - Math.tanh(z) ** 2),
    d3: (z) => (1 - Math.tanh(z) ** 2) * (6 * Math.tanh(z) ** 2 - 2),
  },
  {
    name: 'sigmoid',
    apply: tf.sigmoid,
    x: -0.7,
    d1: (z) => sig(z) * (1 - sig(z)),
    d2: (z) => sig(z) * (1 - sig(z)) * (1 - 2 * sig(z)),
    d3: (z) => sig(z) * (1 - sig(z)) * ((1 - 2 * sig(z)) ** 2 - 2 * sig(z) * (1 - sig(z))),
  },
  { name: 'exp', apply: tf.exp, x: -0.7, d1: Math.exp, d2: Math.exp, d3: Math.exp },
  { name: 'elu (z < 0)', apply: tf.elu, x: -0.7, d1: Math.exp, d2: Math.exp, d3: Math.exp },
  { name: 'elu (z > 0)', apply: tf.elu, x: 0.7, d1: () => 1, d2: () => 0, d3: () => 0 },
  {
    name: 'selu (z < 0)',
    apply: tf.selu,
    x: -0.7,
    d1: (z) => SELU_SCALEALPHA * Math.exp(z),
    d2: (z) => SELU_SCALEALPHA * Math.exp(z),
    d3: (z) => SELU_SCALEALPHA * Math.exp(z),
  },
  { name: 'selu (z > 0)', apply: tf.selu, x: 0.7, d1: () => SELU_SCALE, d2: () => 0 },
  {
    name: 'softplus',
    apply: tf.softplus,
    x: -0.7,
    d1: sig,
    d2: (z) => sig(z) * (1 - sig(z)),
    d3: (z) => sig(z) * (1 - sig(z)) * (1 - 2 * sig(z)),
  },
  { name: 'relu (z > 0)', apply: tf.relu, x: 0.7, d1: () => 1, d2: () => 0 },
  { name: 'relu6 (0 < z < 6)', apply: tf.relu6, x: 0.7, d1: () => 1, d2: () => 0 },
  { name: 'leakyRelu (z < 0)', apply: (z) => tf.leakyRelu(z, 0.2), x: -0.7, d1: () => 0.2, d2: () => 0 },
  { name: 'prelu (z < 0)', apply: (z) => tf.prelu(z, tf.scalar(0.25)), x: -0.7, d1: () => 0.25, d2: () => 0 },
  { name: 'maximum(z, 0.2z) (z < 0)', apply: (z) => tf.maximum(z, tf.mul(z, 0.2)), x: -0.7, d1: () => 0.2, d2: () => 0 },
  { name: 'minimum(z, 3z) (z > 0)', apply: (z) => tf.minimum(z, tf.mul(z, 3)), x: 0.7, d1: () => 1, d2: () => 0 },
];

const W0 = 1.3;

/** f(w) = (d/dx act(w·x))² = (w·act'(wx))²; f'(w) = 2·w·act'(wx)·(act'(wx) + w·x·act''(wx)). */
function secondOrderTruth(a: ScalarActivation): number {
  const z = W0 * a.x;
  return 2 * W0 * a.d1(z) * (a.d1(z) + W0 * a.x * a.d2(z));
}

/** f(w) = (d²/dx² act(w·x))² = w⁴·act''(wx)²; f'(w) = 4w³·act''² + 2w⁴·act''·act'''·x. */
function thirdOrderTruth(a: ScalarActivation): number {
  const z = W0 * a.x;
  return 4 * W0 ** 3 * a.d2(z) ** 2 + 2 * W0 ** 4 * a.d2(z) * a.d3!(z) * a.x;
}

function scalarPenalty(a: ScalarActivation): (w: tf.Tensor) => tf.Tensor {
  const x = tf.scalar(a.x);
  return (w) => tf.square(tf.grad((xx: tf.Tensor) => a.apply(tf.mul(w, xx)) as tf.Scalar)(x));
}

function scalarThirdOrder(a: ScalarActivation): (w: tf.Tensor) => tf.Tensor {
  const x = tf.scalar(a.x);
  const first = (w: tf.Tensor) => (xx: tf.Tensor) => tf.grad((x1: tf.Tensor) => a.apply(tf.mul(w, x1)) as tf.Scalar)(xx);
  return (w) => tf.square(tf.grad((xx: tf.Tensor) => first(w)(xx) as tf.Scalar)(x));
}

// ---------------------------------------------------------------------------------------------------------
// 2. Gradient-penalty cases: f(θ) = Σ (∂/∂x Σ c ⊙ h(x; θ))².
// ---------------------------------------------------------------------------------------------------------

interface PenaltyCase {
  name: string;
  x: () => tf.Tensor;
  theta: () => tf.Tensor;
  h: (x: tf.Tensor, theta: tf.Tensor) => tf.Tensor;
  /** Finite-difference step; 1e-3 where the function has kinks, 1e-2 otherwise. */
  eps?: number;
  coords?: number;
  /** Values (functions of x and θ) that must stay at least `margin` (default 0.02) away from 0: the op's kinks. */
  kinks?: (x: tf.Tensor, theta: tf.Tensor) => tf.Tensor[];
  margin?: number;
}

/** The dense bias (a function: tensors are made after the backend is chosen). */
const B = () => tf.tensor1d([0.1, -0.2, 0.15]);
const dense = (x: tf.Tensor, w: tf.Tensor) => tf.add(tf.matMul(x, w), B());
const X_DENSE = () => randn([3, 4], 11);
const W_DENSE = () => randn([4, 3], 12, 0.6);

/** An elementwise case on z = x·W + b (3 × 3 pre-activations). */
function elementwise(name: string, act: (z: tf.Tensor) => tf.Tensor, kinks?: (z: tf.Tensor) => tf.Tensor[]): PenaltyCase {
  return {
    name,
    x: X_DENSE,
    theta: W_DENSE,
    h: (x, w) => act(dense(x, w)),
    eps: kinks ? 1e-3 : 1e-2,
    coords: 12,
    kinks: kinks ? (x, w) => kinks(dense(x, w)) : undefined,
  };
}

const at = (z: tf.Tensor, v: number) => tf.sub(z, v);

/** 1×1 convolution then tanh, on a non-square image: the input of the pooling and resizing cases. */
const X_IMAGE = () => randn([1, 5, 6, 2], 21);
const W_1X1 = () => randn([1, 1, 2, 2], 22, 0.8);
const mix = (x: tf.Tensor, w: tf.Tensor) => tf.tanh(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid'));

function imageCase(name: string, op: (t: tf.Tensor4D) => tf.Tensor, eps = 1e-2): PenaltyCase {
  return { name, x: X_IMAGE, theta: W_1X1, h: (x, w) => tf.square(op(mix(x, w) as tf.Tensor4D)), eps, coords: 4 };
}

const resize = (kind: 'bilinear' | 'nearest', size: [number, number], alignCorners = false, halfPixelCenters = false) =>
  (t: tf.Tensor4D) =>
    kind === 'bilinear'
      ? tf.image.resizeBilinear(t, size, alignCorners, halfPixelCenters)
      : tf.image.resizeNearestNeighbor(t, size, alignCorners, halfPixelCenters);

const PENALTY_CASES: PenaltyCase[] = [
  // Activations.
  elementwise('tanh', tf.tanh),
  elementwise('sigmoid', tf.sigmoid),
  elementwise('exp', (z) => tf.exp(tf.mul(z, 0.5))),
  elementwise('elu', tf.elu, (z) => [z]),
  elementwise('selu', tf.selu, (z) => [z]),
  elementwise('softplus', tf.softplus),
  elementwise('relu', tf.relu, (z) => [z]),
  elementwise('relu6 (both kinks in range)', (z) => tf.relu6(tf.add(tf.mul(z, 4.5), 3)), (z) => [
    tf.add(tf.mul(z, 4.5), 3),
    tf.add(tf.mul(z, 4.5), -3),
  ]),
  elementwise('leakyRelu', (z) => tf.leakyRelu(z, 0.2), (z) => [z]),
  elementwise('prelu (θ = weights)', (z) => tf.prelu(z, tf.tensor1d([0.1, 0.25, 0.4])), (z) => [z]),
  {
    name: 'prelu (θ = alpha)',
    x: X_DENSE,
    theta: () => tf.tensor1d([0.1, 0.25, 0.4]),
    h: (x, alpha) => tf.prelu(dense(x, tf.tidy(W_DENSE)), alpha),
    eps: 1e-2,
    coords: 3,
  },
  elementwise('maximum(z, 0.2z)', (z) => tf.maximum(z, tf.mul(z, 0.2)), (z) => [z]),
  elementwise('minimum(z, 0.3z)', (z) => tf.minimum(z, tf.mul(z, 0.3)), (z) => [z]),
  elementwise('where(z > 0, z, 0.3z)', (z) => tf.where(tf.greater(z, 0), z, tf.mul(z, 0.3)), (z) => [z]),
  elementwise('clipByValue(z, -0.5, 0.5)', (z) => tf.clipByValue(z, -0.5, 0.5), (z) => [at(z, 0.5), at(z, -0.5)]),
  elementwise('abs', tf.abs, (z) => [z]),
  elementwise('neg', (z) => tf.neg(tf.tanh(z))),
  elementwise('square', tf.square),
  elementwise('pow(z, 3)', (z) => tf.pow(z, tf.scalar(3))),
  {
    name: 'pow (θ = exponent)',
    x: X_DENSE,
    theta: () => tf.tensor1d([1.5, 2.5, 0.7]),
    h: (x, p) => tf.pow(tf.add(tf.softplus(dense(x, tf.tidy(W_DENSE))), 0.5), p),
    coords: 3,
  },
  elementwise('sqrt', (z) => tf.sqrt(tf.add(tf.softplus(z), 0.1))),
  elementwise('rsqrt', (z) => tf.rsqrt(tf.add(tf.softplus(z), 0.1))),
  elementwise('softmax', (z) => tf.softmax(z)),
  elementwise('log-softmax as z - logSumExp(z)', (z) => tf.sub(z, tf.logSumExp(z, -1, true))),
  // Reductions.
  elementwise('mean', (z) => tf.mean(tf.tanh(z), 1)),
  elementwise('sum', (z) => tf.sum(tf.square(tf.tanh(z)), 0)),
  elementwise('max', (z) => tf.max(tf.tanh(z), 1)),
  elementwise('min', (z) => tf.min(tf.sigmoid(z), 0)),
  // Shape ops between a nonlinearity and a square, so their gradients meet θ-dependent upstream gradients.
  elementwise('reshape, transpose, slice, pad, mirrorPad, tile, concat', (z) => {
    const a = tf.tanh(z);
    const sliced = tf.slice(tf.transpose(a), [0, 1], [3, 2]);
    const padded = tf.pad(sliced, [
      [1, 0],
      [0, 1],
    ]);
    const mirrored = tf.mirrorPad(a, [
      [1, 1],
      [1, 1],
    ], 'reflect');
    const tiled = tf.tile(a, [2, 1]);
    return tf.square(tf.concat([tf.reshape(padded, [-1]), tf.reshape(mirrored, [-1]), tf.reshape(tiled, [-1])]));
  }),
  // Dense layers.
  {
    name: 'batched matMul (BatchMatMul)',
    x: () => randn([2, 3, 4], 31),
    theta: () => randn([2, 4, 3], 32, 0.6),
    h: (x, w) => tf.tanh(tf.matMul(x, w)),
    coords: 8,
  },
  {
    name: 'fused matMul, linear + bias (custom-gradient path)',
    x: X_DENSE,
    theta: W_DENSE,
    h: (x, w) => tf.fused.matMul({ a: x, b: w, bias: B() }),
    coords: 12,
  },
  {
    name: 'fused matMul, linear + bias, then leakyRelu',
    x: X_DENSE,
    theta: W_DENSE,
    h: (x, w) => tf.leakyRelu(tf.fused.matMul({ a: x, b: w, bias: B() }), 0.2),
    eps: 1e-3,
    coords: 12,
    kinks: (x, w) => [dense(x, w)],
  },
  {
    name: "fused matMul with 'elu' (unfused while recording)",
    x: X_DENSE,
    theta: W_DENSE,
    h: (x, w) => tf.fused.matMul({ a: x, b: w, bias: B(), activation: 'elu' }),
    eps: 1e-3,
    coords: 12,
    kinks: (x, w) => [dense(x, w)],
  },
  // Convolutions.
  {
    name: "conv2d, stride 1, 'same'",
    x: () => randn([1, 5, 4, 2], 41),
    theta: () => randn([3, 3, 2, 3], 42, 0.4),
    h: (x, w) => tf.tanh(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')),
  },
  {
    name: "conv2d, stride 2, 'valid'",
    x: () => randn([2, 5, 5, 2], 43),
    theta: () => randn([3, 3, 2, 2], 44, 0.4),
    h: (x, w) => tf.softplus(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'valid')),
  },
  {
    name: 'fused conv2d, linear + bias (custom-gradient path), then leakyRelu',
    x: () => randn([1, 5, 4, 2], 45),
    theta: () => randn([3, 3, 2, 3], 46, 0.4),
    h: (x, w) =>
      tf.leakyRelu(tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'same', bias: B() }), 0.2),
    eps: 1e-3,
    kinks: (x, w) => [tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), B())],
    margin: 1e-2, // one weight moved by 1e-3 moves a pre-activation by at most 1e-3·max|x| ≈ 3e-3
  },
  {
    name: 'conv2dTranspose, stride 2 (Conv2DBackpropInput forward)',
    x: () => randn([1, 3, 3, 3], 47),
    theta: () => randn([3, 3, 2, 3], 48, 0.4),
    h: (x, w) => tf.tanh(tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [1, 6, 6, 2], 2, 'same')),
  },
  // Pooling (non-square input; 'same' windows overlap the border).
  imageCase('avgPool 2×2, stride 2, valid', (t) => tf.avgPool(t, 2, 2, 'valid')),
  imageCase('avgPool 3×3, stride 2, same', (t) => tf.avgPool(t, 3, 2, 'same')),
  imageCase('maxPool 2×2, stride 2, valid', (t) => tf.maxPool(t, 2, 2, 'valid'), 1e-3),
  imageCase('maxPool 3×3, stride 2, same', (t) => tf.maxPool(t, 3, 2, 'same'), 1e-3),
  imageCase('maxPool 3×3, stride 1, same (overlapping windows)', (t) => tf.maxPool(t, 3, 1, 'same'), 1e-3),
  // Resizing (non-square input).
  imageCase('resizeNearestNeighbor ×2 (block path)', resize('nearest', [10, 12])),
  imageCase('resizeNearestNeighbor to 7×9 (matrix path)', resize('nearest', [7, 9])),
  imageCase('resizeNearestNeighbor down to 3×4', resize('nearest', [3, 4])),
  imageCase('resizeNearestNeighbor, alignCorners', resize('nearest', [8, 9], true)),
  imageCase('resizeNearestNeighbor, halfPixelCenters', resize('nearest', [7, 9], false, true)),
  imageCase('resizeBilinear ×2', resize('bilinear', [10, 12])),
  imageCase('resizeBilinear, alignCorners', resize('bilinear', [8, 9], true)),
  imageCase('resizeBilinear, halfPixelCenters', resize('bilinear', [7, 9], false, true)),
  imageCase('resizeBilinear down to 3×4', resize('bilinear', [3, 4])),
  // Normalization (mean/variance through moments, rsqrt inside batchNorm's gradient).
  elementwise('batchNorm over the features (moments, tiled as tfjs-layers does, FusedBatchNorm)', (z) => {
    // The cpu/wasm FusedBatchNorm kernels broadcast statistics by flat index, so they are tiled to z's shape.
    const { mean, variance } = tf.moments(z, -1, true);
    const full = (t: tf.Tensor) => tf.tile(t, [1, 3]);
    const rows = (v: number[]) => tf.tile(tf.tensor2d([v]), [3, 1]);
    return tf.tanh(tf.batchNorm(z, full(mean), full(variance), rows([0.1, 0, -0.1]), rows([1.2, 0.8, 1]), 1e-3));
  }),
  elementwise('pixel-norm style z / sqrt(mean(z²) + ε)', (z) => tf.div(z, tf.sqrt(tf.add(tf.mean(tf.square(z), -1, true), 1e-3)))),
];

function penaltyOf(c: PenaltyCase, x: tf.Tensor, weights: tf.Tensor): (theta: tf.Tensor) => tf.Tensor {
  return (theta) => {
    const gx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(c.h(xx, theta), weights)))(x);
    return tf.sum(tf.square(gx));
  };
}

// ---------------------------------------------------------------------------------------------------------
// 3. First-order gradients that gan-kit replaced, against finite differences of the forward kernels alone.
// ---------------------------------------------------------------------------------------------------------

interface FirstOrderCase {
  name: string;
  x: () => tf.Tensor;
  h: (x: tf.Tensor) => tf.Tensor;
  eps?: number;
}

const X_FIRST = () => randn([2, 5, 6, 2], 51);
const firstOrderImage = (name: string, op: (t: tf.Tensor4D) => tf.Tensor, eps = 1e-2): FirstOrderCase => ({
  name,
  x: X_FIRST,
  h: (x) => op(x as tf.Tensor4D),
  eps,
});

const FIRST_ORDER_CASES: FirstOrderCase[] = [
  { name: 'exp', x: () => randn([6], 52), h: tf.exp },
  { name: 'sigmoid', x: () => randn([6], 52, 2), h: tf.sigmoid },
  { name: 'tanh', x: () => randn([6], 52), h: tf.tanh },
  { name: 'elu', x: () => randn([6], 53, 2), h: tf.elu, eps: 1e-3 },
  { name: 'selu', x: () => randn([6], 53, 2), h: tf.selu, eps: 1e-3 },
  { name: 'softmax', x: () => randn([2, 4], 54), h: (x) => tf.softmax(x) },
  { name: 'pow (base)', x: () => tf.abs(randn([6], 55)), h: (x) => tf.pow(tf.add(x, 0.2), tf.scalar(2.5)) },
  { name: 'pow (exponent)', x: () => randn([6], 56), h: (x) => tf.pow(tf.tensor1d([0.5, 1, 2, 3, 0.2, 1.7]), x) },
  { name: 'rsqrt', x: () => tf.add(tf.abs(randn([6], 57)), 0.3), h: tf.rsqrt },
  { name: 'max', x: () => randn([3, 4], 58), h: (x) => tf.max(x, 1) },
  { name: 'min', x: () => randn([3, 4], 58), h: (x) => tf.min(x, 0) },
  { name: 'tile', x: () => randn([2, 3], 59), h: (x) => tf.tile(x, [3, 2]) },
  firstOrderImage("avgPool 2×2 stride 2 'valid'", (t) => tf.avgPool(t, 2, 2, 'valid')),
  firstOrderImage("avgPool 3×3 stride 2 'same' (stock tfjs is wrong here)", (t) => tf.avgPool(t, 3, 2, 'same')),
  firstOrderImage("avgPool 2×2 stride 1 'same'", (t) => tf.avgPool(t, 2, 1, 'same')),
  firstOrderImage("maxPool 3×3 stride 2 'same'", (t) => tf.maxPool(t, 3, 2, 'same'), 1e-3),
  firstOrderImage('resizeNearestNeighbor ×2, batch 2 (stock cpu is wrong here)', resize('nearest', [10, 12])),
  firstOrderImage('resizeNearestNeighbor to 7×9, halfPixelCenters', resize('nearest', [7, 9], false, true)),
  firstOrderImage('resizeBilinear ×2, non-square (stock cpu is wrong here)', resize('bilinear', [10, 12])),
  firstOrderImage('resizeBilinear, halfPixelCenters (stock is wrong here)', resize('bilinear', [7, 9], false, true)),
  firstOrderImage('resizeBilinear, alignCorners', resize('bilinear', [8, 9], true)),
];

/** Gradient kernels differentiated directly (their registered gradients), against finite differences. */
interface KernelGradCase {
  name: string;
  /** Builds the kernel's inputs; `wrt` names the input differentiated. */
  inputs: () => Record<string, tf.Tensor>;
  wrt: string;
  run: (inputs: Record<string, tf.Tensor>) => tf.Tensor;
  eps?: number;
}

const poolAttrs = { filterSize: 3, strides: 2, pad: 'same' };
const convAttrs = { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 2, 3] };
const resizeAttrs = (alignCorners: boolean) => ({ size: [8, 8], alignCorners, halfPixelCenters: false });

const KERNEL_GRAD_CASES: KernelGradCase[] = [
  ...(['dy', 'y'] as const).map((wrt) => ({
    name: `EluGrad w.r.t. ${wrt}`,
    inputs: () => ({ dy: randn([8], 61), y: tf.elu(randn([8], 62, 2)) }),
    wrt,
    run: (i: Record<string, tf.Tensor>) => kernel('EluGrad', { dy: i.dy, y: i.y }, {}),
    eps: 1e-3,
  })),
  ...(['x', 'dy'] as const).map((wrt) => ({
    name: `Conv2DBackpropFilter w.r.t. ${wrt}`,
    inputs: () => ({ x: randn([1, 5, 5, 2], 63), dy: randn([1, 3, 3, 3], 64) }),
    wrt,
    run: (i: Record<string, tf.Tensor>) => tf.tanh(kernel('Conv2DBackpropFilter', { x: i.x, dy: i.dy }, convAttrs)),
  })),
  {
    name: "AvgPoolGrad w.r.t. dy ('same')",
    inputs: () => ({ dy: randn([1, 3, 3, 2], 65), input: randn([1, 5, 6, 2], 66) }),
    wrt: 'dy',
    run: (i) => tf.tanh(kernel('AvgPoolGrad', { dy: i.dy, input: i.input }, poolAttrs)),
  },
  {
    name: "MaxPoolGrad w.r.t. dy ('same')",
    inputs: () => ({ dy: randn([1, 3, 3, 2], 67), input: randn([1, 5, 6, 2], 68) }),
    wrt: 'dy',
    run: (i) => {
      const output = tf.maxPool(i.input as tf.Tensor4D, 3, 2, 'same');
      return tf.tanh(kernel('MaxPoolGrad', { dy: i.dy, input: i.input, output }, poolAttrs));
    },
  },
  // Batch 1, square and no halfPixelCenters: the cases where the stock grad kernels are right on both backends.
  ...[false, true].flatMap((alignCorners) =>
    ['ResizeBilinearGrad', 'ResizeNearestNeighborGrad'].map((name) => ({
      name: `${name} w.r.t. dy${alignCorners ? ', alignCorners' : ''}`,
      inputs: () => ({ dy: randn([1, 8, 8, 2], 69), images: randn([1, 4, 4, 2], 70) }),
      wrt: 'dy',
      run: (i: Record<string, tf.Tensor>) => tf.tanh(kernel(name, { dy: i.dy, images: i.images }, resizeAttrs(alignCorners))),
    })),
  ),
];

// ---------------------------------------------------------------------------------------------------------
// 4. Comparisons with the stock gradients (first order), where stock tfjs is right.
// ---------------------------------------------------------------------------------------------------------

/** Runs `fn` with the stock gradient of `kernelName` registered instead of gan-kit's, then restores gan-kit's. */
function withStockGradient<T>(kernelName: string, fn: () => T): T {
  const ours = tf.getGradient(kernelName);
  const stock = replacedGradient(kernelName);
  if (stock == null) throw new Error(`tfjs had no stock gradient for ${kernelName}`);
  tf.unregisterGradient(kernelName);
  tf.registerGradient(stock);
  try {
    return fn();
  } finally {
    tf.unregisterGradient(kernelName);
    tf.registerGradient(ours);
  }
}

const STOCK_CASES: Array<{ kernel: string; label?: string; x: () => tf.Tensor; h: (x: tf.Tensor) => tf.Tensor }> = [
  { kernel: 'Exp', x: () => randn([2, 3], 81), h: tf.exp },
  { kernel: 'Sigmoid', x: () => randn([2, 3], 81), h: tf.sigmoid },
  { kernel: 'Tanh', x: () => randn([2, 3], 81), h: tf.tanh },
  { kernel: 'Elu', x: () => randn([2, 3], 81), h: tf.elu },
  { kernel: 'Selu', x: () => randn([2, 3], 81), h: tf.selu },
  { kernel: 'Softmax', x: () => randn([2, 3], 81), h: (x) => tf.softmax(x) },
  { kernel: 'Pow', label: 'Pow (base)', x: () => tf.add(tf.abs(randn([2, 3], 82)), 0.1), h: (x) => tf.pow(x, tf.scalar(1.7)) },
  { kernel: 'Pow', label: 'Pow (exponent)', x: () => randn([2, 3], 83), h: (x) => tf.pow(tf.scalar(1.9), x) },
  { kernel: 'Rsqrt', x: () => tf.add(tf.abs(randn([2, 3], 84)), 0.1), h: tf.rsqrt },
  { kernel: 'Max', x: () => randn([2, 3, 4], 85), h: (x) => tf.max(x, [0, 2]) },
  { kernel: 'Min', x: () => randn([2, 3, 4], 85), h: (x) => tf.min(x, 1, true) },
  { kernel: 'Tile', x: () => randn([2, 3], 86), h: (x) => tf.tile(x, [4, 3]) },
  { kernel: 'AvgPool', x: () => randn([2, 6, 4, 3], 87), h: (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid') },
  { kernel: 'MaxPool', x: () => randn([2, 5, 6, 3], 88), h: (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same') },
  // Batch 1 and square: where the stock cpu kernels are right.
  { kernel: 'ResizeBilinear', x: () => randn([1, 4, 4, 3], 89), h: resize('bilinear', [8, 8]) as (x: tf.Tensor) => tf.Tensor },
  {
    kernel: 'ResizeNearestNeighbor',
    x: () => randn([1, 4, 4, 3], 89),
    h: resize('nearest', [8, 8]) as (x: tf.Tensor) => tf.Tensor,
  },
  { kernel: 'Step', x: () => randn([2, 3], 90), h: (x) => tf.mul(x, tf.step(x)) },
  { kernel: 'Sign', x: () => randn([2, 3], 90), h: (x) => tf.mul(x, tf.sign(x)) },
  { kernel: 'Floor', x: () => randn([2, 3], 90), h: (x) => tf.add(x, tf.floor(x)) },
  { kernel: 'GreaterEqual', x: () => randn([2, 3], 90), h: (x) => tf.mul(x, tf.cast(tf.greaterEqual(x, 0), 'float32')) },
];

// ---------------------------------------------------------------------------------------------------------
// 5. tfjs-layers critics and the WGAN-GP penalty.
// ---------------------------------------------------------------------------------------------------------

const init = (seed: number, stddev: number) => tf.initializers.randomNormal({ mean: 0, stddev, seed });

function convCritic(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [6, 6, 1],
        filters: 3,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        kernelInitializer: init(101, 0.5),
        biasInitializer: init(102, 0.1),
      }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1, kernelInitializer: init(103, 0.5), biasInitializer: init(104, 0.1) }),
    ],
  });
}

function layerNormCritic(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [5], units: 6, kernelInitializer: init(111, 0.6), biasInitializer: init(112, 0.1) }),
      tf.layers.layerNormalization({
        gammaInitializer: init(113, 0.3),
        betaInitializer: init(114, 0.1),
      }),
      tf.layers.dense({ units: 1, kernelInitializer: init(115, 0.6) }),
    ],
  });
}

/** WGAN-GP (Gulrajani et al. 2017): mean over the batch of (‖∇ₓ D(x)‖₂ − 1)². */
function gradientPenalty(model: tf.LayersModel, x: tf.Tensor): tf.Scalar {
  const g = tf.grad((xx: tf.Tensor) => tf.sum(model.apply(xx) as tf.Tensor))(x);
  const axes = Array.from({ length: g.rank - 1 }, (_, i) => i + 1);
  const norms = tf.sqrt(tf.add(tf.sum(tf.square(g), axes), 1e-12));
  return tf.mean(tf.square(tf.sub(norms, 1)));
}

function expectCriticMatchesFd(model: tf.LayersModel, x: tf.Tensor, eps: number): void {
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { grads } = tf.variableGrads(() => gradientPenalty(model, x), variables);
  try {
    let checked = 0;
    for (const v of variables) {
      const coords = spreadCoords(v.size, 6);
      // tfjs leaves out variables the penalty does not depend on (the last layer's bias): a zero gradient.
      const analytic = grads[v.name]?.dataSync() ?? new Float32Array(v.size);
      const picked = coords.map((k) => analytic[k]);
      const fd = variableCentralDifferences(() => gradientPenalty(model, x), v, coords, eps);
      const message = `${v.name}: autodiff ${fmt(picked)} vs finite differences ${fmt(fd)}`;
      if (norm(fd) < 1e-7) {
        // The penalty is locally constant in this variable (e.g. a bias before a piecewise-linear activation).
        expect(norm(picked), message).toBeLessThan(1e-6);
      } else {
        expect(relativeError(picked, fd), message).toBeLessThan(RTOL);
        checked++;
      }
    }
    expect(checked, 'variables with a non-zero penalty gradient').toBeGreaterThanOrEqual(2);
  } finally {
    tf.dispose(Object.values(grads));
  }
}

// ---------------------------------------------------------------------------------------------------------

describeEachBackend('second-order gradients', () => {
  for (const a of SCALAR_ACTIVATIONS) {
    it(`${a.name}: d/dw (d/dx act(w·x))² at x = ${a.x}, w = ${W0} matches the float64 formula`, () => {
      const truth = secondOrderTruth(a);
      const analytic = autodiffGradient(scalarPenalty(a), tf.scalar(W0))[0];
      expect(Math.abs(analytic - truth), `autodiff ${analytic} vs ${truth}`).toBeLessThan(1e-4 + 1e-3 * Math.abs(truth));
      const fd = centralDifferences(scalarPenalty(a), tf.scalar(W0), [0], 1e-2)[0];
      expect(Math.abs(fd - truth), `finite differences ${fd} vs ${truth}`).toBeLessThan(1e-3 + 1e-2 * Math.abs(truth));
    });
  }

  it('the brief\'s measured values: tanh ≈ -0.187, sigmoid ≈ 0.067, exp and elu ≈ 0.038', () => {
    const byName = (n: string) => SCALAR_ACTIVATIONS.find((a) => a.name === n)!;
    const got = ['tanh', 'sigmoid', 'exp', 'elu (z < 0)'].map((n) => autodiffGradient(scalarPenalty(byName(n)), tf.scalar(W0))[0]);
    [-0.187, 0.067, 0.038, 0.038].forEach((expected, i) => expect(Math.abs(got[i] - expected)).toBeLessThan(1e-3));
  });

  for (const a of SCALAR_ACTIVATIONS.filter((s) => s.d3 != null)) {
    it(`${a.name}: third order, d/dw (d²/dx² act(w·x))², matches the float64 formula`, () => {
      const truth = thirdOrderTruth(a);
      const analytic = autodiffGradient(scalarThirdOrder(a), tf.scalar(W0))[0];
      expect(Math.abs(analytic - truth), `autodiff ${analytic} vs ${truth}`).toBeLessThan(1e-4 + 2e-3 * Math.abs(truth));
    });
  }

  for (const c of PENALTY_CASES) {
    it(`${c.name}: d/dθ ‖∇ₓ h‖² matches finite differences`, () => {
      const x = c.x();
      const theta = c.theta();
      try {
        if (c.kinks) {
          for (const k of tf.tidy(() => c.kinks!(x, theta).map(minAbs))) {
            expect(k, 'inputs are clear of the kinks').toBeGreaterThan(c.margin ?? 2e-2);
          }
        }
        const outShape = tf.tidy(() => c.h(x, theta).shape);
        const weights = randn(outShape, 7);
        expectMatchesFd(penaltyOf(c, x, weights), theta, { eps: c.eps ?? 1e-2, coords: c.coords });
        weights.dispose();
      } finally {
        tf.dispose([x, theta]);
      }
    });
  }

  it('weight-gradient penalty: d/dx ‖∇_W Σ c ⊙ tanh(conv2d(x, W))‖² (the Conv2DBackpropFilter gradient)', () => {
    const w = randn([3, 3, 2, 3], 91, 0.4);
    const x0 = randn([1, 5, 4, 2], 92);
    const c = randn([1, 3, 2, 3], 93);
    const f = (x: tf.Tensor) =>
      tf.sum(tf.square(tf.grad((ww: tf.Tensor) => tf.sum(tf.mul(tf.tanh(tf.conv2d(x as tf.Tensor4D, ww as tf.Tensor4D, 2, 'same')), c)))(w)));
    expectMatchesFd(f, x0, { eps: 1e-2, coords: 10 });
    tf.dispose([w, x0, c]);
  });

  it('third order through conv2d, maxPool, resizeBilinear and avgPool composes', () => {
    const x = randn([1, 6, 5, 2], 94);
    const c = randn([1, 3, 3, 2], 95);
    const h = (xx: tf.Tensor, w: tf.Tensor) => {
      const m = tf.maxPool(tf.tanh(tf.conv2d(xx as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')) as tf.Tensor4D, 2, 2, 'same');
      return tf.avgPool(tf.image.resizeBilinear(m, [5, 5]), 2, 2, 'same');
    };
    const penalty = (w: tf.Tensor) => tf.sum(tf.square(tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(h(xx, w), c)))(x)));
    // f(W) = ‖∇_W penalty(W)‖²: its gradient is third order in h.
    const f = (w: tf.Tensor) => tf.sum(tf.square(tf.grad(penalty)(w)));
    const w0 = randn([2, 2, 2, 2], 96, 0.7);
    expectMatchesFd(f, w0, { eps: 1e-3, coords: 8, rtol: 3e-2 });
    tf.dispose([x, c, w0]);
  });

  for (const c of FIRST_ORDER_CASES) {
    it(`first order: ${c.name} matches finite differences of the forward pass`, () => {
      const x = c.x();
      const weights = tf.tidy(() => randn(c.h(x).shape, 8));
      const f = (xx: tf.Tensor) => tf.sum(tf.mul(c.h(xx), weights));
      expectMatchesFd(f, x, { eps: c.eps ?? 1e-2, coords: 12, rtol: 1e-2 });
      tf.dispose([x, weights]);
    });
  }

  for (const c of KERNEL_GRAD_CASES) {
    it(`gradient kernel ${c.name} matches finite differences`, () => {
      const inputs = c.inputs();
      const weights = tf.tidy(() => randn(c.run(inputs).shape, 9));
      const f = (t: tf.Tensor) => tf.sum(tf.mul(c.run({ ...inputs, [c.wrt]: t }), weights));
      expectMatchesFd(f, inputs[c.wrt], { eps: c.eps ?? 1e-2, coords: 12, rtol: 1e-2 });
      tf.dispose([...Object.values(inputs), weights]);
    });
  }

  for (const c of STOCK_CASES) {
    it(`first order: ${c.label ?? c.kernel} gives the stock tfjs gradient`, () => {
      const x = c.x();
      const weights = tf.tidy(() => randn(c.h(x).shape, 10));
      const f = (xx: tf.Tensor) => tf.sum(tf.mul(c.h(xx), weights));
      const ours = autodiffGradient(f, x);
      const stock = withStockGradient(c.kernel, () => autodiffGradient(f, x));
      expect(norm(stock)).toBeGreaterThan(1e-3);
      expect(relativeError(ours, stock)).toBeLessThan(1e-5);
      tf.dispose([x, weights]);
    });
  }

  it('comparison and logical kernels have float32 zero gradients of their inputs\' shapes', () => {
    const a = randn([2, 3], 120);
    const b = randn([3], 121);
    const cmp = [tf.greater, tf.greaterEqual, tf.less, tf.lessEqual, tf.equal, tf.notEqual];
    for (const op of cmp) {
      const [ga, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(p, tf.cast(op(p, q), 'float32'))))([a, b]);
      // d/dp Σ p·[p ⋚ q] = [p ⋚ q]: only the multiplication contributes.
      expect(Array.from(ga.dataSync())).toEqual(Array.from(tf.cast(op(a, b), 'float32').dataSync()));
      expect(gb.shape).toEqual([3]);
      expect(Array.from(gb.dataSync())).toEqual([0, 0, 0]);
    }
    const logical = (x: tf.Tensor) => {
      const p = tf.greater(x, 0);
      const q = tf.less(x, 1);
      const bools = [tf.logicalAnd(p, q), tf.logicalOr(p, q), tf.logicalXor(p, q), tf.logicalNot(p)];
      const unary = [tf.sign(x), tf.floor(x), tf.ceil(x), tf.round(x), tf.step(x), tf.isNaN(x), tf.isInf(x), tf.isFinite(x)];
      return tf.sum(tf.addN([...bools, ...unary].map((t) => tf.cast(t, 'float32'))));
    };
    const g = tf.grad(logical)(a);
    expect(g.dtype).toBe('float32');
    expect(Array.from(g.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    tf.dispose([a, b]);
  });

  it('a tfjs-layers critic Conv2D → LeakyReLU → Flatten → Dense: the WGAN-GP gradient matches finite differences', () => {
    const model = convCritic();
    const x = randn([2, 6, 6, 1], 130);
    expectCriticMatchesFd(model, x, 1e-3);
    x.dispose();
    model.dispose();
  });

  it('a tfjs-layers critic Dense → LayerNormalization → Dense: the WGAN-GP gradient matches finite differences', () => {
    const model = layerNormCritic();
    const x = randn([3, 5], 131);
    expectCriticMatchesFd(model, x, 1e-2);
    x.dispose();
    model.dispose();
  });

  it('repeated second-order computations leave tf.memory().numTensors flat', () => {
    const model = convCritic();
    const x = randn([2, 6, 6, 1], 132);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const s = tf.scalar(1.3);
    const pooled = (scale: tf.Tensor) =>
      tf.sum(tf.square(tf.grad((xx: tf.Tensor) => tf.sum(tf.maxPool(tf.tanh(tf.mul(xx, scale)) as tf.Tensor4D, 2, 2, 'same')))(x)));
    const step = () => {
      const { value, grads } = tf.variableGrads(() => gradientPenalty(model, x), variables);
      tf.dispose([value, ...Object.values(grads)]);
      tf.grad(pooled)(s).dispose();
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      step();
      expect(tf.memory().numTensors).toBe(before);
    }
    tf.dispose([x, s]);
    model.dispose();
  });
});

describeEachBackend('gradient registration', () => {
  it('registers every config, none of which saves a kernel output', () => {
    for (const config of SECOND_ORDER_GRADIENTS) {
      expect(tf.getGradient(config.kernelName), config.kernelName).toBe(config);
      expect(config.outputsToSave?.some(Boolean) ?? false, config.kernelName).toBe(false);
    }
  });

  it('remembers the stock configs it replaced (stock Tanh saves its output: the root cause)', () => {
    const stockTanh = replacedGradient('Tanh');
    expect(stockTanh).toBeDefined();
    expect(stockTanh).not.toBe(tf.getGradient('Tanh'));
    expect(stockTanh!.outputsToSave).toEqual([true]);
    expect(replacedGradient('Greater')).toBeUndefined(); // tfjs 4.22 has none
  });

  it('stock tfjs is wrong at second order (why gan-kit replaces it): tanh is off by more than 0.3', () => {
    const tanh = SCALAR_ACTIVATIONS[0];
    const stock = withStockGradient('Tanh', () => autodiffGradient(scalarPenalty(tanh), tf.scalar(W0))[0]);
    expect(Math.abs(stock - secondOrderTruth(tanh))).toBeGreaterThan(0.3);
  });

  it('is idempotent, re-installs a replaced config, and stays quiet in tfjs DEBUG mode', () => {
    const ours = tf.getGradient('Sigmoid');
    registerSecondOrderGradients();
    for (const config of SECOND_ORDER_GRADIENTS) expect(tf.getGradient(config.kernelName)).toBe(config);
    expect(replacedGradient('Sigmoid')).not.toBe(ours); // still the stock one, not overwritten by a second call

    tf.unregisterGradient('Sigmoid');
    tf.registerGradient({ kernelName: 'Sigmoid', gradFunc: () => ({}) });
    const debug = tf.env().getBool('DEBUG');
    tf.env().set('DEBUG', true);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      registerSecondOrderGradients();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      tf.env().set('DEBUG', debug);
    }
    expect(tf.getGradient('Sigmoid')).toBe(ours);
  });
});
