import * as tf from '@tensorflow/tfjs';
import { checkFloatTensor, checkNumber, checkOptions, checkSameShape } from './validation';
import { optionKeys } from '../option_keys';
import { checkOptionKeys } from '../errors';

/** Options of {@link cycleConsistencyLoss}. */
export interface CycleConsistencyLossOptions {
  /** λ, the factor the mean absolute error is multiplied by. Default: 1 (CycleGAN uses λ = 10). */
  weight?: number;
}

/** The keys of {@link CycleConsistencyLossOptions} (checked against it by the compiler, both ways). */
const CYCLE_CONSISTENCY_LOSS_OPTION_KEYS = optionKeys<CycleConsistencyLossOptions>()(['weight']);

/**
 * The L1 cycle-consistency loss of CycleGAN: Zhu, Park, Isola, Efros, "Unpaired Image-to-Image Translation
 * using Cycle-Consistent Adversarial Networks", ICCV 2017, https://arxiv.org/abs/1703.10593 (Eq. 2).
 *
 * `λ·mean(|real − reconstructed|)` over all elements, for one domain. The paper's full term is the sum over
 * both directions, `L_cyc = λ·(mean|F(G(x)) − x| + mean|G(F(y)) − y|)` with λ = 10:
 *
 * ```ts
 * const cyc = tf.add(
 *   cycleConsistencyLoss(x, F(G(x)), { weight: 10 }),
 *   cycleConsistencyLoss(y, G(F(y)), { weight: 10 }),
 * );
 * ```
 *
 * The same L1 term is CycleGAN's identity loss (`cycleConsistencyLoss(y, G(y), { weight: 0.5 * 10 })`).
 *
 * @throws {ShapeError} if the two tensors differ in shape.
 * @throws {InvalidArgumentError} if `weight` is negative or not finite.
 */
export function cycleConsistencyLoss(
  real: tf.Tensor,
  reconstructed: tf.Tensor,
  options?: CycleConsistencyLossOptions,
): tf.Scalar {
  checkOptionKeys('cycleConsistencyLoss options', options, CYCLE_CONSISTENCY_LOSS_OPTION_KEYS);
  const opts = checkOptions('options', options);
  const weight = checkNumber('options.weight', opts.weight ?? 1, { min: 0 });
  const x = checkFloatTensor('real', real);
  const xr = checkFloatTensor('reconstructed', reconstructed);
  checkSameShape('real', x, 'reconstructed', xr);
  return tf.tidy(() => tf.mul(tf.mean(tf.abs(tf.sub(x, xr))), weight));
}
