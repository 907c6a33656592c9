import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '../errors';
import type { AdversarialLoss } from '../losses/adversarial_loss';
import { nonSaturatingLoss } from '../losses/non_saturating';
import { ExponentialMovingAverage, type EmaOptions } from './ema';
import { toLatentSampler, type LatentSampler } from './latent';
import type { LearningRateSchedule } from './learning_rate_schedules';
import { checkBatch, checkModel, inferOutputRange, inputSampleShape, outputSampleShape, shapesCompatible, shapeText } from './model_checks';
import { trainableVariables } from './optimizer_utils';
import { resolvePenalties, type DiscriminatorPenalty, type PenaltyContext, type ResolvedPenalty } from './penalties';
import { Random } from './random';
import { resolveTopK, selectTopK, topKSize, type TopKOptions, type TopKSchedule } from './top_k';
import { Trainer, type BaseTrainerOptions, type SaveOptions, type StepStats } from './trainer';

/** Batches (of 64) on which the EMA generator's batch-norm statistics are recomputed before sampling. */
export const EMA_CALIBRATION_BATCHES = 4;
/** Seed of the inputs of that recomputation. */
const EMA_CALIBRATION_SEED = 0x5eed;

/** Per-role values: one for the generator, one for the discriminator. */
export interface GeneratorDiscriminatorPair<T> {
  /** For the generator's optimizer. */
  generator?: T;
  /** For the discriminator's (critic's) optimizer. */
  discriminator?: T;
}

/** What to do when real data lies outside the generator's output range. */
export type DataRangeCheck = 'error' | 'warn' | 'off';

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

/** D's outputs for one batch: adversarial logits, and class logits for an ACGAN discriminator. */
export interface DiscriminatorOutputs {
  /** Real/fake logits, `[batch, 1]` or a PatchGAN map. */
  logits: tf.Tensor;
  /** Class logits `[batch, numClasses]` of an ACGAN discriminator. */
  classLogits?: tf.Tensor;
}

/** Labels of one update (undefined for an unconditional GAN). */
export interface UpdateLabels {
  /** int32 class indices `[batch]` of the real batch. */
  real: tf.Tensor | undefined;
  /** int32 class indices `[batch]` the generator is asked for. */
  fake: tf.Tensor | undefined;
}

/** Names of gan-kit's losses whose generator loss ignores the real logits. @internal */
export const NON_RELATIVISTIC_LOSSES: readonly string[] = ['non-saturating', 'minimax', 'least-squares', 'hinge', 'wasserstein'];

/** Resolves a "one value or one per role" option. @internal */
export function perRole<T>(
  value: T | GeneratorDiscriminatorPair<T> | undefined,
  isValue: (v: unknown) => v is T,
): GeneratorDiscriminatorPair<T> {
  if (value === undefined) return {};
  if (isValue(value)) return { generator: value, discriminator: value };
  return value as GeneratorDiscriminatorPair<T>;
}

