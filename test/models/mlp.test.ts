import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, MinibatchStdDev, mlpDiscriminator, mlpGenerator } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { expectGradientToEveryWeight, expectSameOutputs, roundTrip } from '../layers/helpers';
import { dense, denseNoBias, summary } from './counts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('mlpGenerator / mlpDiscriminator', () => {
  it('default to 2-D toy data: z [256] → [2] and [2] → logit, hidden [128, 128]', () => {
    const g = mlpGenerator();
    expect(g.inputs[0]!.shape).toEqual([null, 256]);
    expect(g.outputs[0]!.shape).toEqual([null, 2]);
    expect(g.countParams()).toBe(dense(256, 128) + dense(128, 128) + dense(128, 2));
    expect(summary(g)).toEqual(['Dense units=128 bias=true', 'ReLU', 'Dense units=128 bias=true', 'ReLU', 'Dense units=2 bias=true']);
    const d = mlpDiscriminator();
    expect(d.inputs[0]!.shape).toEqual([null, 2]);
    expect(d.outputs[0]!.shape).toEqual([null, 1]);
    expect(d.countParams()).toBe(dense(2, 128) + dense(128, 128) + dense(128, 1));
    expect(summary(d)).toContain('LeakyReLU alpha=0.2');
  });

  it('size tabular models, with batch or layer norm, dropout and minibatch stddev, as counted by hand', () => {
    const g = mlpGenerator({ latentDim: 10, outputDim: 7, hiddenUnits: [32, 16, 8], normalization: 'batch', outputActivation: 'tanh' });
    expect(g.outputs[0]!.shape).toEqual([null, 7]);
    expect(g.countParams()).toBe(denseNoBias(10, 32) + 4 * 32 + denseNoBias(32, 16) + 4 * 16 + denseNoBias(16, 8) + 4 * 8 + dense(8, 7));
    expect(summary(g).at(-1)).toBe('Dense units=7 bias=true tanh');
    const d = mlpDiscriminator({ inputDim: 7, hiddenUnits: [16], normalization: 'layer', dropout: 0.3, minibatchStdDev: true });
    // minibatch stddev adds one feature; layer norm has γ and β per unit.
    expect(d.countParams()).toBe(dense(8, 16) + 2 * 16 + dense(16, 1));
    expect(d.layers.some((l) => l instanceof MinibatchStdDev)).toBe(true);
    expect(summary(d)).toContain('Dropout');
  });

  it('reject bad options', () => {
    expect(() => mlpGenerator({ hiddenUnits: [0] })).toThrow(InvalidArgumentError);
    expect(() => mlpDiscriminator({ dropout: 1 })).toThrow(/dropout/);
    expect(() => mlpDiscriminator({ normalization: 'instance' })).toThrow(/normalization/);
  });
});

describeEachBackend('MLP GAN pair (tiny)', () => {
  it('trains: every weight gets a gradient, through G into D', () => {
    const g = mlpGenerator({ latentDim: 3, hiddenUnits: [8], normalization: 'batch' });
    const d = mlpDiscriminator({ hiddenUnits: [8], minibatchStdDev: true, normalization: 'layer' });
    const z = tf.randomNormal([4, 3], 0, 1, 'float32', 1);
    expectGradientToEveryWeight(g, z);
    const x = g.predict(z) as tf.Tensor;
    expectGradientToEveryWeight(d, x);
    tf.dispose([z, x]);
  });

  it('saves and loads, reproducing outputs exactly', async () => {
    const d = mlpDiscriminator({ hiddenUnits: [8, 4], minibatchStdDev: true, dropout: 0.5 });
    const x = tf.randomNormal([4, 2], 0, 1, 'float32', 2);
    await expectSameOutputs(d, await roundTrip(d), x);
    x.dispose();
  });
});
