import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError, ShapeError } from '../errors';
import type { AdversarialLoss } from '../losses/adversarial_loss';
import type { EmaOptions, ExponentialMovingAverage } from './ema';
import { ImagePool } from './image_pool';
import { linearDecay, type LearningRateSchedule } from './learning_rate_schedules';
import {
  checkArity,
  checkWeight,
  checkBatch,
  checkModel,
  inferOutputRange,
  inputSampleShape,
  outputSampleShape,
  shapesCompatible,
  shapeText,
} from './model_checks';
import { getLearningRate, trainableVariables } from './optimizer_utils';
import { DataGuard, type DataRangeCheck } from './parts/data_guard';
import type { OptimizerGroup } from './parts/optimizer_group';
import { optimizerPair, type GeneratorDiscriminatorPair } from './parts/optimizer_pair';
import { PenaltyRunner } from './parts/penalty_runner';
import { StatsRecorder } from './parts/stats_recorder';
import { discriminatorTerms, generatorTerms, usesRealLogits } from './parts/updates';
import type { DiscriminatorPenalty } from './penalties';
import { BASE_TRAINER_OPTION_KEYS, Trainer, type BaseTrainerOptions, type StepStats } from './trainer';

/**
 * The reference CycleGAN's least-squares GAN loss (Zhu et al. 2017, Section 4; Mao et al. 2017):
 * D: `mean((D(real) − 1)²) + mean(D(fake)²)`, G: `mean((D(G(x)) − 1)²)` — plain mean squared errors, with the
 * D loss halved by the trainer's `discriminatorLossWeight`, as in the reference implementation.
 */
export function cycleGanLeastSquaresLoss(): AdversarialLoss {
  return Object.freeze({
    name: 'least-squares (CycleGAN)',
    generatorUsesRealLogits: false,
    pairsRealAndFake: false,
    discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
      return tf.tidy(() => tf.add(tf.mean(tf.square(tf.sub(realLogits, 1))), tf.mean(tf.square(fakeLogits))) as tf.Scalar);
    },
    generatorLoss(_realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
      return tf.tidy(() => tf.mean(tf.square(tf.sub(fakeLogits, 1))) as tf.Scalar);
    },
  });
}

/** Options of {@link CycleGanTrainer}. Defaults are those of the authors' reference implementation. */
export interface CycleGanTrainerOptions extends BaseTrainerOptions {
  /** G: domain A → domain B (the reference's `netG_A`). */
  generatorAB: tf.LayersModel;
  /** F: domain B → domain A (the reference's `netG_B`). */
  generatorBA: tf.LayersModel;
  /** D_A: real A images vs F(b) (judges domain A; the reference's `netD_B`). */
  discriminatorA: tf.LayersModel;
  /** D_B: real B images vs G(a) (judges domain B; the reference's `netD_A`). */
  discriminatorB: tf.LayersModel;
  /** The adversarial loss. Default: {@link cycleGanLeastSquaresLoss}() (LSGAN with plain MSE terms). */
  loss?: AdversarialLoss;
  /** λ of the L1 cycle-consistency losses (both directions). Default: 10. */
  cycleWeight?: number;
  /**
   * Identity-loss weight as a fraction of `cycleWeight`: the identity terms `|G(b) − b|₁ + |F(a) − a|₁` are
   * multiplied by `identityWeight · cycleWeight` (0.5 · 10 = 5 by default). 0 turns them off (and saves two
   * generator passes); they need A and B images of the same shape. Default: 0.5.
   */
  identityWeight?: number;
  /** Factor of each discriminator's loss (the reference halves it "to slow down D"). Default: 0.5. */
  discriminatorLossWeight?: number;
  /** Size of the history of generated images each discriminator sees ({@link ImagePool}). 0: no pool. Default: 50. */
  poolSize?: number;
  /** Probability that a full pool returns a stored image instead of the new one. Default: 0.5. */
  poolSwapProbability?: number;
  /**
   * One optimizer for both generators (as the reference). Default: `tf.train.adam(2e-4, 0.5, 0.999)`.
   */
  generatorOptimizer?: tf.Optimizer;
  /** One optimizer for both discriminators (as the reference). Default: `tf.train.adam(2e-4, 0.5, 0.999)`. */
  discriminatorOptimizer?: tf.Optimizer;
  /**
   * Keep the learning rates constant, then decay them linearly to 0 over the last `decaySteps` of
   * `totalSteps` (default: the second half), per step — the reference's 100 + 100 epoch schedule
   * ({@link linearDecay}). Ignored for an optimizer with its own entry in `learningRateSchedules`. Default: no
   * decay (constant rates).
   */
  learningRateDecay?: { totalSteps: number; decaySteps?: number };
  /** Explicit schedules per optimizer; override `learningRateDecay`. Default: none. */
  learningRateSchedules?: GeneratorDiscriminatorPair<LearningRateSchedule>;
  /** Clip gradients to this global norm (one number, or one per role). Default: no clipping. */
  gradientClipNorm?: number | GeneratorDiscriminatorPair<number>;
  /**
   * Compute D(real) in the generator update, for relativistic losses. Default: false for the default loss and
   * gan-kit's non-relativistic losses, true for any other loss.
   */
  generatorUsesRealLogits?: boolean;
  /**
   * Check, on the first batches, that A images lie in F's output range and B images in G's (as
   * {@link AdversarialTrainerOptions.dataRangeCheck}). Default: `'error'`.
   */
  dataRangeCheck?: DataRangeCheck;
  /**
   * Regularizers added to each discriminator's loss (as {@link AdversarialTrainerOptions.penalties}), e.g.
   * `[{ fn: r1Penalty, on: 'real', options: { gamma: 1 } }]`; reported per discriminator in `penaltiesA` and
   * `penaltiesB`. Default: none.
   */
  penalties?: readonly DiscriminatorPenalty[];
  /**
   * Keep an exponential moving average of both generators' weights (see {@link EmaOptions}), used by
   * `translate` and saved in checkpoints (`generatorABEma`, `generatorBAEma`). Default: none.
   */
  ema?: EmaOptions;
}

