/**
 * Numerically stable binary cross-entropy from logits, the building block of the minimax, non-saturating and
 * relativistic standard losses. Internal.
 *
 * @internal
 * @module losses/sigmoid_cross_entropy
 */
import * as tf from '@tensorflow/tfjs';

/**
 * `mean(BCE(x, t))` over all elements, for logits `x` and a constant target probability `t` in [0, 1]:
 *
 *   BCE(x, t) = −t·log σ(x) − (1 − t)·log(1 − σ(x)) = softplus(x) − t·x
 *
 * using −log σ(x) = softplus(−x) and −log(1 − σ(x)) = softplus(x). `tf.softplus` is evaluated stably
 * (softplus(100) = 100, softplus(−100) ≈ 3.7e−44), so logits of ±100 give finite values and gradients
 * σ(x) − t. Call inside a `tf.tidy`.
 */
export function meanSigmoidCrossEntropy(logits: tf.Tensor, target: number): tf.Scalar {
  if (target === 1) return tf.mean(tf.softplus(tf.neg(logits)));
  if (target === 0) return tf.mean(tf.softplus(logits));
  return tf.mean(tf.sub(tf.softplus(logits), tf.mul(logits, target)));
}

/**
 * The discriminator loss shared by the minimax and non-saturating GAN (Goodfellow et al. 2014), with one-sided
 * label smoothing `s` (Salimans et al. 2016):
 *
 *   L_D = mean(BCE(r, 1 − s)) + mean(BCE(f, 0))
 *
 * Call inside a `tf.tidy`.
 */
export function standardDiscriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor, labelSmoothing: number): tf.Scalar {
  return tf.add(meanSigmoidCrossEntropy(realLogits, 1 - labelSmoothing), meanSigmoidCrossEntropy(fakeLogits, 0));
}
