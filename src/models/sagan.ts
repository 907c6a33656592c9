import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError } from '../errors';
import { GlobalSumPooling2D } from '../layers/global_sum_pooling_2d';
import { checkBoolean, checkInteger, type Initializer } from '../layers/layer_utils';
import { ProjectionDiscriminatorHead } from '../layers/projection_discriminator_head';
import { discriminatorResidualBlock, generatorResidualBlock } from '../layers/residual_blocks';
import { SelfAttention2D } from '../layers/self_attention_2d';
import { wrapSpectral } from '../layers/spectral_wrap';
import {
  applyActivation,
  applyNormalization,
  checkDim,
  checkImageShape,
  checkSeed,
  decomposeSize,
  seeded,
  type SeedOption,
} from './builder_utils';
import { optionKeys } from '../option_keys';

/** Options shared by {@link saganGenerator} and {@link saganDiscriminator}. */
export interface SaganOptions extends SeedOption {
  /** Channel unit (`gf_dim` / `df_dim`): feature maps have baseFilters × a multiplier of at most 16. Default: 64. */
  baseFilters?: number;
  /** Largest channel multiplier. Default: 16 (1024 channels with baseFilters 64, as SAGAN/BigGAN at 128x128). */
  maxFilterMultiplier?: number;
  /**
   * Side of the feature map that gets self-attention (after the residual block producing it), or `null` for
   * none. Default: 32 (SAGAN: attention on the 32x32 features of G and D), or the largest available side below
   * it for small images.
   */
  attentionResolution?: number | null;
  /**
   * Max-pool keys and values 2x2 in the attention block (the authors' code; saves 4x memory). Default: true.
   */
  attentionPooling?: boolean;
  /** Spectral normalization on every convolution and dense layer (and in attention). Default: true. */
  spectralNormalization?: boolean;
  /**
   * Number of classes for a class-conditional model (SAGAN's ImageNet setting): the generator uses
   * class-conditional batch norm and the discriminator a projection head, and both take a label input.
   * Default: undefined (unconditional).
   */
  numClasses?: number;
  /** Kernel initializer. Default: glorot uniform. */
  kernelInitializer?: Initializer;
  /** Model name. */
  name?: string;
}

/** Options of {@link saganGenerator}. */
export interface SaganGeneratorOptions extends SaganOptions {
  /** Image shape [H, W, C] with H = W = 4·2ⁿ (or 7·2ⁿ), n >= 1. Default: [128, 128, 3] (SAGAN's ImageNet size). */
  outputShape?: [number, number, number];
  /** Length of z. Default: 128 (SAGAN, BigGAN). */
  latentDim?: number;
}

/** The keys of {@link SaganGeneratorOptions} (checked against it by the compiler, both ways). */
const SAGAN_GENERATOR_OPTION_KEYS = optionKeys<SaganGeneratorOptions>()(['outputShape', 'latentDim', 'baseFilters', 'maxFilterMultiplier', 'attentionResolution', 'attentionPooling', 'spectralNormalization', 'numClasses', 'kernelInitializer', 'name', 'seed']);

/** Options of {@link saganDiscriminator}. */
export interface SaganDiscriminatorOptions extends SaganOptions {
  /** Image shape [H, W, C] with H = W = 4·2ⁿ (or 7·2ⁿ), n >= 1. Default: [128, 128, 3]. */
  inputShape?: [number, number, number];
  /**
   * With `numClasses`: add a second output, `numClasses` class logits from a dense layer (without spectral
   * normalization, which held the logits near uniform) on the pooled features (an ACGAN class head, Odena et al. 2017, for `ConditionalGanTrainer`'s `auxiliaryClassifier`), next
   * to the projection head. Not in SAGAN; gan-kit's sagan recipe uses it so that G cannot ignore its class (see
   * docs/benchmarks.md). Default: false.
   */
  auxiliaryClassifier?: boolean;
}

/** The keys of {@link SaganDiscriminatorOptions} (checked against it by the compiler, both ways). */
const SAGAN_DISCRIMINATOR_OPTION_KEYS = optionKeys<SaganDiscriminatorOptions>()(['inputShape', 'baseFilters', 'maxFilterMultiplier', 'attentionResolution', 'attentionPooling', 'spectralNormalization', 'numClasses', 'kernelInitializer', 'name', 'seed', 'auxiliaryClassifier']);

interface SaganCommon {
  base: number;
  maxMultiplier: number;
  attentionPooling: boolean;
  sn: boolean;
  numClasses: number | undefined;
  init: Initializer;
}

function resolveCommon(prefix: string, options: SaganOptions): SaganCommon {
  return {
    base: checkDim(`${prefix}.baseFilters`, options.baseFilters ?? 64),
    maxMultiplier: checkDim(`${prefix}.maxFilterMultiplier`, options.maxFilterMultiplier ?? 16),
    attentionPooling: checkBoolean(`${prefix}.attentionPooling`, options.attentionPooling, true),
    sn: checkBoolean(`${prefix}.spectralNormalization`, options.spectralNormalization, true),
    numClasses: options.numClasses === undefined ? undefined : checkInteger(`${prefix}.numClasses`, options.numClasses, 1),
    init: options.kernelInitializer ?? tf.initializers.glorotUniform({}),
  };
}

