import type * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError } from '../../errors';
import type { LearningRateSchedule } from '../learning_rate_schedules';
import { OptimizerGroup } from './optimizer_group';

/** Per-role values: one for the generator, one for the discriminator. */
export interface GeneratorDiscriminatorPair<T> {
  /** For the generator's optimizer. */
  generator?: T;
  /** For the discriminator's (critic's) optimizer. */
  discriminator?: T;
}

/** The optimizer options of a trainer with a generator side and a discriminator side. */
export interface OptimizerPairOptions {
  /** The generator side's optimizer (a separate instance from the discriminator's). Default: `makeDefault()`. */
  generatorOptimizer?: tf.Optimizer;
  /** The discriminator side's optimizer. Default: `makeDefault()`. */
  discriminatorOptimizer?: tf.Optimizer;
  /** Learning-rate schedules per side. Default: constant rates. */
  learningRateSchedules?: GeneratorDiscriminatorPair<LearningRateSchedule>;
  /** Clip each update's gradients to this global L2 norm: one number for both sides, or one per side. Default: none. */
  gradientClipNorm?: number | GeneratorDiscriminatorPair<number>;
}

/** Resolves a "one value or one per role" option. @internal */
export function perRole<T>(
  value: T | GeneratorDiscriminatorPair<T> | undefined,
  isValue: (v: unknown) => v is T,
  argument = 'gradientClipNorm',
): GeneratorDiscriminatorPair<T> {
  if (value === undefined) return {};
  if (isValue(value)) return { generator: value, discriminator: value };
  checkOptionKeys(argument, value as object, ['generator', 'discriminator']);
  return value as GeneratorDiscriminatorPair<T>;
}

/**
 * The two {@link OptimizerGroup}s of an adversarial trainer, from its options: one optimizer per side (the
 * default one made by `makeDefault`, and owned), schedules and clipping per side, and the check that the two
 * sides do not share an optimizer instance (optimizers keep per-variable state by position).
 *
 * @param variables - each side's variables, e.g. `trainableVariables(generator)`.
 * @param defaultSchedules - schedules for the sides without one in `learningRateSchedules`, given the optimizers
 *   (e.g. CycleGAN's linear decay from each optimizer's rate). Default: none.
 */
export function optimizerPair(
  options: OptimizerPairOptions,
  variables: { generator: readonly tf.Variable[]; discriminator: readonly tf.Variable[] },
  makeDefault: () => tf.Optimizer,
  defaultSchedules?: (optimizers: { generator: tf.Optimizer; discriminator: tf.Optimizer }) => GeneratorDiscriminatorPair<LearningRateSchedule>,
): { generator: OptimizerGroup; discriminator: OptimizerGroup } {
  if (options.generatorOptimizer !== undefined && options.generatorOptimizer === options.discriminatorOptimizer) {
    throw new InvalidArgumentError(
      'discriminatorOptimizer',
      'a different optimizer instance from generatorOptimizer',
      'the same instance',
      'Optimizers keep per-variable state by position: create one per network, e.g. tf.train.adam(2e-4, 0.5) twice.',
    );
  }
  checkOptionKeys('learningRateSchedules', options.learningRateSchedules, ['generator', 'discriminator']);
  const clip = perRole(options.gradientClipNorm, (v): v is number => typeof v === 'number');
  const optimizers = {
    generator: options.generatorOptimizer ?? makeDefault(),
    discriminator: options.discriminatorOptimizer ?? makeDefault(),
  };
  const fallback = defaultSchedules?.(optimizers) ?? {};
  const schedules = {
    generator: options.learningRateSchedules?.generator ?? fallback.generator,
    discriminator: options.learningRateSchedules?.discriminator ?? fallback.discriminator,
  };
  const group = (role: 'generator' | 'discriminator'): OptimizerGroup =>
    new OptimizerGroup(
      {
        optimizer: optimizers[role],
        variables: variables[role],
        schedule: schedules[role],
        clipNorm: clip[role],
        owned: options[`${role}Optimizer`] === undefined,
      },
      role,
    );
  return { generator: group('generator'), discriminator: group('discriminator') };
}
