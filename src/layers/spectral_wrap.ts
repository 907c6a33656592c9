/**
 * Wraps a layer in gan-kit's `SpectralNormalization` when asked (used by the residual blocks and the SAGAN
 * builders).
 *
 * @internal
 * @module layers/spectral_wrap
 */
import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors';

/** Returns `layer` itself, or `layer` wrapped in `SpectralNormalization` when `enabled`. */
export function wrapSpectral(layer: tf.layers.Layer, enabled: boolean): tf.layers.Layer {
  if (!enabled) return layer;
  throw new InvalidArgumentError('spectralNormalization', 'false (SpectralNormalization has not landed yet)', true);
}
