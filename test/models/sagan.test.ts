import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConditionalBatchNormalization,
  InvalidArgumentError,
  ProjectionDiscriminatorHead,
  saganDiscriminator,
  saganGenerator,
  SelfAttention2D,
  SpectralNormalization,
} from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { expectGradientToEveryWeight, expectSameOutputs, roundTrip } from '../layers/helpers';
import { bn, conv, dense } from './counts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Spectral normalization adds one non-trainable u per wrapped layer, with one entry per output channel.
const snConv = (cin: number, cout: number, k: number) => conv(cin, cout, k) + cout;
const snDense = (inputs: number, units: number) => dense(inputs, units) + units;
/** SelfAttention2D with SN over C channels: C/8 query/key, C/2 value, no biases, γ, and four u vectors. */
const snAttention = (c: number) => {
  const q = Math.max(1, Math.floor(c / 8));
  const v = Math.max(1, Math.floor(c / 2));
  return 2 * c * q + c * v + v * c + 1 + (q + q + v + c);
};
/** Class-conditional BN over C channels with K classes: per-class γ, β and the moving statistics. */
const cbn = (k: number, c: number) => 2 * k * c + 2 * c;

/** SAGAN generator weights by hand for side = 4·2ⁿ: SN dense, up-blocks, attention, BN, SN conv. */
function generatorCount(side: number, latent: number, base: number, channels: number, attentionSide: number | null, k?: number): number {
  const width = (s: number) => base * Math.min(16, side / s);
  const norm = (c: number) => (k === undefined ? bn(c) : cbn(k, c));
  let n = snDense(latent, 16 * width(4));
  for (let s = 8; s <= side; s *= 2) {
    const [cin, cout] = [width(s / 2), width(s)];
    n += norm(cin) + snConv(cin, cout, 3) + norm(cout) + snConv(cout, cout, 3) + snConv(cin, cout, 1);
    if (s === attentionSide) n += snAttention(cout);
  }
  return n + bn(width(side)) + snConv(width(side), channels, 3);
}

/** SAGAN discriminator weights by hand: SN down-blocks (all with a 1x1 shortcut), a 4x4 block, head. */
function discriminatorCount(side: number, channels: number, base: number, attentionSide: number | null, k?: number): number {
  const width = (s: number) => base * Math.min(16, side / (2 * s));
  let n = 0;
  let cin = channels;
  for (let s = side / 2; s >= 4; s /= 2) {
    const cout = width(s);
    n += snConv(cin, cout, 3) + snConv(cout, cout, 3) + snConv(cin, cout, 1);
    if (s === attentionSide) n += snAttention(cout);
    cin = cout;
  }
  n += 2 * snConv(cin, cin, 3); // the last block keeps size and channels: identity shortcut
  return n + (k === undefined ? snDense(cin, 1) : cin + 1 + k * cin + 1 + cin);
}

