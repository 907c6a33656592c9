// The code of docs/writing-your-own-trainer-step.md, run on tiny models, so the page stays true.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applyUpdate,
  GanTrainer,
  nonSaturatingLoss,
  normalLatent,
  Random,
  Trainer,
  trainableVariables,
  type StepStats,
} from '../../src/index';
import { seededModel } from '../helpers/seeded';

let root = '';
beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gan-kit-docs-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const makeGenerator = (seed: number) =>
  seededModel(
    tf.sequential({ layers: [tf.layers.dense({ inputShape: [64], units: 8, activation: 'relu' }), tf.layers.dense({ units: 2, activation: 'tanh' })] }),
    seed,
  );

interface FeatureMatchingStats extends StepStats {
  discriminatorLoss: number;
  featureMatching: number;
}

class FeatureMatchingTrainer extends Trainer<tf.Tensor, FeatureMatchingStats> {
  protected readonly trainerType = 'FeatureMatchingTrainer';
  private readonly loss = nonSaturatingLoss();
  private readonly latent = normalLatent(64);

  constructor(
    readonly generator: tf.LayersModel,
    readonly discriminator: tf.LayersModel,
    readonly features: tf.LayersModel,
  ) {
    super({ seed: 0 });
    this.registerOptimizer('generator', {
      optimizer: tf.train.adam(2e-4, 0.5),
      variables: trainableVariables(generator),
      owned: true,
    });
    this.registerOptimizer('discriminator', {
      optimizer: tf.train.adam(2e-4, 0.5),
      variables: trainableVariables(discriminator),
      owned: true,
      clipNorm: 10,
    });
  }

  protected batchesPerStep(): number {
    return 1;
  }

  protected trainOnBatches([real]: tf.Tensor[]): Promise<FeatureMatchingStats> {
    return this.trainStep(real!);
  }

  protected checkpointModels(): Record<string, tf.LayersModel> {
    return { generator: this.generator, discriminator: this.discriminator };
  }

  async trainStep(real: tf.Tensor): Promise<FeatureMatchingStats> {
    this.applySchedules();
    const z = this.latent.sample(real.shape[0]!, this.random);
    const fake = tf.tidy(() => this.generator.apply(z, { training: true }) as tf.Tensor);
    const dLoss = this.update('discriminator', () => {
      const r = this.discriminator.apply(real, { training: true }) as tf.Tensor[];
      const f = this.discriminator.apply(fake, { training: true }) as tf.Tensor[];
      return this.loss.discriminatorLoss(r[0]!, f[0]!);
    });
    const fm = this.update('generator', () => {
      const realFeatures = tf.mean(this.features.apply(real, { training: true }) as tf.Tensor, 0);
      const fakeFeatures = tf.mean(
        this.features.apply(this.generator.apply(z, { training: true }), { training: true }) as tf.Tensor,
        0,
      );
      return tf.mean(tf.square(tf.sub(realFeatures, fakeFeatures))) as tf.Scalar;
    });
    tf.dispose([z, fake]);
    const [d, g] = await this.readScalars([dLoss, fm]);
    return this.completeStep({ step: this.step + 1, discriminatorLoss: d!, featureMatching: g! });
  }
}