const CYCLE_GAN_OPTION_KEYS = [
  ...BASE_TRAINER_OPTION_KEYS,
  'generatorAB',
  'generatorBA',
  'discriminatorA',
  'discriminatorB',
  'loss',
  'cycleWeight',
  'identityWeight',
  'discriminatorLossWeight',
  'poolSize',
  'poolSwapProbability',
  'generatorOptimizer',
  'discriminatorOptimizer',
  'learningRateDecay',
  'learningRateSchedules',
  'gradientClipNorm',
  'generatorUsesRealLogits',
  'dataRangeCheck',
  'penalties',
  'ema',
];

/** Stats of a {@link CycleGanTrainer} step (plain numbers). */
export interface CycleGanStepStats extends StepStats {
  /** The generators' total loss: adversarial + cycle + identity terms. */
  generatorLoss: number;
  /** G(a) fooling D_B. */
  adversarialLossAB: number;
  /** F(b) fooling D_A. */
  adversarialLossBA: number;
  /** λ·|F(G(a)) − a|₁. */
  cycleLossA: number;
  /** λ·|G(F(b)) − b|₁. */
  cycleLossB: number;
  /** identityWeight·λ·|F(a) − a|₁ (0 when identity is off). */
  identityLossA: number;
  /** identityWeight·λ·|G(b) − b|₁ (0 when identity is off). */
  identityLossB: number;
  /** D_A's loss (after the `discriminatorLossWeight` factor). */
  discriminatorLossA: number;
  /** D_B's loss (after the `discriminatorLossWeight` factor). */
  discriminatorLossB: number;
  /** Each penalty of D_A as added to its loss (only with the `penalties` option). */
  penaltiesA?: Record<string, number>;
  /** Each penalty of D_B as added to its loss (only with the `penalties` option). */
  penaltiesB?: Record<string, number>;
}

/** A batch for `fit`: one A batch and one B batch (unpaired). */
export type UnpairedBatch = { a: tf.Tensor; b: tf.Tensor } | readonly [tf.Tensor, tf.Tensor];

