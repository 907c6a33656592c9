/**
 * Small critics for penalty tests, each twice: a tfjs-layers model, and an independent float64 reference in
 * plain JavaScript with its analytic input gradient. Float64 penalties are built on the reference, and their
 * gradients with respect to the critic's weights are taken by central finite differences.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { normalArray } from '../losses/reference';

export type Activation = 'softplus' | 'leakyRelu' | 'linear';

const LEAK = 0.2;

function act64(kind: Activation, z: number): number {
  if (kind === 'softplus') return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
  if (kind === 'leakyRelu') return z > 0 ? z : LEAK * z;
  return z;
}

function actGrad64(kind: Activation, z: number): number {
  if (kind === 'softplus') return 1 / (1 + Math.exp(-z));
  if (kind === 'leakyRelu') return z > 0 ? 1 : LEAK;
  return 1;
}

/** A critic of one sample (flattened, tfjs layout): its score and ∇ₓ score, in float64. */
export type Critic64 = (params: readonly number[][], x: readonly number[]) => { score: number; grad: number[] };

/** A test critic: shapes, initial weights (flat, tfjs order), the tfjs model and the float64 twin. */
export interface TestCritic {
  name: string;
  /** Shape of one input sample. */
  sampleShape: number[];
  /** Flat weight values in `model.weights` order. */
  params: number[][];
  /** Builds the tfjs model with `params` as weights. */
  build(): tf.LayersModel;
  reference: Critic64;
}

/** Dense(inDim → hidden) → activation → Dense(hidden → 1). */
export function denseCritic(activation: Activation, inDim = 3, hidden = 4, seed = 1): TestCritic {
  const params = [
    normalArray(inDim * hidden, seed, 0.7),
    normalArray(hidden, seed + 1, 0.3),
    normalArray(hidden, seed + 2, 0.7),
    normalArray(1, seed + 3, 0.3),
  ];
  const reference: Critic64 = ([w1, b1, w2, b2], x) => {
    let score = b2![0]!;
    const grad = new Array<number>(inDim).fill(0);
    for (let j = 0; j < hidden; j++) {
      let z = b1![j]!;
      for (let i = 0; i < inDim; i++) z += x[i]! * w1![i * hidden + j]!;
      score += w2![j]! * act64(activation, z);
      const delta = w2![j]! * actGrad64(activation, z);
      for (let i = 0; i < inDim; i++) grad[i]! += w1![i * hidden + j]! * delta;
    }
    return { score, grad };
  };
  return {
    name: `Dense critic (${activation})`,
    sampleShape: [inDim],
    params,
    reference,
    build() {
      const layers: tf.layers.Layer[] = [];
      if (activation === 'leakyRelu') {
        layers.push(tf.layers.dense({ units: hidden, inputShape: [inDim] }), tf.layers.leakyReLU({ alpha: LEAK }));
      } else {
        layers.push(tf.layers.dense({ units: hidden, inputShape: [inDim], activation }));
      }
      layers.push(tf.layers.dense({ units: 1 }));
      const model = tf.sequential({ layers });
      setParams(model, params, [
        [inDim, hidden],
        [hidden],
        [hidden, 1],
        [1],
      ]);
      return model;
    },
  };
}

/**
 * Conv2D(k×k, `filters`, stride, 'valid') → activation → Flatten → Dense(1). With `patch`, the critic is the
 * convolution alone (a PatchGAN: scores of shape [batch, oh, ow, filters]); its float64 twin sums the patch
 * scores (the penalties differentiate sum(D(x))).
 */
export function convCritic(
  activation: Activation,
  { size = 6, channels = 2, filters = 3, kernel = 3, stride = 2, patch = false, seed = 5 } = {},
): TestCritic {
  const out = Math.floor((size - kernel) / stride) + 1;
  const features = out * out * filters;
  const params = [normalArray(kernel * kernel * channels * filters, seed, 0.5), normalArray(filters, seed + 1, 0.2)];
  if (!patch) params.push(normalArray(features, seed + 2, 0.5), normalArray(1, seed + 3, 0.2));
  const reference: Critic64 = (p, x) => {
    const [k, bc] = p as [number[], number[]];
    const w2 = patch ? new Array<number>(features).fill(1) : p[2]!;
    let score = patch ? 0 : p[3]![0]!;
    const grad = new Array<number>(size * size * channels).fill(0);
    for (let i = 0; i < out; i++) {
      for (let j = 0; j < out; j++) {
        for (let f = 0; f < filters; f++) {
          let z = bc[f]!;
          for (let a = 0; a < kernel; a++) {
            for (let b = 0; b < kernel; b++) {
              for (let c = 0; c < channels; c++) {
                const xi = ((i * stride + a) * size + (j * stride + b)) * channels + c;
                z += x[xi]! * k[((a * kernel + b) * channels + c) * filters + f]!;
              }
            }
          }
          const w = w2[(i * out + j) * filters + f]!;
          score += w * act64(activation, z);
          const delta = w * actGrad64(activation, z);
          for (let a = 0; a < kernel; a++) {
            for (let b = 0; b < kernel; b++) {
              for (let c = 0; c < channels; c++) {
                const xi = ((i * stride + a) * size + (j * stride + b)) * channels + c;
                grad[xi]! += k[((a * kernel + b) * channels + c) * filters + f]! * delta;
              }
            }
          }
        }
      }
    }
    return { score, grad };
  };
  return {
    name: patch ? `PatchGAN Conv2D critic (${activation})` : `Conv2D critic (${activation})`,
    sampleShape: [size, size, channels],
    params,
    reference,
    build() {
      const conv = tf.layers.conv2d({
        filters,
        kernelSize: kernel,
        strides: stride,
        padding: 'valid',
        inputShape: [size, size, channels],
        activation: activation === 'leakyRelu' ? 'linear' : activation,
      });
      const layers: tf.layers.Layer[] = [conv];
      if (activation === 'leakyRelu') layers.push(tf.layers.leakyReLU({ alpha: LEAK }));
      if (!patch) layers.push(tf.layers.flatten(), tf.layers.dense({ units: 1 }));
      const model = tf.sequential({ layers });
      const shapes: number[][] = [[kernel, kernel, channels, filters], [filters]];
      if (!patch) shapes.push([features, 1], [1]);
      setParams(model, params, shapes);
      return model;
    },
  };
}

