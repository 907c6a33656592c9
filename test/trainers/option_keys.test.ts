// Every options object of the trainers and of fit refuses unknown keys (plain-JS users get no compiler), and
// accepts every documented one.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '../../src/index';
import { InvalidArgumentError, UnknownOptionError } from '../../src/errors';
import { gradientPenalty } from '../../src/regularizers/gradient_penalty';
import { ConditionalGanTrainer } from '../../src/trainers/conditional_gan_trainer';
import { CycleGanTrainer } from '../../src/trainers/cycle_gan_trainer';
import { GanTrainer } from '../../src/trainers/gan_trainer';
import { constantLearningRate } from '../../src/trainers/learning_rate_schedules';
import { WganGpTrainer } from '../../src/trainers/wgan_gp_trainer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const dense = (inputs: number, units: number, activation: 'tanh' | 'linear' = 'linear') =>
  tf.sequential({ layers: [tf.layers.dense({ inputShape: [inputs], units, activation })] });
const pair = () => ({ generator: dense(2, 2, 'tanh'), discriminator: dense(2, 1) });
const error = (f: () => unknown): Error => {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
};

describe('option keys', () => {
  it('GanTrainer: typos are UnknownOptionErrors with the nearest name, in nested options too', () => {
    for (const [options, key, suggestion] of [
      [{ discriminatorStep: 2 }, 'discriminatorStep', 'discriminatorSteps'],
      [{ learningRate: 1e-3 }, 'learningRate', 'learningRateSchedules'],
      [{ ema: { decay: 0.9, start: 3 } }, 'start', 'startStep'],
      [{ learningRateSchedules: { gen: constantLearningRate(1) } }, 'gen', 'generator'],
      [{ gradientClipNorm: { generatr: 1 } }, 'generatr', 'generator'],
      [{ topK: { decayevery: 2 } }, 'decayevery', 'decayEvery'],
      [{ penalties: [{ fn: gradientPenalty, wieght: 10 }] }, 'wieght', 'weight'],
    ] as const) {
      const e = error(() => new GanTrainer({ ...pair(), latentDim: 2, ...(options as object) }));
      expect(e).toBeInstanceOf(UnknownOptionError);
      expect((e as UnknownOptionError).key).toBe(key);
      // A likely typo gets a suggestion (errors.ts chooses which).
      if (suggestion === undefined) expect((e as UnknownOptionError).suggestion).toBeUndefined();
      else expect((e as UnknownOptionError).suggestion).toBeDefined();
    }
  });

  it('WganGpTrainer accepts all its own options, and says critic: where discriminator: is given', () => {
    const g = dense(2, 2, 'tanh');
    const critic = dense(2, 1);
    const trainer = new WganGpTrainer({
      generator: g, critic, latentDim: 2, seed: 1, criticSteps: 2, gradientPenaltyWeight: 5, criticOptimizer: tf.train.adam(1e-4),
      generatorOptimizer: tf.train.adam(1e-4), extraPenalties: [], learningRateSchedules: { critic: constantLearningRate(1e-4) },
      gradientClipNorm: { generator: 1, critic: 2 }, ema: { decay: 0.9 }, dataRangeCheck: 'off', stopOnNonFinite: true,
    });
    expect(trainer.criticSteps).toBe(2);
    expect(trainer.gradientPenaltyWeight).toBe(5);
    trainer.dispose();
    const e = error(() => new WganGpTrainer({ generator: g, discriminator: critic, latentDim: 2 } as never));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toMatch(/Rename discriminator to critic/);
    expect(error(() => new WganGpTrainer({ generator: g, critic, latentDim: 2, criticStep: 3 } as never))).toBeInstanceOf(UnknownOptionError);
    expect(error(() => new WganGpTrainer({ generator: g, critic, latentDim: 2, discriminatorSteps: 3 } as never)).message).toMatch(/criticSteps/);
  });

  it('ConditionalGanTrainer, CycleGanTrainer, trainStep, sample and fit refuse unknown keys', async () => {
    const z = tf.input({ shape: [2] });
    const y = tf.input({ shape: [3] });
    const generator = tf.model({ inputs: [z, y], outputs: tf.layers.dense({ units: 2, activation: 'tanh' }).apply(tf.layers.concatenate().apply([z, y])) as tf.SymbolicTensor });
    const x = tf.input({ shape: [2] });
    const yd = tf.input({ shape: [3] });
    const discriminator = tf.model({ inputs: [x, yd], outputs: tf.layers.dense({ units: 1 }).apply(tf.layers.concatenate().apply([x, yd])) as tf.SymbolicTensor });
    expect(error(() => new ConditionalGanTrainer({ generator, discriminator, latentDim: 2, numClasses: 3, numClass: 3 } as never))).toBeInstanceOf(UnknownOptionError);
    const cycle = { generatorAB: dense(2, 2, 'tanh'), generatorBA: dense(2, 2, 'tanh'), discriminatorA: dense(2, 1), discriminatorB: dense(2, 1) };
    expect(error(() => new CycleGanTrainer({ ...cycle, cycleWieght: 5 } as never))).toBeInstanceOf(UnknownOptionError);
    expect(error(() => new CycleGanTrainer({ ...cycle, learningRateDecay: { totalStep: 5 } } as never))).toBeInstanceOf(UnknownOptionError);
    const trainer = new GanTrainer({ ...pair(), latentDim: 2, seed: 0 });
    const real = tf.zeros([2, 2]);
    await expect(trainer.trainStep(real, { zz: real } as never)).rejects.toThrow(UnknownOptionError);
    expect(error(() => trainer.sample(2, { seeds: 1 } as never))).toBeInstanceOf(UnknownOptionError);
    await expect(trainer.fit([real], { step: 3 } as never)).rejects.toThrow(/did you mean "steps"/i);
    await expect(trainer.fit([real], { steps: 1, checkpoint: { dir: 'x', every: 1, kept: 2 } } as never)).rejects.toThrow(UnknownOptionError);
    expect(trainer.step).toBe(0);
    real.dispose();
    trainer.dispose();
  });
});
