import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError, ShapeError } from '../errors';
import { AdversarialTrainer, ganStepStats, type AdversarialTrainerOptions, type GanStepStats } from './adversarial_trainer';
import { latentCodes } from './latent';
import { checkArity, shapeText } from './model_checks';
import { StatsRecorder } from './parts/stats_recorder';
import { discriminatorUpdate, generatorUpdate, recordDiscriminatorUpdate } from './parts/updates';
import { Random } from './random';
import { selectTopK } from './top_k';

/** Options of {@link GanTrainer}; see {@link AdversarialTrainerOptions} for each field. */
export type GanTrainerOptions = AdversarialTrainerOptions;

/** Options of {@link GanTrainer.trainStep}. */
export interface GanTrainStepOptions {
  /**
   * Latent codes `[batch, ...latentShape]` used for every D update and the G update of this step, instead of
   * drawing them from the trainer's random stream. Not disposed. Default: drawn.
   */
  z?: tf.Tensor;
}

/** Options of {@link GanTrainer.sample}. */
export interface SampleOptions {
  /** BigGAN truncation threshold (in standard deviations) for a normal prior; see {@link LatentSampleOptions}. */
  truncation?: number;
  /**
   * Seed for the latent codes: the same seed gives the same codes (a fixed grid to watch across training).
   * Default: the trainer's sampling stream (saved in checkpoints, separate from training's).
   */
  seed?: number;
  /** Latent codes to use instead of drawing them, `[n, ...latentShape]`. Not disposed. */
  z?: tf.Tensor;
  /** Use the averaged (EMA) generator when the trainer has one. Default: true. */
  useEma?: boolean;
  /** Generator batch size when generating many samples. Default: 64. */
  batchSize?: number;
}

/** Draws or checks the codes for `sample`. @internal */
export function samplingCodes(
  trainer: { latent: { shape: readonly number[]; sample(n: number, r: Random, o?: { truncation?: number }): tf.Tensor } },
  fallback: Random,
  n: number,
  options: { z?: tf.Tensor; seed?: number; truncation?: number },
): tf.Tensor {
  if (options.z !== undefined) {
    const expected = [n, ...trainer.latent.shape];
    if (!(options.z instanceof tf.Tensor) || !tf.util.arraysEqual(options.z.shape, expected)) {
      throw new ShapeError(
        'options.z',
        `shape ${shapeText(expected)}`,
        options.z instanceof tf.Tensor ? `shape ${shapeText(options.z.shape)}` : options.z,
      );
    }
    return options.z;
  }
  const random = options.seed === undefined ? fallback : new Random(options.seed);
  return trainer.latent.sample(n, random, { truncation: options.truncation });
}

/** Checks `sample`'s count and batch size. @internal */
export function checkSampleArguments(n: number, batchSize: number | undefined): number {
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('n', 'a positive integer', n);
  const b = batchSize ?? 64;
  if (!Number.isInteger(b) || b < 1) throw new InvalidArgumentError('options.batchSize', 'a positive integer', b);
  return b;
}

/**
 * Trains an unconditional GAN: G maps latent codes to samples, D tells real from generated, each updated in
 * turn by its own optimizer on an explicit variable list (a G update never moves D, and vice versa).
 *
 * One step ({@link GanTrainer.trainStep}) = `discriminatorSteps` D updates, each minimising
 * `loss.discriminatorLoss(D(real), D(G(z))) + Σ penalties`, then one G update minimising
 * `loss.generatorLoss(D(real), D(G(z)))`, then the EMA update. Models run with `training: true`. Stats are read
 * from the device once per step, and every step frees all its tensors (`tf.memory().numTensors` stays flat).
 *
 * Defaults follow DCGAN (Radford, Metz, Chintala 2016, https://arxiv.org/abs/1511.06434): non-saturating loss,
 * Adam(2e-4, β1 = 0.5, β2 = 0.999) for both networks, one D update per G update.
 *
 * @example
 * ```ts
 * const trainer = new GanTrainer({ generator, discriminator, latentDim: 64, seed: 1, ema: { decay: 0.999 } });
 * const stats = await trainer.trainStep(realBatch);  // { step: 1, discriminatorLoss: 1.38, generatorLoss: 0.71, … }
 * await trainer.fit(dataset, { steps: 10_000, checkpoint: { dir: 'runs/exp1', every: 1000 } });
 * const images = trainer.sample(16, { seed: 0 });    // Tensor [16, ...G's output shape]
 * ```
 * @throws {ShapeError} if latentDim does not match G's input, or G's output does not match D's input.
 * @throws {InvalidArgumentError} for invalid options (e.g. `discriminatorSteps < 1`).
 */
export class GanTrainer extends AdversarialTrainer<tf.Tensor, GanStepStats> {
  protected readonly trainerType: string = 'GanTrainer';

