import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import {
  EqualizedConv2D,
  EqualizedDense,
  InvalidArgumentError,
  ScaledLeakyReLU,
  fromRgb,
  initializeWeights,
  r1Penalty,
  toRgb,
} from '../../src/index';
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
import { conv2dSame, nhwc } from './reference';

/** Float64 `gain · act(z)`. */
function act(z: number, kind: 'linear' | 'leakyRelu', alpha: number, gain: number): number {
  return (kind === 'leakyRelu' && z < 0 ? alpha * z : z) * gain;
}

function modelOf(layer: tf.layers.Layer, shape: number[]): tf.LayersModel {
  const input = tf.input({ shape });
  return tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
}

describeEachBackend('EqualizedDense', () => {
  it('has a kernel [in, units] and a bias [units]: in·units + units parameters', () => {
    const layer = new EqualizedDense({ units: 5 });
    expect((layer.apply(tf.input({ shape: [7] })) as tf.SymbolicTensor).shape).toEqual([null, 5]);
    expect(layer.weights.map((w) => [w.originalName.split('/').pop(), w.shape])).toEqual([
      ['kernel', [7, 5]],
      ['bias', [5]],
    ]);
    expect(layer.countParams()).toBe(7 * 5 + 5);
    const noBias = new EqualizedDense({ units: 5, useBias: false });
    noBias.apply(tf.input({ shape: [7] }));
    expect(noBias.countParams()).toBe(7 * 5);
    expect((new EqualizedDense({ units: 3 }).apply(tf.input({ shape: [4, 6] })) as tf.SymbolicTensor).shape).toEqual([null, 4, 3]);
  });

  it('draws the stored kernel N(0, 1/λ²) and the stored bias b₀/λ; the run-time scale is g/√in·λ', () => {
    const layer = new EqualizedDense({ units: 200, lrMultiplier: 0.01, biasInit: 0.5 });
    layer.apply(tf.input({ shape: [100] }));
    const kernel = Array.from(layer.getWeights()[0]!.dataSync());
    const mean = kernel.reduce((s, v) => s + v, 0) / kernel.length;
    const std = Math.sqrt(kernel.reduce((s, v) => s + (v - mean) ** 2, 0) / kernel.length);
    // 20,000 draws: the sample std is within 3 % of 100 with overwhelming probability.
    expect(Math.abs(std / 100 - 1)).toBeLessThan(0.03);
    expect(Math.abs(mean)).toBeLessThan(3);
    expectClose(layer.getWeights()[1]!.dataSync(), Array.from({ length: 200 }, () => 50), 1e-6);
    expect(layer.runtimeScale).toBeCloseTo((Math.SQRT2 / 10) * 0.01, 12);
  });

  for (const [label, options] of [
    ['defaults (gain √2, linear)', {}],
    ['λ = 0.01, gain 1, leaky ReLU with gain √2 (StyleGAN2 mapping layer)', { lrMultiplier: 0.01, gain: 1, activation: 'leakyRelu', activationGain: Math.SQRT2 }],
    ['PGGAN leaky ReLU, slope 0.1, no bias', { activation: 'leakyRelu', alpha: 0.1, useBias: false }],
  ] as const) {
    it(`matches a float64 reference: ${label}`, async () => {
      const [B, I, U] = [3, 4, 5];
      const o = { gain: Math.SQRT2, lrMultiplier: 1, useBias: true, activation: 'linear' as const, alpha: 0.2, activationGain: 1, ...options };
      const layer = new EqualizedDense({ units: U, ...options });
      layer.apply(tf.input({ shape: [I] }));
      const v = randomArray(I * U, 1, 2);
      const b = randomArray(U, 2, 1);
      layer.setWeights(o.useBias ? [tf.tensor2d(v, [I, U]), tf.tensor1d(b)] : [tf.tensor2d(v, [I, U])]);
      const xs = randomArray(B * I, 3, 2);
      const x = tf.tensor2d(xs, [B, I]);
      const y = layer.apply(x) as tf.Tensor;
      const c = (o.gain / Math.sqrt(I)) * o.lrMultiplier;
      const expected: number[] = [];
      for (let n = 0; n < B; n++) {
        for (let u = 0; u < U; u++) {
          let z = o.useBias ? b[u]! * o.lrMultiplier : 0;
          for (let i = 0; i < I; i++) z += xs[n * I + i]! * v[i * U + u]! * c;
          expected.push(act(z, o.activation, o.alpha, o.activationGain));
        }
      }
      expectClose(await y.data(), expected, 1e-5);
      tf.dispose([x, y]);
    });
  }

  it('weight gradients match finite differences (λ = 0.1: the stored weights get λ·c times the effective gradient)', () => {
    const model = modelOf(new EqualizedDense({ units: 3, lrMultiplier: 0.1, activation: 'leakyRelu', biasInit: 0.2 }), [4]);
    model.setWeights([tf.tensor2d(randomArray(12, 4, 10), [4, 3]), tf.tensor1d(randomArray(3, 5, 2))]);
    const x = tf.tensor2d(randomArray(8, 6, 1.5), [2, 4]);
    expectGradientToEveryWeight(model, x);
    expectGradientsMatchFiniteDifferences(model, x, { entries: 4 });
    x.dispose();
  });

  it('saves and loads with its options, reproducing outputs exactly', async () => {
    const options = { units: 3, gain: 1.5, lrMultiplier: 0.01, useBias: true, biasInit: 0.25, activation: 'leakyRelu', alpha: 0.3, activationGain: 2 } as const;
    const model = modelOf(new EqualizedDense(options), [4]);
    const loaded = await roundTrip(model);
    const copy = loaded.layers[1] as EqualizedDense;
    expect(copy).toBeInstanceOf(EqualizedDense);
    expect({ units: copy.units, ...copy.settings }).toEqual(options);
    const x = tf.randomNormal([2, 4], 0, 1, 'float32', 1);
    await expectSameOutputs(model, loaded, x);
    x.dispose();
  });

  it('rejects bad options, naming them', () => {
    expect(() => new EqualizedDense({ units: 0 })).toThrow(/EqualizedDense\.units/);
    expect(() => new EqualizedDense({ units: 2, lrMultiplier: 0 })).toThrow(InvalidArgumentError);
    expect(() => new EqualizedDense({ units: 2, lrMultiplier: 2 })).toThrow(/lrMultiplier.*\(0, 1\]/);
    expect(() => new EqualizedDense({ units: 2, gain: -1 })).toThrow(/EqualizedDense\.gain/);
    expect(() => new EqualizedDense({ units: 2, activation: 'relu' as never })).toThrow(/EqualizedDense\.activation/);
    expect(() => new EqualizedDense({ units: 2, alpha: 1 })).toThrow(/EqualizedDense\.alpha/);
    expect(() => new EqualizedDense({ units: 2, biasInit: Number.NaN })).toThrow(/EqualizedDense\.biasInit/);
    expect(() => new EqualizedDense({ units: 2, useBias: 'yes' as never })).toThrow(/EqualizedDense\.useBias/);
  });

  it('leaks no tensors', () => {
    const layer = new EqualizedDense({ units: 3, lrMultiplier: 0.5, activation: 'leakyRelu' });
    const x = tf.randomNormal([2, 4, 5]);
    expectNoLeak(() => (layer.apply(x) as tf.Tensor).dispose());
    x.dispose();
  });
});

