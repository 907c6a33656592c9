import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError } from '../errors';
import { checkInteger, type Initializer } from '../layers/layer_utils';
import {
  applyActivation,
  applyNormalization,
  checkAlpha,
  checkImageShape,
  checkSeed,
  dcganInitializer,
  pick,
  seeded,
  type NormalizationKind,
  type SeedOption,
} from './builder_utils';
import { optionKeys } from '../option_keys';

/** Options of {@link patchGanDiscriminator}. */
export interface PatchGanDiscriminatorOptions extends SeedOption {
  /**
   * Image shape [H, W, C]. For a pix2pix (conditional) discriminator, C is the input and target channels
   * concatenated (e.g. 6). Default: [256, 256, 3].
   */
  inputShape?: [number, number, number];
  /** Channels of the first convolution (`ndf`), doubled per layer up to 8·ndf. Default: 64. */
  filters?: number;
  /**
   * Stride-2 convolutions (`n_layers`). Default: 3, the 70x70 PatchGAN: each output logit sees a 70x70 patch.
   * (1 gives 16x16 patches, 4 gives 142x142, 5 gives 286x286.)
   */
  numLayers?: number;
  /** `'instance'` (CycleGAN, default), `'batch'` (pix2pix) or `'none'`. Never on the first layer. */
  normalization?: NormalizationKind;
  /** Learn a scale and offset in instance norm. Default: false (the authors' code). */
  instanceNormAffine?: boolean;
  /** LeakyReLU slope. Default: 0.2. */
  leakyReluAlpha?: number;
  /** Kernel initializer. Default: N(0, 0.02). */
  kernelInitializer?: Initializer;
  /** Model name. Default: `'patchgan_discriminator'`. */
  name?: string;
}

/** The keys of {@link PatchGanDiscriminatorOptions} (checked against it by the compiler, both ways). */
const PATCH_GAN_DISCRIMINATOR_OPTION_KEYS = optionKeys<PatchGanDiscriminatorOptions>()(['inputShape', 'filters', 'numLayers', 'normalization', 'instanceNormAffine', 'leakyReluAlpha', 'kernelInitializer', 'name', 'seed']);

/**
 * PatchGAN discriminator: Isola, Zhu, Zhou, Efros, "Image-to-Image Translation with Conditional Adversarial
 * Networks", CVPR 2017, https://arxiv.org/abs/1611.07004 (Section 3.2.2), as used by CycleGAN (Zhu et al. 2017,
 * https://arxiv.org/abs/1703.10593). It classifies each overlapping N×N patch as real or fake and outputs a map of
 * logits, which gan-kit's losses average.
 *
 * Layout (C64-C128-C256-C512 for the defaults): zero-pad 1 → conv 4x4 stride 2 → LeakyReLU 0.2; then per
 * further layer zero-pad 1 → conv 4x4 stride 2 → norm → LeakyReLU (channels doubling, at most 8·filters); then
 * zero-pad 1 → conv 4x4 stride 1 → norm → LeakyReLU; then zero-pad 1 → conv 4x4 stride 1 → 1 channel.
 * Padding 1 and 'valid' convolutions reproduce the reference exactly: a 256x256 input gives 30x30 logits.
 * Convolutions have a bias unless followed by batch norm.
 *
 * Defaults: [256, 256, 3], 64 filters, 3 layers (70x70 receptive field), instance norm without affine
 * parameters, LeakyReLU 0.2, N(0, 0.02) kernels — 2,764,737 weights, the reference implementation's count.
 *
 * @example
 * ```ts
 * const dB = patchGanDiscriminator(); // [null, 256, 256, 3] → [null, 30, 30, 1]
 * ```
 */
export function patchGanDiscriminator(options: PatchGanDiscriminatorOptions = {}): tf.LayersModel {
  checkOptionKeys('patchGanDiscriminator options', options, PATCH_GAN_DISCRIMINATOR_OPTION_KEYS);
  const seed = checkSeed(options.seed);
  const inputShape = checkImageShape('patchGanDiscriminator.inputShape', options.inputShape ?? [256, 256, 3]);
  const filters = checkInteger('patchGanDiscriminator.filters', options.filters ?? 64, 1);
  const numLayers = checkInteger('patchGanDiscriminator.numLayers', options.numLayers ?? 3, 1);
  const normalization = pick('patchGanDiscriminator.normalization', options.normalization, ['instance', 'batch', 'none'], 'instance');
  const alpha = checkAlpha('patchGanDiscriminator.leakyReluAlpha', options.leakyReluAlpha);
  const kernelInitializer = options.kernelInitializer ?? dcganInitializer();
  const context = { instanceNormAffine: options.instanceNormAffine ?? false };
  // Output side after numLayers stride-2 steps and two stride-1 4x4 convs (each shrinks by 1).
  let side = Math.min(inputShape[0], inputShape[1]);
  for (let i = 0; i < numLayers; i++) side = Math.floor(side / 2);
  if (side - 2 < 1) {
    throw new InvalidArgumentError(
      'patchGanDiscriminator.inputShape',
      `an image large enough for ${numLayers} stride-2 layers (sides >= ${2 ** numLayers * 3})`,
      inputShape,
    );
  }
  const useBias = normalization !== 'batch';
  const step = (t: tf.SymbolicTensor, f: number, strides: number, bias: boolean): tf.SymbolicTensor => {
    const padded = tf.layers.zeroPadding2d({ padding: 1 }).apply(t) as tf.SymbolicTensor;
    return tf.layers
      .conv2d({ filters: f, kernelSize: 4, strides, padding: 'valid', useBias: bias, kernelInitializer })
      .apply(padded) as tf.SymbolicTensor;
  };
  const x = tf.input({ shape: inputShape });
  let h = applyActivation(step(x, filters, 2, true), 'leakyRelu', alpha);
  for (let i = 1; i < numLayers; i++) {
    h = step(h, filters * Math.min(2 ** i, 8), 2, useBias);
    h = applyActivation(applyNormalization(h, normalization, context), 'leakyRelu', alpha);
  }
  h = step(h, filters * Math.min(2 ** numLayers, 8), 1, useBias);
  h = applyActivation(applyNormalization(h, normalization, context), 'leakyRelu', alpha);
  h = step(h, 1, 1, true);
  return seeded(tf.model({ inputs: x, outputs: h, name: options.name ?? 'patchgan_discriminator' }), seed);
}
