import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '../../src/index';
import { DTypeError, InvalidArgumentError, ShapeError } from '../../src/errors';
import { GanTrainer } from '../../src/trainers/gan_trainer';
import { seededModel } from '../helpers/seeded';

function generator(latent: number, out: number | number[], activation: 'tanh' | 'sigmoid' | 'linear' = 'tanh'): tf.Sequential {
  const shape = typeof out === 'number' ? [out] : out;
  const layers: tf.layers.Layer[] = [
    tf.layers.dense({ inputShape: [latent], units: 8, activation: 'relu' }),
    tf.layers.dense({ units: shape.reduce((a, b) => a * b, 1), activation }),
  ];
  if (shape.length > 1) layers.push(tf.layers.reshape({ targetShape: shape }));
  return seededModel(tf.sequential({ layers }), 1);
}
function discriminator(inputShape: number[]): tf.Sequential {
  const layers: tf.layers.Layer[] =
    inputShape.length === 1
      ? [tf.layers.dense({ inputShape, units: 1 })]
      : [tf.layers.flatten({ inputShape }), tf.layers.dense({ units: 1 })];
  return seededModel(tf.sequential({ layers }), 2);
}
const catchError = async (f: () => unknown): Promise<Error> => {
  try {
    await f();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('GanTrainer: bad inputs give typed errors that name the fix', () => {
  it('generator output shape not matching the discriminator input', async () => {
    const error = await catchError(() => new GanTrainer({ generator: generator(4, 3), discriminator: discriminator([2]), latentDim: 4 }));
    expect(error).toBeInstanceOf(ShapeError);
    expect(error.message).toContain('generator output');
    expect(error.message).toContain('[null, 2]');
    expect(error.message).toContain('[null, 3]');
    expect(error.message).toMatch(/change its last layers/);
  });

  it('latentDim not matching the generator input', async () => {
    const error = await catchError(() => new GanTrainer({ generator: generator(4, 2), discriminator: discriminator([2]), latentDim: 8 }));
    expect(error).toBeInstanceOf(ShapeError);
    expect((error as ShapeError).argument).toBe('latentDim');
    expect(error.message).toContain('Pass latentDim: 4');
  });

  it('discriminatorSteps < 1 (and non-integers)', async () => {
    for (const steps of [0, -1, 1.5]) {
      const error = await catchError(
        () => new GanTrainer({ generator: generator(4, 2), discriminator: discriminator([2]), latentDim: 4, discriminatorSteps: steps }),
      );
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error.message).toMatch(/discriminatorSteps: expected an integer >= 1/);
      expect(error.message).toMatch(/Use 1 .* 5 for WGAN-GP/);
    }
  });

  it('a real batch of the wrong shape, a missing batch axis, or the wrong dtype', async () => {
    const trainer = new GanTrainer({ generator: generator(4, [2, 3]), discriminator: discriminator([2, 3]), latentDim: 4 });
    const wrongShape = tf.zeros([8, 3, 2]);
    const e1 = await catchError(() => trainer.trainStep(wrongShape));
    expect(e1).toBeInstanceOf(ShapeError);
    expect(e1.message).toContain('[null, 2, 3]');
    expect(e1.message).toContain('[8, 3, 2]');
    const noBatch = tf.zeros([2, 3]);
    const e2 = await catchError(() => trainer.trainStep(noBatch));
    expect(e2).toBeInstanceOf(ShapeError);
    expect(e2.message).toMatch(/batch dimension is missing/);
    const ints = tf.zeros([8, 2, 3], 'int32');
    const e3 = await catchError(() => trainer.trainStep(ints));
    expect(e3).toBeInstanceOf(DTypeError);
    expect(e3.message).toMatch(/tf\.cast\(x, 'float32'\)/);
    expect(trainer.step).toBe(0);
    tf.dispose([wrongShape, noBatch, ints]);
    trainer.dispose();
  });

  it('data outside the generator\'s output range: [0, 255] for a tanh G is an error naming the rescaling', async () => {
    const trainer = new GanTrainer({ generator: generator(4, 2), discriminator: discriminator([2]), latentDim: 4, seed: 1 });
    const pixels = tf.tensor2d([[0, 255], [128, 17]]);
    const error = await catchError(() => trainer.trainStep(pixels));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toContain('values in [-1, 1]');
    expect(error.message).toContain('values in [0, 255]');
    expect(error.message).toContain('x.div(127.5).sub(1)');
    expect(trainer.step).toBe(0);
    // Scaled data trains.
    const scaled = tf.tidy(() => pixels.div(127.5).sub(1));
    await trainer.trainStep(scaled);
    expect(trainer.step).toBe(1);
    tf.dispose([pixels, scaled]);
    trainer.dispose();
  });

  it('[-1, 1] data for a sigmoid G, the warn mode, and a linear G (not checked)', async () => {
    const sigmoidTrainer = new GanTrainer({ generator: generator(4, 2, 'sigmoid'), discriminator: discriminator([2]), latentDim: 4 });
    const signed = tf.tensor2d([[-1, 1], [0.5, -0.5]]);
    await expect(sigmoidTrainer.trainStep(signed)).rejects.toThrow(/x\.add\(1\)\.div\(2\)/);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const warning = new GanTrainer({ generator: generator(4, 2, 'sigmoid'), discriminator: discriminator([2]), latentDim: 4, seed: 2, dataRangeCheck: 'warn' });
    await warning.trainStep(signed);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain('values in [0, 1]');
    const linear = new GanTrainer({ generator: generator(4, 2, 'linear'), discriminator: discriminator([2]), latentDim: 4, seed: 3 });
    const big = tf.tensor2d([[0, 255]]);
    await linear.trainStep(big);
    expect(linear.step).toBe(1);
    tf.dispose([signed, big]);
    [sigmoidTrainer, warning, linear].forEach((t) => t.dispose());
  });

  it('an empty dataset', async () => {
    const trainer = new GanTrainer({ generator: generator(4, 2), discriminator: discriminator([2]), latentDim: 4 });
    for (const data of [[], tf.data.array<tf.Tensor>([]), (async function* () {})()]) {
      const error = await catchError(() => trainer.fit(data as never, { steps: 3 }));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error.message).toMatch(/data: expected a dataset that yields at least one batch, got "an empty dataset"/);
    }
    trainer.dispose();
  });

  it('other options: the same optimizer for both networks, a non-model, latent codes of the wrong shape', async () => {
    const opt = tf.train.adam();
    expect(() => new GanTrainer({ generator: generator(4, 2), discriminator: discriminator([2]), latentDim: 4, generatorOptimizer: opt, discriminatorOptimizer: opt })).toThrow(/one per network/);
    expect(() => new GanTrainer({ generator: {} as tf.LayersModel, discriminator: discriminator([2]), latentDim: 4 })).toThrow(InvalidArgumentError);
    expect(() => new GanTrainer({ generator: generator(4, 2), discriminator: discriminator([2]), latentDim: 4, penalties: [{} as never] })).toThrow(/penalties\[0\]/);
    const trainer = new GanTrainer({ generator: generator(4, 2), discriminator: discriminator([2]), latentDim: 4 });
    const real = tf.zeros([3, 2]);
    const z = tf.zeros([3, 5]);
    await expect(trainer.trainStep(real, { z })).rejects.toThrow(ShapeError);
    await expect(trainer.fit([real], { steps: 0 })).rejects.toThrow(/options.steps/);
    tf.dispose([real, z]);
    trainer.dispose();
  });
});

describe('output range inference', () => {
  it('reads tanh/sigmoid from the output layer, through reshape-like layers, and nothing from linear outputs', async () => {
    const { inferOutputRange } = await import('../../src/trainers/model_checks');
    const dense = (activation: 'tanh' | 'sigmoid' | 'linear') => tf.layers.dense({ inputShape: [3], units: 4, activation });
    expect(inferOutputRange(tf.sequential({ layers: [dense('tanh')] }))).toEqual([-1, 1]);
    expect(inferOutputRange(tf.sequential({ layers: [dense('sigmoid'), tf.layers.reshape({ targetShape: [2, 2, 1] })] }))).toEqual([0, 1]);
    expect(inferOutputRange(tf.sequential({ layers: [dense('linear'), tf.layers.activation({ activation: 'tanh' })] }))).toEqual([-1, 1]);
    expect(inferOutputRange(tf.sequential({ layers: [dense('linear')] }))).toBeUndefined();
    expect(inferOutputRange(tf.sequential({ layers: [dense('tanh'), tf.layers.dense({ units: 2 })] }))).toBeUndefined();
  });
});
