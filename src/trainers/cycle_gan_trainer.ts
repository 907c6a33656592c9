import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '../errors';
import type { AdversarialLoss } from '../losses/adversarial_loss';
import type { DataRangeCheck } from './adversarial_trainer';
import { NON_RELATIVISTIC_LOSSES, perRole, type GeneratorDiscriminatorPair } from './adversarial_trainer';
import { ImagePool } from './image_pool';
import { linearDecay, type LearningRateSchedule } from './learning_rate_schedules';
import {
  checkArity,
  checkBatch,
  checkModel,
  inferOutputRange,
  inputSampleShape,
  outputSampleShape,
  shapesCompatible,
  shapeText,
} from './model_checks';
import { getLearningRate, trainableVariables } from './optimizer_utils';
import { Trainer, type BaseTrainerOptions, type StepStats } from './trainer';

/**
 * The reference CycleGAN's least-squares GAN loss (Zhu et al. 2017, Section 4; Mao et al. 2017):
 * D: `mean((D(real) − 1)²) + mean(D(fake)²)`, G: `mean((D(G(x)) − 1)²)` — plain mean squared errors, with the
 * D loss halved by the trainer's `discriminatorLossWeight`, as in the reference implementation.
 */
export function cycleGanLeastSquaresLoss(): AdversarialLoss {
  return Object.freeze({
    name: 'least-squares (CycleGAN)',
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
}

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
}

/** A batch for `fit`: one A batch and one B batch (unpaired). */
export type UnpairedBatch = { a: tf.Tensor; b: tf.Tensor } | readonly [tf.Tensor, tf.Tensor];

function checkWeight(argument: string, value: unknown, fallback: number): number {
  const v = value ?? fallback;
  if (!(typeof v === 'number' && v >= 0 && Number.isFinite(v))) throw new InvalidArgumentError(argument, 'a finite number >= 0', v);
  return v;
}

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
  /** See {@link CycleGanTrainerOptions.dataRangeCheck}. */
  readonly dataRangeCheck: DataRangeCheck;
  /** Whether the generator update computes D(real) (relativistic losses). */
  readonly generatorUsesRealLogits: boolean;
  private rangeChecked = false;

  constructor(options: CycleGanTrainerOptions) {
    if (options == null || typeof options !== 'object') {
      throw new InvalidArgumentError('options', '{ generatorAB, generatorBA, discriminatorA, discriminatorB, … }', options);
    }
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
    this.generatorUsesRealLogits =
      options.generatorUsesRealLogits ?? !['least-squares (CycleGAN)', ...NON_RELATIVISTIC_LOSSES].includes(this.loss.name);
    this.cycleWeight = checkWeight('cycleWeight', options.cycleWeight, 10);
    this.identityWeight = checkWeight('identityWeight', options.identityWeight, 0.5);
    this.discriminatorLossWeight = checkWeight('discriminatorLossWeight', options.discriminatorLossWeight, 0.5);
    this.dataRangeCheck = options.dataRangeCheck ?? 'error';
    if (!['error', 'warn', 'off'].includes(this.dataRangeCheck)) {
      throw new InvalidArgumentError('dataRangeCheck', "'error', 'warn' or 'off'", options.dataRangeCheck);
    }
    this.checkArchitecture();

    this.poolA = new ImagePool({ size: options.poolSize, swapProbability: options.poolSwapProbability });
    this.poolB = new ImagePool({ size: options.poolSize, swapProbability: options.poolSwapProbability });

    if (options.generatorOptimizer !== undefined && options.generatorOptimizer === options.discriminatorOptimizer) {
      throw new InvalidArgumentError('discriminatorOptimizer', 'a different optimizer instance from generatorOptimizer', 'the same instance');
    }
    this.generatorOptimizer = options.generatorOptimizer ?? tf.train.adam(2e-4, 0.5, 0.999);
    this.discriminatorOptimizer = options.discriminatorOptimizer ?? tf.train.adam(2e-4, 0.5, 0.999);
    const clip = perRole(options.gradientClipNorm, (v): v is number => typeof v === 'number');
    const schedules: GeneratorDiscriminatorPair<LearningRateSchedule> = { ...(options.learningRateSchedules ?? {}) };
    if (options.learningRateDecay !== undefined) {
      const { totalSteps, decaySteps } = options.learningRateDecay;
      schedules.generator ??= linearDecay({ initial: getLearningRate(this.generatorOptimizer) ?? 2e-4, totalSteps, decaySteps });
      schedules.discriminator ??= linearDecay({
        initial: getLearningRate(this.discriminatorOptimizer) ?? 2e-4,
        totalSteps,
        decaySteps,
      });
    }
    this.registerOptimizer('generator', {
      optimizer: this.generatorOptimizer,
      variables: [...trainableVariables(this.generatorAB), ...trainableVariables(this.generatorBA)],
      schedule: schedules.generator,
      clipNorm: clip.generator,
      owned: options.generatorOptimizer === undefined,
    });
    this.registerOptimizer('discriminator', {
      optimizer: this.discriminatorOptimizer,
      variables: [...trainableVariables(this.discriminatorA), ...trainableVariables(this.discriminatorB)],
      schedule: schedules.discriminator,
      clipNorm: clip.discriminator,
      owned: options.discriminatorOptimizer === undefined,
    });
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
    this.rangeChecked = false;
  }

  protected override trainOnBatches(batches: UnpairedBatch[]): Promise<CycleGanStepStats> {
    const batch = batches[0]!;
    const pair = Array.isArray(batch) ? batch : [(batch as { a?: tf.Tensor }).a, (batch as { b?: tf.Tensor }).b];
    return this.trainStep(pair[0] as tf.Tensor, pair[1] as tf.Tensor);
  }

  private async checkRange(argument: string, batch: tf.Tensor, range: [number, number] | undefined): Promise<void> {
    if (range === undefined) return;
    const [lo, hi] = range;
    const [min, max] = (await this.readScalars([tf.min(batch), tf.max(batch)])) as [number, number];
    const tol = 1e-3 * (hi - lo);
    if (min >= lo - tol && max <= hi + tol) return;
    const hint =
      max > 2 && min >= 0
        ? `The data looks like 8-bit pixels in [0, 255]: scale it with ${lo === -1 ? 'x.div(127.5).sub(1)' : 'x.div(255)'}.`
        : `Rescale it to [${lo}, ${hi}], or set dataRangeCheck: 'off'.`;
    const error = new InvalidArgumentError(argument, `values in [${lo}, ${hi}], the range of the generator's output`, `values in [${min}, ${max}]`, hint);
    if (this.dataRangeCheck === 'error') throw error;
    console.warn(`gan-kit: ${error.message}`);
  }

  /**
   * One CycleGAN step on an unpaired pair of batches: one update of both generators, then one update of both
   * discriminators on pooled fakes.
   *
   * @param batchA - images of domain A `[batch, ...]`, float32, in F's output range. Not disposed.
   * @param batchB - images of domain B `[batch, ...]` (any batch size), in G's output range. Not disposed.
   * @throws {ShapeError} / {DTypeError} for batches of the wrong shape or dtype, {@link InvalidArgumentError}
   *   for data out of range (first step), {@link NonFiniteLossError} for NaN/Inf losses.
   */
  async trainStep(batchA: tf.Tensor, batchB: tf.Tensor): Promise<CycleGanStepStats> {
    const a = checkBatch('batchA', batchA, inputSampleShape(this.generatorAB), "generatorAB's input shape (domain A)");
    const b = checkBatch('batchB', batchB, inputSampleShape(this.generatorBA), "generatorBA's input shape (domain B)");
    if (!this.rangeChecked) {
      this.rangeChecked = true;
      if (this.dataRangeCheck !== 'off') {
        await this.checkRange('batchA', a, inferOutputRange(this.generatorBA));
        await this.checkRange('batchB', b, inferOutputRange(this.generatorAB));
      }
    }
    this.applySchedules();
    const kept: tf.Tensor[] = [];
    const keep = <T extends tf.Tensor>(t: T): T => {
      kept.push(tf.keep(t));
      return t;
    };
    const identity = this.identityWeight * this.cycleWeight;
    let fakeA: tf.Tensor | undefined;
    let fakeB: tf.Tensor | undefined;
    let pooledA: tf.Tensor | undefined;
    let pooledB: tf.Tensor | undefined;
    const scalars: tf.Tensor[] = [];
    try {
      const gTotal = this.update('generator', () => {
        const g = (x: tf.Tensor): tf.Tensor => this.generatorAB.apply(x, { training: true }) as tf.Tensor;
        const f = (x: tf.Tensor): tf.Tensor => this.generatorBA.apply(x, { training: true }) as tf.Tensor;
        const dA = (x: tf.Tensor): tf.Tensor => this.discriminatorA.apply(x, { training: true }) as tf.Tensor;
        const dB = (x: tf.Tensor): tf.Tensor => this.discriminatorB.apply(x, { training: true }) as tf.Tensor;
        fakeB = keep(g(a));
        fakeA = keep(f(b));
        const fakeBLogits = dB(fakeB);
        const fakeALogits = dA(fakeA);
        // D(real) is only needed by relativistic losses; it does not depend on the generators' weights.
        const realBLogits = this.generatorUsesRealLogits ? dB(b) : fakeBLogits;
        const realALogits = this.generatorUsesRealLogits ? dA(a) : fakeALogits;
        const advAB = keep(this.loss.generatorLoss(realBLogits, fakeBLogits));
        const advBA = keep(this.loss.generatorLoss(realALogits, fakeALogits));
        const l1 = (x: tf.Tensor, y: tf.Tensor, w: number): tf.Scalar => tf.mul(tf.mean(tf.abs(tf.sub(x, y))), w) as tf.Scalar;
        const cycleA = keep(l1(f(fakeB), a, this.cycleWeight));
        const cycleB = keep(l1(g(fakeA), b, this.cycleWeight));
        let total = tf.addN([advAB, advBA, cycleA, cycleB]) as tf.Scalar;
        let idA: tf.Scalar;
        let idB: tf.Scalar;
        if (identity > 0) {
          idA = keep(l1(f(a), a, identity));
          idB = keep(l1(g(b), b, identity));
          total = tf.addN([total, idA, idB]) as tf.Scalar;
        } else {
          idA = keep(tf.scalar(0));
          idB = keep(tf.scalar(0));
        }
        scalars.push(advAB, advBA, cycleA, cycleB, idA, idB);
        return total;
      });
      scalars.unshift(gTotal);

      // D update on the fakes of the pass above (computed before the G update), through the pools.
      pooledA = this.poolA.query(fakeA!, this.random);
      pooledB = this.poolB.query(fakeB!, this.random);
      let lossA: tf.Scalar | undefined;
      let lossB: tf.Scalar | undefined;
      const dTotal = this.update('discriminator', () => {
        const w = this.discriminatorLossWeight;
        const realA = this.discriminatorA.apply(a, { training: true }) as tf.Tensor;
        const fakeALogits = this.discriminatorA.apply(pooledA!, { training: true }) as tf.Tensor;
        const realB = this.discriminatorB.apply(b, { training: true }) as tf.Tensor;
        const fakeBLogits = this.discriminatorB.apply(pooledB!, { training: true }) as tf.Tensor;
        lossA = keep(tf.mul(this.loss.discriminatorLoss(realA, fakeALogits), w) as tf.Scalar);
        lossB = keep(tf.mul(this.loss.discriminatorLoss(realB, fakeBLogits), w) as tf.Scalar);
        return tf.add(lossA, lossB) as tf.Scalar;
      });
      dTotal.dispose();
      scalars.push(lossA!, lossB!);
    } catch (error) {
      tf.dispose(kept);
      tf.dispose(scalars);
      throw error;
    } finally {
      tf.dispose([fakeA, fakeB, pooledA, pooledB].filter((t): t is tf.Tensor => t !== undefined));
    }
    const v = await this.readScalars(scalars);
    return this.completeStep({
      step: this.step + 1,
      generatorLoss: v[0]!,
      adversarialLossAB: v[1]!,
      adversarialLossBA: v[2]!,
      cycleLossA: v[3]!,
      cycleLossB: v[4]!,
      identityLossA: v[5]!,
      identityLossB: v[6]!,
      discriminatorLossA: v[7]!,
      discriminatorLossB: v[8]!,
    });
  }

  /**
   * Translates images with a trained generator (inference mode): `'AB'` uses G (A → B), `'BA'` uses F.
   * @returns a new tensor; the caller disposes it.
   */
  translate(images: tf.Tensor, direction: 'AB' | 'BA'): tf.Tensor {
    if (direction !== 'AB' && direction !== 'BA') throw new InvalidArgumentError('direction', "'AB' or 'BA'", direction);
    const model = direction === 'AB' ? this.generatorAB : this.generatorBA;
    checkBatch('images', images, inputSampleShape(model), `the input shape of generator${direction}`);
    return tf.tidy(() => model.predict(images) as tf.Tensor);
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