/**
 * CycleGAN: Zhu, Park, Isola, Efros, "Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial
 * Networks", ICCV 2017, https://arxiv.org/abs/1703.10593, with the defaults of the authors' reference
 * implementation (junyanz/pytorch-CycleGAN-and-pix2pix): least-squares adversarial loss, cycle weight λ = 10,
 * identity weight 0.5·λ, a pool of 50 generated images per discriminator with 50 % swap, discriminator loss
 * halved, Adam(2e-4, 0.5, 0.999), optional linear learning-rate decay to 0 over the second half.
 *
 * One step ({@link CycleGanTrainer.trainStep}): one update of both generators on
 * `L_adv(G(a)) + L_adv(F(b)) + λ(|F(G(a)) − a|₁ + |G(F(b)) − b|₁) + 0.5λ(|G(b) − b|₁ + |F(a) − a|₁)`, then one
 * update of both discriminators on the pooled fakes of that same forward pass.
 *
 * @example
 * ```ts
 * const trainer = new CycleGanTrainer({ generatorAB, generatorBA, discriminatorA, discriminatorB,
 *   learningRateDecay: { totalSteps: 200_000 }, seed: 0 });
 * const stats = await trainer.trainStep(horses, zebras);   // [batch, 256, 256, 3] each, in [-1, 1]
 * const zebrasFromHorses = trainer.translate(horses, 'AB');
 * ```
 */
export class CycleGanTrainer extends Trainer<UnpairedBatch, CycleGanStepStats> {
  protected readonly trainerType: string = 'CycleGanTrainer';
  /** G: domain A → domain B. */
  readonly generatorAB: tf.LayersModel;
  /** F: domain B → domain A. */
  readonly generatorBA: tf.LayersModel;
  /** D_A: judges domain A (real A vs F(b)). */
  readonly discriminatorA: tf.LayersModel;
  /** D_B: judges domain B (real B vs G(a)). */
  readonly discriminatorB: tf.LayersModel;
  /** The adversarial loss. */
  readonly loss: AdversarialLoss;
  /** λ of the cycle losses. */
  readonly cycleWeight: number;
  /** Identity weight as a fraction of λ. */
  readonly identityWeight: number;
  /** Factor of each discriminator's loss. */
  readonly discriminatorLossWeight: number;
  /** History of F(b) shown to D_A. */
  readonly poolA: ImagePool;
  /** History of G(a) shown to D_B. */
  readonly poolB: ImagePool;
  /** The generators' optimizer. */
  readonly generatorOptimizer: tf.Optimizer;
  /** The discriminators' optimizer. */
  readonly discriminatorOptimizer: tf.Optimizer;
  /** Whether the generator update computes D(real) (relativistic losses). */
  readonly generatorUsesRealLogits: boolean;
  /** Moving averages of G and F, when the `ema` option was given. */
  readonly ema: { AB: ExponentialMovingAverage; BA: ExponentialMovingAverage } | undefined;
  /** Each discriminator's penalties. */
  protected readonly penalties: PenaltyRunner;
  /** Checks of domain A data (against F's output range) and of domain B data (against G's). */
  protected readonly dataGuards: { A: DataGuard; B: DataGuard };
  /** Both generators' optimizer group. */
  protected readonly generatorGroup: OptimizerGroup;
  /** Both discriminators' optimizer group. */
  protected readonly discriminatorGroup: OptimizerGroup;

