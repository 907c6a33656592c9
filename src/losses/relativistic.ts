import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError } from '../errors';
import type { AdversarialLoss } from './adversarial_loss';
import { checkLogitPair } from './logit_checks';
import { checkBoolean, checkOptions } from './validation';
import { optionKeys } from '../option_keys';

/** The base loss a relativistic GAN is built from; see {@link relativisticLoss}. */
export type RelativisticForm = 'standard' | 'leastSquares' | 'hinge';

const FORMS: readonly RelativisticForm[] = ['standard', 'leastSquares', 'hinge'];

/** Options of {@link relativisticLoss}. */
export interface RelativisticLossOptions {
  /**
   * Compare each sample with the mean score of the other batch (relativistic average GAN, RaGAN: any batch
   * sizes) instead of with its paired sample (RGAN: real and fake logits must have the same shape).
   * Default: true.
   */
  average?: boolean;
  /**
   * Which loss is made relativistic: `'standard'` (sigmoid cross-entropy: RSGAN / RaSGAN), `'leastSquares'`
   * (RLSGAN / RaLSGAN) or `'hinge'` (RHingeGAN / RaHingeGAN). Default: `'standard'`.
   */
  form?: RelativisticForm;
}

/** The keys of {@link RelativisticLossOptions} (checked against it by the compiler, both ways). */
const RELATIVISTIC_LOSS_OPTION_KEYS = optionKeys<RelativisticLossOptions>()(['average', 'form']);

/** f₁ of the paper: the loss of a "relativistic logit" y that should be large. */
function lossOfLarge(form: RelativisticForm, y: tf.Tensor): tf.Scalar {
  switch (form) {
    case 'standard':
      return tf.mean(tf.softplus(tf.neg(y))); // BCE(y, 1) = −log σ(y)
    case 'leastSquares':
      return tf.mean(tf.square(tf.sub(y, 1)));
    case 'hinge':
      return tf.mean(tf.relu(tf.sub(1, y)));
  }
}

/** The loss of a relativistic logit y that should be small (the mirror image of {@link lossOfLarge}). */
function lossOfSmall(form: RelativisticForm, y: tf.Tensor): tf.Scalar {
  switch (form) {
    case 'standard':
      return tf.mean(tf.softplus(y)); // BCE(y, 0) = −log(1 − σ(y))
    case 'leastSquares':
      return tf.mean(tf.square(tf.add(y, 1)));
    case 'hinge':
      return tf.mean(tf.relu(tf.add(1, y)));
  }
}

const SLUGS: Record<RelativisticForm, string> = {
  standard: 'standard',
  leastSquares: 'least-squares',
  hinge: 'hinge',
};

/**
 * Relativistic GAN losses: Jolicoeur-Martineau, "The relativistic discriminator: a key element missing from
 * standard GAN", ICLR 2019, https://arxiv.org/abs/1807.00734; conventions follow the author's reference code
 * (AlexiaJM/RelativisticGAN).
 *
 * The discriminator estimates how much more realistic real data is than fake data, and the generator's loss
 * depends on the real logits too (so pass real logits to `generatorLoss`). With r = D(real), f = D(G(z)) as
 * logits, means over all elements, r̃ = r − mean(f), f̃ = f − mean(r), and for each `form` the pair
 * ℓ⁺(y) / ℓ⁻(y) ("y should be large" / "small"):
 * standard ℓ⁺ = softplus(−y) = BCE(y, 1), ℓ⁻ = softplus(y) = BCE(y, 0);
 * leastSquares ℓ⁺ = (y − 1)², ℓ⁻ = (y + 1)²; hinge ℓ⁺ = relu(1 − y), ℓ⁻ = relu(1 + y):
 *
 * - `average: true` (RaSGAN, RaLSGAN, RaHingeGAN), the two terms halved:
 *   `L_D = [mean ℓ⁺(r̃) + mean ℓ⁻(f̃)] / 2`, `L_G = [mean ℓ⁻(r̃) + mean ℓ⁺(f̃)] / 2`.
 *   E.g. RaSGAN `L_D = [BCE(r − mean f, 1) + BCE(f − mean r, 0)] / 2`,
 *   RaLSGAN `L_D = [mean((r − mean f − 1)²) + mean((f − mean r + 1)²)] / 2`,
 *   RaHinge `L_D = [mean relu(1 − (r − mean f)) + mean relu(1 + (f − mean r))] / 2`.
 * - `average: false` (RSGAN and its least-squares / hinge variants), sample i of the real batch paired with
 *   sample i of the fake batch: `L_D = mean ℓ⁺(r − f)`, `L_G = mean ℓ⁺(f − r)`; e.g. RSGAN
 *   `L_D = mean(softplus(−(r − f)))`, `L_G = mean(softplus(−(f − r)))`.
 *
 * Stable for logits of ±100 (`tf.softplus`).
 *
 * @example
 * ```ts
 * const rasgan = relativisticLoss();                                   // RaSGAN
 * const ralsgan = relativisticLoss({ form: 'leastSquares' });          // RaLSGAN
 * const rsgan = relativisticLoss({ average: false });                  // RSGAN
 * const gLoss = rasgan.generatorLoss(realLogits, fakeLogits);          // needs D(real) too
 * ```
 * @throws {InvalidArgumentError} if `form` is not one of the three names or `average` is not a boolean.
 * @throws {ShapeError} (from the returned functions) if `average` is false and the logits' shapes differ.
 */
export function relativisticLoss(options?: RelativisticLossOptions): AdversarialLoss {
  checkOptionKeys('relativisticLoss options', options, RELATIVISTIC_LOSS_OPTION_KEYS);
  const opts = checkOptions('options', options);
  const average = checkBoolean('options.average', opts.average ?? true);
  const form = opts.form ?? 'standard';
  if (!FORMS.includes(form)) {
    throw new InvalidArgumentError('options.form', `one of ${FORMS.map((f) => `'${f}'`).join(', ')}`, form);
  }
  const name = `relativistic-${average ? 'average-' : ''}${SLUGS[form]}`;
  const losses = (realLogits: tf.Tensor, fakeLogits: tf.Tensor, forDiscriminator: boolean): tf.Scalar => {
    const [r, f] = checkLogitPair(realLogits, fakeLogits, !average);
    return tf.tidy(() => {
      if (!average) {
        const realMinusFake = tf.sub(r, f);
        return forDiscriminator ? lossOfLarge(form, realMinusFake) : lossOfLarge(form, tf.neg(realMinusFake));
      }
      const rTilde = tf.sub(r, tf.mean(f));
      const fTilde = tf.sub(f, tf.mean(r));
      const sum = forDiscriminator
        ? tf.add(lossOfLarge(form, rTilde), lossOfSmall(form, fTilde))
        : tf.add(lossOfSmall(form, rTilde), lossOfLarge(form, fTilde));
      return tf.mul(sum, 0.5);
    });
  };
  return Object.freeze({
    name,
    generatorUsesRealLogits: true,
    pairsRealAndFake: !average,
    discriminatorLoss: (realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar =>
      losses(realLogits, fakeLogits, true),
    generatorLoss: (realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar => losses(realLogits, fakeLogits, false),
  });
}
