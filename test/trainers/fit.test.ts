import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEachBackend } from '../helpers/backends';
import { nonSaturatingLoss } from '../../src/losses/index';
import { r1Penalty } from '../../src/regularizers/index';
import type { AdversarialLoss } from '../../src/losses/adversarial_loss';
import { GanTrainer } from '../../src/trainers/gan_trainer';
import { cosineDecay } from '../../src/trainers/learning_rate_schedules';
import { NonFiniteLossError } from '../../src/trainers/non_finite_loss_error';
import type { TrainerCallback } from '../../src/trainers/callbacks';
import type { GanStepStats } from '../../src/trainers/adversarial_trainer';
import { seededModel } from '../helpers/seeded';

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gan-kit-fit-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A small G/D pair whose weights are drawn from `seed` (G from `seed`, D from `seed + 1`). */
function models(seed: number): { generator: tf.Sequential; discriminator: tf.Sequential } {
  return {
    generator: seededModel(
      tf.sequential({
        layers: [tf.layers.dense({ inputShape: [3], units: 8, activation: 'relu' }), tf.layers.dense({ units: 2, activation: 'tanh' })],
      }),
      seed,
    ),
    discriminator: seededModel(
      tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [2], units: 8 }),
          tf.layers.leakyReLU({ alpha: 0.2 }),
          tf.layers.dense({ units: 1 }),
        ],
      }),
      seed + 1,
    ),
  };
}

/** A batch of 8 points drawn uniformly from [-1, 1]² with `seed`. */
const batch = (seed: number): tf.Tensor => tf.randomUniform([8, 2], -1, 1, 'float32', seed);

async function weights(model: tf.LayersModel): Promise<number[]> {
  return (await Promise.all(model.getWeights().map(async (w) => Array.from(await w.data())))).flat();
}

