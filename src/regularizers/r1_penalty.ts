import * as tf from '@tensorflow/tfjs';
import { checkFloatTensor, checkNumber, checkOptions } from '../losses/validation';
import { checkCritic, squaredGradientNorms, type CriticFn } from './critic';
import { optionKeys } from '../option_keys';
import { checkOptionKeys } from '../errors';

/** Options of {@link r1Penalty} and {@link r2Penalty}. */
export interface ZeroCenteredPenaltyOptions {
  /** γ; the penalty is γ/2 · mean(‖∇‖²). Default: 10 (Mescheder et al. 2018 used values from 0.1 to 10). */
  gamma?: number;
}

/** The keys of {@link ZeroCenteredPenaltyOptions} (checked against it by the compiler, both ways). */
const ZERO_CENTERED_PENALTY_OPTION_KEYS = optionKeys<ZeroCenteredPenaltyOptions>()(['gamma']);

function zeroCenteredPenalty(
  critic: CriticFn,
  samples: tf.Tensor,
  samplesArgument: string,
  options: ZeroCenteredPenaltyOptions | undefined,
): tf.Scalar {
  const fn = checkCritic(critic);
  const opts = checkOptions('options', options);
  const x = checkFloatTensor(samplesArgument, samples, 1);
  const gamma = checkNumber('options.gamma', opts.gamma ?? 10, { min: 0 });
  return tf.tidy(() => tf.mul(tf.mean(squaredGradientNorms(fn, x)), gamma / 2) as tf.Scalar);
}

/**
 * The R1 regularizer: Mescheder, Geiger, Nowozin, "Which Training Methods for GANs do actually Converge?",
 * ICML 2018, https://arxiv.org/abs/1801.04406 (Section 4.1). A zero-centred gradient penalty on real data:
 *
 *   R1 = γ/2 · mean_i(‖∇ₓ D(x_i)‖₂²),  x_i real
 *
 * the squared norm taken per sample over all non-batch axes (gradient of sum(D(x)), so PatchGAN scores are
 * summed per sample). Used with the non-saturating loss by StyleGAN and many modern GANs; add it to the
 * discriminator's loss (possibly only every k steps, "lazy regularization", scaling γ by k). Differentiable with
 * respect to the critic's weights; intermediates are freed.
 *
 * @param critic the discriminator as a function of a batch, see {@link CriticFn}.
 * @param real a batch of real samples, float32 [batch, ...].
 * @returns the penalty, a float32 scalar (already multiplied by γ/2).
 * @example
 * ```ts
 * const dLoss = tf.add(nonSaturatingLoss().discriminatorLoss(r, f), r1Penalty(criticFn, real, { gamma: 1 }));
 * ```
 * @throws {InvalidArgumentError} for a non-function critic or a negative γ.
 * @throws {ShapeError} if `real` has no batch axis or the critic does not return one score per sample.
 */
export function r1Penalty(critic: CriticFn, real: tf.Tensor, options?: ZeroCenteredPenaltyOptions): tf.Scalar {
  checkOptionKeys('r1Penalty options', options, ZERO_CENTERED_PENALTY_OPTION_KEYS);
  return zeroCenteredPenalty(critic, real, 'real', options);
}

/**
 * The R2 regularizer (Mescheder et al. 2018, https://arxiv.org/abs/1801.04406, Section 4.1): R1's zero-centred
 * gradient penalty on generated data instead of real data,
 *
 *   R2 = γ/2 · mean_i(‖∇ₓ D(x_i)‖₂²),  x_i = G(z_i)
 *
 * Same conventions as {@link r1Penalty}. Pass the generated batch as a constant for the discriminator step.
 *
 * @param critic the discriminator as a function of a batch, see {@link CriticFn}.
 * @param fake a batch of generated samples, float32 [batch, ...].
 * @returns the penalty, a float32 scalar.
 * @throws {InvalidArgumentError} for a non-function critic or a negative γ.
 * @throws {ShapeError} if `fake` has no batch axis or the critic does not return one score per sample.
 */
export function r2Penalty(critic: CriticFn, fake: tf.Tensor, options?: ZeroCenteredPenaltyOptions): tf.Scalar {
  checkOptionKeys('r2Penalty options', options, ZERO_CENTERED_PENALTY_OPTION_KEYS);
  return zeroCenteredPenalty(critic, fake, 'fake', options);
}
