import { expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { describeEachBackend } from '../helpers/backends';
import { InvalidArgumentError, ShapeError } from '../../src/errors';
import { GanTrainer } from '../../src/trainers/gan_trainer';
import { seededModel } from '../helpers/seeded';

function pair(): { generator: tf.LayersModel; discriminator: tf.LayersModel } {
  const generator = seededModel(
    tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 64 }), tf.layers.reshape({ targetShape: [8, 8, 1] })] }),
    1,
  );
  const discriminator = seededModel(tf.sequential({ layers: [tf.layers.flatten({ inputShape: [8, 8, 1] }), tf.layers.dense({ units: 1 })] }), 2);
  return { generator, discriminator };
}

const messageOf = async (f: () => Promise<unknown>): Promise<Error> => {
  try {
    await f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
};

describeEachBackend('trainer messages that name the real mistake', () => {
  it('a [4, 8, 8] batch for [null, 8, 8, 1] says the channel axis is missing; [8, 8, 1] says the batch axis', async () => {
    const trainer = new GanTrainer({ ...pair(), latentDim: 4, seed: 0 });
    const noChannel = tf.zeros([4, 8, 8]);
    const e = await messageOf(() => trainer.trainStep(noChannel));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/channel axis is missing/);
    expect(e.message).toMatch(/expandDims\(-1\)/);
    const noBatch = tf.zeros([8, 8, 1]);
    const b = await messageOf(() => trainer.trainStep(noBatch));
    expect(b.message).toMatch(/batch dimension is missing/);
    const wrong = tf.zeros([4, 5, 5, 1]);
    const w = await messageOf(() => trainer.trainStep(wrong));
    expect(w.message).not.toMatch(/is missing/);
    tf.dispose([noChannel, noBatch, wrong]);
    trainer.dispose();
  });

  it('latentDim: 0 names latentDim', () => {
    let error: unknown;
    try {
      new GanTrainer({ ...pair(), latentDim: 0 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe('latentDim');
  });
});
