import * as tf from '@tensorflow/tfjs';
import { checkFloatTensor, checkNumber, checkOptions, checkSameShape } from '../losses/validation';
import { checkCritic, squaredGradientNorms, type CriticFn } from './critic';
import { optionKeys } from '../option_keys';
import { checkOptionKeys } from '../errors';

/** Options of {@link draganPenalty}. */
export interface DraganPenaltyOptions {
  /** λ, the penalty's weight. Default: 10 (Kodali et al. 2017). */
  weight?: number;
  /**
   * The noise added to the real batch, same shape as `real`. Default: 0.5·std(real)·U, U ~ U[0, 1) elementwise
   * and std the standard deviation over all elements of the batch (the authors' code), drawn on every call.
   */
  perturbation?: tf.Tensor;
  /** Added to ‖∇‖² before the square root (finite gradients at ∇ = 0). Default: 1e-10. */
  epsilon?: number;
}

/** The keys of {@link DraganPenaltyOptions} (checked against it by the compiler, both ways). */
const DRAGAN_PENALTY_OPTION_KEYS = optionKeys<DraganPenaltyOptions>()(['weight', 'perturbation', 'epsilon']);

/**
 * The DRAGAN gradient penalty: Kodali, Abernethy, Hays, Kira, "On Convergence and Stability of GANs", 2017,
 * https://arxiv.org/abs/1705.07215. A WGAN-GP-style penalty applied in a neighbourhood of
 * the real data, which discourages the sharp gradients around real samples associated with mode collapse:
 *
 *   x̂ = real + δ,  δ = `perturbation` (default 0.5·std(real)·U[0, 1))
 *   DRAGAN = λ · mean_i((‖∇ₓ̂ D(x̂_i)‖₂ − 1)²)
 *
 * with the norm per sample over all non-batch axes. Usually combined with the non-saturating loss. The result
 * is differentiable with respect to the critic's weights; intermediates are freed.
 *
 * @param critic the discriminator as a function of a batch, see {@link CriticFn}.
 * @param real a batch of real samples, float32 [batch, ...].
 * @returns the penalty, a float32 scalar (already multiplied by `weight`).
 * @example
 * ```ts
 * const dLoss = tf.add(nonSaturatingLoss().discriminatorLoss(r, f), draganPenalty(criticFn, real));
 * ```
 * @throws {InvalidArgumentError} for a non-function critic, a negative weight or epsilon.
 * @throws {ShapeError} if `perturbation` differs in shape from `real`, or the critic does not return one score
 *   per sample.
 */
export function draganPenalty(critic: CriticFn, real: tf.Tensor, options?: DraganPenaltyOptions): tf.Scalar {
  checkOptionKeys('draganPenalty options', options, DRAGAN_PENALTY_OPTION_KEYS);
  const fn = checkCritic(critic);
  const opts = checkOptions('options', options);
  const x = checkFloatTensor('real', real, 1);
  const weight = checkNumber('options.weight', opts.weight ?? 10, { min: 0 });
  const epsilon = checkNumber('options.epsilon', opts.epsilon ?? 1e-10, { min: 0 });
  let perturbation: tf.Tensor | undefined;
  if (opts.perturbation !== undefined) {
    perturbation = checkFloatTensor('options.perturbation', opts.perturbation);
    checkSameShape('real', x, 'options.perturbation', perturbation);
  }
  return tf.tidy(() => {
    const delta = perturbation ?? defaultDraganPerturbation(x);
    const perturbed = tf.add(x, delta);
    const norms = tf.sqrt(tf.add(squaredGradientNorms(fn, perturbed), epsilon));
    return tf.mul(tf.mean(tf.square(tf.sub(norms, 1))), weight) as tf.Scalar;
  });
}

/** 0.5 · std(real) · U[0, 1), std over all elements (population standard deviation). */
function defaultDraganPerturbation(real: tf.Tensor): tf.Tensor {
  const { variance } = tf.moments(real);
  return tf.mul(tf.mul(tf.sqrt(variance), 0.5), tf.randomUniform(real.shape, 0, 1, 'float32'));
}
