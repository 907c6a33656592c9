import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { EqualizedDense, InvalidArgumentError, PixelNormalization, UnknownOptionError, mappingNetwork } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { expectClose, expectGradientsMatchFiniteDifferences, expectSameOutputs, randomArray, roundTrip } from '../layers/helpers';
import { dense } from './counts';

/** Float64 mapping network: pixel norm, then per layer √2·lrelu(x·V·λ/√in + b·λ). */
function reference(z: number[], layers: { v: number[]; b: number[]; inDim: number; out: number }[], lr: number): number[] {
  const ms = z.reduce((s, t) => s + t * t, 0) / z.length;
  let h = z.map((t) => t / Math.sqrt(ms + 1e-8));
  for (const { v, b, inDim, out } of layers) {
    h = Array.from({ length: out }, (_, o) => {
      let s = b[o]! * lr;
      for (let i = 0; i < inDim; i++) s += (h[i]! * v[i * out + o]! * lr) / Math.sqrt(inDim);
      return Math.SQRT2 * (s < 0 ? 0.2 * s : s);
    });
  }
  return h;
}

describeEachBackend('mappingNetwork', () => {
  it('defaults to StyleGAN: z [512] → pixel norm → 8 equalized dense layers (λ = 0.01) → w [512]', () => {
    const m = mappingNetwork();
    expect(m.inputs[0]!.shape).toEqual([null, 512]);
    expect(m.outputs[0]!.shape).toEqual([null, 512]);
    expect(m.layers[1]).toBeInstanceOf(PixelNormalization);
    const dense8 = m.layers.filter((l) => l instanceof EqualizedDense) as EqualizedDense[];
    expect(dense8).toHaveLength(8);
    for (const l of dense8) expect(l.settings).toMatchObject({ lrMultiplier: 0.01, gain: 1, activation: 'leakyRelu', activationGain: Math.SQRT2 });
    expect(m.countParams()).toBe(8 * dense(512, 512));
    m.dispose();
  });

  it('sizes small networks as counted by hand, and is seeded', () => {
    const m = mappingNetwork({ latentDim: 16, wDim: 8, hiddenUnits: 12, layers: 3, normalizeLatent: false, seed: 4 });
    expect(m.countParams()).toBe(dense(16, 12) + dense(12, 12) + dense(12, 8));
    expect(m.layers.some((l) => l instanceof PixelNormalization)).toBe(false);
    const again = mappingNetwork({ latentDim: 16, wDim: 8, hiddenUnits: 12, layers: 3, normalizeLatent: false, seed: 4 });
    m.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(again.getWeights()[i]!.dataSync())));
  });

  it('matches a float64 reference, and w(z) = w(c·z) for c > 0 (z is normalised first)', async () => {
    const [L, H, W] = [4, 5, 3];
    const m = mappingNetwork({ latentDim: L, wDim: W, hiddenUnits: H, layers: 2, seed: 1 });
    const layers = [
      { v: randomArray(L * H, 1, 100), b: randomArray(H, 2, 50), inDim: L, out: H },
      { v: randomArray(H * W, 3, 100), b: randomArray(W, 4, 50), inDim: H, out: W },
    ];
    m.setWeights(layers.flatMap(({ v, b, inDim, out }) => [tf.tensor2d(v, [inDim, out]), tf.tensor1d(b)]));
    const zs = randomArray(2 * L, 5, 2);
    const z = tf.tensor2d(zs, [2, L]);
    const z3 = tf.mul(z, 3);
    const [w, w3] = [m.predict(z) as tf.Tensor, m.predict(z3) as tf.Tensor];
    expectClose(await w.data(), [...reference(zs.slice(0, L), layers, 0.01), ...reference(zs.slice(L), layers, 0.01)], 1e-5);
    expectClose(await w3.data(), await w.data(), 1e-5);
    tf.dispose([z, z3, w, w3]);
  });

  it('has weight gradients matching finite differences and saves/loads exactly', async () => {
    const m = mappingNetwork({ latentDim: 4, wDim: 3, layers: 2, seed: 2 });
    const z = tf.randomNormal([3, 4], 0, 1, 'float32', 6);
    // Stored weights are ~N(0, 100²); steps of 1 move the effective weights by 0.01/√in, well inside one linear piece.
    expectGradientsMatchFiniteDifferences(m, z, { step: 1, entries: 4, absTol: 1e-4 });
    await expectSameOutputs(m, await roundTrip(m), z);
    z.dispose();
  });

  it('rejects bad and unknown options, naming them', () => {
    expect(() => mappingNetwork({ layers: 1 })).toThrow(/mappingNetwork\.layers.*>= 2/);
    expect(() => mappingNetwork({ lrMultiplier: 0 })).toThrow(InvalidArgumentError);
    expect(() => mappingNetwork({ latentDim: 0 })).toThrow(/mappingNetwork\.latentDim/);
    expect(() => mappingNetwork({ mappingLayers: 4 } as never)).toThrow(UnknownOptionError);
    expect(() => mappingNetwork({ seed: -1 })).toThrow(/seed/);
  });
});
