/**
 * Wraps a layer in gan-kit's {@link SpectralNormalization} when asked (used by the residual blocks and the
 * SAGAN builders).
 *
 * @internal
 * @module layers/spectral_wrap
 */
import type * as tf from '@tensorflow/tfjs';
import { SpectralNormalization } from './spectral_normalization';

/** Returns `layer` itself, or `layer` wrapped in `SpectralNormalization` (Miyato et al. 2018) when `enabled`. */
export function wrapSpectral(layer: tf.layers.Layer, enabled: boolean): tf.layers.Layer {
  return enabled ? new SpectralNormalization({ layer }) : layer;
}