function setParams(model: tf.LayersModel, params: readonly number[][], shapes: readonly number[][]): void {
  const tensors = params.map((p, i) => tf.tensor(p, shapes[i]));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** Splits a flat batch into per-sample arrays. */
export function samplesOf(flat: readonly number[], batch: number): number[][] {
  const n = flat.length / batch;
  return Array.from({ length: batch }, (_, i) => flat.slice(i * n, (i + 1) * n));
}

/** mean over samples of term(‖∇ₓ D(xᵢ)‖²), in float64. */
export function meanOverGradNorms(
  critic: TestCritic,
  params: readonly number[][],
  points: readonly number[][],
  term: (squaredNorm: number) => number,
): number {
  let total = 0;
  for (const x of points) {
    const { grad } = critic.reference(params, x);
    total += term(grad.reduce((s, g) => s + g * g, 0));
  }
  return total / points.length;
}

/** Central finite differences of a float64 function of the critic's weights, one array per weight tensor. */
export function weightGradientFD(
  params: readonly number[][],
  fn: (params: readonly number[][]) => number,
  h = 1e-5,
): number[][] {
  return params.map((p, k) =>
    p.map((_, i) => {
      const plus = params.map((q) => q.slice());
      const minus = params.map((q) => q.slice());
      plus[k]![i]! += h;
      minus[k]![i]! -= h;
      return (fn(plus) - fn(minus)) / (2 * h);
    }),
  );
}

/**
 * Gradients of `penalty` (a tfjs scalar of the model's weights) with respect to every weight of the model, in
 * `model.weights` order; a weight the penalty does not depend on (e.g. the last bias) gets zeros.
 */
export function autodiffWeightGradients(model: tf.LayersModel, penalty: () => tf.Scalar): { value: number; grads: number[][] } {
  const variables = model.weights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(penalty, variables);
  const out = variables.map((v) => (grads[v.name] ? Array.from(grads[v.name]!.dataSync()) : new Array<number>(v.size).fill(0)));
  const v = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  return { value: v, grads: out };
}

/** Asserts two weight-gradient lists agree to `rel` of the largest entry (and `rel` relative per entry). */
export function expectGradientsClose(actual: number[][], expected: number[][], rel = 2e-3): void {
  const scale = Math.max(1e-6, ...expected.flat().map(Math.abs));
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, k) => {
    const e = expected[k]!;
    expect(a.length).toBe(e.length);
    a.forEach((v, i) => {
      const tol = rel * scale + rel * Math.abs(e[i]!);
      if (!(Math.abs(v - e[i]!) <= tol)) {
        expect.fail(`weight ${k}[${i}]: autodiff ${v} vs finite differences ${e[i]} (tolerance ${tol})`);
      }
    });
  });
  // The comparison must not be vacuous.
  expect(scale).toBeGreaterThan(1e-4);
}

/**
 * Builds the critic, evaluates `penalty(criticFn)` with tfjs and compares its value with `reference(params)`
 * and its gradients with respect to every critic weight with finite differences of `reference`.
 */
export function expectPenaltyMatchesReference(
  critic: TestCritic,
  penalty: (criticFn: (x: tf.Tensor) => tf.Tensor) => tf.Scalar,
  reference: (params: readonly number[][]) => number,
): void {
  const model = critic.build();
  try {
    const criticFn = (x: tf.Tensor) => model.apply(x, { training: true }) as tf.Tensor;
    const { value, grads } = autodiffWeightGradients(model, () => penalty(criticFn));
    const expected = reference(critic.params);
    const tol = 1e-4 * Math.abs(expected) + 1e-5;
    if (!(Math.abs(value - expected) <= tol)) expect.fail(`penalty ${value} vs float64 reference ${expected}`);
    expectGradientsClose(grads, weightGradientFD(critic.params, reference));
  } finally {
    model.dispose();
  }
}