  constructor(options: CycleGanTrainerOptions) {
    if (options == null || typeof options !== 'object') {
      throw new InvalidArgumentError('options', '{ generatorAB, generatorBA, discriminatorA, discriminatorB, … }', options);
    }
    checkOptionKeys('CycleGanTrainer options', options, CYCLE_GAN_OPTION_KEYS);
    super(options);
    this.generatorAB = checkModel('generatorAB', options.generatorAB);
    this.generatorBA = checkModel('generatorBA', options.generatorBA);
    this.discriminatorA = checkModel('discriminatorA', options.discriminatorA);
    this.discriminatorB = checkModel('discriminatorB', options.discriminatorB);
    for (const [name, model] of [
      ['generatorAB', this.generatorAB],
      ['generatorBA', this.generatorBA],
      ['discriminatorA', this.discriminatorA],
      ['discriminatorB', this.discriminatorB],
    ] as const) {
      checkArity(name, model, 1, 1, 'CycleGAN models take one image batch and return one tensor.');
    }
    this.loss = options.loss ?? cycleGanLeastSquaresLoss();
    if (typeof this.loss?.discriminatorLoss !== 'function' || typeof this.loss.generatorLoss !== 'function') {
      throw new InvalidArgumentError('loss', 'an AdversarialLoss', options.loss);
    }
    this.generatorUsesRealLogits = usesRealLogits(this.loss, options.generatorUsesRealLogits);
    this.cycleWeight = checkWeight('cycleWeight', options.cycleWeight, 10);
    this.identityWeight = checkWeight('identityWeight', options.identityWeight, 0.5);
    this.discriminatorLossWeight = checkWeight('discriminatorLossWeight', options.discriminatorLossWeight, 0.5);
    this.dataGuards = {
      A: new DataGuard({ mode: options.dataRangeCheck, range: inferOutputRange(this.generatorBA) }),
      B: new DataGuard({ mode: options.dataRangeCheck, range: inferOutputRange(this.generatorAB) }),
    };
    this.penalties = new PenaltyRunner(options.penalties);
    this.checkArchitecture();

    this.poolA = new ImagePool({ size: options.poolSize, swapProbability: options.poolSwapProbability });
    this.poolB = new ImagePool({ size: options.poolSize, swapProbability: options.poolSwapProbability });

    checkOptionKeys('learningRateDecay', options.learningRateDecay, ['totalSteps', 'decaySteps']);
    const decay = options.learningRateDecay;
    const groups = optimizerPair(
      options,
      {
        generator: [...trainableVariables(this.generatorAB), ...trainableVariables(this.generatorBA)],
        discriminator: [...trainableVariables(this.discriminatorA), ...trainableVariables(this.discriminatorB)],
      },
      () => tf.train.adam(2e-4, 0.5, 0.999),
      // The reference's linear decay to 0, from each optimizer's own rate.
      (optimizers) =>
        decay === undefined
          ? {}
          : {
              generator: linearDecay({ initial: getLearningRate(optimizers.generator) ?? 2e-4, ...decay }),
              discriminator: linearDecay({ initial: getLearningRate(optimizers.discriminator) ?? 2e-4, ...decay }),
            },
    );
    this.generatorGroup = this.registerOptimizer('generator', groups.generator);
    this.discriminatorGroup = this.registerOptimizer('discriminator', groups.discriminator);
    this.generatorOptimizer = groups.generator.optimizer;
    this.discriminatorOptimizer = groups.discriminator.optimizer;
    const emaAB = this.registerAverage('generatorABEma', this.generatorAB, options.ema);
    const emaBA = this.registerAverage('generatorBAEma', this.generatorBA, options.ema);
    this.ema = emaAB && emaBA ? { AB: emaAB, BA: emaBA } : undefined;
  }

  /** See {@link CycleGanTrainerOptions.dataRangeCheck}. */
  get dataRangeCheck(): DataRangeCheck {
    return this.dataGuards.A.mode;
  }

  /** Checks that the four models chain: A → G → B → F → A, D_A on A, D_B on B. */
  private checkArchitecture(): void {
    const a = inputSampleShape(this.generatorAB);
    const b = inputSampleShape(this.generatorBA);
    const pairs: [string, (number | null)[], string, (number | null)[]][] = [
      ['generatorAB output', outputSampleShape(this.generatorAB), "generatorBA's input (domain B)", b],
      ['generatorBA output', outputSampleShape(this.generatorBA), "generatorAB's input (domain A)", a],
      ['discriminatorA input', inputSampleShape(this.discriminatorA), "generatorAB's input (domain A)", a],
      ['discriminatorB input', inputSampleShape(this.discriminatorB), "generatorBA's input (domain B)", b],
    ];
    for (const [what, actual, expectedName, expected] of pairs) {
      if (!shapesCompatible(actual, expected)) {
        throw new ShapeError(what, `shape ${shapeText([null, ...expected])}, like ${expectedName}`, shapeText([null, ...actual]));
      }
    }
    if (this.identityWeight > 0 && !shapesCompatible(a, b)) {
      throw new ShapeError(
        'identity loss',
        'domains A and B with the same image shape',
        `A ${shapeText(a)}, B ${shapeText(b)}`,
        'The identity loss feeds B images to generatorAB; set identityWeight: 0 for domains of different shapes.',
      );
    }
  }

  protected override batchesPerStep(): number {
    return 1;
  }

  protected override onFitBegin(): void {
    this.dataGuards.A.reset();
    this.dataGuards.B.reset();
  }