describe('docs/writing-your-own-trainer-step.md', () => {
  it('the plain loop trains with explicit variable lists and one read per step', async () => {
    const generator = makeGenerator(1);
    const discriminator = seededModel(tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] }), 2);
    const loss = nonSaturatingLoss();
    const gVars = trainableVariables(generator);
    const dVars = trainableVariables(discriminator);
    const gOpt = tf.train.adam(2e-4, 0.5);
    const dOpt = tf.train.adam(2e-4, 0.5);
    const latent = normalLatent(64);
    const random = new Random(0);
    async function step(real: tf.Tensor): Promise<{ d: number; g: number }> {
      const n = real.shape[0]!;
      const z = latent.sample(n, random);
      const fake = tf.tidy(() => generator.apply(z, { training: true }) as tf.Tensor);
      const dLoss = applyUpdate(
        dOpt,
        () => {
          const realLogits = discriminator.apply(real, { training: true }) as tf.Tensor;
          const fakeLogits = discriminator.apply(fake, { training: true }) as tf.Tensor;
          return loss.discriminatorLoss(realLogits, fakeLogits);
        },
        dVars,
        { clipNorm: 10 },
      );
      const gLoss = applyUpdate(
        gOpt,
        () => {
          const fakeLogits = discriminator.apply(generator.apply(z, { training: true }), { training: true }) as tf.Tensor;
          return loss.generatorLoss(fakeLogits, fakeLogits);
        },
        gVars,
      );
      const values = tf.stack([dLoss, gLoss]);
      const [d, g] = await values.data();
      tf.dispose([z, fake, dLoss, gLoss, values]);
      return { d: d!, g: g! };
    }
    const real = tf.randomUniform([8, 2], -1, 1, 'float32', 3);
    await step(real);
    const before = tf.memory().numTensors;
    const { d, g } = await step(real);
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(d) && Number.isFinite(g)).toBe(true);
    real.dispose();
  });

  it('the FeatureMatchingTrainer subclass trains with fit, checkpoints and restores', async () => {
    const x = tf.input({ shape: [2] });
    const h = tf.layers.dense({ units: 4, activation: 'relu' }).apply(x) as tf.SymbolicTensor;
    const logit = tf.layers.dense({ units: 1 }).apply(h) as tf.SymbolicTensor;
    const discriminator = seededModel(tf.model({ inputs: x, outputs: [logit, h] }), 5);
    const features = tf.model({ inputs: x, outputs: h });
    const trainer = new FeatureMatchingTrainer(makeGenerator(4), discriminator, features);
    const data = [tf.randomUniform([8, 2], -1, 1, 'float32', 6)];
    const dir = join(root, 'fm');
    const result = await trainer.fit(data, { steps: 5, checkpoint: { dir, every: 5 } });
    expect(result.history.map((s) => s.step)).toEqual([1, 2, 3, 4, 5]);
    expect(result.history.every((s) => Number.isFinite(s.featureMatching))).toBe(true);
    const x2 = tf.input({ shape: [2] });
    const h2 = tf.layers.dense({ units: 4, activation: 'relu' }).apply(x2) as tf.SymbolicTensor;
    const restoredD = tf.model({ inputs: x2, outputs: [tf.layers.dense({ units: 1 }).apply(h2) as tf.SymbolicTensor, h2] });
    const restored = new FeatureMatchingTrainer(makeGenerator(7), restoredD, tf.model({ inputs: x2, outputs: h2 }));
    await restored.restore(dir);
    expect(restored.step).toBe(5);
    tf.dispose(data);
    trainer.dispose();
    restored.dispose();
  });

  it('a custom penalty (consistency regularisation) plugs into GanTrainer', async () => {
    const generator = seededModel(
      tf.sequential({
        layers: [tf.layers.dense({ inputShape: [4], units: 12, activation: 'tanh' }), tf.layers.reshape({ targetShape: [2, 2, 3] })],
      }),
      8,
    );
    const discriminator = seededModel(tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 2, 3] }), tf.layers.dense({ units: 1 })] }), 9);
    const trainer = new GanTrainer({
      generator,
      discriminator,
      latentDim: 4,
      seed: 10,
      penalties: [
        {
          name: 'consistency',
          weight: 10,
          compute: ({ critic, real }) => {
            const flipped = tf.reverse(real, 2);
            return tf.mean(tf.square(tf.sub(critic(real), critic(flipped)))) as tf.Scalar;
          },
        },
      ],
    });
    const real = tf.randomUniform([4, 2, 2, 3], -1, 1, 'float32', 11);
    const stats = await trainer.trainStep(real);
    expect(stats.penalties['consistency']).toBeGreaterThan(0);
    real.dispose();
    trainer.dispose();
  });
});
