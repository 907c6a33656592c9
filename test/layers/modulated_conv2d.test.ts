import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { EqualizedDense, ModulatedConv2D, ScaledLeakyReLU, ShapeError, initializeWeights, r1Penalty } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import {
  expectClose,
  expectGradientToEveryWeight,
  expectGradientsMatchFiniteDifferences,
  expectNoLeak,
  expectSameOutputs,
  expectScalarGradientsMatchFiniteDifferences,
  randomArray,
  roundTrip,
  KINK_SAFE,
} from './helpers';
import { conv2dSame, nhwc, upsampleNearest } from './reference';

interface Case {
  B: number;
  H: number;
  W: number;
  cin: number;
  filters: number;
  k: number;
  wDim: number;
  demodulate: boolean;
  upsample: boolean;
  styleAffine: boolean;
  lrMultiplier: number;
  activation: 'linear' | 'leakyRelu';
}

/**
 * Float64 StyleGAN2 modulated convolution in the per-example weight form of Karras et al. 2020, eq. 1–3: for each
 * example b build w''_b (modulate, then demodulate) and convolve that example alone with it.
 */
function reference(c: Case, xs: number[], second: number[], v: number[], bias: number[], aK: number[], aB: number[]): number[] {
  const scale = (1 / Math.sqrt(c.k * c.k * c.cin)) * c.lrMultiplier;
  const w = v.map((t) => t * scale);
  const out: number[] = [];
  for (let b = 0; b < c.B; b++) {
    // Style s_b: affine of w_b (scale 1/√w_dim, bias starting at 1) or given.
    const s = Array.from({ length: c.cin }, (_, i) => {
      if (!c.styleAffine) return second[b * c.cin + i]!;
      let t = aB[i]!;
      for (let d = 0; d < c.wDim; d++) t += (second[b * c.wDim + d]! * aK[d * c.cin + i]!) / Math.sqrt(c.wDim);
      return t;
    });
    // eq. 1: w'_{ijk} = s_i·w_{ijk}; eq. 3: w''_{ijk} = w'_{ijk} / √(Σ_{i,k} w'² + ε). Index ((tap·cin + i)·F + j).
    const wb = w.map((t, idx) => t * s[Math.floor(idx / c.filters) % c.cin]!);
    if (c.demodulate) {
      for (let j = 0; j < c.filters; j++) {
        let sum = 0;
        for (let idx = j; idx < wb.length; idx += c.filters) sum += wb[idx]! ** 2;
        for (let idx = j; idx < wb.length; idx += c.filters) wb[idx] = wb[idx]! / Math.sqrt(sum + 1e-8);
      }
    }
    let xb = nhwc(xs.slice(b * c.H * c.W * c.cin, (b + 1) * c.H * c.W * c.cin), [1, c.H, c.W, c.cin]);
    if (c.upsample) xb = upsampleNearest(xb, 2);
    const y = conv2dSame(xb, wb, c.k, c.filters, bias.map((t) => t * c.lrMultiplier));
    out.push(...y.data.map((z) => (c.activation === 'leakyRelu' && z < 0 ? 0.2 * z : z)));
  }
  return out;
}

const BASE: Case = { B: 2, H: 3, W: 4, cin: 3, filters: 2, k: 3, wDim: 5, demodulate: true, upsample: false, styleAffine: true, lrMultiplier: 1, activation: 'linear' };

function layerFor(c: Case): ModulatedConv2D {
  return new ModulatedConv2D({
    filters: c.filters,
    kernelSize: c.k,
    demodulate: c.demodulate,
    upsample: c.upsample,
    styleAffine: c.styleAffine,
    lrMultiplier: c.lrMultiplier,
    activation: c.activation,
  });
}

function modelFor(layer: ModulatedConv2D, c: Case): tf.LayersModel {
  const x = tf.input({ shape: [c.H, c.W, c.cin] });
  const w = tf.input({ shape: [c.styleAffine ? c.wDim : c.cin] });
  return tf.model({ inputs: [x, w], outputs: layer.apply([x, w]) as tf.SymbolicTensor });
}

