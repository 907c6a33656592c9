import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError, ShapeError } from '../errors';
import type { AdversarialLoss } from '../losses/adversarial_loss';
import { nonSaturatingLoss } from '../losses/non_saturating';
import type { EmaOptions, ExponentialMovingAverage } from './ema';
import { toLatentSampler, type LatentSampler } from './latent';
import type { LearningRateSchedule } from './learning_rate_schedules';
import { checkBatch, checkModel, inferOutputRange, inputSampleShape, outputSampleShape, shapesCompatible, shapeText } from './model_checks';
import { trainableVariables } from './optimizer_utils';
import { DataGuard, type DataRangeCheck } from './parts/data_guard';
import type { OptimizerGroup } from './parts/optimizer_group';
import { optimizerPair, type GeneratorDiscriminatorPair } from './parts/optimizer_pair';
import { PenaltyRunner } from './parts/penalty_runner';
import { StatsRecorder } from './parts/stats_recorder';
import { usesRealLogits } from './parts/updates';
import type { DiscriminatorPenalty } from './penalties';
import type { Random } from './random';
import { resolveTopK, topKSize, type TopKOptions, type TopKSchedule } from './top_k';
import { BASE_TRAINER_OPTION_KEYS, Trainer, type BaseTrainerOptions, type SaveOptions, type StepStats } from './trainer';

export { EMA_CALIBRATION_BATCHES } from './ema';
export type { DataRangeCheck } from './parts/data_guard';
export { perRole, type GeneratorDiscriminatorPair } from './parts/optimizer_pair';
export type { DiscriminatorOutputs } from './parts/updates';

/** Options shared by {@link GanTrainer} and {@link ConditionalGanTrainer}. */
export interface AdversarialTrainerOptions extends BaseTrainerOptions {
  /** The generator G: latent codes (and labels, for a conditional G) → samples shaped like D's input. */
  generator: tf.LayersModel;
  /** The discriminator D: samples (and labels, for a conditional D) → logits (`[batch, 1]`, or a PatchGAN map). */
  discriminator: tf.LayersModel;
  /**
   * The latent size (e.g. `128`, drawn from N(0, I)), a latent shape (e.g. `[4, 4, 8]`), or a
   * {@link LatentSampler} for another prior (e.g. `uniformLatent(100)`). Must match the generator's latent input.
   */
  latentDim: number | readonly number[] | LatentSampler;
  /** The adversarial loss. Default: {@link nonSaturatingLoss}() (Goodfellow et al. 2014). */
  loss?: AdversarialLoss;
  /**
   * The generator's optimizer; disposed with the trainer only if the trainer created it. Default:
   * `tf.train.adam(2e-4, 0.5, 0.999)` (DCGAN, Radford et al. 2016, https://arxiv.org/abs/1511.06434).
   */
  generatorOptimizer?: tf.Optimizer;
  /**
   * The discriminator's optimizer (a separate instance from the generator's). A higher learning rate than the
   * generator's is TTUR (Heusel et al. 2017, https://arxiv.org/abs/1706.08500; SAGAN uses 4e-4 vs 1e-4).
   * Default: `tf.train.adam(2e-4, 0.5, 0.999)`.
   */
  discriminatorOptimizer?: tf.Optimizer;
  /**
   * Discriminator updates per generator update (WGAN's n_critic). Each uses its own real batch when `fit`
   * draws the data or when `trainStep` gets an array of batches. Integer >= 1. Default: 1.
   */
  discriminatorSteps?: number;
  /**
   * Regularizers added to the discriminator's loss, e.g. `[{ fn: gradientPenalty, weight: 10 }]`,
   * `[{ fn: r1Penalty, on: 'real', options: { gamma: 10 }, every: 16 }]`, or `{ name, compute(context) }` of
   * your own. See {@link DiscriminatorPenalty}. Default: none.
   */
  penalties?: readonly DiscriminatorPenalty[];
  /**
   * Keep an exponential moving average of the generator's weights, used by `sample`, e.g. `{ decay: 0.999 }`
   * (see {@link EmaOptions}). Saved in checkpoints. Default: none.
   */
  ema?: EmaOptions;
  /**
   * Learning-rate schedules, per optimizer (see {@link linearDecay}, {@link cosineDecay}, {@link stepDecay}).
   * The rate for step `s` is set before that step. Default: the optimizers' own constant rates.
   */
  learningRateSchedules?: GeneratorDiscriminatorPair<LearningRateSchedule>;
  /**
   * Clip each update's gradients to this global L2 norm: one number for both optimizers, or one per role.
   * Default: no clipping.
   */
  gradientClipNorm?: number | GeneratorDiscriminatorPair<number>;
  /**
   * Compute D(real) in the generator update, for losses whose generator loss uses the real logits
   * (relativistic losses). Default: false for gan-kit's non-relativistic losses (non-saturating, minimax,
   * least-squares, hinge, wasserstein), true for any other loss.
   */
  generatorUsesRealLogits?: boolean;
  /**
   * Check that real data lies in the generator's output range, on the first batch of each `fit` and of the
   * first `trainStep`: `'error'` throws an {@link InvalidArgumentError} naming the range found and the rescaling
   * that fixes it, `'warn'` prints that message with `console.warn`, `'off'` skips the check. The range is
   * `outputRange`, or inferred from the generator's last activation (tanh: [−1, 1], sigmoid: [0, 1]; a linear
   * output is not checked). Default: `'error'`.
   */
  dataRangeCheck?: DataRangeCheck;
  /** The range real data must lie in, overriding the one inferred from the generator's last activation. */
  outputRange?: readonly [number, number];
  /**
   * Top-k training (Sinha et al., "Top-k Training of GANs: Improving GAN Performance by Throwing Away Bad
   * Samples", NeurIPS 2020, https://arxiv.org/abs/2002.06224), e.g. `{ decay: 0.99, minFraction: 0.5 }`: in each
   * generator update only the `k` generated samples with the highest discriminator logits (mean logit per sample
   * for a PatchGAN map) enter the generator's adversarial loss, `k` shrinking from the batch size by `decay`
   * every `decayEvery` steps down to `minFraction` of the batch (see {@link TopKOptions}, {@link topKSize}). The
   * loss gets the `k` chosen fake logits `[k, ...]` and all real logits; relativistic average losses then use the
   * mean of the chosen fake logits. The discriminator's updates and the class loss of an ACGAN still use every
   * sample, and `generatorLoss` in the stats is the loss over the `k` samples. Default: off (every sample).
   * @throws {InvalidArgumentError} for out-of-range values, or with a paired relativistic loss
   *   (`relativisticLoss({ average: false })`), which needs as many fake logits as real ones.
   */
  topK?: TopKOptions;
}

