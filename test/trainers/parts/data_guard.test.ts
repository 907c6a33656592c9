import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, UnknownOptionError } from '../../../src/errors';
import { GanTrainer } from '../../../src/trainers/gan_trainer';
import { NonFiniteLossError } from '../../../src/trainers/non_finite_loss_error';
import { DataGuard, NonFiniteDataError } from '../../../src/trainers/parts/data_guard';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('DataGuard', () => {
  it('checks the range once until reset, naming the argument, the range found and the rescaling', async () => {
    const guard = new DataGuard({ range: [-1, 1] });
    const pixels = tf.tensor2d([[0, 255]]);
    await expect(guard.check({ realBatch: pixels })).rejects.toThrow(/realBatch: expected values in \[-1, 1\].*got "values in \[0, 255\]".*x\.div\(127\.5\)\.sub\(1\)/);
    await expect(guard.check({ realBatch: pixels })).resolves.toBeUndefined(); // checked once
    guard.reset();
    await expect(guard.check({ realBatch: pixels })).rejects.toThrow(InvalidArgumentError);
    await expect(new DataGuard({ range: [-1, 1] }).check({ x: tf.tensor1d([-1, 0.5, 1]) })).resolves.toBeUndefined();
    pixels.dispose();
  });

  it("warns instead in 'warn' mode, skips in 'off' mode and without a range", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const x = tf.tensor1d([3]);
    await new DataGuard({ range: [0, 1], mode: 'warn' }).check({ x });
    expect(warn).toHaveBeenCalledTimes(1);
    await new DataGuard({ range: [0, 1], mode: 'off' }).check({ x });
    await new DataGuard({ range: undefined }).check({ x });
    expect(warn).toHaveBeenCalledTimes(1);
    x.dispose();
    expect(() => new DataGuard({ range: [0, 1], mode: 'loud' as never })).toThrow(/'error', 'warn' or 'off'/);
    expect(() => new DataGuard({ range: [1, 0] })).toThrow(/outputRange/);
    expect(() => new DataGuard({ range: [0, 1], modes: 'off' } as never)).toThrow(UnknownOptionError);
  });

  it('NaN or Infinity in real data is bad data naming the batch, checked every call', async () => {
    const guard = new DataGuard({ range: [-1, 1] });
    const ok = tf.tensor1d([0, 0.5]);
    await guard.check({ realBatch: ok }); // the range is checked on this first call only
    for (const bad of [NaN, Infinity, -Infinity]) {
      const x = tf.tensor1d([0, bad]);
      const error = await guard.check({ 'realBatch[0]': ok, 'realBatch[1]': x }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NonFiniteDataError);
      expect((error as NonFiniteDataError).batch).toBe('realBatch[1]');
      expect((error as Error).message).toMatch(/not training instability/);
      x.dispose();
    }
    ok.dispose();
  });

  it('a trainer reports NaN real data as NonFiniteDataError (not NonFiniteLossError); fit names the data batch', async () => {
    const generator = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2, activation: 'tanh' })] });
    const discriminator = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] });
    const trainer = new GanTrainer({ generator, discriminator, latentDim: 2, seed: 0 });
    const good = tf.tensor2d([[0.1, 0.2], [0.3, -0.4]]);
    const bad = tf.tensor2d([[0.1, NaN], [0.3, -0.4]]);
    await trainer.trainStep(good);
    const weights = generator.getWeights().concat(discriminator.getWeights()).map((w) => Array.from(w.dataSync()));
    const error = await trainer.trainStep(bad).catch((e: unknown) => e);
    // Refused before any update: the networks, the step and the optimizers are as they were.
    expect(generator.getWeights().concat(discriminator.getWeights()).map((w) => Array.from(w.dataSync()))).toEqual(weights);
    expect(trainer.step).toBe(1);
    expect(error).toBeInstanceOf(NonFiniteDataError);
    expect(error).not.toBeInstanceOf(NonFiniteLossError);
    expect((error as NonFiniteDataError).batch).toBe('realBatch');
    const fitError = await trainer.fit([good, good, bad], { steps: 5 }).catch((e: unknown) => e);
    expect(fitError).toBeInstanceOf(NonFiniteDataError);
    expect((fitError as Error).message).toMatch(/data batch 2 of epoch 0 \(realBatch/);
    tf.dispose([good, bad]);
    trainer.dispose();
  });
});