describeEachBackend('EqualizedConv2D', () => {
  it('has a kernel [k, k, C_in, filters] and a bias: k²·C_in·filters + filters parameters', () => {
    const layer = new EqualizedConv2D({ filters: 6 });
    expect((layer.apply(tf.input({ shape: [5, 4, 3] })) as tf.SymbolicTensor).shape).toEqual([null, 5, 4, 6]);
    expect(layer.countParams()).toBe(3 * 3 * 3 * 6 + 6);
    expect(layer.runtimeScale).toBeCloseTo(Math.SQRT2 / Math.sqrt(27), 12);
    const one = new EqualizedConv2D({ filters: 2, kernelSize: 1, useBias: false });
    one.apply(tf.input({ shape: [2, 2, 4] }));
    expect(one.countParams()).toBe(4 * 2);
  });

  for (const [label, options] of [
    ['3×3, defaults', { filters: 3 }],
    ['3×3, λ = 0.5, leaky ReLU, activation gain √2', { filters: 3, lrMultiplier: 0.5, activation: 'leakyRelu', activationGain: Math.SQRT2, gain: 1 }],
    ['1×1, no bias', { filters: 2, kernelSize: 1, useBias: false }],
  ] as const) {
    it(`matches a float64 reference convolution: ${label}`, async () => {
      const [B, H, W, C] = [2, 4, 3, 2];
      const o = { kernelSize: 3, gain: Math.SQRT2, lrMultiplier: 1, useBias: true, activation: 'linear' as const, alpha: 0.2, activationGain: 1, ...options };
      const k = o.kernelSize;
      const layer = new EqualizedConv2D(options);
      layer.apply(tf.input({ shape: [H, W, C] }));
      const v = randomArray(k * k * C * o.filters, 7, 2);
      const b = randomArray(o.filters, 8, 1);
      const weights = [tf.tensor4d(v, [k, k, C, o.filters]), ...(o.useBias ? [tf.tensor1d(b)] : [])];
      layer.setWeights(weights);
      const xs = randomArray(B * H * W * C, 9, 2);
      const x = tf.tensor4d(xs, [B, H, W, C]);
      const y = layer.apply(x) as tf.Tensor;
      const c = (o.gain / Math.sqrt(k * k * C)) * o.lrMultiplier;
      const z = conv2dSame(nhwc(xs, [B, H, W, C]), v.map((t) => t * c), k, o.filters, o.useBias ? b.map((t) => t * o.lrMultiplier) : undefined);
      expectClose(await y.data(), z.data.map((t) => act(t, o.activation, o.alpha, o.activationGain)), 1e-5);
      tf.dispose([x, y, ...weights]);
    });
  }

  it('weight gradients match finite differences', () => {
    const model = modelOf(new EqualizedConv2D({ filters: 2, lrMultiplier: 0.5, activation: 'leakyRelu', biasInit: 0.1 }), [3, 3, 2]);
    initializeWeights(model, { seed: 9 });
    const x = tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', 10);
    expectGradientToEveryWeight(model, x);
    expectGradientsMatchFiniteDifferences(model, x, { entries: 4 });
    x.dispose();
  });

  it('R1 through equalized conv, leaky ReLU and dense: weight gradients (second order) match finite differences', () => {
    const input = tf.input({ shape: [4, 4, 1] });
    const h1 = fromRgb({ filters: 3 }).apply(input) as tf.SymbolicTensor;
    const h2 = new EqualizedConv2D({ filters: 2, activation: 'leakyRelu' }).apply(h1) as tf.SymbolicTensor;
    const out = new EqualizedDense({ units: 1, gain: 1 }).apply(tf.layers.flatten().apply(h2)) as tf.SymbolicTensor;
    const d = tf.model({ inputs: input, outputs: out });
    initializeWeights(d, { seed: 20 });
    d.setWeights(d.getWeights().map((w, i) => tf.add(w, tf.randomNormal(w.shape, 0, 0.3, 'float32', 20 + i))));
    const real = tf.randomNormal([2, 4, 4, 1], 0, 1, 'float32', 11);
    const penalty = () => r1Penalty((t) => d.apply(t) as tf.Tensor, real, { gamma: 1 });
    expectScalarGradientsMatchFiniteDifferences(d, penalty, KINK_SAFE);
    real.dispose();
  });

  it('saves and loads with its options, reproducing outputs exactly', async () => {
    const options = { filters: 2, kernelSize: 5, gain: 1, lrMultiplier: 0.1, useBias: true, biasInit: -0.5, activation: 'leakyRelu', alpha: 0.1, activationGain: 1.5 } as const;
    const model = modelOf(new EqualizedConv2D(options), [6, 6, 3]);
    const loaded = await roundTrip(model);
    const copy = loaded.layers[1] as EqualizedConv2D;
    expect({ filters: copy.filters, kernelSize: copy.kernelSize, ...copy.settings }).toEqual(options);
    const x = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 12);
    await expectSameOutputs(model, loaded, x);
    x.dispose();
  });

  it('rejects bad options and input, naming them', () => {
    expect(() => new EqualizedConv2D({ filters: 2, kernelSize: 4 })).toThrow(/EqualizedConv2D\.kernelSize.*odd/);
    expect(() => new EqualizedConv2D({ filters: 1.5 })).toThrow(/EqualizedConv2D\.filters/);
    expect(() => new EqualizedConv2D({ filters: 2 }).apply(tf.input({ shape: [4] }))).toThrow(/rank 4/);
  });

  it('initializeWeights redraws equalized kernels from a seed (N(0, 1/λ²)) and resets biases to b₀/λ', () => {
    const build = () => {
      const input = tf.input({ shape: [3, 3, 2] });
      const h = new EqualizedConv2D({ filters: 4, lrMultiplier: 0.5, biasInit: 1 }).apply(input) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: new EqualizedDense({ units: 2 }).apply(h) as tf.SymbolicTensor });
    };
    const [a, b] = [build(), build()];
    initializeWeights(a, { seed: 5 });
    initializeWeights(b, { seed: 5 });
    const [wa, wb] = [a.getWeights(), b.getWeights()];
    wa.forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(wb[i]!.dataSync())));
    expectClose(wa[1]!.dataSync(), [2, 2, 2, 2], 1e-7);
  });

  it('leaks no tensors', () => {
    const layer = new EqualizedConv2D({ filters: 3, activation: 'leakyRelu' });
    const x = tf.randomNormal([2, 4, 4, 2]);
    expectNoLeak(() => (layer.apply(x) as tf.Tensor).dispose());
    x.dispose();
  });
});

