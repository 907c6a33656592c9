import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dcganDiscriminator, dcganGenerator, InvalidArgumentError, transposedConvStack } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { expectGradientToEveryWeight, expectSameOutputs, roundTrip } from '../layers/helpers';
import { bn, conv, convNoBias, dense, denseNoBias, summary, trainableCount } from './counts';

// Shape and count tests only build models: the cpu backend is enough.
beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('dcganGenerator', () => {
  it('with outputShape [28, 28, 1] is exactly the DCGAN-28 benchmark generator', () => {
    const g = dcganGenerator({ outputShape: [28, 28, 1] });
    expect(g.inputs[0]!.shape).toEqual([null, 100]);
    expect(g.outputs[0]!.shape).toEqual([null, 28, 28, 1]);
    expect(summary(g)).toEqual([
      'Dense units=12544 bias=false',
      'BatchNormalization momentum=0.9 epsilon=0.00001',
      'ReLU',
      'Reshape [7,7,256]',
      'Conv2DTranspose filters=128 k=4 s=2 same bias=false',
      'BatchNormalization momentum=0.9 epsilon=0.00001',
      'ReLU',
      'Conv2DTranspose filters=1 k=4 s=2 same bias=true tanh',
    ]);
    // dense 100→12544 (no bias) + BN(12544) + convT 4x4 256→128 (no bias) + BN(128) + convT 4x4 128→1 (+bias).
    const expected = denseNoBias(100, 7 * 7 * 256) + bn(7 * 7 * 256) + convNoBias(256, 128, 4) + bn(128) + conv(128, 1, 4);
    expect(g.countParams()).toBe(expected);
    expect(expected).toBe(1_831_425);
    expect(trainableCount(g)).toBe(expected - 2 * (7 * 7 * 256 + 128));
  });

  it('follows the paper for 64x64x3: 4x4x1024 → 8x8x512 → 16x16x256 → 32x32x128 → 64x64x3', () => {
    const g = dcganGenerator();
    expect(g.outputs[0]!.shape).toEqual([null, 64, 64, 3]);
    const maps = g.layers.filter((l) => l.getClassName() === 'Conv2DTranspose').map((l) => (l.output as tf.SymbolicTensor).shape);
    expect(maps).toEqual([
      [null, 8, 8, 512],
      [null, 16, 16, 256],
      [null, 32, 32, 128],
      [null, 64, 64, 3],
    ]);
    const expected =
      denseNoBias(100, 4 * 4 * 1024) + bn(4 * 4 * 1024) + convNoBias(1024, 512, 4) + bn(512) + convNoBias(512, 256, 4) + bn(256) + convNoBias(256, 128, 4) + bn(128) + conv(128, 3, 4);
    expect(g.countParams()).toBe(expected);
  });

  for (const [size, channels, start] of [
    [32, 3, 4],
    [32, 1, 4],
    [14, 1, 7],
    [56, 3, 7],
    [8, 3, 4],
    [128, 3, 4],
  ] as const) {
    it(`builds ${size}x${size}x${channels} from a ${start}x${start} start with the hand-counted parameters`, () => {
      const g = dcganGenerator({ outputShape: [size, size, channels], latentDim: 16, baseFilters: 8 });
      expect(g.outputs[0]!.shape).toEqual([null, size, size, channels]);
      const n = Math.log2(size / start);
      const hidden = Array.from({ length: n }, (_, i) => 8 * 2 ** (n - 1 - i));
      let expected = denseNoBias(16, start * start * hidden[0]!) + bn(start * start * hidden[0]!);
      for (let i = 1; i < n; i++) expected += convNoBias(hidden[i - 1]!, hidden[i]!, 4) + bn(hidden[i]!);
      expected += conv(hidden[n - 1]!, channels, 4);
      expect(g.countParams()).toBe(expected);
    });
  }

  it('takes explicit filters, other norms and activations', () => {
    const g = dcganGenerator({
      outputShape: [16, 16, 3],
      latentDim: 8,
      filters: [32, 16],
      normalization: 'none',
      activation: 'leakyRelu',
      outputActivation: 'sigmoid',
      kernelSize: 3,
    });
    expect(g.countParams()).toBe(dense(8, 4 * 4 * 32) + conv(32, 16, 3) + conv(16, 3, 3));
    expect(summary(g).slice(-2)).toEqual(['LeakyReLU alpha=0.2', 'Conv2DTranspose filters=3 k=3 s=2 same bias=true sigmoid']);
    const pixel = dcganGenerator({ outputShape: [8, 8, 1], latentDim: 4, baseFilters: 4, normalization: 'pixel' });
    expect(summary(pixel)).toContain('PixelNormalization');
    const inst = dcganGenerator({ outputShape: [16, 16, 1], latentDim: 4, baseFilters: 4, normalization: 'instance' });
    // instance norm (affine) after the reshape: 2·C per norm; dense and hidden convT without bias.
    expect(inst.countParams()).toBe(denseNoBias(4, 4 * 4 * 8) + 2 * 8 + convNoBias(8, 4, 4) + 2 * 4 + conv(4, 1, 4));
  });

  it('rejects sizes that are not 4·2ⁿ or 7·2ⁿ, non-square shapes and bad options', () => {
    expect(() => dcganGenerator({ outputShape: [24, 24, 3] })).toThrow(InvalidArgumentError);
    expect(() => dcganGenerator({ outputShape: [4, 4, 3] })).toThrow(/power-of-two multiple/);
    expect(() => dcganGenerator({ outputShape: [32, 64, 3] })).toThrow(/square/);
    expect(() => dcganGenerator({ filters: [1, 2] })).toThrow(/filters/);
    expect(() => dcganGenerator({ normalization: 'group' as never })).toThrow(/normalization/);
    expect(() => dcganGenerator({ latentDim: 0 })).toThrow(/latentDim/);
  });
});