/** The stats a GAN training step returns, as plain numbers. */
export interface GanStepStats extends StepStats {
  /** The adversarial part of D's loss, averaged over this step's D updates (penalties excluded). */
  discriminatorLoss: number;
  /** G's adversarial loss in this step's G update. */
  generatorLoss: number;
  /** Each penalty as added to D's loss (weight included), averaged over the D updates that computed it. */
  penalties: Record<string, number>;
  /** Mean D(real) logit in the last D update (watch real and fake scores drift apart or together). */
  realLogitMean: number;
  /** Mean D(G(z)) logit in the last D update. */
  fakeLogitMean: number;
}

/** The {@link GanStepStats} of step `step` from a {@link StatsRecorder} read (see {@link recordDiscriminatorUpdate}). */
export function ganStepStats(step: number, v: Record<string, number>): GanStepStats {
  return {
    step,
    discriminatorLoss: v['discriminatorLoss']!,
    generatorLoss: v['generatorLoss']!,
    penalties: StatsRecorder.group(v, 'penalties'),
    realLogitMean: v['realLogitMean']!,
    fakeLogitMean: v['fakeLogitMean']!,
  };
}

/** Labels of one update (undefined for an unconditional GAN). */
export interface UpdateLabels {
  /** int32 class indices `[batch]` of the real batch. */
  real: tf.Tensor | undefined;
  /** int32 class indices `[batch]` the generator is asked for. */
  fake: tf.Tensor | undefined;
}

/** Keys of {@link AdversarialTrainerOptions}. @internal */
export const ADVERSARIAL_OPTION_KEYS: readonly string[] = [
  ...BASE_TRAINER_OPTION_KEYS,
  'generator',
  'discriminator',
  'latentDim',
  'loss',
  'generatorOptimizer',
  'discriminatorOptimizer',
  'discriminatorSteps',
  'penalties',
  'ema',
  'learningRateSchedules',
  'gradientClipNorm',
  'generatorUsesRealLogits',
  'dataRangeCheck',
  'outputRange',
  'topK',
];

/**
 * What {@link GanTrainer} and {@link ConditionalGanTrainer} share: their options, validated once, and the parts
 * their steps are built from: a generator and a discriminator {@link OptimizerGroup}, the {@link PenaltyRunner},
 * the {@link DataGuard}, the latent prior, the EMA generator. It holds no step logic: each subclass's
 * `trainStep` is the whole step, read top to bottom.
 */
