import * as tf from '@tensorflow/tfjs';
import type { AdversarialLoss } from './adversarial_loss';
import { checkFakeLogits, checkLogitPair } from './logit_checks';
import { checkNumber, checkOptions } from './validation';
import { optionKeys } from '../option_keys';
import { checkOptionKeys } from '../errors';

/**
 * Options of {@link leastSquaresLoss}: the targets a, b, c of Mao et al. 2017 (Eq. 2). The defaults (0, 1, 1)
 * are the paper's "0-1 binary coding scheme" used in its experiments; (−1, 1, 0) is the choice that makes the
 * loss minimise the Pearson χ² divergence (Section 3.2.1).
 */
export interface LeastSquaresLossOptions {
  /** b: the discriminator's target for real samples. Default: 1. */
  realTarget?: number;
  /** a: the discriminator's target for fake samples. Default: 0. */
  fakeTarget?: number;
  /** c: the value the generator wants the discriminator to give its samples. Default: 1. */
  generatorTarget?: number;
}

/** The keys of {@link LeastSquaresLossOptions} (checked against it by the compiler, both ways). */
const LEAST_SQUARES_LOSS_OPTION_KEYS = optionKeys<LeastSquaresLossOptions>()(['realTarget', 'fakeTarget', 'generatorTarget']);

/**
 * The least-squares GAN loss (LSGAN): Mao, Li, Xie, Lau, Wang, Smolley, "Least Squares Generative Adversarial
 * Networks", ICCV 2017, https://arxiv.org/abs/1611.04076 (Eq. 2). The adversarial loss of CycleGAN and pix2pix.
 *
 * With r = D(real) and f = D(G(z)) the discriminator's raw outputs (no sigmoid), averaged over all elements
 * (PatchGAN outputs work), a = `fakeTarget`, b = `realTarget`, c = `generatorTarget`:
 *
 * - discriminator: `L_D = ½·mean((r − b)²) + ½·mean((f − a)²)`
 * - generator: `L_G = ½·mean((f − c)²)` (`realLogits` is ignored)
 *
 * Fakes that are classified correctly but lie far from the decision boundary are still penalised, which gives
 * the generator gradients where the sigmoid cross-entropy saturates.
 *
 * @example
 * ```ts
 * const loss = leastSquaresLoss();                       // a = 0, b = 1, c = 1
 * const chi2 = leastSquaresLoss({ fakeTarget: -1, realTarget: 1, generatorTarget: 0 });
 * ```
 * @throws {InvalidArgumentError} if a target is not a finite number.
 */
export function leastSquaresLoss(options?: LeastSquaresLossOptions): AdversarialLoss {
  checkOptionKeys('leastSquaresLoss options', options, LEAST_SQUARES_LOSS_OPTION_KEYS);
  const opts = checkOptions('options', options);
  const b = checkNumber('options.realTarget', opts.realTarget ?? 1);
  const a = checkNumber('options.fakeTarget', opts.fakeTarget ?? 0);
  const c = checkNumber('options.generatorTarget', opts.generatorTarget ?? 1);
  const halfMeanSquare = (x: tf.Tensor, target: number): tf.Scalar =>
    tf.mul(tf.mean(tf.square(tf.sub(x, target))), 0.5);
  return Object.freeze({
    name: 'least-squares',
    generatorUsesRealLogits: false,
    pairsRealAndFake: false,
    discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
      const [r, f] = checkLogitPair(realLogits, fakeLogits);
      return tf.tidy(() => tf.add(halfMeanSquare(r, b), halfMeanSquare(f, a)));
    },
    generatorLoss(_realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
      const f = checkFakeLogits(fakeLogits);
      return tf.tidy(() => halfMeanSquare(f, c));
    },
  });
}