/** The attention side: the given one (must be in `sides`), none, or the default (32, else the largest below). */
function resolveAttention(prefix: string, value: number | null | undefined, sides: number[]): number | null {
  if (value === null) return null;
  if (value === undefined) {
    const below = sides.filter((s) => s <= 32);
    return below.length === 0 ? null : Math.max(...below);
  }
  if (!sides.includes(value)) {
    throw new InvalidArgumentError(`${prefix}.attentionResolution`, `one of the feature-map sides ${sides.join(', ')}, or null`, value);
  }
  return value;
}

function attention(x: tf.SymbolicTensor, c: SaganCommon): tf.SymbolicTensor {
  const side = x.shape[1] as number;
  return new SelfAttention2D({
    spectralNormalization: c.sn,
    poolKeysValues: c.attentionPooling && side % 2 === 0,
    kernelInitializer: c.init,
  }).apply(x) as tf.SymbolicTensor;
}

/**
 * SAGAN generator: Zhang, Goodfellow, Metaxas, Odena, "Self-Attention Generative Adversarial Networks", ICML 2019,
 * https://arxiv.org/abs/1805.08318 — a ResNet generator (SNGAN/BigGAN residual blocks, {@link generatorResidualBlock})
 * with a {@link SelfAttention2D} block at one resolution and spectral normalization on every layer of G too
 * (Section 4.1). Outputs tanh images; trains with the hinge loss and separate learning rates (TTUR, G 1e-4,
 * D 4e-4, Adam β = (0, 0.9)), which gan-kit's losses and trainers provide.
 *
 * Layout: z → SN dense → reshape [4, 4, F₀] → n up-blocks (BN → ReLU → up → SN conv3x3 → BN → ReLU → SN conv3x3,
 * plus an SN 1x1 shortcut), self-attention after the block whose output side is `attentionResolution` → BN →
 * ReLU → SN conv3x3 → tanh. Channels: baseFilters × min(16, H / side) at each side (1024 → 1024 → 512 → 256
 * → 128 → 64 for 128x128 with baseFilters 64, as SAGAN's and BigGAN's 128x128 generators). With `numClasses`,
 * the block norms are {@link ConditionalBatchNormalization} and the model takes `[z, labels]`.
 *
 * Defaults: outputShape [128, 128, 3], latentDim 128, baseFilters 64, attention at 32x32 with 2x2-pooled keys
 * and values, spectral normalization on, unconditional, glorot-uniform kernels, BN momentum 0.9 and ε 1e-5.
 *
 * @example
 * ```ts
 * const g = saganGenerator({ outputShape: [32, 32, 3], baseFilters: 32 }); // [null, 128] → [null, 32, 32, 3]
 * ```
 */
export function saganGenerator(options: SaganGeneratorOptions = {}): tf.LayersModel {
  checkOptionKeys('saganGenerator options', options, SAGAN_GENERATOR_OPTION_KEYS);
  const seed = checkSeed(options.seed);
  const c = resolveCommon('saganGenerator', options);
  const outputShape = checkImageShape('saganGenerator.outputShape', options.outputShape ?? [128, 128, 3]);
  if (outputShape[0] !== outputShape[1]) {
    throw new InvalidArgumentError('saganGenerator.outputShape', 'a square image shape', outputShape);
  }
  const side = outputShape[0];
  const { start, doublings } = decomposeSize('saganGenerator.outputShape', side);
  const latentDim = checkDim('saganGenerator.latentDim', options.latentDim ?? 128);
  const sides = Array.from({ length: doublings }, (_, i) => start * 2 ** (i + 1));
  const attentionSide = resolveAttention('saganGenerator', options.attentionResolution, sides);
  const width = (s: number) => c.base * Math.min(c.maxMultiplier, side / s);

  const z = tf.input({ shape: [latentDim] });
  const labels = c.numClasses === undefined ? undefined : tf.input({ shape: [1], dtype: 'int32' });
  let h = wrapSpectral(tf.layers.dense({ units: start * start * width(start), kernelInitializer: c.init }), c.sn).apply(
    z,
  ) as tf.SymbolicTensor;
  h = tf.layers.reshape({ targetShape: [start, start, width(start)] }).apply(h) as tf.SymbolicTensor;
  for (const s of sides) {
    h = generatorResidualBlock(h, {
      filters: width(s),
      normalization: labels === undefined ? 'batch' : 'conditional-batch',
      labels,
      numClasses: c.numClasses,
      spectralNormalization: c.sn,
      kernelInitializer: c.init,
    });
    if (s === attentionSide) h = attention(h, c);
  }
  h = applyActivation(applyNormalization(h, 'batch'), 'relu', 0);
  h = wrapSpectral(
    tf.layers.conv2d({ filters: outputShape[2], kernelSize: 3, padding: 'same', kernelInitializer: c.init }),
    c.sn,
  ).apply(h) as tf.SymbolicTensor;
  h = applyActivation(h, 'tanh', 0);
  return seeded(tf.model({ inputs: labels === undefined ? z : [z, labels], outputs: h, name: options.name ?? 'sagan_generator' }), seed);
}

