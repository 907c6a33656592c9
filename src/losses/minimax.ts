import * as tf from '@tensorflow/tfjs';
import type { AdversarialLoss } from './adversarial_loss';
import { checkFakeLogits, checkLogitPair } from './logit_checks';
import { standardDiscriminatorLoss } from './sigmoid_cross_entropy';
import { checkNumber, checkOptions } from './validation';
import { optionKeys } from '../option_keys';
import { checkOptionKeys } from '../errors';

/** Options of {@link minimaxLoss}. */
export interface MinimaxLossOptions {
  /**
   * One-sided label smoothing `s` in [0, 1): the discriminator's target for real samples becomes `1 − s`; the
   * target for fake samples stays 0 (Salimans et al. 2016, https://arxiv.org/abs/1606.03498, Section 3.4).
   * Default: 0 (no smoothing). A common choice is 0.1.
   */
  labelSmoothing?: number;
}

/** The keys of {@link MinimaxLossOptions} (checked against it by the compiler, both ways). */
const MINIMAX_LOSS_OPTION_KEYS = optionKeys<MinimaxLossOptions>()(['labelSmoothing']);

/**
 * The original minimax GAN loss, with the saturating generator loss: Goodfellow et al., "Generative
 * Adversarial Nets", NeurIPS 2014, https://arxiv.org/abs/1406.2661 (Eq. 1).
 *
 * With r = D(real) and f = D(G(z)) as logits (higher = "more real"), averaged over all elements (so
 * PatchGAN outputs such as [batch, h, w, 1] work), s = `labelSmoothing` and BCE(x, t) = softplus(x) − t·x:
 *
 * - discriminator: `L_D = mean(BCE(r, 1 − s)) + mean(BCE(f, 0))`
 * - generator: `L_G = −mean(softplus(f)) = mean(log(1 − σ(f)))`, i.e. G minimises the same value function D
 *   maximises (`realLogits` is ignored).
 *
 * The generator's gradient vanishes when D confidently rejects fakes (σ(f) → 0), which is why the paper itself
 * recommends the non-saturating form in practice: prefer {@link nonSaturatingLoss}. Kept for completeness and
 * for experiments that need the exact minimax game. Computed with `tf.softplus`, stable for logits of ±100.
 *
 * @example
 * ```ts
 * const loss = minimaxLoss();
 * const dLoss = loss.discriminatorLoss(critic.apply(real) as tf.Tensor, critic.apply(fake) as tf.Tensor);
 * ```
 * @throws {InvalidArgumentError} if `labelSmoothing` is not in [0, 1).
 */
export function minimaxLoss(options?: MinimaxLossOptions): AdversarialLoss {
  checkOptionKeys('minimaxLoss options', options, MINIMAX_LOSS_OPTION_KEYS);
  const opts = checkOptions('options', options);
  const labelSmoothing = checkNumber('options.labelSmoothing', opts.labelSmoothing ?? 0, {
    min: 0,
    max: 1,
    maxExclusive: true,
  });
  return Object.freeze({
    name: 'minimax',
    generatorUsesRealLogits: false,
    pairsRealAndFake: false,
    discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
      const [r, f] = checkLogitPair(realLogits, fakeLogits);
      return tf.tidy(() => standardDiscriminatorLoss(r, f, labelSmoothing));
    },
    generatorLoss(_realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
      const f = checkFakeLogits(fakeLogits);
      return tf.tidy(() => tf.neg(tf.mean(tf.softplus(f))) as tf.Scalar);
    },
  });
}
