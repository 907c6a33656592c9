import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError } from '../errors';
import { wassersteinLoss } from '../losses/wasserstein';
import { gradientPenalty } from '../regularizers/gradient_penalty';
import { ADVERSARIAL_OPTION_KEYS, type AdversarialTrainerOptions, type GeneratorDiscriminatorPair } from './adversarial_trainer';
import { GanTrainer } from './gan_trainer';
import type { LearningRateSchedule } from './learning_rate_schedules';
import type { DiscriminatorPenalty } from './penalties';

/** Per-role values of a WGAN: one for the generator, one for the critic. */
export interface GeneratorCriticPair<T> {
  /** For the generator's optimizer. */
  generator?: T;
  /** For the critic's optimizer. */
  critic?: T;
}

/** Options of {@link WganGpTrainer}. */
export interface WganGpTrainerOptions
  extends Omit<
    AdversarialTrainerOptions,
    | 'discriminator'
    | 'loss'
    | 'discriminatorOptimizer'
    | 'discriminatorSteps'
    | 'penalties'
    | 'learningRateSchedules'
    | 'gradientClipNorm'
  > {
  /** The critic: samples → unbounded scores `[batch, 1]`. No batch normalization (the penalty is per sample). */
  critic: tf.LayersModel;
  /** λ of the gradient penalty λ·E[(‖∇D(x̂)‖ − 1)²]. Default: 10 (the paper's value). */
  gradientPenaltyWeight?: number;
  /** Critic updates per generator update (n_critic). Default: 5 (the paper's value). */
  criticSteps?: number;
  /** The generator's optimizer. Default: `tf.train.adam(1e-4, 0, 0.9)` (the paper's α, β1, β2). */
  generatorOptimizer?: tf.Optimizer;
  /** The critic's optimizer. Default: `tf.train.adam(1e-4, 0, 0.9)`. */
  criticOptimizer?: tf.Optimizer;
  /** More penalties added to the critic's loss after the gradient penalty (e.g. ProGAN's drift term). Default: none. */
  extraPenalties?: readonly DiscriminatorPenalty[];
  /** Learning-rate schedules per optimizer. Default: constant. */
  learningRateSchedules?: GeneratorCriticPair<LearningRateSchedule>;
  /** Clip gradients to this global norm (one number, or one per role). Default: no clipping. */
  gradientClipNorm?: number | GeneratorCriticPair<number>;
}

/** Keys of {@link WganGpTrainerOptions}. */
const WGAN_GP_OPTION_KEYS = [
  ...ADVERSARIAL_OPTION_KEYS.filter(
    (k) => !['discriminator', 'loss', 'discriminatorOptimizer', 'discriminatorSteps', 'penalties'].includes(k),
  ),
  'critic',
  'gradientPenaltyWeight',
  'criticSteps',
  'criticOptimizer',
  'extraPenalties',
];

function toGeneratorDiscriminator<T>(pair: GeneratorCriticPair<T> | undefined): GeneratorDiscriminatorPair<T> | undefined {
  return pair === undefined ? undefined : { generator: pair.generator, discriminator: pair.critic };
}

/**
 * WGAN-GP: Gulrajani, Ahmed, Arjovsky, Dumoulin, Courville, "Improved Training of Wasserstein GANs", NeurIPS
 * 2017, https://arxiv.org/abs/1704.00028 (Algorithm 1), with the paper's defaults: Wasserstein loss, gradient
 * penalty λ = 10 on random interpolates of real and generated samples (α drawn from the trainer's seeded stream),
 * n_critic = 5 critic updates per generator update, Adam(α = 1e-4, β1 = 0, β2 = 0.9) for both networks.
 *
 * A {@link GanTrainer} with those settings; stats name the critic "discriminator" (`discriminatorLoss` is the
 * critic's Wasserstein loss E[D(fake)] − E[D(real)], `penalties.gradientPenalty` the weighted penalty).
 * The penalty differentiates the critic twice: build it from layers with correct second-order gradients (dense,
 * conv, LeakyReLU with gan-kit imported), without batch normalization.
 *
 * @example
 * ```ts
 * const trainer = new WganGpTrainer({ generator, critic, latentDim: 128, seed: 0 });
 * const stats = await trainer.trainStep(realBatches); // 5 batches, or one reused 5 times
 * stats.penalties.gradientPenalty;                    // λ·E[(‖∇D(x̂)‖ − 1)²]
 * ```
 */
