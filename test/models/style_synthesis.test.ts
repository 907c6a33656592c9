import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConstantInput, ModulatedConv2D, NoiseInjection, UnknownOptionError, mappingNetwork, styleSynthesisNetwork } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import {
  expectGradientToEveryWeight,
  expectNoLeak,
  expectSameOutputs,
  expectScalarGradientsMatchFiniteDifferences,
  roundTrip,
} from '../layers/helpers';

/** ModulatedConv2D cin → f, k×k, with bias and affine from wDim: k²·cin·f + f + wDim·cin + cin. */
const modConv = (cin: number, f: number, k: number, wDim: number): number => k * k * cin * f + f + wDim * cin + cin;

function synthesisCount(S: number, F: number[], C: number, wDim: number, constNoise: boolean): number {
  const noise = (side: number) => 1 + (constNoise ? side * side : 0);
  let n = S * S * F[0]! + modConv(F[0]!, F[0]!, 3, wDim) + noise(S) + modConv(F[0]!, C, 1, wDim);
  for (let b = 1; b < F.length; b++) {
    const side = S * 2 ** b;
    n += modConv(F[b - 1]!, F[b]!, 3, wDim) + noise(side) + modConv(F[b]!, F[b]!, 3, wDim) + noise(side) + modConv(F[b]!, C, 1, wDim);
  }
  return n;
}

describe('styleSynthesisNetwork (shapes and counts)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('defaults to MNIST: w⁺ [6, 128] → [28, 28, 1] from a 7×7×128 constant, counted by hand', () => {
    const g = styleSynthesisNetwork();
    expect(g.inputs[0]!.shape).toEqual([null, 6, 128]);
    expect(g.outputs[0]!.shape).toEqual([null, 28, 28, 1]);
    expect(g.countParams()).toBe(synthesisCount(7, [128, 64, 32], 1, 128, false));
    expect(g.layers.filter((l) => l instanceof ModulatedConv2D)).toHaveLength(8);
    expect(g.layers.filter((l) => l instanceof NoiseInjection)).toHaveLength(5);
    expect(g.layers.filter((l) => l instanceof ConstantInput)).toHaveLength(1);
    const small = styleSynthesisNetwork({ wDim: 8, startSize: 4, filters: [6, 5, 4, 3], imageChannels: 3, noiseMode: 'const' });
    expect(small.inputs[0]!.shape).toEqual([null, 8, 8]);
    expect(small.outputs[0]!.shape).toEqual([null, 32, 32, 3]);
    expect(small.countParams()).toBe(synthesisCount(4, [6, 5, 4, 3], 3, 8, true));
  });

  it('rejects bad and unknown options', () => {
    expect(() => styleSynthesisNetwork({ filters: [0] })).toThrow(/styleSynthesisNetwork\.filters/);
    expect(() => styleSynthesisNetwork({ noiseMode: 'fixed' as never })).toThrow(/styleSynthesisNetwork\.noiseMode/);
    expect(() => styleSynthesisNetwork({ mappingLayers: 2 } as never)).toThrow(UnknownOptionError);
  });
});

