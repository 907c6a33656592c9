import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, ShapeError } from '../errors';
import { checkBoolean, checkFloatTensor, checkNumber, checkOptions, checkSameShape } from '../losses/validation';
import { checkCritic, squaredGradientNorms, type CriticFn } from './critic';
import { optionKeys } from '../option_keys';

/** Options of {@link gradientPenalty}. */
export interface GradientPenaltyOptions {
  /** λ, the penalty's weight. Default: 10 (Gulrajani et al. 2017). */
  weight?: number;
  /** The gradient norm the critic is pushed towards. Default: 1 (1-Lipschitz). 0 gives a zero-centred GP. */
  target?: number;
  /**
   * Penalise only norms above `target`, `max(0, ‖∇‖ − target)²` (Petzka et al. 2018,
   * https://arxiv.org/abs/1709.08894, "WGAN-LP"). Default: false (two-sided, as in WGAN-GP).
   */
  oneSided?: boolean;
  /**
   * The interpolation coefficients, float32 of shape [batch], one per sample. Default: drawn from U[0, 1) on
   * every call. Pass them for reproducible values.
   */
  alpha?: tf.Tensor;
  /**
   * Added to ‖∇‖² before the square root, so the norm's gradient stays finite where ∇ = 0. Default: 1e-10
   * (TF-GAN's value; it changes norms of order 1 by less than float32 resolution).
   */
  epsilon?: number;
}

/** The keys of {@link GradientPenaltyOptions} (checked against it by the compiler, both ways). */
const GRADIENT_PENALTY_OPTION_KEYS = optionKeys<GradientPenaltyOptions>()(['weight', 'target', 'oneSided', 'alpha', 'epsilon']);

/**
 * The WGAN-GP gradient penalty: Gulrajani, Ahmed, Arjovsky, Dumoulin, Courville, "Improved Training of
 * Wasserstein GANs", NeurIPS 2017, https://arxiv.org/abs/1704.00028 (Algorithm 1).
 *
 * On points x̂ = α·real + (1 − α)·fake, α ~ U[0, 1] drawn once per sample (unless `alpha` is given):
 *
 *   GP = λ · mean_i((‖∇ₓ̂ D(x̂_i)‖₂ − target)²)
 *
 * the norm taken per sample over all non-batch axes (as √(Σ g² + ε)); with `oneSided`, the term is
 * max(0, ‖∇‖ − target)². The gradient is that of sum(D(x̂)), so a PatchGAN critic's patch scores are summed per
 * sample. Add the result to the critic's loss (e.g. {@link wassersteinLoss}) inside the same
 * `tf.variableGrads` / `optimizer.minimize`: the returned scalar is differentiable with respect to the critic's
 * weights (double backpropagation). Intermediate tensors are freed (`tf.tidy`).
 *
 * @param critic the critic as a function of a batch, see {@link CriticFn}.
 * @param real a batch of real samples, float32 [batch, ...].
 * @param fake a batch of generated samples, same shape as `real`.
 * @returns the penalty, a float32 scalar (already multiplied by `weight`).
 * @example
 * ```ts
 * const criticFn = (x: tf.Tensor) => critic.apply(x, { training: true }) as tf.Tensor;
 * const cost = criticOptimizer.minimize(() => tf.tidy(() => {
 *   const fake = generator.apply(z) as tf.Tensor;
 *   return tf.add(loss.discriminatorLoss(criticFn(real), criticFn(fake)), gradientPenalty(criticFn, real, fake));
 * }), true, criticVars);
 * ```
 * @throws {InvalidArgumentError} for a non-function critic or an invalid weight, target or epsilon.
 * @throws {ShapeError} if `real` and `fake` differ in shape, `alpha` is not [batch], or the critic does not
 *   return one score per sample.
 * @throws {DTypeError} for non-float32 inputs.
 */
export function gradientPenalty(
  critic: CriticFn,
  real: tf.Tensor,
  fake: tf.Tensor,
  options?: GradientPenaltyOptions,
): tf.Scalar {
  checkOptionKeys('gradientPenalty options', options, GRADIENT_PENALTY_OPTION_KEYS);
  const fn = checkCritic(critic);
  const opts = checkOptions('options', options);
  const x = checkFloatTensor('real', real, 1);
  const g = checkFloatTensor('fake', fake, 1);
  checkSameShape('real', x, 'fake', g);
  const weight = checkNumber('options.weight', opts.weight ?? 10, { min: 0 });
  const target = checkNumber('options.target', opts.target ?? 1, { min: 0 });
  const oneSided = checkBoolean('options.oneSided', opts.oneSided ?? false);
  const epsilon = checkNumber('options.epsilon', opts.epsilon ?? 1e-10, { min: 0 });
  const batch = x.shape[0]!;
  let alpha: tf.Tensor | undefined;
  if (opts.alpha !== undefined) {
    alpha = checkFloatTensor('options.alpha', opts.alpha);
    if (alpha.rank !== 1 || alpha.shape[0] !== batch) {
      throw new ShapeError('options.alpha', `one coefficient per sample, shape [${batch}]`, alpha);
    }
  }
  return tf.tidy(() => {
    const a = alpha ?? tf.randomUniform([batch], 0, 1, 'float32');
    const broadcastShape = [batch, ...new Array<number>(x.rank - 1).fill(1)];
    const aB = tf.reshape(a, broadcastShape);
    const interpolates = tf.add(tf.mul(aB, x), tf.mul(tf.sub(1, aB), g));
    const norms = tf.sqrt(tf.add(squaredGradientNorms(fn, interpolates), epsilon));
    let deviation = tf.sub(norms, target);
    if (oneSided) deviation = tf.relu(deviation);
    return tf.mul(tf.mean(tf.square(deviation)), weight) as tf.Scalar;
  });
}
