import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FadeIn,
  InvalidArgumentError,
  UnknownOptionError,
  progressiveDiscriminator,
  progressiveGenerator,
  r1Penalty,
} from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import {
  expectClose,
  expectGradientToEveryWeight,
  expectNoLeak,
  expectSameOutputs,
  expectScalarGradientsMatchFiniteDifferences,
  roundTrip,
  KINK_SAFE,
} from '../layers/helpers';
import { conv, dense } from './counts';

/** Hand counts for the default-style networks with start size S, filters F, channels C and latent L. */
function generatorCount(L: number, S: number, F: number[], C: number, stage: number, fading: boolean): number {
  let n = dense(L, S * S * F[0]!) + conv(F[0]!, F[0]!, 3);
  for (let i = 1; i <= stage; i++) n += conv(F[i - 1]!, F[i]!, 3) + conv(F[i]!, F[i]!, 3);
  n += conv(F[stage]!, C, 1); // toRGB of this stage
  if (fading) n += conv(F[stage - 1]!, C, 1) + 1; // the previous toRGB and α
  return n;
}

function discriminatorCount(S: number, F: number[], C: number, stage: number, fading: boolean): number {
  let n = conv(C, F[stage]!, 1); // fromRGB of this stage
  for (let i = 1; i <= stage; i++) n += conv(F[i]!, F[i]!, 3) + conv(F[i]!, F[i - 1]!, 3);
  n += conv(F[0]! + 1, F[0]!, 3) + dense(S * S * F[0]!, F[0]!) + dense(F[0]!, 1); // minibatch stddev adds 1 channel
  if (fading) n += conv(C, F[stage - 1]!, 1) + 1; // the previous fromRGB and α
  return n;
}

describe('progressiveGenerator / progressiveDiscriminator (shapes and counts)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('default to MNIST: 7 → 14 → 28 with filters [128, 64, 32], counted by hand for every stage and fade', () => {
    const g = progressiveGenerator();
    const d = progressiveDiscriminator();
    const F = [128, 64, 32];
    expect(g.stages).toBe(3);
    expect([0, 1, 2].map((s) => g.resolution(s))).toEqual([7, 14, 28]);
    for (let s = 0; s < 3; s++) {
      for (const fading of s === 0 ? [false] : [false, true]) {
        const gm = g.model(s, { fading });
        const dm = d.model(s, { fading });
        expect(gm.inputs[0]!.shape).toEqual([null, 128]);
        expect(gm.outputs[0]!.shape).toEqual([null, 7 * 2 ** s, 7 * 2 ** s, 1]);
        expect(dm.inputs[0]!.shape).toEqual([null, 7 * 2 ** s, 7 * 2 ** s, 1]);
        expect(dm.outputs[0]!.shape).toEqual([null, 1]);
        expect(gm.countParams(), `G stage ${s}${fading ? ' fading' : ''}`).toBe(generatorCount(128, 7, F, 1, s, fading));
        expect(dm.countParams(), `D stage ${s}${fading ? ' fading' : ''}`).toBe(discriminatorCount(7, F, 1, s, fading));
      }
    }
    expect(g.model(2)).toBe(g.model(2)); // one instance per stage
  });

  it('stage models share their layers: the stage-1 model holds every stage-0 weight', () => {
    const g = progressiveGenerator({ filters: [8, 4], latentDim: 6, startSize: 4 });
    const ids = (m: tf.LayersModel) => new Set(m.weights.map((w) => w.id));
    const s1 = ids(g.model(1, { fading: true }));
    for (const w of g.model(0).weights) expect(s1.has(w.id)).toBe(true);
    expect(g.fadeLayer(1)).toBeInstanceOf(FadeIn);
    expect(g.model(1, { fading: true }).layers).toContain(g.fadeLayer(1));
  });

  it('rejects bad stages and options, naming them', () => {
    const g = progressiveGenerator({ filters: [4, 4], startSize: 2, latentDim: 3 });
    expect(() => g.model(2)).toThrow(/stage/);
    expect(() => g.model(0, { fading: true })).toThrow(/stage 0 has no fade/);
    expect(() => g.model(1, { fade: true } as never)).toThrow(UnknownOptionError);
    expect(() => progressiveGenerator({ filters: [] })).toThrow(/progressiveGenerator\.filters/);
    expect(() => progressiveGenerator({ mappingLayers: 2 } as never)).toThrow(UnknownOptionError);
    expect(() => progressiveDiscriminator({ imageChannels: 0 })).toThrow(InvalidArgumentError);
    expect(() => progressiveDiscriminator({ seed: 1.5 })).toThrow(/seed/);
  });
});

