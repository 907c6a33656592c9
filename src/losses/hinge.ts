import * as tf from '@tensorflow/tfjs';
import type { AdversarialLoss } from './adversarial_loss';
import { checkFakeLogits, checkLogitPair } from './logit_checks';

/**
 * The hinge GAN loss: Lim & Ye, "Geometric GAN", 2017, https://arxiv.org/abs/1705.02894; as used by SNGAN
 * (Miyato et al. 2018, https://arxiv.org/abs/1802.05957), SAGAN (Zhang et al. 2019,
 * https://arxiv.org/abs/1805.08318) and BigGAN.
 *
 * With r = D(real) and f = D(G(z)) the discriminator's raw outputs, averaged over all elements:
 *
 * - discriminator: `L_D = mean(relu(1 − r)) + mean(relu(1 + f))`
 * - generator: `L_G = −mean(f)` (`realLogits` is ignored)
 *
 * D stops being pushed once real scores exceed 1 and fake scores fall below −1 (a margin), which keeps its
 * outputs bounded; usually paired with spectral normalization in D (see {@link SpectralNormalization}).
 *
 * @example
 * ```ts
 * const loss = hingeLoss();
 * const dLoss = loss.discriminatorLoss(realLogits, fakeLogits);
 * ```
 */
export function hingeLoss(): AdversarialLoss {
  return Object.freeze({
    name: 'hinge',
    generatorUsesRealLogits: false,
    pairsRealAndFake: false,
    discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
      const [r, f] = checkLogitPair(realLogits, fakeLogits);
      return tf.tidy(() => tf.add(tf.mean(tf.relu(tf.sub(1, r))), tf.mean(tf.relu(tf.add(1, f)))) as tf.Scalar);
    },
    generatorLoss(_realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
      const f = checkFakeLogits(fakeLogits);
      return tf.tidy(() => tf.neg(tf.mean(f)) as tf.Scalar);
    },
  });
}