  protected override trainOnBatches(batches: UnpairedBatch[]): Promise<CycleGanStepStats> {
    const batch = batches[0]!;
    const pair = Array.isArray(batch) ? batch : [(batch as { a?: tf.Tensor }).a, (batch as { b?: tf.Tensor }).b];
    return this.trainStep(pair[0] as tf.Tensor, pair[1] as tf.Tensor);
  }

  /**
   * One CycleGAN step on an unpaired pair of batches: one update of both generators, then one update of both
   * discriminators on pooled fakes, then the EMA.
   *
   * @param batchA - images of domain A `[batch, ...]`, float32, in F's output range. Not disposed.
   * @param batchB - images of domain B `[batch, ...]` (any batch size), in G's output range. Not disposed.
   * @throws {ShapeError} / {DTypeError} for batches of the wrong shape or dtype, {@link InvalidArgumentError}
   *   for data out of range (first step), {@link NonFiniteDataError} for NaN/Inf in the data,
   *   {@link NonFiniteLossError} for NaN/Inf losses.
   */
  async trainStep(batchA: tf.Tensor, batchB: tf.Tensor): Promise<CycleGanStepStats> {
    const a = checkBatch('batchA', batchA, inputSampleShape(this.generatorAB), "generatorAB's input shape (domain A)");
    const b = checkBatch('batchB', batchB, inputSampleShape(this.generatorBA), "generatorBA's input shape (domain B)");
    // NaN/Infinity (every step) and the output ranges (first step of a fit): before anything changes.
    await this.dataGuards.A.check({ batchA: a });
    await this.dataGuards.B.check({ batchB: b });
    this.applySchedules();
    const G = (x: tf.Tensor): tf.Tensor => this.generatorAB.apply(x, { training: true }) as tf.Tensor;
    const F = (x: tf.Tensor): tf.Tensor => this.generatorBA.apply(x, { training: true }) as tf.Tensor;
    const DA = (x: tf.Tensor): tf.Tensor => this.discriminatorA.apply(x, { training: true }) as tf.Tensor;
    const DB = (x: tf.Tensor): tf.Tensor => this.discriminatorB.apply(x, { training: true }) as tf.Tensor;
    const l1 = (x: tf.Tensor, y: tf.Tensor, w: number): tf.Scalar => tf.mul(tf.mean(tf.abs(tf.sub(x, y))), w) as tf.Scalar;
    const identity = this.identityWeight * this.cycleWeight;
    const stats = new StatsRecorder();
    const generated: tf.Tensor[] = []; // G(a), F(b) from the generator pass, then the pooled ones
    try {
      // One update of both generators: adversarial + λ·cycle + identity terms.
      const gTotal = this.generatorGroup.minimize(() => {
        const fakeB = G(a);
        const fakeA = F(b);
        generated.push(tf.keep(fakeB), tf.keep(fakeA));
        const common = { loss: this.loss, useRealLogits: this.generatorUsesRealLogits };
        const ab = generatorTerms({ ...common, fake: fakeB, discriminate: DB, discriminateReal: () => DB(b) });
        const ba = generatorTerms({ ...common, fake: fakeA, discriminate: DA, discriminateReal: () => DA(a) });
        stats.mean('adversarialLossAB', ab.loss);
        stats.mean('adversarialLossBA', ba.loss);
        const terms: Record<string, tf.Scalar> = {
          cycleLossA: l1(F(fakeB), a, this.cycleWeight),
          cycleLossB: l1(G(fakeA), b, this.cycleWeight),
          identityLossA: identity > 0 ? l1(F(a), a, identity) : tf.scalar(0),
          identityLossB: identity > 0 ? l1(G(b), b, identity) : tf.scalar(0),
        };
        for (const [name, value] of Object.entries(terms)) stats.mean(name, tf.keep(value));
        return tf.addN([ab.loss, ba.loss, ...Object.values(terms)]) as tf.Scalar;
      });
      stats.mean('generatorLoss', gTotal);

      // One update of both discriminators, on the fakes of the pass above (made before the G update), through the pools.
      const pooledA = this.poolA.query(generated[1]!, this.random);
      const pooledB = this.poolB.query(generated[0]!, this.random);
      generated.push(pooledA, pooledB);
      const dTotal = this.discriminatorGroup.minimize(() => {
        const common = { loss: this.loss, lossWeight: this.discriminatorLossWeight, penalties: this.penalties, step: this.step, random: this.random };
        const dA = discriminatorTerms({ ...common, discriminate: DA, real: a, fake: pooledA });
        const dB = discriminatorTerms({ ...common, discriminate: DB, real: b, fake: pooledB });
        stats.mean('discriminatorLossA', dA.loss);
        stats.mean('discriminatorLossB', dB.loss);
        stats.meanAll('penaltiesA', dA.penalties);
        stats.meanAll('penaltiesB', dB.penalties);
        tf.dispose([dA.realLogitMean, dA.fakeLogitMean, dB.realLogitMean, dB.fakeLogitMean]);
        return tf.add(dA.total, dB.total) as tf.Scalar;
      });
      dTotal.dispose();
    } catch (error) {
      stats.dispose();
      throw error;
    } finally {
      tf.dispose(generated);
    }
    this.updateAverages();
    const v = await stats.read(); // one device read for every stat
    const result: CycleGanStepStats = {
      step: this.step + 1,
      generatorLoss: v['generatorLoss']!,
      adversarialLossAB: v['adversarialLossAB']!,
      adversarialLossBA: v['adversarialLossBA']!,
      cycleLossA: v['cycleLossA']!,
      cycleLossB: v['cycleLossB']!,
      identityLossA: v['identityLossA']!,
      identityLossB: v['identityLossB']!,
      discriminatorLossA: v['discriminatorLossA']!,
      discriminatorLossB: v['discriminatorLossB']!,
    };
    if (this.penalties.penalties.length > 0) {
      result.penaltiesA = StatsRecorder.group(v, 'penaltiesA');
      result.penaltiesB = StatsRecorder.group(v, 'penaltiesB');
    }
    return this.completeStep(result);
  }