describeEachBackend('styleSynthesisNetwork (tiny)', () => {
  const tiny = { wDim: 3, startSize: 2, filters: [3, 2], noiseMode: 'const' as const };

  it('is seeded, and with const noise deterministic; every row of w⁺ reaches the image', async () => {
    const [a, b] = [styleSynthesisNetwork({ ...tiny, seed: 1 }), styleSynthesisNetwork({ ...tiny, seed: 1 })];
    const wPlus = tf.randomNormal([2, 4, 3], 0, 1, 'float32', 2);
    const [ya, yb] = [a.predict(wPlus) as tf.Tensor, b.predict(wPlus) as tf.Tensor];
    expect(ya.shape).toEqual([2, 4, 4, 1]);
    expect(Array.from(await ya.data())).toEqual(Array.from(await yb.data()));
    const probe = tf.randomNormal([2, 4, 4, 1], 0, 1, 'float32', 3);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(a.apply(t) as tf.Tensor, probe)))(wPlus);
    const rowNorms = await tf.sqrt(tf.sum(tf.square(g), [0, 2])).data();
    expect(rowNorms).toHaveLength(4);
    for (const r of rowNorms) expect(r).toBeGreaterThan(1e-4);
    tf.dispose([wPlus, ya, yb, probe, g]);
  });

  it('runs after a mapping network with w broadcast to w⁺, sends a gradient to every weight, and saves/loads exactly', async () => {
    const synthesis = styleSynthesisNetwork({ ...tiny, seed: 4 });
    const mapping = mappingNetwork({ latentDim: 3, wDim: 3, layers: 2, seed: 5 });
    const wPlus = tf.layers.repeatVector({ n: 4 }).apply(mapping.outputs[0]!) as tf.SymbolicTensor;
    const generator = tf.model({ inputs: mapping.inputs, outputs: synthesis.apply(wPlus) as tf.SymbolicTensor });
    const z = tf.randomNormal([2, 3], 0, 1, 'float32', 6);
    expectGradientToEveryWeight(generator, z);
    await expectSameOutputs(synthesis, await roundTrip(synthesis), tf.randomNormal([2, 4, 3], 0, 1, 'float32', 7));
    z.dispose();
  });

  it('second order: a path-length term ‖∂(G(w⁺)·y)/∂w⁺‖² has weight gradients matching finite differences', () => {
    // Seed 12: with seed 8 a pre-activation of the 2×2 layer lies within 5e-4 of the leaky-ReLU kink, so the only entry of
    // that layer's scalar noise strength straddles a jump at every usable step (its 1e-4 difference matches autodiff).
    const g = styleSynthesisNetwork({ ...tiny, seed: 12 });
    // Non-zero noise strengths, so the noise path is part of the check.
    g.layers.filter((l) => l instanceof NoiseInjection).forEach((l) => l.setWeights([tf.scalar(0.3), l.getWeights()[1]!]));
    const wPlus = tf.randomNormal([2, 4, 3], 0, 1, 'float32', 9);
    const y = tf.randomNormal([2, 4, 4, 1], 0, 1, 'float32', 10);
    const pathLength = () =>
      tf.tidy(() => {
        const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(g.apply(t) as tf.Tensor, y)))(wPlus);
        return tf.sum(tf.square(grad)) as tf.Scalar;
      });
    // The toRGB biases add a constant to the image, so the term does not depend on them (tfjs finds no path from
    // them; their finite differences are only float32 noise). Every other weight is checked against finite differences.
    const toRgbs = g.layers.filter((l) => l instanceof ModulatedConv2D && l.kernelSize === 1);
    expect(toRgbs).toHaveLength(2);
    const rgbBiases = new Set(toRgbs.map((l) => l.trainableWeights.find((w) => w.originalName.endsWith('/bias'))!.originalName));
    const biasVars = g.trainableWeights.filter((w) => rgbBiases.has(w.originalName)).map((w) => w.read() as tf.Variable);
    expect(biasVars).toHaveLength(2);
    expect(() => tf.tidy(() => tf.variableGrads(pathLength, biasVars).value)).toThrow(/Cannot find a connection/);
    const others = { trainableWeights: g.trainableWeights.filter((w) => !rgbBiases.has(w.originalName)) } as tf.LayersModel;
    // Leaky ReLU makes the term jump where a pre-activation changes sign, so steps are small (1e-3, checked against 5e-4).
    expectScalarGradientsMatchFiniteDifferences(others, pathLength, { entries: 1, step: 1e-3 });
    tf.dispose([wPlus, y]);
  });

  it('with noiseSeed, random noise repeats from build to build, and differs between layers and calls', async () => {
    const build = () => {
      const g = styleSynthesisNetwork({ ...tiny, noiseMode: 'random', noiseSeed: 5, seed: 11 });
      g.layers.filter((l) => l instanceof NoiseInjection).forEach((l) => l.setWeights([tf.scalar(1)]));
      return g;
    };
    const [a, b] = [build(), build()];
    expect(a.layers.filter((l) => l instanceof NoiseInjection).map((l) => (l as NoiseInjection).seed)).toEqual([5, 5 + 2 ** 24, 5 + 2 ** 25]);
    const wPlus = tf.randomNormal([2, 4, 3], 0, 1, 'float32', 12);
    const [a1, a2, b1] = [a.predict(wPlus) as tf.Tensor, a.predict(wPlus) as tf.Tensor, b.predict(wPlus) as tf.Tensor];
    expect(Array.from(await b1.data())).toEqual(Array.from(await a1.data()));
    expect(Array.from(await a2.data())).not.toEqual(Array.from(await a1.data()));
    expect(() => styleSynthesisNetwork({ noiseSeed: 2 ** 24 })).toThrow(/styleSynthesisNetwork\.noiseSeed/);
    tf.dispose([wPlus, a1, a2, b1]);
  });

  it('leaks no tensors, random noise included', () => {
    const g = styleSynthesisNetwork({ ...tiny, noiseMode: 'random' });
    const wPlus = tf.randomNormal([2, 4, 3]);
    expectNoLeak(() => (g.predict(wPlus) as tf.Tensor).dispose());
    wPlus.dispose();
  });
});
