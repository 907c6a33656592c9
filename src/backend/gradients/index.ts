/**
 * Second-order-correct gradient registrations, so that gradient penalties (WGAN-GP, R1, DRAGAN), which
 * differentiate a function of ∇ₓD(x) with respect to the critic's weights, get correct gradients in tfjs 4.22.
 * See docs/second-order-gradients.md for why stock tfjs is wrong, what is covered and how it is tested.
 *
 * Every gradient registered here saves only the kernel's inputs (never its outputs) and is built only from ops
 * whose own gradients are correct, so gradients compose to any order. The FusedBatchNorm gradient
 * (./fused_batch_norm.ts) also removes a full-size Tile and fixes rank-4 parameters.
 */
import * as tf from '@tensorflow/tfjs';
import { activationGradients } from './activations';
import { arithmeticGradients } from './arithmetic';
import { comparisonGradients } from './comparisons';
import { convGradients } from './conv';
import { fusedBatchNormGradConfig } from './fused_batch_norm';
import { paddingGradients } from './mirror_pad';
import { poolingGradients } from './pooling';
import { installGradients } from './registry';
import { resizeGradients } from './resize';

/** Every gradient config gan-kit registers, in registration order. */
export const SECOND_ORDER_GRADIENTS: readonly tf.GradConfig[] = [
  ...comparisonGradients,
  ...activationGradients,
  ...arithmeticGradients,
  ...convGradients,
  ...poolingGradients,
  ...paddingGradients,
  ...resizeGradients,
  fusedBatchNormGradConfig,
];

/**
 * Registers gan-kit's gradient configs with tfjs's global gradient registry, replacing the stock ones for the
 * same kernels. Called once when gan-kit is imported (src/backend/register.ts). Idempotent: calling it again
 * leaves everything as it is, or re-installs a config that something else replaced since.
 */
export function registerSecondOrderGradients(): void {
  installGradients(SECOND_ORDER_GRADIENTS);
}