  /**
   * Translates images with a trained generator (inference mode): `'AB'` uses G (A → B), `'BA'` uses F.
   * @returns a new tensor; the caller disposes it.
   */
  translate(images: tf.Tensor, direction: 'AB' | 'BA', options: { useEma?: boolean } = {}): tf.Tensor {
    if (direction !== 'AB' && direction !== 'BA') throw new InvalidArgumentError('direction', "'AB' or 'BA'", direction);
    checkOptionKeys('translate options', options, ['useEma']);
    const model = this.translator(direction, options.useEma, images);
    checkBatch('images', images, inputSampleShape(model), `the input shape of generator${direction}`);
    return tf.tidy(() => model.predict(images) as tf.Tensor);
  }

  /**
   * The generator `translate` uses: the EMA copy unless `useEma` is false or there is none, its batch-norm
   * statistics recomputed for its own weights when stale, on `images`.
   */
  private translator(direction: 'AB' | 'BA', useEma: boolean | undefined, images: tf.Tensor): tf.LayersModel {
    const source = direction === 'AB' ? this.generatorAB : this.generatorBA;
    const ema = this.ema?.[direction];
    if (useEma === false || ema === undefined) return source;
    checkBatch('images', images, inputSampleShape(source), `the input shape of generator${direction}`);
    if (ema.batchNormStale) ema.recalibrateBatchNorm([images]);
    return ema.averaged;
  }

  protected override checkpointModels(): Record<string, tf.LayersModel> {
    return {
      generatorAB: this.generatorAB,
      generatorBA: this.generatorBA,
      discriminatorA: this.discriminatorA,
      discriminatorB: this.discriminatorB,
    };
  }

  protected override checkpointState(): { json: unknown; tensors: { name: string; tensor: tf.Tensor }[] } {
    const tensors: { name: string; tensor: tf.Tensor }[] = [];
    const a = this.poolA.snapshot();
    const b = this.poolB.snapshot();
    if (a) tensors.push({ name: 'poolA', tensor: a });
    if (b) tensors.push({ name: 'poolB', tensor: b });
    return { json: { poolA: a !== undefined, poolB: b !== undefined }, tensors };
  }

  protected override restoreState(json: unknown, tensors: tf.Tensor[]): void {
    const flags = (json ?? {}) as { poolA?: boolean; poolB?: boolean };
    let i = 0;
    this.poolA.load(flags.poolA ? tensors[i++] : undefined);
    this.poolB.load(flags.poolB ? tensors[i++] : undefined);
  }

  /** Frees the trainer's optimizers (if it created them) and the image pools. */
  override dispose(): void {
    super.dispose();
    this.poolA.dispose();
    this.poolB.dispose();
  }
}