describeEachBackend('ModulatedConv2D', () => {
  it('has kernel, bias, affine kernel and affine bias: k²·C_in·F + F + w_dim·C_in + C_in parameters', () => {
    const layer = new ModulatedConv2D({ filters: 4 });
    const out = layer.apply([tf.input({ shape: [4, 4, 3] }), tf.input({ shape: [6] })]) as tf.SymbolicTensor;
    expect(out.shape).toEqual([null, 4, 4, 4]);
    expect(layer.weights.map((w) => [w.originalName.split('/').pop(), w.shape])).toEqual([
      ['kernel', [3, 3, 3, 4]],
      ['bias', [4]],
      ['affine_kernel', [6, 3]],
      ['affine_bias', [3]],
    ]);
    expect(layer.countParams()).toBe(3 * 3 * 3 * 4 + 4 + 6 * 3 + 3);
    expectClose(layer.getWeights()[3]!.dataSync(), [1, 1, 1], 0);
    const toRgb = new ModulatedConv2D({ filters: 1, kernelSize: 1, demodulate: false, styleAffine: false, useBias: false, upsample: true });
    const rgb = toRgb.apply([tf.input({ shape: [4, 4, 8] }), tf.input({ shape: [8] })]) as tf.SymbolicTensor;
    expect(rgb.shape).toEqual([null, 8, 8, 1]);
    expect(toRgb.countParams()).toBe(8);
  });

  for (const [label, change] of [
    ['3×3, demodulated, style from w by the affine layer', {}],
    ['1×1 without demodulation (StyleGAN2 toRGB), λ = 0.5', { k: 1, demodulate: false, lrMultiplier: 0.5, filters: 1 }],
    ['upsampling, given style, leaky ReLU', { upsample: true, styleAffine: false, activation: 'leakyRelu' }],
    ['upsampling, demodulated, w input, batch 3', { upsample: true, B: 3, H: 2, W: 2 }],
  ] as const) {
    it(`equals the per-example modulated/demodulated weight form (eq. 1–3): ${label}`, async () => {
      const c: Case = { ...BASE, ...change };
      const layer = layerFor(c);
      modelFor(layer, c);
      const v = randomArray(c.k * c.k * c.cin * c.filters, 1, 2);
      const bias = randomArray(c.filters, 2, 0.5);
      const aK = randomArray(c.wDim * c.cin, 3, 1.5);
      const aB = randomArray(c.cin, 4, 0.5).map((t) => t + 1);
      layer.setWeights([
        tf.tensor4d(v, [c.k, c.k, c.cin, c.filters]),
        tf.tensor1d(bias),
        ...(c.styleAffine ? [tf.tensor2d(aK, [c.wDim, c.cin]), tf.tensor1d(aB)] : []),
      ]);
      const xs = randomArray(c.B * c.H * c.W * c.cin, 5, 2);
      const second = randomArray(c.B * (c.styleAffine ? c.wDim : c.cin), 6, 1.5);
      const x = tf.tensor4d(xs, [c.B, c.H, c.W, c.cin]);
      const s = tf.tensor2d(second, [c.B, c.styleAffine ? c.wDim : c.cin]);
      const y = layer.apply([x, s]) as tf.Tensor;
      const f = c.upsample ? 2 : 1;
      expect(y.shape).toEqual([c.B, c.H * f, c.W * f, c.filters]);
      expectClose(await y.data(), reference(c, xs, second, v, bias, aK, aB), 2e-5);
      tf.dispose([x, s, y]);
    });
  }

  it('demodulation makes the output independent of the style scale: s and 10·s give the same output', async () => {
    const c: Case = { ...BASE, styleAffine: false };
    const layer = layerFor(c);
    initializeWeights(modelFor(layer, c), { seed: 6 });
    const x = tf.randomNormal([2, 3, 4, 3], 0, 1, 'float32', 7);
    const s = tf.randomUniform([2, 3], 0.5, 2, 'float32', 8);
    const s10 = tf.mul(s, 10);
    const [a, b] = [layer.apply([x, s]) as tf.Tensor, layer.apply([x, s10]) as tf.Tensor];
    expectClose(await b.data(), await a.data(), 1e-5);
    tf.dispose([x, s, s10, a, b]);
  });

  it('weight gradients match finite differences (demodulated, upsampling, affine style)', () => {
    const c: Case = { ...BASE, upsample: true, H: 2, W: 2, activation: 'leakyRelu' };
    const model = modelFor(layerFor(c), c);
    initializeWeights(model, { seed: 8 });
    const inputs = [tf.randomNormal([2, 2, 2, 3], 0, 1, 'float32', 9), tf.randomNormal([2, 5], 0, 1, 'float32', 10)];
    expectGradientToEveryWeight(model, inputs);
    expectGradientsMatchFiniteDifferences(model, inputs, { entries: 3 });
    tf.dispose(inputs);
  });

  it('second order: R1 (‖∂D/∂x‖²) and a path-length term (‖∂(G(w)·y)/∂w‖²) have weight gradients matching finite differences', () => {
    // A tiny net: x, w → ModulatedConv2D → +bias → ScaledLeakyReLU → ModulatedConv2D (toRGB-like) → dense score.
    const x = tf.input({ shape: [2, 2, 2] });
    const w = tf.input({ shape: [3] });
    const h = new ScaledLeakyReLU().apply(new ModulatedConv2D({ filters: 2, upsample: true }).apply([x, w])) as tf.SymbolicTensor;
    const rgb = new ModulatedConv2D({ filters: 1, kernelSize: 1, demodulate: false }).apply([h, w]) as tf.SymbolicTensor;
    const score = new EqualizedDense({ units: 1, gain: 1 }).apply(tf.layers.flatten().apply(rgb)) as tf.SymbolicTensor;
    const net = tf.model({ inputs: [x, w], outputs: [score, rgb] });
    initializeWeights(net, { seed: 30 });
    net.setWeights(net.getWeights().map((t, i) => tf.add(t, tf.randomNormal(t.shape, 0, 0.3, 'float32', 30 + i))));
    const xv = tf.randomNormal([2, 2, 2, 2], 0, 1, 'float32', 11);
    const wv = tf.randomNormal([2, 3], 0, 1, 'float32', 12);
    const probe = tf.randomNormal([2, 4, 4, 1], 0, 1, 'float32', 13);
    const scoreOf = (t: tf.Tensor) => (net.apply([t, wv]) as tf.Tensor[])[0]!;
    const r1 = () => r1Penalty(scoreOf, xv, { gamma: 1 });
    expectScalarGradientsMatchFiniteDifferences(net, r1, KINK_SAFE);
    const pathLength = () =>
      tf.tidy(() => {
        const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul((net.apply([xv, t]) as tf.Tensor[])[1]!, probe)))(wv);
        return tf.sum(tf.square(g)) as tf.Scalar;
      });
    expectScalarGradientsMatchFiniteDifferences(net, pathLength, KINK_SAFE);
    tf.dispose([xv, wv, probe]);
  });

  it('saves and loads with its options, reproducing outputs exactly', async () => {
    const options = { filters: 2, kernelSize: 1, demodulate: false, upsample: true, epsilon: 1e-6, styleAffine: true, gain: 1.5, lrMultiplier: 0.5, useBias: false, biasInit: 0, activation: 'leakyRelu', alpha: 0.1, activationGain: 2 } as const;
    const c: Case = { ...BASE, k: 1, filters: 2 };
    const model = modelFor(new ModulatedConv2D(options), c);
    const loaded = await roundTrip(model);
    const copy = loaded.layers[2] as ModulatedConv2D;
    expect(copy).toBeInstanceOf(ModulatedConv2D);
    const { filters, kernelSize, demodulate, upsample, epsilon, styleAffine, settings } = copy;
    expect({ filters, kernelSize, demodulate, upsample, epsilon, styleAffine, ...settings }).toEqual(options);
    const inputs = [tf.randomNormal([2, 3, 4, 3], 0, 1, 'float32', 14), tf.randomNormal([2, 5], 0, 1, 'float32', 15)];
    await expectSameOutputs(model, loaded, inputs);
    tf.dispose(inputs);
  });

  it('rejects bad options and inputs, naming them', () => {
    expect(() => new ModulatedConv2D({ filters: 2, kernelSize: 2 })).toThrow(/ModulatedConv2D\.kernelSize/);
    expect(() => new ModulatedConv2D({ filters: 2, demodulate: 1 as never })).toThrow(/ModulatedConv2D\.demodulate/);
    expect(() => new ModulatedConv2D({ filters: 2, epsilon: 0 })).toThrow(/ModulatedConv2D\.epsilon/);
    expect(() => new ModulatedConv2D({ filters: 2 }).apply(tf.input({ shape: [2, 2, 3] }))).toThrow(/list of 2 inputs/);
    expect(() => new ModulatedConv2D({ filters: 2, styleAffine: false }).apply([tf.input({ shape: [2, 2, 3] }), tf.input({ shape: [4] })])).toThrow(ShapeError);
  });

  it('leaks no tensors', () => {
    const layer = new ModulatedConv2D({ filters: 2, upsample: true, activation: 'leakyRelu' });
    const inputs = [tf.randomNormal([2, 2, 2, 3]), tf.randomNormal([2, 4])];
    expectNoLeak(() => (layer.apply(inputs) as tf.Tensor).dispose());
    tf.dispose(inputs);
  });
});
