// The code of docs/writing-your-own-trainer-step.md, run on tiny models, so the page stays true.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applyUpdate,
  DataGuard,
  discriminatorUpdate,
  GanTrainer,
  generatorUpdate,
  initializeWeights,
  latentCodes,
  nonSaturatingLoss,
  normalLatent,
  Random,
  StatsRecorder,
  Trainer,
  trainableVariables,
  type AdversarialLoss,
  type OptimizerGroup,
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

// The BEGAN trainer of the page, verbatim.
interface BeganStats extends StepStats {
  /** L(x): D's reconstruction error of real data. */
  realReconstruction: number;
  /** L(G(z)) in the generator update. */
  fakeReconstruction: number;
  /** k after this step. */
  k: number;
  /** The paper's convergence measure L(x) + |γ·L(x) − L(G(z))|. */
  convergence: number;
}

class BeganTrainer extends Trainer<tf.Tensor, BeganStats> {
  protected readonly trainerType = 'BeganTrainer';       // written into checkpoints, checked on restore
  readonly latent = normalLatent(16);
  readonly gamma = 0.5;
  readonly lambdaK = 0.001;
  /** The equilibrium controller k_t, saved in checkpoints. */
  k = 0;
  private readonly dataGuard = new DataGuard({ range: [-1, 1] });   // G ends in tanh
  private readonly generatorGroup: OptimizerGroup;
  private readonly autoencoderGroup: OptimizerGroup;
  /** BEGAN's objective as an adversarial loss of the per-sample reconstruction errors; it reads k at each call. */
  private readonly loss: AdversarialLoss = {
    name: 'began',
    generatorUsesRealLogits: false,
    discriminatorLoss: (realErrors, fakeErrors) => tf.sub(tf.mean(realErrors), tf.mul(tf.mean(fakeErrors), this.k)) as tf.Scalar,
    generatorLoss: (_realErrors, fakeErrors) => tf.mean(fakeErrors) as tf.Scalar,
  };

  constructor(readonly generator: tf.LayersModel, readonly autoencoder: tf.LayersModel, seed = 0) {
    super({ seed });
    // Registered groups are saved and restored under their names, and disposed with the trainer.
    this.generatorGroup = this.registerOptimizer('generator', {
      optimizer: tf.train.adam(1e-3, 0.5), variables: trainableVariables(generator), owned: true,
    });
    this.autoencoderGroup = this.registerOptimizer('discriminator', {
      optimizer: tf.train.adam(1e-3, 0.5), variables: trainableVariables(autoencoder), owned: true,
    });
  }

  async trainStep(real: tf.Tensor): Promise<BeganStats> {
    await this.dataGuard.check({ real });                      // NaN/Inf, and the range on the first step
    this.applySchedules();                                      // learning rates for this.step, if scheduled
    // D's score of each sample: its reconstruction error, [batch].
    const D = (v: tf.Tensor): tf.Tensor =>
      tf.mean(tf.abs(tf.sub(v, this.autoencoder.apply(v, { training: true }) as tf.Tensor)), 1);
    const G = (z: tf.Tensor): tf.Tensor => this.generator.apply(z, { training: true }) as tf.Tensor;
    const stats = new StatsRecorder();
    const z = latentCodes(this.latent, real.shape[0]!, this.random);   // this.random is saved in checkpoints
    const fake = tf.tidy(() => G(z));                                  // a constant for D's update
    try {
      const d = discriminatorUpdate({
        optimizer: this.autoencoderGroup, loss: this.loss, discriminate: D, real, fake, step: this.step, random: this.random,
      });
      stats.mean('realReconstruction', d.realLogitMean);
      tf.dispose([d.loss, d.fakeLogitMean]);
      const g = generatorUpdate({ optimizer: this.generatorGroup, loss: this.loss, generate: () => G(z), discriminate: D });
      stats.mean('fakeReconstruction', g.loss);
    } catch (error) {
      stats.dispose();
      throw error;
    } finally {
      tf.dispose([z, fake]);
    }
    const { realReconstruction, fakeReconstruction } = await stats.read();   // one device read
    const balance = this.gamma * realReconstruction! - fakeReconstruction!;
    this.k = Math.min(1, Math.max(0, this.k + this.lambdaK * balance));
    // completeStep counts the step and throws NonFiniteLossError on NaN/Inf (fit then keeps the last checkpoint).
    return this.completeStep({
      step: this.step + 1, realReconstruction: realReconstruction!, fakeReconstruction: fakeReconstruction!,
      k: this.k, convergence: realReconstruction! + Math.abs(balance),
    });
  }

