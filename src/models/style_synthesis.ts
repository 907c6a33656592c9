import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError } from '../errors';
import { ConstantInput } from '../layers/constant_input';
import { ModulatedConv2D } from '../layers/modulated_conv2d';
import { NoiseInjection, type NoiseMode } from '../layers/noise_injection';
import { NearestUpsample2D } from '../layers/resample_2d';
import { ScaledLeakyReLU } from '../layers/scaled_leaky_relu';
import { checkDim, checkSeed, seeded, type SeedOption } from './builder_utils';

/** Options of {@link styleSynthesisNetwork}. */
export interface StyleSynthesisOptions extends SeedOption {
  /** Length of each w. Default: 128. */
  wDim?: number;
  /** Side of the learned constant (the first resolution). Default: 7 (MNIST: 7 → 14 → 28); StyleGAN uses 4. */
  startSize?: number;
  /** Feature maps per resolution, lowest first; one block per entry. Default: [128, 64, 32] (7, 14, 28). */
  filters?: number[];
  /** Image channels. Default: 1. */
  imageChannels?: number;
  /** Noise of every `NoiseInjection` (`'random'`, `'const'` or `'none'`). Default: `'random'`. */
  noiseMode?: NoiseMode;
  /**
   * Seed of the `'random'` noise, an integer in [0, 2^24): noise layer i (in order) draws with seed
   * `noiseSeed + i·2^24 + n` at its n-th call (`NoiseInjection.seed`), so a seeded run repeats its noise. Default:
   * undefined, unseeded noise.
   */
  noiseSeed?: number;
  /** Model name. Default: 'style_synthesis'. */
  name?: string;
}

const KEYS = ['wDim', 'startSize', 'filters', 'imageChannels', 'noiseMode', 'noiseSeed', 'name', 'seed'];

/**
 * A small StyleGAN2 synthesis network with skip outputs (Karras et al., "Analyzing and Improving the Image
 * Quality of StyleGAN", CVPR 2020, https://arxiv.org/abs/1912.04958, Figure 7 "skip" generator), for w⁺ input.
 *
 * Input: w⁺ [batch, numWs, wDim] with numWs = 2 · filters.length, one w per modulated layer (broadcast one w with
 * `tf.layers.repeatVector(numWs)` or `tf.tile`; mix styles or truncate by editing rows). Layout, with
 * `layer(F, up)` = `ModulatedConv2D(3×3, F, upsample)` → `NoiseInjection` → `ScaledLeakyReLU` (0.2, √2):
 *
 * - `ConstantInput` [start, start, F₀] → layer(F₀) with w₀ → rgb = toRGB with w₁;
 * - for each later block b: layer(F_b, up) with w_{2b−1}, layer(F_b) with w_{2b}, and
 *   rgb = upsample×2(rgb) + toRGB_b(h) with w_{2b+1},
 *
 * toRGB = `ModulatedConv2D({ kernelSize: 1, demodulate: false })`, as StyleGAN2 (a toRGB shares its w with the next
 * block's first layer). Upsampling is nearest-neighbour (StyleGAN2 filters with [1, 3, 3, 1]). The output is linear.
 *
 * Defaults: wDim 128, startSize 7, filters [128, 64, 32], 1 channel, random unseeded noise.
 *
 * @example
 * ```ts
 * const synthesis = styleSynthesisNetwork({ wDim: 64, seed: 1 });       // [null, 6, 64] → [null, 28, 28, 1]
 * const mapping = mappingNetwork({ latentDim: 64, wDim: 64, layers: 4, seed: 2 });
 * const wPlus = tf.layers.repeatVector({ n: 6 }).apply(mapping.outputs[0]);
 * ```
 */
export function styleSynthesisNetwork(options: StyleSynthesisOptions = {}): tf.LayersModel {
  checkOptionKeys('styleSynthesisNetwork options', options, KEYS);
  const seed = checkSeed(options.seed);
  const wDim = checkDim('styleSynthesisNetwork.wDim', options.wDim ?? 128);
  const startSize = checkDim('styleSynthesisNetwork.startSize', options.startSize ?? 7);
  const channels = checkDim('styleSynthesisNetwork.imageChannels', options.imageChannels ?? 1);
  const filters = options.filters ?? [128, 64, 32];
  if (!Array.isArray(filters) || filters.length < 1 || !filters.every((f) => Number.isInteger(f) && f > 0)) {
    throw new InvalidArgumentError('styleSynthesisNetwork.filters', 'a non-empty list of positive integers (one per resolution)', filters);
  }
  const noiseMode = options.noiseMode ?? 'random';
  if (!['random', 'const', 'none'].includes(noiseMode)) {
    throw new InvalidArgumentError('styleSynthesisNetwork.noiseMode', "one of 'random', 'const', 'none'", noiseMode);
  }
  const noiseSeed = options.noiseSeed;
  if (noiseSeed !== undefined && !(Number.isInteger(noiseSeed) && noiseSeed >= 0 && noiseSeed < 2 ** 24)) {
    throw new InvalidArgumentError('styleSynthesisNetwork.noiseSeed', 'an integer in [0, 2^24)', noiseSeed);
  }
  let noiseLayers = 0;
  const noiseLayer = () =>
    new NoiseInjection({ mode: noiseMode, ...(noiseSeed === undefined ? {} : { seed: noiseSeed + noiseLayers++ * 2 ** 24 }) });
  const numWs = 2 * filters.length;
  const wPlus = tf.input({ shape: [numWs, wDim], name: `${options.name ?? 'style_synthesis'}_w_plus` });
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
  // Row i of w⁺ as [batch, wDim]: view w⁺ as a [numWs, wDim, 1] image, crop the other rows, flatten (stock layers:
  // serializable, and their gradients are slices and pads, correct to any order).
  const asImage = apply(tf.layers.reshape({ targetShape: [numWs, wDim, 1] }), wPlus);
  const w = (i: number) => apply(tf.layers.flatten(), apply(tf.layers.cropping2D({ cropping: [[i, numWs - 1 - i], [0, 0]] }), asImage));
  const layer = (x: tf.SymbolicTensor, wi: tf.SymbolicTensor, f: number, upsample: boolean) =>
    apply(new ScaledLeakyReLU(), apply(noiseLayer(), apply(new ModulatedConv2D({ filters: f, upsample }), [x, wi])));
  const toRgb = (x: tf.SymbolicTensor, wi: tf.SymbolicTensor) =>
    apply(new ModulatedConv2D({ filters: channels, kernelSize: 1, demodulate: false }), [x, wi]);
  const w0 = w(0);
  let h = layer(apply(new ConstantInput({ channels: filters[0]!, size: startSize }), w0), w0, filters[0]!, false);
  let rgb = toRgb(h, w(1));
  for (let b = 1; b < filters.length; b++) {
    h = layer(h, w(2 * b - 1), filters[b]!, true);
    h = layer(h, w(2 * b), filters[b]!, false);
    rgb = apply(tf.layers.add(), [apply(new NearestUpsample2D(), rgb), toRgb(h, w(2 * b + 1))]);
  }
  return seeded(tf.model({ inputs: wPlus, outputs: rgb, name: options.name ?? 'style_synthesis' }), seed);
}