export class WganGpTrainer extends GanTrainer {
  protected override readonly trainerType: string = 'WganGpTrainer';
  /** λ of the gradient penalty. */
  readonly gradientPenaltyWeight: number;

  constructor(options: WganGpTrainerOptions) {
    if (options == null || typeof options !== 'object') {
      throw new InvalidArgumentError('options', '{ generator, critic, latentDim, … }', options);
    }
    if ('discriminator' in options || 'discriminatorOptimizer' in options || 'discriminatorSteps' in options) {
      const key = 'discriminator' in options ? 'discriminator' : 'discriminatorOptimizer' in options ? 'discriminatorOptimizer' : 'discriminatorSteps';
      const use = { discriminator: 'critic', discriminatorOptimizer: 'criticOptimizer', discriminatorSteps: 'criticSteps' }[key];
      throw new InvalidArgumentError(
        `WganGpTrainer options.${key}`,
        `${use} (a WGAN's discriminator is its critic)`,
        `${key}: …`,
        `Rename ${key} to ${use}.`,
      );
    }
    checkOptionKeys('WganGpTrainer options', options, WGAN_GP_OPTION_KEYS);
    const weight = options.gradientPenaltyWeight ?? 10;
    if (!(typeof weight === 'number' && weight >= 0 && Number.isFinite(weight))) {
      throw new InvalidArgumentError('gradientPenaltyWeight', 'a finite number >= 0 (the paper uses 10)', weight);
    }
    const criticSteps = options.criticSteps ?? 5;
    if (typeof criticSteps !== 'number' || !Number.isInteger(criticSteps) || criticSteps < 1) {
      throw new InvalidArgumentError('criticSteps', 'an integer >= 1 (the paper uses 5)', criticSteps);
    }
    const {
      critic,
      criticOptimizer,
      criticSteps: _criticSteps,
      gradientPenaltyWeight: _weight,
      extraPenalties,
      learningRateSchedules,
      gradientClipNorm,
      ...rest
    } = options;
    if (typeof learningRateSchedules === 'object' && learningRateSchedules !== null) {
      checkOptionKeys('learningRateSchedules', learningRateSchedules, ['generator', 'critic']);
    }
    if (typeof gradientClipNorm === 'object' && gradientClipNorm !== null) {
      checkOptionKeys('gradientClipNorm', gradientClipNorm, ['generator', 'critic']);
    }
    super({
      ...rest,
      discriminator: critic,
      loss: wassersteinLoss(),
      discriminatorOptimizer: criticOptimizer,
      discriminatorSteps: criticSteps,
      penalties: [{ fn: gradientPenalty, weight, name: 'gradientPenalty' }, ...(extraPenalties ?? [])],
      learningRateSchedules: toGeneratorDiscriminator(learningRateSchedules),
      gradientClipNorm:
        typeof gradientClipNorm === 'number' ? gradientClipNorm : toGeneratorDiscriminator(gradientClipNorm),
    }, 'WganGpTrainer options');
    this.gradientPenaltyWeight = weight;
  }

  /** The paper's optimizer: Adam(1e-4, β1 = 0, β2 = 0.9). */
  protected override defaultOptimizer(): tf.Optimizer {
    return tf.train.adam(1e-4, 0, 0.9);
  }

  /** The critic (same model as `discriminator`). */
  get critic(): tf.LayersModel {
    return this.discriminator;
  }

  /** The critic's optimizer (same as `discriminatorOptimizer`). */
  get criticOptimizer(): tf.Optimizer {
    return this.discriminatorOptimizer;
  }

  /** Critic updates per generator update (same as `discriminatorSteps`). */
  get criticSteps(): number {
    return this.discriminatorSteps;
  }
}
