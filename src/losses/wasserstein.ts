import * as tf from '@tensorflow/tfjs';
import type { AdversarialLoss } from './adversarial_loss';
import { checkFakeLogits, checkLogitPair } from './logit_checks';

/**
 * The Wasserstein GAN loss: Arjovsky, Chintala, Bottou, "Wasserstein GAN", ICML 2017,
 * https://arxiv.org/abs/1701.07875 (Algorithm 1).
 *
 * With r = D(real) and f = D(G(z)) the critic's raw scores (no sigmoid), averaged over all elements:
 *
 * - critic: `L_D = mean(f) − mean(r)` (minimising it maximises the Wasserstein-1 estimate mean(r) − mean(f))
 * - generator: `L_G = −mean(f)` (`realLogits` is ignored)
 *
 * The estimate is only meaningful for a 1-Lipschitz critic: pair this loss with {@link gradientPenalty}
 * (WGAN-GP, Gulrajani et al. 2017), {@link clipWeights} (the original WGAN) or spectral normalization, and do
 * several critic steps per generator step (5 in both papers). Never combine with batch normalization in the
 * critic when using a gradient penalty.
 *
 * @example
 * ```ts
 * const loss = wassersteinLoss();
 * const cLoss = tf.add(loss.discriminatorLoss(r, f), gradientPenalty(criticFn, real, fake));
 * ```
 */
export function wassersteinLoss(): AdversarialLoss {
  return Object.freeze({
    name: 'wasserstein',
    generatorUsesRealLogits: false,
    pairsRealAndFake: false,
    discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
      const [r, f] = checkLogitPair(realLogits, fakeLogits);
      return tf.tidy(() => tf.sub(tf.mean(f), tf.mean(r)) as tf.Scalar);
    },
    generatorLoss(_realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
      const f = checkFakeLogits(fakeLogits);
      return tf.tidy(() => tf.neg(tf.mean(f)) as tf.Scalar);
    },
  });
}
