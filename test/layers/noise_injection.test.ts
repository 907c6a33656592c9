import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { EqualizedConv2D, EqualizedDense, NoiseInjection, ScaledLeakyReLU, ShapeError, initializeWeights, r1Penalty } from '../../src/index';
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

/** Float64 x + strength·noise, noise [B, H, W] shared by the C channels, strength scalar or per channel. */
function reference(xs: number[], noise: number[], strength: number[], C: number): number[] {
  return xs.map((v, idx) => v + noise[Math.floor(idx / C)]! * strength[strength.length === 1 ? 0 : idx % C]!);
}

describeEachBackend('NoiseInjection', () => {
  it('learns one strength (or one per channel), starting at 0; const mode adds a non-trainable H×W noise image', async () => {
    const scalar = new NoiseInjection();
    scalar.apply(tf.input({ shape: [4, 5, 3] }));
    expect(scalar.weights.map((w) => [w.originalName.split('/').pop(), w.shape, w.trainable])).toEqual([['strength', [], true]]);
    expect(scalar.countParams()).toBe(1);
    const perChannel = new NoiseInjection({ perChannel: true, mode: 'const' });
    perChannel.apply(tf.input({ shape: [4, 5, 3] }));
    expect(perChannel.trainableWeights.map((w) => w.shape)).toEqual([[3]]);
    expect(perChannel.nonTrainableWeights.map((w) => [w.originalName.split('/').pop(), w.shape])).toEqual([['noise_const', [4, 5, 1]]]);
    expect(perChannel.countParams()).toBe(3 + 4 * 5);
    const x = tf.randomNormal([2, 4, 5, 3], 0, 1, 'float32', 1);
    const y = new NoiseInjection().apply(x) as tf.Tensor;
    expect(Array.from(await y.data())).toEqual(Array.from(await x.data())); // strength 0: no noise yet
    tf.dispose([x, y]);
  });

  for (const perChannel of [false, true]) {
    it(`adds strength·noise, the noise shared by all channels (given noise, ${perChannel ? 'per-channel' : 'scalar'} strength)`, async () => {
      const [B, H, W, C] = [2, 3, 2, 4];
      const layer = new NoiseInjection({ perChannel });
      const xs = randomArray(B * H * W * C, 2, 2);
      const ns = randomArray(B * H * W, 3, 2);
      const x = tf.tensor4d(xs, [B, H, W, C]);
      const n = tf.tensor4d(ns, [B, H, W, 1]);
      layer.build([[null, H, W, C], [null, H, W, 1]]);
      const strength = perChannel ? randomArray(C, 4) : [0.7];
      layer.setWeights([perChannel ? tf.tensor1d(strength) : tf.scalar(0.7)]);
      const y = layer.apply([x, n]) as tf.Tensor;
      expectClose(await y.data(), reference(xs, ns, strength, C), 1e-6);
      tf.dispose([x, n, y]);
    });
  }

  it("'const' mode is deterministic: x + strength·noise_const, the same on every call", async () => {
    const layer = new NoiseInjection({ mode: 'const', perChannel: true });
    const xs = randomArray(2 * 3 * 3 * 2, 5);
    const x = tf.tensor4d(xs, [2, 3, 3, 2]);
    layer.apply(tf.input({ shape: [3, 3, 2] }));
    layer.setWeights([tf.tensor1d([0.5, -2]), layer.getWeights()[1]!]);
    const noise = Array.from(layer.getWeights()[1]!.dataSync());
    const [a, b] = [layer.apply(x) as tf.Tensor, layer.apply(x) as tf.Tensor];
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    expectClose(await a.data(), reference(xs, [...noise, ...noise], [0.5, -2], 2), 1e-6);
    tf.dispose([x, a, b]);
  });

  it("'random' mode draws fresh N(0, 1) noise every call, one image per example shared by the channels; 'none' adds none", async () => {
    const layer = new NoiseInjection();
    const x = tf.zeros([4, 16, 16, 3]);
    layer.apply(x);
    layer.setWeights([tf.scalar(2)]);
    const [a, b] = [layer.apply(x) as tf.Tensor, layer.apply(x) as tf.Tensor];
    const [da, db] = [Array.from(await a.data()), Array.from(await b.data())];
    expect(da).not.toEqual(db);
    const noise = da.filter((_, i) => i % 3 === 0).map((v) => v / 2);
    expect(da.every((v, i) => v === da[i - (i % 3)])).toBe(true); // same noise in every channel
    const mean = noise.reduce((s, v) => s + v, 0) / noise.length;
    const std = Math.sqrt(noise.reduce((s, v) => s + (v - mean) ** 2, 0) / noise.length);
    // 1,024 draws: |mean| < 0.15 and std within 10 % of 1 with overwhelming probability.
    expect(Math.abs(mean)).toBeLessThan(0.15);
    expect(Math.abs(std - 1)).toBeLessThan(0.1);
    const none = new NoiseInjection({ mode: 'none' });
    none.apply(x);
    none.setWeights([tf.scalar(2)]);
    const c = none.apply(x) as tf.Tensor;
    expect(Array.from(await c.data())).toEqual(Array.from(await x.data()));
    tf.dispose([x, a, b, c]);
  });

  it("a seeded 'random' layer draws noise with seed + call count: the same sequence again, and it continues after noiseCalls is set", async () => {
    const x = tf.zeros([2, 3, 3, 1]);
    const run = async (layer: NoiseInjection, calls: number) => {
      const out: number[][] = [];
      for (let i = 0; i < calls; i++) {
        const y = layer.apply(x) as tf.Tensor;
        out.push(Array.from(await y.data()));
        y.dispose();
      }
      return out;
    };
    const make = () => {
      const layer = new NoiseInjection({ seed: 7 });
      layer.build([null, 3, 3, 1]);
      layer.setWeights([tf.scalar(1)]);
      return layer;
    };
    const [a, b] = [await run(make(), 3), await run(make(), 3)];
    expect(b).toEqual(a);
    expect(a[1]).not.toEqual(a[0]);
    const expected = tf.randomNormal([2, 3, 3, 1], 0, 1, 'float32', 7 + 2);
    expect(a[2]).toEqual(Array.from(await expected.data()));
    const resumed = make();
    resumed.noiseCalls = 2;
    expect((await run(resumed, 1))[0]).toEqual(a[2]);
    expect(() => new NoiseInjection({ seed: -1 })).toThrow(/NoiseInjection\.seed/);
    expect(() => new NoiseInjection({ seed: 2 ** 31 })).toThrow(/NoiseInjection\.seed/);
    tf.dispose([x, expected]);
  });

  it('gradients (strength, x, noise) match finite differences', () => {
    const x = tf.input({ shape: [2, 3, 2] });
    const n = tf.input({ shape: [2, 3, 1] });
    const h = new EqualizedConv2D({ filters: 2 }).apply(x) as tf.SymbolicTensor;
    const layer = new NoiseInjection({ perChannel: true });
    const model = tf.model({ inputs: [x, n], outputs: layer.apply([h, n]) as tf.SymbolicTensor });
    initializeWeights(model, { seed: 5 });
    layer.setWeights([tf.tensor1d([0.3, -0.8])]);
    const inputs = [tf.randomNormal([2, 2, 3, 2], 0, 1, 'float32', 6), tf.randomNormal([2, 2, 3, 1], 0, 1, 'float32', 7)];
    expectGradientToEveryWeight(model, inputs);
    expectGradientsMatchFiniteDifferences(model, inputs, { entries: 3 });
    tf.dispose(inputs);
  });

  it('second order: R1 through conv → const noise → ScaledLeakyReLU → dense matches finite differences', () => {
    const x = tf.input({ shape: [3, 3, 1] });
    const conv = new EqualizedConv2D({ filters: 2 }).apply(x) as tf.SymbolicTensor;
    const noisy = new NoiseInjection({ mode: 'const', perChannel: true }).apply(conv) as tf.SymbolicTensor;
    const h = new ScaledLeakyReLU().apply(noisy) as tf.SymbolicTensor;
    const d = tf.model({ inputs: x, outputs: new EqualizedDense({ units: 1, gain: 1 }).apply(tf.layers.flatten().apply(h)) as tf.SymbolicTensor });
    initializeWeights(d, { seed: 40 });
    d.setWeights(d.getWeights().map((t, i) => tf.add(t, tf.randomNormal(t.shape, 0, 0.5, 'float32', 40 + i))));
    const real = tf.randomNormal([2, 3, 3, 1], 0, 1, 'float32', 8);
    expectScalarGradientsMatchFiniteDifferences(d, () => r1Penalty((t) => d.apply(t) as tf.Tensor, real, { gamma: 1 }), KINK_SAFE);
    real.dispose();
  });

  it('saves and loads with its options and its const noise, reproducing outputs exactly', async () => {
    const input = tf.input({ shape: [3, 3, 2] });
    const layer = new NoiseInjection({ perChannel: true, mode: 'const', seed: 3 });
    const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
    layer.setWeights([tf.tensor1d([1, -1]), layer.getWeights()[1]!]);
    const loaded = await roundTrip(model);
    const copy = loaded.layers[1] as NoiseInjection;
    expect([copy.perChannel, copy.mode, copy.seed]).toEqual([true, 'const', 3]);
    const x = tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', 9);
    await expectSameOutputs(model, loaded, x);
    x.dispose();
  });

  it('rejects bad options and noise of the wrong shape', () => {
    expect(() => new NoiseInjection({ mode: 'fixed' as never })).toThrow(/NoiseInjection\.mode/);
    expect(() => new NoiseInjection({ perChannel: 'yes' as never })).toThrow(/NoiseInjection\.perChannel/);
    expect(() => new NoiseInjection().apply([tf.input({ shape: [3, 3, 2] }), tf.input({ shape: [3, 3, 2] })])).toThrow(ShapeError);
    expect(() => new NoiseInjection({ mode: 'const' }).apply(tf.input({ shape: [null, null, 2] as never }))).toThrow(/known height and width/);
    const layer = new NoiseInjection();
    const [x, n] = [tf.zeros([2, 3, 3, 2]), tf.zeros([1, 3, 3, 1])];
    expect(() => layer.apply([x, n])).toThrow(/NoiseInjection noise/);
    tf.dispose([x, n]);
  });

  it('leaks no tensors in every mode', () => {
    const x = tf.randomNormal([2, 3, 3, 2]);
    for (const mode of ['random', 'const', 'none'] as const) {
      const layer = new NoiseInjection({ mode });
      expectNoLeak(() => (layer.apply(x) as tf.Tensor).dispose());
    }
    x.dispose();
  });
});