  constructor(options: GanTrainerOptions, where = 'GanTrainer options') {
    super(options, where);
    const hint = 'GanTrainer trains single-input, single-output models; use ConditionalGanTrainer for class-conditional ones.';
    checkArity('generator', this.generator, 1, 1, hint);
    checkArity('discriminator', this.discriminator, 1, 1, hint);
    this.checkLatentAndOutput(0);
  }

  protected override trainOnBatches(batches: tf.Tensor[]): Promise<GanStepStats> {
    return this.trainStep(batches);
  }

  /**
   * One training step: `discriminatorSteps` discriminator updates, then one generator update, then the EMA.
   *
   * @param realBatch - real samples `[batch, ...sampleShape]`, float32, in the generator's output range. One
   *   tensor is reused for every D update; an array gives one batch per D update (length `discriminatorSteps`).
   *   Not disposed.
   * @returns the step's stats as plain numbers (read from the device once).
   * @throws {ShapeError} / {DTypeError} for a batch of the wrong shape or dtype; {@link InvalidArgumentError}
   *   for data outside the generator's range (first step); {@link NonFiniteDataError} for NaN/Inf in the real
   *   data; {@link NonFiniteLossError} for a NaN/Inf loss.
   */
  async trainStep(realBatch: tf.Tensor | readonly tf.Tensor[], options: GanTrainStepOptions = {}): Promise<GanStepStats> {
    checkOptionKeys('trainStep options', options, ['z']);
    const reals = this.realBatches('realBatch', realBatch);
    // NaN/Infinity (every step) and the output range (first step of a fit): before anything changes.
    await this.dataGuard.check(Object.fromEntries(reals.map((r, i) => [AdversarialTrainer.batchName('realBatch', i, reals.length), r])));
    this.applySchedules();
    const G = (z: tf.Tensor): tf.Tensor => this.generator.apply(z, { training: true }) as tf.Tensor;
    const D = (x: tf.Tensor): tf.Tensor => this.discriminator.apply(x, { training: true }) as tf.Tensor;
    const stats = new StatsRecorder();
    try {
      // `discriminatorSteps` D updates, each on its own real batch (or the single one) and fresh codes.
      for (let i = 0; i < this.discriminatorSteps; i++) {
        const real = reals[reals.length === 1 ? 0 : i]!;
        const z = latentCodes(this.latent, real.shape[0]!, this.random, options.z);
        // G runs outside the gradient tape: the D update needs its output only as a constant.
        const fake = tf.tidy(() => G(z));
        if (z !== options.z) z.dispose();
        try {
          const d = discriminatorUpdate({
            optimizer: this.discriminatorGroup,
            loss: this.loss,
            discriminate: D,
            real,
            fake,
            penalties: this.penalties,
            step: this.step,
            random: this.random,
          });
          recordDiscriminatorUpdate(stats, d);
        } finally {
          fake.dispose();
        }
      }
      // One G update on fresh codes; D(real) only for losses that read it (relativistic).
      const real = reals[reals.length - 1]!;
      const z = latentCodes(this.latent, real.shape[0]!, this.random, options.z);
      try {
        const k = this.topKSize(real.shape[0]!);
        const g = generatorUpdate({
          optimizer: this.generatorGroup,
          loss: this.loss,
          generate: () => G(z),
          discriminate: D,
          discriminateReal: () => D(real),
          useRealLogits: this.generatorUsesRealLogits,
          selectFake: this.topK === undefined ? undefined : (logits) => selectTopK(logits, k),
        });
        stats.mean('generatorLoss', g.loss);
      } finally {
        if (z !== options.z) z.dispose();
      }
    } catch (error) {
      stats.dispose();
      throw error;
    }
    this.updateAverages();
    const v = await stats.read(); // one device read for every stat
    return this.completeStep(ganStepStats(this.step + 1, v));
  }

  /**
   * Generates `n` samples (inference mode, no gradients), from the EMA generator when there is one.
   *
   * @example
   * ```ts
   * const grid = trainer.sample(16, { seed: 0 });           // the same codes every call
   * const sharp = trainer.sample(16, { truncation: 0.5 });  // BigGAN truncation trick
   * ```
   * @returns a new tensor `[n, ...G's output shape]`; the caller disposes it.
   */
  sample(n: number, options: SampleOptions = {}): tf.Tensor {
    checkOptionKeys('sample options', options, ['truncation', 'seed', 'z', 'useEma', 'batchSize']);
    const batchSize = checkSampleArguments(n, options.batchSize);
    const model = this.samplingGenerator(options.useEma);
    const z = samplingCodes(this, this.samplingRandom, n, options);
    try {
      return tf.tidy(() => model.predict(z, { batchSize }) as tf.Tensor);
    } finally {
      if (z !== options.z) z.dispose();
    }
  }
}