export abstract class AdversarialTrainer<TBatch, TStats extends GanStepStats> extends Trainer<TBatch, TStats> {
  /** The generator being trained. */
  readonly generator: tf.LayersModel;
  /** The discriminator (critic) being trained. */
  readonly discriminator: tf.LayersModel;
  /** The adversarial loss. */
  readonly loss: AdversarialLoss;
  /** The latent prior. */
  readonly latent: LatentSampler;
  /** D updates per G update. */
  readonly discriminatorSteps: number;
  /** The generator's optimizer. */
  readonly generatorOptimizer: tf.Optimizer;
  /** The discriminator's optimizer. */
  readonly discriminatorOptimizer: tf.Optimizer;
  /** The moving average of the generator, when the `ema` option was given. */
  readonly ema: ExponentialMovingAverage | undefined;
  /** Whether the G update computes D(real) (see {@link AdversarialTrainerOptions.generatorUsesRealLogits}). */
  readonly generatorUsesRealLogits: boolean;
  /** The Top-k schedule, when the `topK` option was given (see {@link AdversarialTrainerOptions.topK}). */
  readonly topK: TopKSchedule | undefined;
  /** The discriminator's penalties. */
  protected readonly penalties: PenaltyRunner;
  /** The real-data checks (range once per fit, finiteness every step). */
  protected readonly dataGuard: DataGuard;
  /** The generator's optimizer and variables. */
  protected readonly generatorGroup: OptimizerGroup;
  /** The discriminator's optimizer and variables. */
  protected readonly discriminatorGroup: OptimizerGroup;

  /**
   * @param where - names the options in errors, e.g. `'GanTrainer options'`.
   * @param extraKeys - option keys the subclass adds.
   */
  protected constructor(options: AdversarialTrainerOptions, where: string, extraKeys: readonly string[] = []) {
    if (options == null || typeof options !== 'object') {
      throw new InvalidArgumentError('options', '{ generator, discriminator, latentDim, … }', options);
    }
    checkOptionKeys(where, options, [...ADVERSARIAL_OPTION_KEYS, ...extraKeys]);
    super(options);
    this.generator = checkModel('generator', options.generator);
    this.discriminator = checkModel('discriminator', options.discriminator);
    this.latent = toLatentSampler(options.latentDim);
    const steps = options.discriminatorSteps ?? 1;
    if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 1) {
      throw new InvalidArgumentError(
        'discriminatorSteps',
        'an integer >= 1',
        steps,
        'Use 1 for one D update per G update (DCGAN), 5 for WGAN-GP.',
      );
    }
    this.discriminatorSteps = steps;
    this.loss = options.loss ?? nonSaturatingLoss();
    if (typeof this.loss?.discriminatorLoss !== 'function' || typeof this.loss.generatorLoss !== 'function') {
      throw new InvalidArgumentError('loss', 'an AdversarialLoss { name, discriminatorLoss, generatorLoss }', options.loss);
    }
    this.generatorUsesRealLogits = usesRealLogits(this.loss, options.generatorUsesRealLogits);
    this.penalties = new PenaltyRunner(options.penalties);
    if (options.topK !== undefined) checkOptionKeys('topK', options.topK, ['decay', 'minFraction', 'decayEvery']);
    this.topK = options.topK === undefined ? undefined : resolveTopK('topK', options.topK);
    if (this.topK && this.loss.pairsRealAndFake === true) {
      throw new InvalidArgumentError(
        'topK',
        'no Top-k with a paired relativistic loss',
        `topK with loss '${this.loss.name}'`,
        'RGAN pairs fake sample i with real sample i, so it cannot drop fake samples: use relativisticLoss() ' +
          '(the average form, RaGAN) with topK, or drop topK.',
      );
    }
    this.dataGuard = new DataGuard({
      mode: options.dataRangeCheck,
      range: options.outputRange ?? inferOutputRange(this.generator),
    });