describeEachBackend('toRgb, fromRgb and ScaledLeakyReLU', () => {
  it('toRgb is a linear 1×1 EqualizedConv2D with gain 1; fromRgb a 1×1 one with leaky ReLU and gain √2', () => {
    const t = toRgb({ channels: 1 });
    t.apply(tf.input({ shape: [4, 4, 8] }));
    expect(t).toBeInstanceOf(EqualizedConv2D);
    expect([t.filters, t.kernelSize, t.settings.gain, t.settings.activation]).toEqual([1, 1, 1, 'linear']);
    expect(t.countParams()).toBe(8 * 1 + 1);
    expect(t.runtimeScale).toBeCloseTo(1 / Math.sqrt(8), 12);
    const f = fromRgb({ filters: 16 });
    f.apply(tf.input({ shape: [4, 4, 3] }));
    expect([f.filters, f.kernelSize, f.settings.gain, f.settings.activation, f.settings.alpha]).toEqual([16, 1, Math.SQRT2, 'leakyRelu', 0.2]);
    expect(f.countParams()).toBe(3 * 16 + 16);
    expect(toRgb().filters).toBe(3);
    expect(() => toRgb({ kernelSize: 3 } as never)).toThrow(/toRgb\.kernelSize/);
    expect(() => fromRgb({ filters: 4, kernelSize: 3 } as never)).toThrow(/fromRgb\.kernelSize/);
  });

  it('ScaledLeakyReLU computes gain·max(x, αx), round-trips and rejects bad options', async () => {
    const y = new ScaledLeakyReLU().apply(tf.tensor1d([-2, 0.5])) as tf.Tensor;
    expectClose(await y.data(), [-0.4 * Math.SQRT2, 0.5 * Math.SQRT2], 1e-6);
    const model = modelOf(new ScaledLeakyReLU({ alpha: 0.1, gain: 3 }), [3]);
    const loaded = await roundTrip(model);
    expect([(loaded.layers[1] as ScaledLeakyReLU).alpha, (loaded.layers[1] as ScaledLeakyReLU).gain]).toEqual([0.1, 3]);
    const x = tf.tensor2d([[-1, 2, -3]]);
    await expectSameOutputs(model, loaded, x);
    expect(() => new ScaledLeakyReLU({ alpha: -0.1 })).toThrow(/ScaledLeakyReLU\.alpha/);
    expect(() => new ScaledLeakyReLU({ gain: 0 })).toThrow(/ScaledLeakyReLU\.gain/);
    tf.dispose([x, y]);
  });
});