/**
 * The shared core of {@link GanTrainer} and {@link ConditionalGanTrainer}: G and D with their own optimizers and
 * explicit variable lists, `discriminatorSteps` D updates then one G update per step, penalties, EMA, the data
 * range check and sampling. Subclasses add the public `trainStep` and `sample` signatures.
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
  /** The range real data is checked against (undefined: not checked). */
  readonly dataRange: readonly [number, number] | undefined;
  /** See {@link AdversarialTrainerOptions.dataRangeCheck}. */
  readonly dataRangeCheck: DataRangeCheck;
  /** The Top-k schedule, when the `topK` option was given (see {@link AdversarialTrainerOptions.topK}). */
  readonly topK: TopKSchedule | undefined;
  /** The validated penalties. */
  protected readonly penalties: ResolvedPenalty[];
  private rangeChecked = false;

  protected constructor(options: AdversarialTrainerOptions) {
    if (options == null || typeof options !== 'object') {
      throw new InvalidArgumentError('options', '{ generator, discriminator, latentDim, … }', options);
    }
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
    this.generatorUsesRealLogits = options.generatorUsesRealLogits ?? !NON_RELATIVISTIC_LOSSES.includes(this.loss.name);
    this.penalties = resolvePenalties(options.penalties);
    this.topK = options.topK === undefined ? undefined : resolveTopK('topK', options.topK);
    if (this.topK && this.loss.name.startsWith('relativistic-') && !this.loss.name.startsWith('relativistic-average-')) {
      throw new InvalidArgumentError(
        'topK',
        'no Top-k with a paired relativistic loss',
        `topK with loss '${this.loss.name}'`,
        'RGAN pairs fake sample i with real sample i, so it cannot drop fake samples: use relativisticLoss() ' +
          '(the average form, RaGAN) with topK, or drop topK.',
      );
    }

    this.dataRangeCheck = options.dataRangeCheck ?? 'error';
    if (!['error', 'warn', 'off'].includes(this.dataRangeCheck)) {
      throw new InvalidArgumentError('dataRangeCheck', "'error', 'warn' or 'off'", options.dataRangeCheck);
    }
    if (options.outputRange !== undefined) {
      const [lo, hi] = options.outputRange;
      if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) {
        throw new InvalidArgumentError('outputRange', '[low, high] with finite low < high', options.outputRange);
      }
    }
    this.dataRange = options.outputRange ?? inferOutputRange(this.generator);

    if (options.generatorOptimizer !== undefined && options.generatorOptimizer === options.discriminatorOptimizer) {
      throw new InvalidArgumentError(
        'discriminatorOptimizer',
        'a different optimizer instance from generatorOptimizer',
        'the same instance',
        'Optimizers keep per-variable state by position: create one per network, e.g. tf.train.adam(2e-4, 0.5) twice.',
      );
    }
    const clip = perRole(options.gradientClipNorm, (v): v is number => typeof v === 'number');
    const schedules = options.learningRateSchedules ?? {};
    this.generatorOptimizer = options.generatorOptimizer ?? this.defaultOptimizer();
    this.discriminatorOptimizer = options.discriminatorOptimizer ?? this.defaultOptimizer();
    this.registerOptimizer('generator', {
      optimizer: this.generatorOptimizer,
      variables: trainableVariables(this.generator),
      schedule: schedules.generator,
      clipNorm: clip.generator,
      owned: options.generatorOptimizer === undefined,
    });
    this.registerOptimizer('discriminator', {
      optimizer: this.discriminatorOptimizer,
      variables: trainableVariables(this.discriminator),
      schedule: schedules.discriminator,
      clipNorm: clip.discriminator,
      owned: options.discriminatorOptimizer === undefined,
    });
    this.ema = options.ema === undefined ? undefined : new ExponentialMovingAverage(this.generator, options.ema);
  }

  /** The optimizer used when none is given: Adam(2e-4, 0.5, 0.999). Subclasses with other paper defaults override. */
  protected defaultOptimizer(): tf.Optimizer {
    return tf.train.adam(2e-4, 0.5, 0.999);
  }

  /** The discriminator's per-sample input shape (what real batches must match). */
  get sampleShape(): (number | null)[] {
    return inputSampleShape(this.discriminator, 0);
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
    this.rangeChecked = false;
  }

  /** Validates a real batch (float32, `[batch, ...sampleShape]`). */
  protected checkRealBatch(argument: string, batch: unknown): tf.Tensor {
    return checkBatch(argument, batch, this.sampleShape, "the discriminator's input shape");
  }

  /**
   * Checks, once per `fit` (and on the first `trainStep`), that real data lies in the generator's output range.
   * One small device read.
   */
  protected async checkDataRange(argument: string, real: tf.Tensor): Promise<void> {
    if (this.rangeChecked) return;
    this.rangeChecked = true;
    if (this.dataRangeCheck === 'off' || this.dataRange === undefined) return;
    const [lo, hi] = this.dataRange;
    const [min, max] = (await this.readScalars([tf.min(real), tf.max(real)])) as [number, number];
    const tolerance = 1e-3 * (hi - lo);
    if (min >= lo - tolerance && max <= hi + tolerance) return;
    let hint: string;
    if (max > 2 && min >= 0) {
      hint =
        `The data looks like 8-bit pixels in [0, 255]: scale it with ${lo === -1 ? 'x.div(127.5).sub(1)' : 'x.div(255)'} ` +
        `to match the generator's [${lo}, ${hi}] output.`;
    } else if (lo === 0 && min < 0 && min >= -1 - tolerance) {
      hint = 'The data looks like [-1, 1]: scale it with x.add(1).div(2), or give the generator a tanh output.';
    } else {
      hint = `Rescale the data to [${lo}, ${hi}], or set outputRange (or dataRangeCheck: 'off') if the generator's range differs.`;
    }
    const error = new InvalidArgumentError(
      argument,
      `values in [${lo}, ${hi}], the range of the generator's output`,
      `values in [${min}, ${max}]`,
      hint,
    );
    if (this.dataRangeCheck === 'error') throw error;
    console.warn(`gan-kit: ${error.message}`);
  }

  /** Runs G on latent codes (and labels). Returns a new tensor. */
  protected abstract generate(z: tf.Tensor, labels: tf.Tensor | undefined, training: boolean): tf.Tensor;

  /** Runs D (training mode) on samples (and labels). */
  protected abstract discriminate(x: tf.Tensor, labels: tf.Tensor | undefined): DiscriminatorOutputs;

  /** Extra D loss terms from class logits (ACGAN); undefined when there are none. */
  protected discriminatorClassLoss(
    _real: DiscriminatorOutputs,
    _fake: DiscriminatorOutputs,
    _labels: UpdateLabels,
  ): tf.Scalar | undefined {
    return undefined;
  }

  /** Extra G loss terms from class logits (ACGAN); undefined when there are none. */
  protected generatorClassLoss(_fake: DiscriminatorOutputs, _labels: UpdateLabels): tf.Scalar | undefined {
    return undefined;
  }

  /**
   * How many generated samples the next generator update keeps with Top-k training, for a batch of
   * `batchSize` (the whole batch when `topK` is off). See {@link topKSize}.
   */
  topKSize(batchSize: number): number {
    return this.topK === undefined ? batchSize : topKSize(this.topK, batchSize, this.step);
  }

  /** Draws latent codes from the training stream, or checks the caller's. */
  protected latentFor(batchSize: number, z: tf.Tensor | undefined): tf.Tensor {
    if (z === undefined) return this.latent.sample(batchSize, this.random);
    const expected = [batchSize, ...this.latent.shape];
    if (!(z instanceof tf.Tensor) || !tf.util.arraysEqual(z.shape, expected)) {
      throw new ShapeError(
        'options.z',
        `latent codes of shape ${shapeText(expected)} (the real batch size × latentDim)`,
        z instanceof tf.Tensor ? `shape ${shapeText(z.shape)}` : z,
      );
    }
    if (z.dtype !== 'float32') throw new InvalidArgumentError('options.z', "dtype 'float32'", z.dtype);
    return z;
  }

  /**
   * The shared step: `discriminatorSteps` D updates (update i uses `reals[i]` or the single batch), one G update,
   * the EMA update, then one device read. `labelsFor(i)` gives the labels of update i (i = discriminatorSteps
   * for the G update); the step disposes labels it does not own via `ownsLabels`.
   *
   * @returns the stats' numbers; `extra` holds the class losses when the subclass defines them.
   */
  protected async adversarialStep(
    reals: readonly tf.Tensor[],
    z: tf.Tensor | undefined,
    labelsFor: (update: number, batchSize: number) => UpdateLabels,
    disposeLabels: (labels: UpdateLabels) => void,
  ): Promise<GanStepStats & { extra: Record<string, number> }> {
    this.applySchedules();
    const scalars: tf.Tensor[] = [];
    const layout: { penalties: string[]; classLoss: boolean }[] = [];
    let realMean: tf.Scalar | undefined;
    let fakeMean: tf.Scalar | undefined;
    let generatorClass = false;
    try {
      for (let i = 0; i < this.discriminatorSteps; i++) {
        const real = reals[reals.length === 1 ? 0 : i]!;
        const batchSize = real.shape[0]!;
        const codes = this.latentFor(batchSize, z);
        const labels = labelsFor(i, batchSize);
        try {
          const out = this.discriminatorUpdate(real, codes, labels);
          scalars.push(out.loss, ...out.penalties.map((p) => p.value));
          if (out.classLoss) scalars.push(out.classLoss);
          layout.push({ penalties: out.penalties.map((p) => p.name), classLoss: out.classLoss !== undefined });
          realMean?.dispose();
          fakeMean?.dispose();
          realMean = out.realMean;
          fakeMean = out.fakeMean;
        } finally {
          if (codes !== z) codes.dispose();
          disposeLabels(labels);
        }
      }
      const real = reals[reals.length - 1]!;
      const batchSize = real.shape[0]!;
      const codes = this.latentFor(batchSize, z);
      const labels = labelsFor(this.discriminatorSteps, batchSize);
      try {
        const g = this.generatorUpdate(real, codes, labels);
        scalars.push(g.loss);
        if (g.classLoss) {
          scalars.push(g.classLoss);
          generatorClass = true;
        }
      } finally {
        if (codes !== z) codes.dispose();
        disposeLabels(labels);
      }
      scalars.push(realMean!, fakeMean!);
    } catch (error) {
      tf.dispose(scalars);
      tf.dispose([realMean, fakeMean].filter((t): t is tf.Scalar => t !== undefined && !scalars.includes(t)));
      throw error;
    }
    this.ema?.update();

    const values = await this.readScalars(scalars);
    let k = 0;
    let dLoss = 0;
    let dClass = 0;
    let dClassCount = 0;
    const sums: Record<string, { sum: number; n: number }> = {};
    for (const update of layout) {
      dLoss += values[k++]!;
      for (const name of update.penalties) {
        const entry = (sums[name] ??= { sum: 0, n: 0 });
        entry.sum += values[k++]!;
        entry.n++;
      }
      if (update.classLoss) {
        dClass += values[k++]!;
        dClassCount++;
      }
    }
    const penalties: Record<string, number> = {};
    for (const [name, { sum, n }] of Object.entries(sums)) penalties[name] = sum / n;
    const generatorLoss = values[k++]!;
    const extra: Record<string, number> = {};
    if (generatorClass) extra['generatorClassLoss'] = values[k++]!;
    if (dClassCount > 0) extra['discriminatorClassLoss'] = dClass / dClassCount;
    return {
      step: this.step + 1,
      discriminatorLoss: dLoss / layout.length,
      generatorLoss,
      penalties,
      realLogitMean: values[k++]!,
      fakeLogitMean: values[k++]!,
      extra,
    };
  }

  /**
   * One D update on `real` and G(z). Returns kept scalars: the adversarial loss, each active penalty, the class
   * loss (ACGAN) and the mean real/fake logits.
   */
  protected discriminatorUpdate(
    real: tf.Tensor,
    z: tf.Tensor,
    labels: UpdateLabels,
  ): {
    loss: tf.Scalar;
    penalties: { name: string; value: tf.Scalar }[];
    classLoss: tf.Scalar | undefined;
    realMean: tf.Scalar;
    fakeMean: tf.Scalar;
  } {
    // G runs outside the gradient tape: the D update needs its output only as a constant.
    const fake = tf.tidy(() => this.generate(z, labels.fake, true));
    const step = this.step;
    const active = this.penalties.filter((p) => step % p.every === 0);
    const kept: tf.Tensor[] = [];
    const keep = <T extends tf.Tensor>(t: T): T => {
      kept.push(tf.keep(t));
      return t;
    };
    let adversarial: tf.Scalar | undefined;
    let classLoss: tf.Scalar | undefined;
    let realMean: tf.Scalar | undefined;
    let fakeMean: tf.Scalar | undefined;
    const penaltyValues: { name: string; value: tf.Scalar }[] = [];
    try {
      const total = this.update('discriminator', () => {
        const realOut = this.discriminate(real, labels.real);
        const fakeOut = this.discriminate(fake, labels.fake);
        adversarial = keep(this.loss.discriminatorLoss(realOut.logits, fakeOut.logits));
        realMean = keep(tf.mean(realOut.logits) as tf.Scalar);
        fakeMean = keep(tf.mean(fakeOut.logits) as tf.Scalar);
        let sum: tf.Scalar = adversarial;
        const cls = this.discriminatorClassLoss(realOut, fakeOut, labels);
        if (cls !== undefined) {
          classLoss = keep(cls);
          sum = tf.add(sum, cls);
        }
        if (active.length > 0) {
          // Penalties see D with the real labels bound (for conditional GANs), as R1 and GP expect.
          const critic = (x: tf.Tensor): tf.Tensor => this.discriminate(x, labels.real).logits;
          const context: PenaltyContext = {
            critic,
            real,
            fake,
            realLogits: realOut.logits,
            fakeLogits: fakeOut.logits,
            step,
            random: this.random,
          };
          for (const penalty of active) {
            const value = keep(penalty.compute(context));
            penaltyValues.push({ name: penalty.name, value });
            sum = tf.add(sum, value);
          }
        }
        return sum;
      });
      // Without penalties or class loss, the total is the kept adversarial loss itself.
      if (total !== adversarial) total.dispose();
    } catch (error) {
      tf.dispose(kept);
      throw error;
    } finally {
      fake.dispose();
    }
    return { loss: adversarial!, penalties: penaltyValues, classLoss, realMean: realMean!, fakeMean: fakeMean! };
  }

  /** One G update on G(z); returns the generator's adversarial loss and class loss (kept). */
  protected generatorUpdate(
    real: tf.Tensor,
    z: tf.Tensor,
    labels: UpdateLabels,
  ): { loss: tf.Scalar; classLoss: tf.Scalar | undefined } {
    let adversarial: tf.Scalar | undefined;
    let classLoss: tf.Scalar | undefined;
    try {
      const total = this.update('generator', () => {
        const fakeOut = this.discriminate(this.generate(z, labels.fake, true), labels.fake);
        // D(real) does not depend on G's weights: it only matters for relativistic losses.
        const fakeLogits = this.topK === undefined ? fakeOut.logits : selectTopK(fakeOut.logits, this.topKSize(z.shape[0]!));
        const realLogits = this.generatorUsesRealLogits ? this.discriminate(real, labels.real).logits : fakeLogits;
        adversarial = tf.keep(this.loss.generatorLoss(realLogits, fakeLogits));
        const cls = this.generatorClassLoss(fakeOut, labels);
        if (cls === undefined) return adversarial;
        classLoss = tf.keep(cls);
        return tf.add(adversarial, cls) as tf.Scalar;
      });
      if (total !== adversarial) total.dispose();
    } catch (error) {
      tf.dispose([adversarial, classLoss].filter((t): t is tf.Scalar => t !== undefined));
      throw error;
    }
    return { loss: adversarial!, classLoss };
  }

  /**
   * The generator to sample from: the EMA copy unless `useEma` is false or there is none. The EMA copy's
   * batch-norm statistics are first recomputed for its own weights when they are stale (see
   * {@link ExponentialMovingAverage.recalibrateBatchNorm}), on {@link EMA_CALIBRATION_BATCHES} batches of 64
   * inputs drawn from a fixed seed, so sampling stays deterministic and the training streams are untouched.
   */
  protected samplingGenerator(useEma: boolean | undefined): tf.LayersModel {
    if (useEma === false || !this.ema) return this.generator;
    this.refreshEmaBatchNorm();
    return this.ema.averaged;
  }

  /**
   * Saves a checkpoint (see {@link Trainer.save}); the EMA generator is saved with batch-norm statistics of its
   * own weights, so that a model loaded from the checkpoint (e.g. by `gan-kit sample`) draws what
   * {@link GanTrainer.sample} draws. Training is unaffected: the next EMA update copies the source's statistics.
   */
  override async save(dir: string, options?: SaveOptions): Promise<string> {
    this.refreshEmaBatchNorm();
    return super.save(dir, options);
  }

  /** Recomputes the EMA copy's batch-norm statistics when they are stale (fixed-seed inputs; no training stream). */
  private refreshEmaBatchNorm(): void {
    if (!this.ema?.batchNormStale) return;
    const random = new Random(EMA_CALIBRATION_SEED);
    const batches = Array.from({ length: EMA_CALIBRATION_BATCHES }, () => this.generatorInputs(64, random));
    try {
      this.ema.recalibrateBatchNorm(batches);
    } finally {
      tf.dispose(batches.flat());
    }
  }

  /** Inputs of the generator for `n` samples drawn from `random`: `[z]` (conditional trainers add labels). */
  protected generatorInputs(n: number, random: Random): tf.Tensor[] {
    return [this.latent.sample(n, random)];
  }

  protected override checkpointModels(): Record<string, tf.LayersModel> {
    const models: Record<string, tf.LayersModel> = { generator: this.generator, discriminator: this.discriminator };
    if (this.ema) models['generatorEma'] = this.ema.averaged;
    return models;
  }

  protected override checkpointState(): { json: unknown; tensors: { name: string; tensor: tf.Tensor }[] } {
    return { json: { emaUpdates: this.ema?.updates ?? null }, tensors: [] };
  }

  protected override restoreState(json: unknown, tensors: tf.Tensor[]): void {
    tf.dispose(tensors);
    const updates = (json as { emaUpdates?: number | null } | null)?.emaUpdates;
    if (this.ema && typeof updates === 'number') this.ema.updates = updates;
  }

  /** Releases the trainer's own optimizers and the EMA generator; the models passed in stay yours. */
  override dispose(): void {
    super.dispose();
    this.ema?.dispose();
  }
}
