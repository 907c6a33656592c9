import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { discriminatorResidualBlock, gradientPenalty, InvalidArgumentError, wganGpCritic } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import {
  expectGradientToEveryWeight,
  expectSameOutputs,
  expectScalarGradientsMatchFiniteDifferences,
  roundTrip,
} from '../layers/helpers';
import { conv, convNoBias, dense, summary } from './counts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('wganGpCritic', () => {
  it('is the paper-style 64x64 critic by default: 5x5 convs 64→512, layer norm, no batch norm, linear score', () => {
    const c = wganGpCritic();
    expect(c.outputs[0]!.shape).toEqual([null, 1]);
    const names = summary(c);
    expect(names.filter((n) => n.startsWith('BatchNormalization'))).toHaveLength(0);
    expect(names.filter((n) => n === 'LayerNormalization')).toHaveLength(3);
    const maps = c.layers.filter((l) => l.getClassName() === 'Conv2D').map((l) => (l.output as tf.SymbolicTensor).shape);
    expect(maps).toEqual([
      [null, 32, 32, 64],
      [null, 16, 16, 128],
      [null, 8, 8, 256],
      [null, 4, 4, 512],
    ]);
    // Layer norm over [H, W, C]: γ and β of H·W·C each.
    const ln = (h: number, ch: number) => 2 * h * h * ch;
    const expected =
      conv(3, 64, 5) + convNoBias(64, 128, 5) + ln(16, 128) + convNoBias(128, 256, 5) + ln(8, 256) + convNoBias(256, 512, 5) + ln(4, 512) + dense(4 * 4 * 512, 1);
    expect(c.countParams()).toBe(expected);
  });

  it('without normalization has a bias on every conv (e.g. 32x32 CIFAR-style, 28x28 MNIST-style)', () => {
    const c = wganGpCritic({ inputShape: [32, 32, 3], normalization: 'none', baseFilters: 16 });
    expect(c.countParams()).toBe(conv(3, 16, 5) + conv(16, 32, 5) + conv(32, 64, 5) + dense(4 * 4 * 64, 1));
    const m = wganGpCritic({ inputShape: [28, 28, 1], normalization: 'none', baseFilters: 8, kernelSize: 4 });
    expect(m.countParams()).toBe(conv(1, 8, 4) + conv(8, 16, 4) + dense(7 * 7 * 16, 1));
  });

  it('with numClasses has a class head beside the score on the same features (AC-WGAN-GP)', () => {
    const c = wganGpCritic({ inputShape: [28, 28, 1], normalization: 'none', baseFilters: 8, kernelSize: 4, numClasses: 60 });
    expect(c.outputs.map((o) => o.shape)).toEqual([
      [null, 1],
      [null, 60],
    ]);
    expect(c.countParams()).toBe(conv(1, 8, 4) + conv(8, 16, 4) + dense(7 * 7 * 16, 1) + dense(7 * 7 * 16, 60));
    const x = tf.randomNormal([3, 28, 28, 1], 0, 1, 'float32', 2);
    const [scores, classes] = c.predict(x) as tf.Tensor[];
    expect(scores!.shape).toEqual([3, 1]);
    expect(classes!.shape).toEqual([3, 60]);
    tf.dispose([x, scores!, classes!]);
    expect(() => wganGpCritic({ inputShape: [28, 28, 1], numClasses: 1 })).toThrow(/wganGpCritic\.numClasses/);
  });

  it('refuses batch norm', () => {
    expect(() => wganGpCritic({ normalization: 'batch' as never })).toThrow(InvalidArgumentError);
  });
});

describeEachBackend('wganGpCritic (tiny)', () => {
  it('sends a gradient to every weight and saves/loads exactly', async () => {
    const c = wganGpCritic({ inputShape: [8, 8, 1], baseFilters: 2, seed: 1 });
    const x = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 1);
    expectGradientToEveryWeight(c, x);
    await expectSameOutputs(c, await roundTrip(c), x);
    x.dispose();
  });

  it('trains with a gradient penalty: its weight gradients (second order, through layer norm and LeakyReLU) match finite differences', () => {
    const c = wganGpCritic({ inputShape: [8, 8, 1], baseFilters: 2, kernelInitializer: tf.initializers.randomNormal({ stddev: 0.5, seed: 3 }) });
    const real = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 4);
    const fake = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 5);
    const alpha = tf.tensor1d([0.3, 0.8]);
    const penalty = () => gradientPenalty((x) => c.apply(x, { training: true }) as tf.Tensor, real, fake, { alpha });
    expectScalarGradientsMatchFiniteDifferences(c, penalty);
    tf.dispose([real, fake, alpha]);
  });

  it('a ResNet discriminator block (ReLU, convs, average downsampling) also has correct penalty gradients', () => {
    const x = tf.input({ shape: [4, 4, 2] });
    const h = discriminatorResidualBlock(x, { filters: 2, kernelInitializer: tf.initializers.randomNormal({ stddev: 0.5, seed: 6 }) });
    const out = tf.layers.dense({ units: 1 }).apply(tf.layers.flatten().apply(h)) as tf.SymbolicTensor;
    const d = tf.model({ inputs: x, outputs: out });
    const real = tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 7);
    const fake = tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 8);
    const alpha = tf.tensor1d([0.6, 0.1]);
    const penalty = () => gradientPenalty((t) => d.apply(t) as tf.Tensor, real, fake, { alpha });
    expectScalarGradientsMatchFiniteDifferences(d, penalty);
    tf.dispose([real, fake, alpha]);
  });
});
