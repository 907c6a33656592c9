import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError } from '../errors';
import { EqualizedDense } from '../layers/equalized_dense';
import { PixelNormalization } from '../layers/pixel_normalization';
import { checkDim, checkSeed, seeded, type SeedOption } from './builder_utils';

/** Options of {@link mappingNetwork}. */
export interface MappingNetworkOptions extends SeedOption {
  /** Length of z. Default: 512 (Karras et al. 2019). */
  latentDim?: number;
  /** Length of w. Default: `latentDim`. */
  wDim?: number;
  /** Number of dense layers, at least 2. Default: 8 (Karras et al. 2019; fewer suit small data such as MNIST). */
  layers?: number;
  /** Units of the hidden layers. Default: `wDim`. */
  hiddenUnits?: number;
  /**
   * Learning-rate multiplier λ of every layer (see `EqualizedDense`), in (0, 1]. Default: 0.01 (Karras et al.
   * 2019, Appendix C).
   */
  lrMultiplier?: number;
  /** Normalise z to unit mean square (`PixelNormalization`) first, as StyleGAN does. Default: true. */
  normalizeLatent?: boolean;
  /** Model name. Default: 'mapping_network'. */
  name?: string;
}

const KEYS = ['latentDim', 'wDim', 'layers', 'hiddenUnits', 'lrMultiplier', 'normalizeLatent', 'name', 'seed'] as const;

/**
 * StyleGAN's mapping network f: z → w (Karras, Laine, Aila, "A Style-Based Generator Architecture for Generative
 * Adversarial Networks", CVPR 2019, https://arxiv.org/abs/1812.04948, Section 2; kept in StyleGAN2,
 * https://arxiv.org/abs/1912.04958).
 *
 * Layout: z [latentDim] → `PixelNormalization` (with `normalizeLatent`) → `layers` × `EqualizedDense` (units
 * `hiddenUnits`, the last `wDim`; λ = `lrMultiplier`; weight gain 1; leaky ReLU 0.2 × √2, StyleGAN2's
 * convention) → w [wDim]. Every layer, the last included, has the activation, as in StyleGAN2.
 *
 * Parameters: Σ over the layers of in·out + out, with in = latentDim for the first and hiddenUnits after.
 * Defaults: latentDim 512, wDim = latentDim, 8 layers, hiddenUnits = wDim, lrMultiplier 0.01, normalizeLatent.
 *
 * @example
 * ```ts
 * const mapping = mappingNetwork({ latentDim: 64, wDim: 64, layers: 2, seed: 1 }); // [null, 64] → [null, 64]
 * ```
 * @throws {InvalidArgumentError} for a bad option (e.g. `layers` < 2), {@link UnknownOptionError} for an unknown one.
 */
export function mappingNetwork(options: MappingNetworkOptions = {}): tf.LayersModel {
  checkOptionKeys('mappingNetwork options', options, KEYS);
  const seed = checkSeed(options.seed);
  const latentDim = checkDim('mappingNetwork.latentDim', options.latentDim ?? 512);
  const wDim = checkDim('mappingNetwork.wDim', options.wDim ?? latentDim);
  const hiddenUnits = checkDim('mappingNetwork.hiddenUnits', options.hiddenUnits ?? wDim);
  const layers = options.layers ?? 8;
  if (!Number.isInteger(layers) || layers < 2) {
    throw new InvalidArgumentError('mappingNetwork.layers', 'an integer >= 2', layers, 'StyleGAN uses 8; 2 to 4 suit small data.');
  }
  const lrMultiplier = options.lrMultiplier ?? 0.01;
  if (typeof lrMultiplier !== 'number' || !(lrMultiplier > 0 && lrMultiplier <= 1)) {
    throw new InvalidArgumentError('mappingNetwork.lrMultiplier', 'a number in (0, 1]', lrMultiplier);
  }
  const normalizeLatent = options.normalizeLatent ?? true;
  if (typeof normalizeLatent !== 'boolean') throw new InvalidArgumentError('mappingNetwork.normalizeLatent', 'a boolean', normalizeLatent);
  const z = tf.input({ shape: [latentDim], name: 'z' });
  let h: tf.SymbolicTensor = normalizeLatent ? (new PixelNormalization().apply(z) as tf.SymbolicTensor) : z;
  for (let i = 0; i < layers; i++) {
    h = new EqualizedDense({
      units: i === layers - 1 ? wDim : hiddenUnits,
      lrMultiplier,
      gain: 1,
      activation: 'leakyRelu',
      activationGain: Math.SQRT2,
    }).apply(h) as tf.SymbolicTensor;
  }
  return seeded(tf.model({ inputs: z, outputs: h, name: options.name ?? 'mapping_network' }), seed);
}