    const groups = optimizerPair(
      options,
      { generator: trainableVariables(this.generator), discriminator: trainableVariables(this.discriminator) },
      () => this.defaultOptimizer(),
    );
    this.generatorGroup = this.registerOptimizer('generator', groups.generator);
    this.discriminatorGroup = this.registerOptimizer('discriminator', groups.discriminator);
    this.generatorOptimizer = groups.generator.optimizer;
    this.discriminatorOptimizer = groups.discriminator.optimizer;
    this.ema = this.registerAverage('generatorEma', this.generator, options.ema);
  }

  /** The optimizer used when none is given: Adam(2e-4, 0.5, 0.999). Subclasses with other paper defaults override. */
  protected defaultOptimizer(): tf.Optimizer {
    return tf.train.adam(2e-4, 0.5, 0.999);
  }

  /** The discriminator's per-sample input shape (what real batches must match). */
  get sampleShape(): (number | null)[] {
    return inputSampleShape(this.discriminator, 0);
  }

  /** The range real data is checked against (undefined: not checked). */
  get dataRange(): readonly [number, number] | undefined {
    return this.dataGuard.range;
  }

  /** See {@link AdversarialTrainerOptions.dataRangeCheck}. */
  get dataRangeCheck(): DataRangeCheck {
    return this.dataGuard.mode;
  }

  /** Checks G's latent input (input `latentInput`) against the latent shape, and G's output against D's input 0. */
  protected checkLatentAndOutput(latentInput: number): void {
    const gIn = inputSampleShape(this.generator, latentInput);
    if (!shapesCompatible(gIn, this.latent.shape)) {
      throw new ShapeError(
        'latentDim',
        `the generator's latent input shape ${shapeText(gIn)}`,
        shapeText(this.latent.shape),
        `Pass latentDim: ${gIn.length === 1 ? String(gIn[0]) : shapeText(gIn)}, or build the generator for this latent size.`,
      );
    }
    const gOut = outputSampleShape(this.generator);
    const dIn = inputSampleShape(this.discriminator, 0);
    if (!shapesCompatible(gOut, dIn)) {
      throw new ShapeError(
        'generator output',
        `the discriminator's input shape ${shapeText([null, ...dIn])}`,
        shapeText([null, ...gOut]),
        'The generator must produce samples the discriminator accepts: change its last layers (number of ' +
          "upsampling blocks, output channels) or the discriminator's input shape.",
      );
    }
  }

  protected override batchesPerStep(): number {
    return this.discriminatorSteps;
  }

  protected override onFitBegin(): void {
    this.dataGuard.reset();
  }

  /**
   * Validates the real batches of one step: one tensor (reused by every D update) or one per D update, each
   * float32 `[batch, ...sampleShape]`. Returns them as an array.
   */
  protected realBatches(argument: string, batch: tf.Tensor | readonly tf.Tensor[]): tf.Tensor[] {
    const reals = Array.isArray(batch) ? [...(batch as readonly tf.Tensor[])] : [batch as tf.Tensor];
    if (Array.isArray(batch) && reals.length !== this.discriminatorSteps) {
      throw new InvalidArgumentError(
        argument,
        `one tensor, or an array of ${this.discriminatorSteps} tensors (one per discriminator update)`,
        `an array of ${reals.length}`,
      );
    }
    reals.forEach((r, i) =>
      checkBatch(reals.length > 1 ? `${argument}[${i}]` : argument, r, this.sampleShape, "the discriminator's input shape"),
    );
    return reals;
  }

  /** The argument name of real batch `i` of `n`, for error messages. */
  protected static batchName(argument: string, i: number, n: number): string {
    return n > 1 ? `${argument}[${i}]` : argument;
  }

  /**
   * How many generated samples the next generator update keeps with Top-k training, for a batch of
   * `batchSize` (the whole batch when `topK` is off). See {@link topKSize}.
   */
  topKSize(batchSize: number): number {
    return this.topK === undefined ? batchSize : topKSize(this.topK, batchSize, this.step);
  }

  /**
   * The generator to sample from: the EMA copy unless `useEma` is false or there is none, with its batch-norm
   * statistics recomputed for its own weights when stale ({@link ExponentialMovingAverage.refreshBatchNorm}).
   */
  protected samplingGenerator(useEma: boolean | undefined): tf.LayersModel {
    if (useEma === false || !this.ema) return this.generator;
    this.ema.refreshBatchNorm((n, random) => this.generatorInputs(n, random));
    return this.ema.averaged;
  }

  /**
   * Saves a checkpoint (see {@link Trainer.save}); the EMA generator is saved with batch-norm statistics of its
   * own weights, so that a model loaded from the checkpoint (e.g. by `gan-kit sample`) draws what
   * {@link GanTrainer.sample} draws. Training is unaffected: the next EMA update copies the source's statistics.
   */
  override async save(dir: string, options?: SaveOptions): Promise<string> {
    this.ema?.refreshBatchNorm((n, random) => this.generatorInputs(n, random));
    return super.save(dir, options);
  }

  /** Inputs of the generator for `n` samples drawn from `random`: `[z]` (conditional trainers add labels). */
  protected generatorInputs(n: number, random: Random): tf.Tensor[] {
    return [this.latent.sample(n, random)];
  }

  protected override checkpointModels(): Record<string, tf.LayersModel> {
    return { generator: this.generator, discriminator: this.discriminator };
  }
}