describeEachBackend('progressive GAN stages (tiny)', () => {
  const options = { startSize: 2, filters: [4, 3, 2], imageChannels: 1 };

  it('is seeded: the same seed builds the same weights for every stage', () => {
    const [a, b] = [progressiveGenerator({ ...options, latentDim: 5, seed: 3 }), progressiveGenerator({ ...options, latentDim: 5, seed: 3 })];
    const wa = a.model(2, { fading: true }).getWeights();
    b.model(2, { fading: true }).getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(wa[i]!.dataSync())));
    const [c, d] = [progressiveDiscriminator({ ...options, seed: 4 }), progressiveDiscriminator({ ...options, seed: 4 })];
    const wc = c.model(1, { fading: true }).getWeights();
    d.model(1, { fading: true }).getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(wc[i]!.dataSync())));
  });

  it('generator fade: α = 0 gives the previous stage upsampled, α = 1 the new stage, bit for bit; α = 0.25 the blend', async () => {
    const g = progressiveGenerator({ ...options, latentDim: 5, seed: 1 });
    const z = tf.randomNormal([3, 5], 0, 1, 'float32', 2);
    const previous = g.model(1).predict(z) as tf.Tensor4D;
    const upsampled = tf.reshape(tf.broadcastTo(tf.reshape(previous, [3, 4, 1, 4, 1, 1]), [3, 4, 2, 4, 2, 1]), [3, 8, 8, 1]);
    const next = g.model(2).predict(z) as tf.Tensor;
    g.setAlpha(2, 0);
    const at0 = g.model(2, { fading: true }).predict(z) as tf.Tensor;
    g.setAlpha(2, 1);
    const at1 = g.model(2, { fading: true }).predict(z) as tf.Tensor;
    g.setAlpha(2, 0.25);
    const atQuarter = g.model(2, { fading: true }).predict(z) as tf.Tensor;
    expect(Array.from(await at0.data())).toEqual(Array.from(await upsampled.data()));
    expect(Array.from(await at1.data())).toEqual(Array.from(await next.data()));
    const [u, n] = [await upsampled.data(), await next.data()];
    expectClose(await atQuarter.data(), Array.from(u, (v, i) => 0.75 * v + 0.25 * n[i]!), 1e-6);
    tf.dispose([z, previous, upsampled, next, at0, at1, atQuarter]);
  });

  it('discriminator fade: α = 0 scores the downsampled image with the previous stage, α = 1 equals the new stage, bit for bit', async () => {
    const d = progressiveDiscriminator({ ...options, seed: 5 });
    const x = tf.randomNormal([4, 8, 8, 1], 0, 1, 'float32', 6);
    const down = tf.mean(tf.reshape(x, [4, 4, 2, 4, 2, 1]), [2, 4]);
    const previous = d.model(1).predict(down) as tf.Tensor;
    const next = d.model(2).predict(x) as tf.Tensor;
    d.setAlpha(2, 0);
    const at0 = d.model(2, { fading: true }).predict(x) as tf.Tensor;
    d.setAlpha(2, 1);
    const at1 = d.model(2, { fading: true }).predict(x) as tf.Tensor;
    expect(Array.from(await at0.data())).toEqual(Array.from(await previous.data()));
    expect(Array.from(await at1.data())).toEqual(Array.from(await next.data()));
    tf.dispose([x, down, previous, next, at0, at1]);
  });

  it('a fading stage saves and loads with its α, and sends a gradient to every weight', async () => {
    const g = progressiveGenerator({ ...options, latentDim: 5, seed: 7 });
    g.setAlpha(1, 0.6);
    const model = g.model(1, { fading: true });
    const loaded = await roundTrip(model);
    expect((loaded.layers.find((l) => l instanceof FadeIn) as FadeIn).alpha).toBeCloseTo(0.6, 6);
    const z = tf.randomNormal([2, 5], 0, 1, 'float32', 8);
    await expectSameOutputs(model, loaded, z);
    expectGradientToEveryWeight(model, z);
    z.dispose();
  });

  it('R1 through a fading discriminator stage (second order, minibatch stddev included) matches finite differences', () => {
    const d = progressiveDiscriminator({ startSize: 2, filters: [2, 2], seed: 9, minibatchGroupSize: 2 });
    d.setAlpha(1, 0.4);
    const model = d.model(1, { fading: true });
    const real = tf.randomNormal([2, 4, 4, 1], 0, 1, 'float32', 10);
    expectScalarGradientsMatchFiniteDifferences(model, () => r1Penalty((t) => model.apply(t) as tf.Tensor, real, { gamma: 1 }), KINK_SAFE);
    real.dispose();
  });

  it('leaks no tensors when stages run', () => {
    const g = progressiveGenerator({ ...options, latentDim: 5 });
    const d = progressiveDiscriminator(options);
    const z = tf.randomNormal([4, 5]);
    expectNoLeak(() => {
      const img = g.model(2, { fading: true }).predict(z) as tf.Tensor;
      (d.model(2, { fading: true }).predict(img) as tf.Tensor).dispose();
      img.dispose();
    });
    z.dispose();
  });
});
