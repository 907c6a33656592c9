import * as tf from '@tensorflow/tfjs';
import type { AdversarialLoss } from './adversarial_loss';
import { checkFakeLogits, checkLogitPair } from './logit_checks';
import { standardDiscriminatorLoss } from './sigmoid_cross_entropy';
import { checkNumber, checkOptions } from './validation';
import { optionKeys } from '../option_keys';
import { checkOptionKeys } from '../errors';

/** Options of {@link nonSaturatingLoss}. */
export interface NonSaturatingLossOptions {
  /**
   * One-sided label smoothing `s` in [0, 1): the discriminator's target for real samples becomes `1 − s`; the
   * target for fake samples stays 0 (Salimans et al. 2016, https://arxiv.org/abs/1606.03498, Section 3.4).
   * Default: 0 (no smoothing). A common choice is 0.1.
   */
  labelSmoothing?: number;
}

/** The keys of {@link NonSaturatingLossOptions} (checked against it by the compiler, both ways). */
const NON_SATURATING_LOSS_OPTION_KEYS = optionKeys<NonSaturatingLossOptions>()(['labelSmoothing']);

/**
 * The non-saturating GAN loss ("-log D trick"), the default for DCGAN-style training: Goodfellow et al.,
 * "Generative Adversarial Nets", NeurIPS 2014, https://arxiv.org/abs/1406.2661 (Section 3); one-sided label
 * smoothing from Salimans et al. 2016, https://arxiv.org/abs/1606.03498.
 *
 * With r = D(real) and f = D(G(z)) as logits, averaged over all elements (PatchGAN outputs work),
 * s = `labelSmoothing` and BCE(x, t) = softplus(x) − t·x:
 *
 * - discriminator: `L_D = mean(BCE(r, 1 − s)) + mean(BCE(f, 0))` (as {@link minimaxLoss})
 * - generator: `L_G = mean(softplus(−f)) = −mean(log σ(f))` (`realLogits` is ignored)
 *
 * The generator maximises log D(G(z)) instead of minimising log(1 − D(G(z))): same fixed point, strong
 * gradients early in training. Computed with `tf.softplus`, stable for logits of ±100.
 *
 * @example
 * ```ts
 * const loss = nonSaturatingLoss({ labelSmoothing: 0.1 });
 * const gLoss = loss.generatorLoss(realLogits, fakeLogits); // tf.Scalar
 * ```
 * @throws {InvalidArgumentError} if `labelSmoothing` is not in [0, 1).
 */
export function nonSaturatingLoss(options?: NonSaturatingLossOptions): AdversarialLoss {
  checkOptionKeys('nonSaturatingLoss options', options, NON_SATURATING_LOSS_OPTION_KEYS);
  const opts = checkOptions('options', options);
  const labelSmoothing = checkNumber('options.labelSmoothing', opts.labelSmoothing ?? 0, {
    min: 0,
    max: 1,
    maxExclusive: true,
  });
  return Object.freeze({
    name: 'non-saturating',
    generatorUsesRealLogits: false,
    pairsRealAndFake: false,
    discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
      const [r, f] = checkLogitPair(realLogits, fakeLogits);
      return tf.tidy(() => standardDiscriminatorLoss(r, f, labelSmoothing));
    },
    generatorLoss(_realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
      const f = checkFakeLogits(fakeLogits);
      return tf.tidy(() => tf.mean(tf.softplus(tf.neg(f))));
    },
  });
}