describe('saganGenerator', () => {
  it('at 128x128 follows SAGAN/BigGAN: 4x4x1024 → … → 128x128x64, attention at 32x32 on 256 channels', () => {
    const g = saganGenerator({ kernelInitializer: tf.initializers.zeros() });
    expect(g.inputs[0]!.shape).toEqual([null, 128]);
    expect(g.outputs[0]!.shape).toEqual([null, 128, 128, 3]);
    const adds = g.layers.filter((l) => l.getClassName() === 'Add').map((l) => (l.output as tf.SymbolicTensor).shape);
    expect(adds).toEqual([
      [null, 8, 8, 1024],
      [null, 16, 16, 512],
      [null, 32, 32, 256],
      [null, 64, 64, 128],
      [null, 128, 128, 64],
    ]);
    const attention = g.layers.filter((l) => l instanceof SelfAttention2D);
    expect(attention.map((l) => (l.output as tf.SymbolicTensor).shape)).toEqual([[null, 32, 32, 256]]);
    expect((attention[0] as SelfAttention2D).poolKeysValues).toBe(true);
    expect(g.countParams()).toBe(generatorCount(128, 128, 64, 3, 32));
    g.dispose();
  });

  it('puts spectral normalization on every conv and dense layer', () => {
    const g = saganGenerator({ outputShape: [16, 16, 3], baseFilters: 2 });
    expect(g.layers.filter((l) => ['Conv2D', 'Dense', 'Conv2DTranspose'].includes(l.getClassName()))).toHaveLength(0);
    // dense + 3 convs per block × 2 blocks + the output conv.
    expect(g.layers.filter((l) => l instanceof SpectralNormalization)).toHaveLength(1 + 3 * 2 + 1);
    expect((g.layers.find((l) => l instanceof SelfAttention2D) as SelfAttention2D).spectralNormalization).toBe(true);
    expect(g.countParams()).toBe(generatorCount(16, 128, 2, 3, 16));
  });

  it('is class-conditional with numClasses (conditional BN in every block) and sizes other resolutions', () => {
    const g = saganGenerator({ outputShape: [32, 32, 3], baseFilters: 2, latentDim: 8, numClasses: 5, attentionResolution: 16 });
    expect(g.inputs.map((i) => i.shape)).toEqual([
      [null, 8],
      [null, 1],
    ]);
    expect(g.layers.filter((l) => l instanceof ConditionalBatchNormalization)).toHaveLength(2 * 3);
    expect(g.countParams()).toBe(generatorCount(32, 8, 2, 3, 16, 5));
    const plain = saganGenerator({ outputShape: [8, 8, 1], baseFilters: 2, latentDim: 4, attentionResolution: null, spectralNormalization: false });
    expect(plain.layers.some((l) => l instanceof SelfAttention2D)).toBe(false);
    expect(plain.countParams()).toBe(dense(4, 16 * 4) + bn(4) + conv(4, 2, 3) + bn(2) + conv(2, 2, 3) + conv(4, 2, 1) + bn(2) + conv(2, 1, 3));
  });

  it('rejects an attention resolution the network does not have', () => {
    expect(() => saganGenerator({ outputShape: [32, 32, 3], attentionResolution: 12 })).toThrow(InvalidArgumentError);
    expect(() => saganGenerator({ outputShape: [32, 32, 3], attentionResolution: 4 })).toThrow(/attentionResolution/);
  });
});

describe('saganDiscriminator', () => {
  it('at 128x128 follows SAGAN/BigGAN: 64 → 128 (attention at 32x32) → 256 → 512 → 1024 → 1024, sum-pooled logit', () => {
    const d = saganDiscriminator({ kernelInitializer: tf.initializers.zeros() });
    expect(d.outputs[0]!.shape).toEqual([null, 1]);
    const adds = d.layers.filter((l) => l.getClassName() === 'Add').map((l) => (l.output as tf.SymbolicTensor).shape);
    expect(adds).toEqual([
      [null, 64, 64, 64],
      [null, 32, 32, 128],
      [null, 16, 16, 256],
      [null, 8, 8, 512],
      [null, 4, 4, 1024],
      [null, 4, 4, 1024],
    ]);
    expect(d.layers.filter((l) => l instanceof SelfAttention2D).map((l) => (l.output as tf.SymbolicTensor).shape)).toEqual([[null, 32, 32, 128]]);
    expect(d.countParams()).toBe(discriminatorCount(128, 3, 64, 32));
    d.dispose();
  });

  it('uses a spectrally normalised projection head with numClasses, and no output activation (hinge-ready)', () => {
    const d = saganDiscriminator({ inputShape: [32, 32, 3], baseFilters: 2, numClasses: 4 });
    expect(d.inputs.map((i) => i.shape)).toEqual([
      [null, 32, 32, 3],
      [null, 1],
    ]);
    const head = d.layers.find((l) => l instanceof ProjectionDiscriminatorHead) as ProjectionDiscriminatorHead;
    expect(head.spectralNormalization).toBe(true);
    expect(d.layers.at(-1)).toBe(head);
    expect(d.countParams()).toBe(discriminatorCount(32, 3, 2, 16, 4));
    expect(d.layers.filter((l) => ['Conv2D', 'Dense'].includes(l.getClassName()))).toHaveLength(0);
  });

  it('with auxiliaryClassifier adds class logits on the pooled features as a second output', () => {
    const plain = saganDiscriminator({ inputShape: [32, 32, 3], baseFilters: 2, numClasses: 4 });
    const d = saganDiscriminator({ inputShape: [32, 32, 3], baseFilters: 2, numClasses: 4, auxiliaryClassifier: true });
    expect(d.outputs.map((o) => o.shape)).toEqual([
      [null, 1],
      [null, 4],
    ]);
    // Pooled features: baseFilters × min(16, 32 / 8) = 8 channels; the head adds an 8x4 kernel and 4 biases.
    expect(d.countParams() - plain.countParams()).toBe(8 * 4 + 4);
    const head = d.layers.at(-1)!;
    expect(head.getClassName()).toBe('Dense');
    expect((head.input as tf.SymbolicTensor).shape).toEqual([null, 8]);
    expect(() => saganDiscriminator({ inputShape: [32, 32, 3], auxiliaryClassifier: true })).toThrow(/auxiliaryClassifier/);
    plain.dispose();
    d.dispose();
  });
});