  /** `fit` draws this many batches per step and passes them to trainOnBatches. */
  protected batchesPerStep(): number {
    return 1;
  }

  protected trainOnBatches([real]: tf.Tensor[]): Promise<BeganStats> {
    return this.trainStep(real!);
  }

  /** The models to save, by name. Optimizers (and averages from registerAverage) are saved automatically. */
  protected checkpointModels(): Record<string, tf.LayersModel> {
    return { generator: this.generator, autoencoder: this.autoencoder };
  }

  /** Any other state: JSON plus tensors. */
  protected override checkpointState(): { json: unknown; tensors: { name: string; tensor: tf.Tensor }[] } {
    return { json: { k: this.k }, tensors: [] };
  }

  protected override restoreState(json: unknown, tensors: tf.Tensor[]): void {
    tf.dispose(tensors);
    this.k = (json as { k: number }).k;
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
    const real = tf.randomUniform([8, 2], -1, 1);
    await step(real);
    const before = tf.memory().numTensors;
    const { d, g } = await step(real);
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(d) && Number.isFinite(g)).toBe(true);
    real.dispose();
  });

  it('the BeganTrainer: the k controller follows its formula, fit resumes exactly (k included), no leaks', async () => {
    const generator = () =>
      tf.sequential({ layers: [tf.layers.dense({ inputShape: [16], units: 8, activation: 'relu', }), tf.layers.dense({ units: 2, activation: 'tanh' })] });
    const autoencoder = () =>
      tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 4, activation: 'relu' }), tf.layers.dense({ units: 2 })] });
    const seeded = (model: tf.LayersModel, seed: number) => {
      initializeWeights(model, { seed });
      return model;
    };
    const random = new Random(1);
    const data = Array.from({ length: 4 }, () => tf.tensor2d(random.fillUniform(new Float32Array(16), -0.5, 0.9), [8, 2]));
    const trainer = new BeganTrainer(seeded(generator(), 1), seeded(autoencoder(), 2), 3);
    trainer.k = 0.5;
    const first = await trainer.trainStep(data[0]!);
    // k ← clip(k + λ_k·(γ·L(x) − L(G(z))), 0, 1), from the step's own reported losses.
    expect(first.k).toBeCloseTo(Math.min(1, Math.max(0, 0.5 + 0.001 * (0.5 * first.realReconstruction - first.fakeReconstruction))), 12);
    expect(first.convergence).toBeCloseTo(first.realReconstruction + Math.abs(0.5 * first.realReconstruction - first.fakeReconstruction), 6);
    expect(first.realReconstruction).toBeGreaterThan(0);
    const before = tf.memory().numTensors;
    await trainer.fit(data, { steps: 3 });
    expect(tf.memory().numTensors).toBe(before);
    const dir = join(root, 'began');
    await trainer.save(dir);
    const kAtSave = trainer.k;
    const expected = (await trainer.fit(data, { steps: 3 })).history;

    const restored = new BeganTrainer(seeded(generator(), 7), seeded(autoencoder(), 8), 9);
    await restored.restore(dir);
    expect(restored.step).toBe(4);
    expect(restored.k).toBe(kAtSave);
    const resumed = (await restored.fit(data, { steps: 3 })).history;
    expect(resumed).toEqual(expected);
    tf.dispose(data);
    trainer.dispose();
    restored.dispose();
  });

  it('a custom penalty (consistency regularisation) plugs into GanTrainer', async () => {
    const generator = seededModel(
      tf.sequential({
        layers: [tf.layers.dense({ inputShape: [4], units: 12, activation: 'tanh' }), tf.layers.reshape({ targetShape: [2, 2, 3] })],
      }),
      3,
    );
    const discriminator = seededModel(tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 2, 3] }), tf.layers.dense({ units: 1 })] }), 4);
    const trainer = new GanTrainer({
      generator,
      discriminator,
      latentDim: 4,
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
    const real = tf.randomUniform([4, 2, 2, 3], -1, 1);
    const stats = await trainer.trainStep(real);
    expect(stats.penalties['consistency']).toBeGreaterThan(0);
    real.dispose();
    trainer.dispose();
  });
});