/**
 * SAGAN discriminator (Zhang et al. 2019, https://arxiv.org/abs/1805.08318): SNGAN/BigGAN residual down-blocks
 * ({@link discriminatorResidualBlock}, the first an "optimized" block) with spectral normalization everywhere, a
 * {@link SelfAttention2D} block at one resolution, ReLU, global sum pooling and an SN dense output — or, with
 * `numClasses`, a spectrally normalised {@link ProjectionDiscriminatorHead} (Miyato & Koyama 2018). Outputs
 * logits [batch, 1], unbounded, for the hinge loss (and, with `auxiliaryClassifier`, class logits as a second
 * output).
 *
 * Layout: image → down-blocks to 4x4 (channels baseFilters × min(16, H / (2·side)): 64 → 128 → 256 → 512 → 1024
 * for 128x128) → one more block at 4x4 without downsampling → ReLU → sum over space → SN dense(1).
 *
 * Defaults: inputShape [128, 128, 3], baseFilters 64, attention at 32x32 (keys/values pooled), spectral
 * normalization on, unconditional, glorot-uniform kernels.
 *
 * @example
 * ```ts
 * const d = saganDiscriminator({ inputShape: [32, 32, 3], numClasses: 10 }); // [images, labels] → [null, 1]
 * ```
 */
export function saganDiscriminator(options: SaganDiscriminatorOptions = {}): tf.LayersModel {
  checkOptionKeys('saganDiscriminator options', options, SAGAN_DISCRIMINATOR_OPTION_KEYS);
  const seed = checkSeed(options.seed);
  const c = resolveCommon('saganDiscriminator', options);
  const auxiliary = checkBoolean('saganDiscriminator.auxiliaryClassifier', options.auxiliaryClassifier, false);
  if (auxiliary && c.numClasses === undefined) {
    throw new InvalidArgumentError('saganDiscriminator.auxiliaryClassifier', 'false unless numClasses is given', true);
  }
  const inputShape = checkImageShape('saganDiscriminator.inputShape', options.inputShape ?? [128, 128, 3]);
  if (inputShape[0] !== inputShape[1]) {
    throw new InvalidArgumentError('saganDiscriminator.inputShape', 'a square image shape', inputShape);
  }
  const side = inputShape[0];
  const { doublings } = decomposeSize('saganDiscriminator.inputShape', side);
  const sides = Array.from({ length: doublings }, (_, i) => side / 2 ** (i + 1));
  const attentionSide = resolveAttention('saganDiscriminator', options.attentionResolution, sides);
  const width = (s: number) => c.base * Math.min(c.maxMultiplier, side / (2 * s));

  const images = tf.input({ shape: inputShape });
  const labels = c.numClasses === undefined ? undefined : tf.input({ shape: [1], dtype: 'int32' });
  let h: tf.SymbolicTensor = images;
  sides.forEach((s, i) => {
    h = discriminatorResidualBlock(h, {
      filters: width(s),
      preactivation: i > 0,
      spectralNormalization: c.sn,
      kernelInitializer: c.init,
    });
    if (s === attentionSide) h = attention(h, c);
  });
  h = discriminatorResidualBlock(h, {
    filters: width(sides[sides.length - 1]!),
    downsample: false,
    spectralNormalization: c.sn,
    kernelInitializer: c.init,
  });
  h = applyActivation(h, 'relu', 0);
  const features = new GlobalSumPooling2D().apply(h) as tf.SymbolicTensor;
  const out =
    labels === undefined
      ? (wrapSpectral(tf.layers.dense({ units: 1, kernelInitializer: c.init }), c.sn).apply(features) as tf.SymbolicTensor)
      : (new ProjectionDiscriminatorHead({
          numClasses: c.numClasses!,
          spectralNormalization: c.sn,
          kernelInitializer: c.init,
        }).apply([features, labels]) as tf.SymbolicTensor);
  // Not spectrally normalised: with σ = 1 the class logits stayed uniform (class loss ln K) for 250+ steps.
  const classLogits = auxiliary
    ? (tf.layers.dense({ units: c.numClasses!, kernelInitializer: c.init }).apply(features) as tf.SymbolicTensor)
    : undefined;
  return seeded(tf.model({
    inputs: labels === undefined ? images : [images, labels],
    outputs: classLogits === undefined ? out : [out, classLogits],
    name: options.name ?? 'sagan_discriminator',
  }), seed);
}
