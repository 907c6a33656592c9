// Trainer state apart from storage: getState / setState, and restore all or nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { cp, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/index';
import { ShapeError } from '../../src/errors';
import { CheckpointError } from '../../src/io/model_files';
import { initializeWeights } from '../../src/models/initialize_weights';
import { CycleGanTrainer } from '../../src/trainers/cycle_gan_trainer';
import { GanTrainer } from '../../src/trainers/gan_trainer';
import { Random } from '../../src/trainers/random';
import { disposeTrainerState } from '../../src/trainers/trainer';

let root = '';
beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gan-kit-state-'));
  const random = new Random(2);
  data = Array.from({ length: 6 }, () => tf.tensor2d(random.fillUniform(new Float32Array(16), -0.8, 0.8), [8, 2]));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function seeded<T extends tf.LayersModel>(model: T, seed: number): T {
  initializeWeights(model, { seed });
  return model;
}
function gan(seed: number, dUnits = 8): GanTrainer {
  const generator = seeded(tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 8, activation: 'relu' }), tf.layers.batchNormalization(), tf.layers.dense({ units: 2, activation: 'tanh' })] }), seed);
  const discriminator = seeded(tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: dUnits, activation: 'relu' }), tf.layers.dense({ units: 1 })] }), seed + 1);
  return new GanTrainer({ generator, discriminator, latentDim: 3, seed: 5, ema: { decay: 0.9 } });
}
let data: tf.Tensor2D[] = [];
const allWeights = (t: GanTrainer): number[][] =>
  [t.generator, t.discriminator, t.ema!.averaged].flatMap((m) => m.getWeights().map((w) => Array.from(w.dataSync())));

describe('trainer state', () => {
  it('getState / setState: going back to a state replays the same steps exactly, and leaks nothing', async () => {
    const trainer = gan(1);
    await trainer.trainStep(data[0]!);
    await trainer.trainStep(data[1]!);
    const before = tf.memory().numTensors;
    const state = await trainer.getState();
    expect(state.step).toBe(2);
    expect(Object.keys(state.models).sort()).toEqual(['discriminator', 'generator', 'generatorEma']);
    const first = [await trainer.trainStep(data[2]!), await trainer.trainStep(data[3]!)];
    await trainer.setState(state);
    expect(trainer.step).toBe(2);
    const again = [await trainer.trainStep(data[2]!), await trainer.trainStep(data[3]!)];
    expect(again).toEqual(first);
    disposeTrainerState(state);
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
  });

  it('CycleGanTrainer with EMA: its state (pools, averages) round-trips too', async () => {
    const image = (seed: number) => seeded(tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 3, activation: 'tanh' })] }), seed);
    const critic = (seed: number) => seeded(tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 1 })] }), seed);
    const trainer = new CycleGanTrainer({ generatorAB: image(1), generatorBA: image(2), discriminatorA: critic(3), discriminatorB: critic(4), seed: 1, poolSize: 4, ema: { decay: 0.5 } });
    const random = new Random(9);
    const batch = () => tf.tensor2d(random.fillUniform(new Float32Array(6), -0.9, 0.9), [2, 3]);
    const [a, b, c, d] = [batch(), batch(), batch(), batch()];
    await trainer.trainStep(a, b);
    const state = await trainer.getState();
    expect(Object.keys(state.models).sort()).toEqual(['discriminatorA', 'discriminatorB', 'generatorAB', 'generatorABEma', 'generatorBA', 'generatorBAEma']);
    const first = [await trainer.trainStep(c, d), await trainer.trainStep(a, d)];
    const translated = Array.from(trainer.translate(a, 'AB').dataSync());
    await trainer.setState(state);
    const again = [await trainer.trainStep(c, d), await trainer.trainStep(a, d)];
    expect(again).toEqual(first);
    expect(Array.from(trainer.translate(a, 'AB').dataSync())).toEqual(translated);
    disposeTrainerState(state);
    trainer.dispose();
  });

  it('a failed restore leaves the trainer exactly as it was: other D architecture, truncated optimizer file, missing state file', async () => {
    const good = gan(1);
    for (const batch of data.slice(0, 3)) await good.trainStep(batch);
    const checkpoint = await good.save(join(root, 'good'));

    const wider = gan(1, 16);
    await wider.trainStep(data[0]!);
    const widerDir = join(root, 'wider');
    await wider.save(widerDir);

    const truncatedDir = join(root, 'truncated');
    await cp(checkpoint, truncatedDir, { recursive: true });
    const optimizerFile = join(truncatedDir, 'optimizer-discriminator.bin');
    await truncate(optimizerFile, (await readFile(optimizerFile)).byteLength - 4);

    const missingDir = join(root, 'missing');
    await cp(checkpoint, missingDir, { recursive: true });
    await rm(join(missingDir, 'state.bin'));

    const badWeightsDir = join(root, 'bad-weights');
    await cp(checkpoint, badWeightsDir, { recursive: true });
    await writeFile(join(badWeightsDir, 'discriminator', 'weights.bin'), new Uint8Array(12));

    // The trainer under test and a twin with the same history that never sees a failed restore.
    const trainer = gan(7);
    const twin = gan(7);
    for (const t of [trainer, twin]) for (const batch of data.slice(3, 5)) await t.trainStep(batch);
    const weights = allWeights(trainer);
    for (const [dir, error] of [
      [widerDir, ShapeError],
      [truncatedDir, CheckpointError],
      [missingDir, CheckpointError],
      [badWeightsDir, CheckpointError],
    ] as const) {
      const before = tf.memory().numTensors;
      await expect(trainer.restore(dir)).rejects.toThrow(error);
      expect(tf.memory().numTensors).toBe(before);
      expect(allWeights(trainer)).toEqual(weights);
      expect(trainer.step).toBe(2);
    }
    // Optimizer state, random streams and EMA count untouched: the next step is the twin's.
    expect(await trainer.trainStep(data[5]!)).toEqual(await twin.trainStep(data[5]!));
    expect(allWeights(trainer)).toEqual(allWeights(twin));
    // And the good checkpoint restores.
    await trainer.restore(join(root, 'good'));
    expect(trainer.step).toBe(3);
    for (const t of [good, wider, trainer, twin]) t.dispose();
  });
});