describe('dcganDiscriminator', () => {
  it('with inputShape [28, 28, 1] is exactly the DCGAN-28 benchmark discriminator', () => {
    const d = dcganDiscriminator({ inputShape: [28, 28, 1] });
    expect(d.outputs[0]!.shape).toEqual([null, 1]);
    expect(summary(d)).toEqual([
      'Conv2D filters=64 k=4 s=2 same bias=true',
      'LeakyReLU alpha=0.2',
      'Conv2D filters=128 k=4 s=2 same bias=false',
      'BatchNormalization momentum=0.9 epsilon=0.00001',
      'LeakyReLU alpha=0.2',
      'Flatten',
      'Dense units=1 bias=true',
    ]);
    const expected = conv(1, 64, 4) + convNoBias(64, 128, 4) + bn(128) + dense(7 * 7 * 128, 1);
    expect(d.countParams()).toBe(expected);
    expect(expected).toBe(138_945);
    expect(trainableCount(d)).toBe(expected - 2 * 128);
  });

  for (const [size, channels] of [
    [64, 3],
    [32, 3],
    [32, 1],
    [14, 3],
  ] as const) {
    it(`builds a ${size}x${size}x${channels} discriminator with the hand-counted parameters`, () => {
      const d = dcganDiscriminator({ inputShape: [size, size, channels], baseFilters: 8 });
      expect(d.outputs[0]!.shape).toEqual([null, 1]);
      const start = size % 7 === 0 ? 7 : 4;
      const n = Math.log2(size / start);
      let expected = conv(channels, 8, 4);
      for (let i = 1; i < n; i++) expected += convNoBias(8 * 2 ** (i - 1), 8 * 2 ** i, 4) + bn(8 * 2 ** i);
      expected += dense(start * start * 8 * 2 ** (n - 1), 1);
      expect(d.countParams()).toBe(expected);
    });
  }

  it('supports no normalization and a sigmoid output', () => {
    const d = dcganDiscriminator({ inputShape: [16, 16, 1], filters: [4, 8], normalization: 'none', outputActivation: 'sigmoid' });
    expect(d.countParams()).toBe(conv(1, 4, 4) + conv(4, 8, 4) + dense(4 * 4 * 8, 1));
    expect(summary(d).at(-1)).toBe('Activation sigmoid');
  });
});

describe('transposedConvStack', () => {
  it('doubles the size per filter entry and counts parameters by hand', () => {
    const up = transposedConvStack({ inputShape: [7, 7, 256], filters: [128, 1] });
    expect(up.outputs[0]!.shape).toEqual([null, 28, 28, 1]);
    expect(up.countParams()).toBe(convNoBias(256, 128, 4) + bn(128) + conv(128, 1, 4));
    const three = transposedConvStack({ inputShape: [2, 3, 5], filters: [4, 4, 2], kernelSize: 2, normalization: 'none' });
    expect(three.outputs[0]!.shape).toEqual([null, 16, 24, 2]);
    expect(three.countParams()).toBe(conv(5, 4, 2) + conv(4, 4, 2) + conv(4, 2, 2));
  });

  it('rejects an empty filter list', () => {
    expect(() => transposedConvStack({ inputShape: [4, 4, 2], filters: [] })).toThrow(InvalidArgumentError);
  });
});

describeEachBackend('DCGAN models (tiny)', () => {
  it('train: every weight of G and D gets a gradient, and G(z) is in [−1, 1]', async () => {
    const g = dcganGenerator({ outputShape: [8, 8, 1], latentDim: 4, baseFilters: 4, seed: 1 });
    const d = dcganDiscriminator({ inputShape: [8, 8, 1], baseFilters: 4, seed: 2 });
    const z = tf.randomNormal([2, 4], 0, 1, 'float32', 1);
    expectGradientToEveryWeight(g, z);
    const x = g.predict(z) as tf.Tensor;
    expect(x.shape).toEqual([2, 8, 8, 1]);
    const values = await x.data();
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(1);
    expectGradientToEveryWeight(d, x);
    tf.dispose([z, x]);
  });

  it('save and load, reproducing outputs exactly', async () => {
    const g = dcganGenerator({ outputShape: [8, 8, 3], latentDim: 4, baseFilters: 4 });
    const z = tf.randomNormal([2, 4], 0, 1, 'float32', 2);
    (g.apply(z, { training: true }) as tf.Tensor).dispose(); // move the BN statistics
    await expectSameOutputs(g, await roundTrip(g), z);
    const d = dcganDiscriminator({ inputShape: [8, 8, 3], baseFilters: 4 });
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 3);
    await expectSameOutputs(d, await roundTrip(d), x);
    tf.dispose([z, x]);
  });
});
