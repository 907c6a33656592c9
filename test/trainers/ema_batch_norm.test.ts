/**
 * The EMA generator's batch-norm statistics: `ExponentialMovingAverage.update` copies the source's moving
 * statistics, measured with the source's weights; sampling must use statistics of the averaged weights.
 * G here is z [4] → dense(3) → batch norm → tanh, so the statistics of the averaged network are known exactly:
 * with z ~ N(0, I), the dense output h = zW + b has mean b and variance Σᵢ Wᵢⱼ² per unit.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { describeEachBackend } from '../helpers/backends';
import { ConditionalGanTrainer, GanTrainer } from '../../src/index';
import { ExponentialMovingAverage } from '../../src/trainers/ema';
import { loadModelFromDir } from '../../src/io/model_files';
import { resolveCheckpoint } from '../../src/io/checkpoint_store';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededModel } from '../helpers/seeded';

/** Weights drawn from `seed`: the calibration bounds below depend on them (figures at expectCalibrated). */
function tinyGenerator(seed = 1): tf.LayersModel {
  const z = tf.input({ shape: [4] });
  let h = tf.layers.dense({ units: 3, name: 'proj' }).apply(z) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization({ momentum: 0.9, name: 'bn' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.activation({ activation: 'tanh' }).apply(h) as tf.SymbolicTensor;
  return seededModel(tf.model({ inputs: z, outputs: h }), seed);
}

function tinyDiscriminator(seed = 2): tf.LayersModel {
  const x = tf.input({ shape: [3] });
  return seededModel(tf.model({ inputs: x, outputs: tf.layers.dense({ units: 1 }).apply(x) as tf.SymbolicTensor }), seed);
}

/** Moves G's weights far from the EMA copy's and gives G's batch norm statistics that fit neither network. */
function divergeSource(generator: tf.LayersModel): void {
  const proj = generator.getLayer('proj');
  const [w, b] = proj.getWeights();
  // getWeights returns the layer's own variables: read, never disposed here.
  const moved = [tf.tidy(() => w!.mul(6).add(0.5)), tf.tidy(() => b!.add(3))];
  proj.setWeights(moved);
  tf.dispose(moved);
  const bn = generator.getLayer('bn');
  const [gamma, beta] = bn.getWeights();
  const stats = [tf.fill([3], 7), tf.fill([3], 0.01)];
  bn.setWeights([gamma!, beta!, ...stats]);
  tf.dispose(stats);
}

/** Exact mean and variance of the averaged network's dense output, in plain JS (float64). */
function expectedStatistics(model: tf.LayersModel): { mean: number[]; variance: number[] } {
  const [w, b] = model.getLayer('proj').getWeights().map((t) => t.arraySync()) as [number[][], number[]];
  const variance = b.map((_, j) => w.reduce((s, row) => s + row[j]! ** 2, 0));
  return { mean: b, variance };
}

function movingStatistics(model: tf.LayersModel): { mean: number[]; variance: number[] } {
  const [, , mean, variance] = model.getLayer('bn').getWeights();
  return { mean: Array.from(mean!.dataSync()), variance: Array.from(variance!.dataSync()) };
}

/**
 * Checks the averaged model's statistics against the exact ones, allowing for 256 samples' sampling error.
 * Measured (tinyGenerator seed 1, cpu and wasm alike): mean errors at most 0.66 of their bound, variance ratios
 * 0.891-0.972; over generator seeds 1-100 the worst were 0.69 of the mean bound and ratios 0.768-1.082. Without
 * the recalibration the moving statistics stay at 7 and 0.01, which fail every bound.
 */
function expectCalibrated(model: tf.LayersModel): void {
  const expected = expectedStatistics(model);
  const moving = movingStatistics(model);
  expected.mean.forEach((m, j) => {
    const sd = Math.sqrt(expected.variance[j]!);
    expect(Math.abs(moving.mean[j]! - m)).toBeLessThan((4 * sd) / Math.sqrt(256));
    expect(moving.variance[j]! / expected.variance[j]!).toBeGreaterThan(0.75);
    expect(moving.variance[j]! / expected.variance[j]!).toBeLessThan(1.25);
  });
}

describeEachBackend('EMA generator batch-norm statistics', () => {
  it('GanTrainer.sample recomputes the EMA copy’s statistics for its own weights, once per EMA update', () => {
    const generator = tinyGenerator();
    const trainer = new GanTrainer({ generator, discriminator: tinyDiscriminator(), latentDim: 4, seed: 1, ema: { decay: 0.5 } });
    divergeSource(generator);
    trainer.ema!.update();
    // What update() leaves: the source's statistics (7 and 0.01), which fit neither network.
    expect(movingStatistics(trainer.ema!.averaged).mean[0]).toBeCloseTo(7, 5);
    expect(trainer.ema!.batchNormStale).toBe(true);

    const before = tf.memory().numTensors;
    const a = trainer.sample(16, { seed: 3 });
    expectCalibrated(trainer.ema!.averaged);
    expect(trainer.ema!.batchNormStale).toBe(false);
    // The raw generator's statistics are left alone, and sampling again (no update since) gives the same images.
    expect(movingStatistics(generator).mean).toEqual([7, 7, 7]);
    const b = trainer.sample(16, { seed: 3 });
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    // The layer's momentum is restored, and no tensor is left behind.
    expect((trainer.ema!.averaged.getLayer('bn') as unknown as { momentum: number }).momentum).toBe(0.9);
    tf.dispose([a, b]);
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
    generator.dispose();
  });

  it('a checkpoint holds the EMA generator with its own statistics: loaded from disk, it draws what sample draws', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gan-kit-ema-bn-'));
    const generator = tinyGenerator();
    const trainer = new GanTrainer({ generator, discriminator: tinyDiscriminator(), latentDim: 4, seed: 1, ema: { decay: 0.5 } });
    try {
      divergeSource(generator);
      trainer.ema!.update();
      expect(trainer.ema!.batchNormStale).toBe(true);
      const checkpoint = await trainer.save(dir);
      // Saving recomputed the statistics (without it, the file would hold the source's 7 and 0.01).
      expect(trainer.ema!.batchNormStale).toBe(false);
      const loaded = await loadModelFromDir(join(await resolveCheckpoint(checkpoint), 'generatorEma'));
      expectCalibrated(loaded);
      const z = tf.randomNormal([8, 4], 0, 1, 'float32', 5);
      const fromTrainer = trainer.sample(8, { z });
      const fromFile = loaded.predict(z) as tf.Tensor;
      expect(Array.from(fromFile.dataSync())).toEqual(Array.from(fromTrainer.dataSync()));
      tf.dispose([z, fromTrainer, fromFile]);
      loaded.dispose();
    } finally {
      trainer.dispose();
      generator.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('recalibrateBatchNorm averages the per-batch statistics (momentum 1 − 1/k)', () => {
    const source = tinyGenerator();
    const ema = new ExponentialMovingAverage(source, { decay: 0.9 });
    const batches = [0, 1, 2].map((i) => tf.randomNormal([8 + 4 * i, 4], 0, 1, 'float32', i + 1));
    ema.recalibrateBatchNorm(batches);
    const [w, b] = ema.averaged.getLayer('proj').getWeights();
    const perBatch = batches.map((z) => tf.tidy(() => tf.moments(z.matMul(w!).add(b!), 0)));
    const mean = perBatch.map((m) => Array.from(m.mean.dataSync()));
    const variance = perBatch.map((m) => Array.from(m.variance.dataSync()));
    const moving = movingStatistics(ema.averaged);
    for (let j = 0; j < 3; j++) {
      expect(moving.mean[j]).toBeCloseTo((mean[0]![j]! + mean[1]![j]! + mean[2]![j]!) / 3, 4);
      expect(moving.variance[j]).toBeCloseTo((variance[0]![j]! + variance[1]![j]! + variance[2]![j]!) / 3, 4);
    }
    tf.dispose([...batches, ...perBatch.flatMap((m) => [m.mean, m.variance])]);
    ema.dispose();
    source.dispose();
  });
});

describe('EMA generator batch-norm statistics (conditional)', () => {
  it('ConditionalGanTrainer.sample recalibrates with [z, labels] inputs', async () => {
    await tf.setBackend('cpu');
    const z = tf.input({ shape: [4] });
    const y = tf.input({ shape: [2] });
    let h = tf.layers.concatenate().apply([z, y]) as tf.SymbolicTensor;
    h = tf.layers.dense({ units: 3, name: 'proj' }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.batchNormalization({ name: 'bn' }).apply(h) as tf.SymbolicTensor;
    const generator = seededModel(tf.model({ inputs: [z, y], outputs: h }), 3);
    const x = tf.input({ shape: [3] });
    const yd = tf.input({ shape: [2] });
    const dOut = tf.layers.dense({ units: 1 }).apply(tf.layers.concatenate().apply([x, yd]) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const discriminator = seededModel(tf.model({ inputs: [x, yd], outputs: dOut }), 4);
    const trainer = new ConditionalGanTrainer({ generator, discriminator, latentDim: 4, numClasses: 2, seed: 5, ema: { decay: 0.5 }, dataRangeCheck: 'off' });
    const bn = generator.getLayer('bn');
    const [gamma, beta, , variance] = bn.getWeights();
    const sevens = tf.fill([3], 7);
    bn.setWeights([gamma!, beta!, sevens, variance!]);
    sevens.dispose();
    trainer.ema!.update();
    const before = tf.memory().numTensors;
    const s = trainer.sample(4, { seed: 0, labels: [0, 1, 0, 1] });
    expect(s.shape).toEqual([4, 3]);
    // The dense layer starts with zero bias and z, one-hot labels average to ~0 and 0.5: far from 7.
    const moving = movingStatistics(trainer.ema!.averaged);
    for (const m of moving.mean) expect(Math.abs(m)).toBeLessThan(2);
    s.dispose();
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
  });
});