describeEachBackend('GanTrainer reliability', () => {
  it('is leak-free: tf.memory().numTensors is identical after step 10 and step 500', async () => {
    const trainer = new GanTrainer({
      ...models(10),
      latentDim: 3,
      seed: 3,
      discriminatorSteps: 2,
      ema: { decay: 0.99 },
      penalties: [{ fn: r1Penalty, on: 'real', options: { gamma: 1 }, every: 4 }],
      gradientClipNorm: 5,
      learningRateSchedules: { generator: cosineDecay({ initial: 1e-3, totalSteps: 500 }) },
    });
    const real = batch(1);
    let after10 = -1;
    for (let i = 1; i <= 500; i++) {
      await trainer.trainStep(real);
      if (i === 10) after10 = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(after10);
    real.dispose();
    trainer.dispose();
  });

  it('fit over a tf.data Dataset disposes its batches and leaks nothing between fits', async () => {
    const trainer = new GanTrainer({ ...models(20), latentDim: 3, seed: 1 });
    const dataset = tf.data.generator(function* () {
      for (let i = 0; i < 6; i++) yield batch(2 + i);
    });
    await trainer.fit(dataset, { epochs: 1 });
    const before = tf.memory().numTensors;
    const result = await trainer.fit(dataset, { epochs: 2 });
    expect(result.steps).toBe(12);
    expect(result.epochs).toBe(2);
    expect(result.stopReason).toBe('epochs');
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
  });
});

describe('GanTrainer.fit', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('calls callbacks in order, re-reads arrays per epoch without disposing them, and draws one batch per D update', async () => {
    const trainer = new GanTrainer({ ...models(30), latentDim: 3, seed: 2, discriminatorSteps: 2 });
    const data = [1, 2, 3, 4, 5, 6].map(batch);
    const events: string[] = [];
    const callback: TrainerCallback<GanStepStats> = {
      onTrainBegin: (info) => {
        events.push(`begin ${info.startStep}->${info.targetStep}`);
      },
      onStepEnd: (stats) => {
        events.push(`step ${stats.step}`);
      },
      onEpochEnd: (info) => {
        events.push(`epoch ${info.epoch} (${info.steps} steps)`);
      },
      onTrainEnd: (result) => {
        events.push(`end ${result.stopReason}`);
      },
    };
    const result = await trainer.fit(data, { epochs: 2, callbacks: [callback] });
    expect(events).toEqual([
      'begin 0->undefined',
      'step 1',
      'step 2',
      'step 3',
      'epoch 0 (3 steps)',
      'step 4',
      'step 5',
      'step 6',
      'epoch 1 (3 steps)',
      'end epochs',
    ]);
    expect(result.history.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(data.every((t) => !t.isDisposed)).toBe(true);
    expect(trainer.discriminatorOptimizer.iterations).toBe(12);
    tf.dispose(data);
    trainer.dispose();
  });

  it('stops at steps / untilStep, on an aborted signal, on stopTraining, and when a generator runs out', async () => {
    const trainer = new GanTrainer({ ...models(40), latentDim: 3, seed: 5 });
    const data = [batch(1), batch(2)];
    expect((await trainer.fit(data, { steps: 5 })).stopReason).toBe('steps');
    expect(trainer.step).toBe(5);
    expect((await trainer.fit(data, { untilStep: 7 })).steps).toBe(2);
    const controller = new AbortController();
    const aborted = await trainer.fit(data, {
      steps: 100,
      signal: controller.signal,
      callbacks: [{ onStepEnd: (s) => (s.step === 9 ? controller.abort() : undefined) }],
    });
    expect(aborted.stopReason).toBe('aborted');
    expect(trainer.step).toBe(9);
    const stopped = await trainer.fit(data, {
      steps: 100,
      callbacks: [{ onStepEnd: (_s, t) => void (t.stopTraining = true) }],
    });
    expect([stopped.stopReason, stopped.steps]).toEqual(['stopped', 1]);
    async function* three() {
      for (let i = 0; i < 3; i++) yield batch(3 + i);
    }
    const before = tf.memory().numTensors;
    const exhausted = await trainer.fit(three(), { steps: 10 });
    expect([exhausted.stopReason, exhausted.steps]).toEqual(['data-exhausted', 3]);
    expect(tf.memory().numTensors).toBe(before); // generator batches are disposed
    tf.dispose(data);
    trainer.dispose();
  });

  it('writes checkpoints every N steps and at the end, keeping the newest ones', async () => {
    const dir = join(root, 'every');
    const trainer = new GanTrainer({ ...models(50), latentDim: 3, seed: 6 });
    const data = [batch(1)];
    const saved: number[] = [];
    const result = await trainer.fit(data, {
      steps: 5,
      checkpoint: { dir, every: 2, keep: 2 },
      callbacks: [{ onCheckpoint: (info) => void saved.push(info.step) }],
    });
    expect(saved).toEqual([2, 4, 5]);
    expect(result.lastCheckpoint).toBe(join(dir, 'ckpt-00000005'));
    expect((await readdir(dir)).sort()).toEqual(['checkpoint.json', 'ckpt-00000004', 'ckpt-00000005']);
    tf.dispose(data);
    trainer.dispose();
  });

  it('stops on a non-finite loss with a typed error naming the step and losses, keeping the last good checkpoint', async () => {
    const dir = join(root, 'nan');
    let poison = false;
    const base = nonSaturatingLoss();
    const loss: AdversarialLoss = {
      name: 'non-saturating',
      discriminatorLoss: (r, f) => (poison ? tf.mul(base.discriminatorLoss(r, f), NaN) : base.discriminatorLoss(r, f)),
      generatorLoss: (r, f) => base.generatorLoss(r, f),
    };
    const pair = models(60);
    const trainer = new GanTrainer({ ...pair, latentDim: 3, seed: 7, loss });
    const goodWeights: number[][] = [];
    const data = [batch(1)];
    let error: unknown;
    try {
      await trainer.fit(data, {
        steps: 10,
        checkpoint: { dir, every: 1 },
        callbacks: [
          {
            onCheckpoint: async () => {
              goodWeights.push(await weights(pair.generator));
            },
            onStepEnd: (s) => {
              if (s.step === 2) poison = true;
            },
          },
        ],
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NonFiniteLossError);
    const nan = error as NonFiniteLossError;
    expect(nan.step).toBe(3);
    expect(nan.nonFinite).toContain('discriminatorLoss');
    expect(nan.message).toContain('step 3');
    expect(nan.message).toContain('discriminatorLoss=NaN');
    expect(nan.lastCheckpoint).toBe(join(dir, 'ckpt-00000002'));
    expect(nan.message).toContain('ckpt-00000002');
    expect(trainer.step).toBe(3);
    // The last good checkpoint is intact and current: a fresh trainer restores step 2 with finite weights.
    const restored = new GanTrainer({ ...models(70), latentDim: 3, loss });
    await restored.restore(dir);
    expect(restored.step).toBe(2);
    const w = await weights(restored.generator);
    expect(w.every(Number.isFinite)).toBe(true);
    expect(w).toEqual(goodWeights[1]);
    tf.dispose(data);
    trainer.dispose();
    restored.dispose();
  });
});