describeEachBackend('SAGAN models (tiny)', () => {
  it('unconditional G and D: every weight gets a gradient (attention gain made nonzero), save/load is exact', async () => {
    // At least 2 channels into each attention block: a spectrally normalised 1x1 matrix is its sign, whose
    // gradient is zero. Seeded: with 2 base filters a block can start dead for the whole batch (ReLU), leaving
    // every weight before it without gradient; 1 of 40 seed pairs (1-40 for G, 1001-1040 for D) did that, i.e.
    // about 1 run in 40 per backend while these weights were unseeded.
    const g = saganGenerator({ outputShape: [8, 8, 3], baseFilters: 2, latentDim: 4, attentionResolution: 8, seed: 1 });
    const d = saganDiscriminator({ inputShape: [8, 8, 3], baseFilters: 2, attentionResolution: 4, seed: 2 });
    for (const m of [g, d]) {
      const sa = m.layers.find((l) => l instanceof SelfAttention2D)!;
      sa.setWeights(sa.getWeights().map((w) => (w.rank === 0 ? tf.scalar(0.5) : w)));
    }
    const z = tf.randomNormal([2, 4], 0, 1, 'float32', 1);
    expectGradientToEveryWeight(g, z);
    const x = g.predict(z) as tf.Tensor;
    expectGradientToEveryWeight(d, x);
    await expectSameOutputs(g, await roundTrip(g), z);
    await expectSameOutputs(d, await roundTrip(d), x);
    tf.dispose([z, x]);
  });

  it('conditional G and D: every weight gets a gradient, save/load is exact', async () => {
    const g = saganGenerator({ outputShape: [8, 8, 1], baseFilters: 1, latentDim: 4, numClasses: 3, attentionResolution: null, seed: 3 });
    const d = saganDiscriminator({ inputShape: [8, 8, 1], baseFilters: 2, numClasses: 3, attentionResolution: null, seed: 4 });
    const z = tf.randomNormal([3, 4], 0, 1, 'float32', 2);
    const y = tf.tensor2d([0, 1, 2], [3, 1], 'int32');
    expectGradientToEveryWeight(g, [z, y]);
    const x = g.predict([z, y]) as tf.Tensor;
    expectGradientToEveryWeight(d, [x, y]);
    await expectSameOutputs(g, await roundTrip(g), [z, y]);
    await expectSameOutputs(d, await roundTrip(d), [x, y]);
    tf.dispose([z, y, x]);
  });
});
