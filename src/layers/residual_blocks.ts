import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError, ShapeError } from '../errors';
import { ConditionalBatchNormalization } from './conditional_batch_normalization';
import { AverageDownsample2D, NearestUpsample2D } from './resample_2d';
import { checkBoolean, checkInRange, checkInteger, checkOneOf, checkPositive, type Initializer } from './layer_utils';
import { wrapSpectral } from './spectral_wrap';
import { optionKeys } from '../option_keys';

/** Normalization inside a generator residual block. */
export type GeneratorBlockNormalization = 'batch' | 'conditional-batch' | 'none';

/** Options of {@link generatorResidualBlock}. */
export interface GeneratorResidualBlockOptions {
  /** Output channels. Required. */
  filters: number;
  /** Double the height and width (nearest-neighbour) inside the block. Default: true. */
  upsample?: boolean;
  /** Kernel size of the two main-path convolutions. Default: 3. */
  kernelSize?: number;
  /**
   * `'batch'` (SNGAN's unconditional generator; default), `'conditional-batch'` (class-conditional BN, for
   * conditional generators: needs `labels` and `numClasses`), or `'none'`.
   */
  normalization?: GeneratorBlockNormalization;
  /** Class-label input ([batch] or [batch, 1] integer ids), for `'conditional-batch'`. */
  labels?: tf.SymbolicTensor;
  /** Number of classes, for `'conditional-batch'`. */
  numClasses?: number;
  /** Batch-norm momentum. Default: 0.9 (PyTorch's 0.1 in Keras terms, as SNGAN/BigGAN code). */
  momentum?: number;
  /** Batch-norm epsilon. Default: 1e-5. */
  epsilon?: number;
  /**
   * Wrap every convolution in gan-kit's `SpectralNormalization` (Miyato et al. 2018), as SAGAN and BigGAN do in
   * their generators. Default: false.
   */
  spectralNormalization?: boolean;
  /** Kernel initializer of the convolutions. Default: glorot uniform (Xavier, as SNGAN's code). */
  kernelInitializer?: Initializer;
  /** Prefix of the block's layer names (`<name>_conv1`, …). Default: tfjs' automatic names. */
  name?: string;
}

/** The keys of {@link GeneratorResidualBlockOptions} (checked against it by the compiler, both ways). */
const GENERATOR_RESIDUAL_BLOCK_OPTION_KEYS = optionKeys<GeneratorResidualBlockOptions>()(['filters', 'upsample', 'kernelSize', 'normalization', 'labels', 'numClasses', 'momentum', 'epsilon', 'spectralNormalization', 'kernelInitializer', 'name']);

/** Options of {@link discriminatorResidualBlock}. */
export interface DiscriminatorResidualBlockOptions {
  /** Output channels. Required. */
  filters: number;
  /** Halve the height and width with 2x2 average pooling. Default: true. */
  downsample?: boolean;
  /**
   * Pre-activation block (ReLU before each convolution; default true). Pass false for the first block of the
   * discriminator, which sees the image itself: SNGAN's "optimized" block, conv → ReLU → conv → pool, with
   * the shortcut pooled before its 1x1 convolution.
   */
  preactivation?: boolean;
  /** Kernel size of the two main-path convolutions. Default: 3. */
  kernelSize?: number;
  /** Wrap every convolution in gan-kit's `SpectralNormalization` (SNGAN, SAGAN, BigGAN). Default: false. */
  spectralNormalization?: boolean;
  /** Kernel initializer of the convolutions. Default: glorot uniform. */
  kernelInitializer?: Initializer;
  /** Prefix of the block's layer names. Default: tfjs' automatic names. */
  name?: string;
}

/** The keys of {@link DiscriminatorResidualBlockOptions} (checked against it by the compiler, both ways). */
const DISCRIMINATOR_RESIDUAL_BLOCK_OPTION_KEYS = optionKeys<DiscriminatorResidualBlockOptions>()(['filters', 'downsample', 'preactivation', 'kernelSize', 'spectralNormalization', 'kernelInitializer', 'name']);

function layerName(prefix: string | undefined, part: string): { name?: string } {
  return prefix === undefined ? {} : { name: `${prefix}_${part}` };
}

function channelsOf(argument: string, x: tf.SymbolicTensor): number {
  if (x.shape.length !== 4 || x.shape[3] == null) {
    throw new ShapeError(argument, 'a rank-4 NHWC tensor with known channels', `shape [${x.shape.join(', ')}]`);
  }
  return x.shape[3] as number;
}

/**
 * Residual block of an SNGAN/BigGAN generator: Miyato et al., "Spectral Normalization for GANs", ICLR 2018
 * (https://arxiv.org/abs/1802.05957, Appendix B); Brock et al., "Large Scale GAN Training", ICLR 2019
 * (https://arxiv.org/abs/1809.11096). Built from tfjs layers (plus gan-kit's
 * {@link ConditionalBatchNormalization} and optionally `SpectralNormalization`) on a symbolic tensor, so a
 * model that contains it saves and loads like any functional model.
 *
 * Main path: norm → ReLU → upsample ×2 (nearest, {@link NearestUpsample2D}) → conv k×k → norm → ReLU → conv k×k.
 * Shortcut: upsample ×2 → conv 1x1 when the block upsamples or changes the channel count, identity otherwise.
 * Output: main + shortcut, shape [batch, 2H, 2W, filters] (or [batch, H, W, filters] without upsampling).
 *
 * Defaults: upsample, 3x3 kernels, batch norm (momentum 0.9, ε 1e-5), no spectral norm, glorot-uniform kernels.
 * Convolutions that feed a norm keep their bias, as in SNGAN's code.
 *
 * @param x NHWC feature map (a `tf.SymbolicTensor`).
 * @returns the block's output symbolic tensor.
 * @throws {InvalidArgumentError} for bad options (e.g. `'conditional-batch'` without `labels`).
 */
export function generatorResidualBlock(x: tf.SymbolicTensor, options: GeneratorResidualBlockOptions): tf.SymbolicTensor {
  checkOptionKeys('generatorResidualBlock options', options, GENERATOR_RESIDUAL_BLOCK_OPTION_KEYS);
  const inChannels = channelsOf('generatorResidualBlock x', x);
  const filters = checkInteger('generatorResidualBlock.filters', options?.filters, 1);
  const upsample = checkBoolean('generatorResidualBlock.upsample', options.upsample, true);
  const kernelSize = checkInteger('generatorResidualBlock.kernelSize', options.kernelSize ?? 3, 1);
  const normalization = checkOneOf<GeneratorBlockNormalization>(
    'generatorResidualBlock.normalization',
    options.normalization,
    ['batch', 'conditional-batch', 'none'],
    'batch',
  );
  const momentum = checkInRange('generatorResidualBlock.momentum', options.momentum ?? 0.9, 0, 1, true);
  const epsilon = checkPositive('generatorResidualBlock.epsilon', options.epsilon ?? 1e-5);
  const sn = checkBoolean('generatorResidualBlock.spectralNormalization', options.spectralNormalization, false);
  const name = options.name;
  let numClasses = 0;
  if (normalization === 'conditional-batch') {
    if (options.labels === undefined) {
      throw new InvalidArgumentError(
        'generatorResidualBlock.labels',
        "a label input when normalization is 'conditional-batch'",
        undefined,
      );
    }
    numClasses = checkInteger('generatorResidualBlock.numClasses', options.numClasses, 1);
  }
  const init = options.kernelInitializer ?? tf.initializers.glorotUniform({});

  const norm = (t: tf.SymbolicTensor, part: string): tf.SymbolicTensor => {
    if (normalization === 'none') return t;
    if (normalization === 'batch') {
      return tf.layers.batchNormalization({ momentum, epsilon, ...layerName(name, part) }).apply(t) as tf.SymbolicTensor;
    }
    return new ConditionalBatchNormalization({ numClasses, momentum, epsilon, ...layerName(name, part) }).apply([
      t,
      options.labels!,
    ]) as tf.SymbolicTensor;
  };
  const conv = (t: tf.SymbolicTensor, size: number, part: string): tf.SymbolicTensor =>
    wrapSpectral(
      tf.layers.conv2d({ filters, kernelSize: size, padding: 'same', kernelInitializer: init, ...layerName(name, part) }),
      sn,
    ).apply(t) as tf.SymbolicTensor;
  const up = (t: tf.SymbolicTensor, part: string): tf.SymbolicTensor =>
    upsample ? (new NearestUpsample2D({ factor: 2, ...layerName(name, part) }).apply(t) as tf.SymbolicTensor) : t;

  let h = norm(x, 'norm1');
  h = tf.layers.reLU(layerName(name, 'relu1')).apply(h) as tf.SymbolicTensor;
  h = up(h, 'upsample');
  h = conv(h, kernelSize, 'conv1');
  h = norm(h, 'norm2');
  h = tf.layers.reLU(layerName(name, 'relu2')).apply(h) as tf.SymbolicTensor;
  h = conv(h, kernelSize, 'conv2');

  let shortcut = x;
  if (upsample || inChannels !== filters) {
    shortcut = conv(up(shortcut, 'shortcut_upsample'), 1, 'shortcut_conv');
  }
  return tf.layers.add(layerName(name, 'add')).apply([h, shortcut]) as tf.SymbolicTensor;
}

/**
 * Residual block of an SNGAN/BigGAN discriminator (Miyato et al. 2018, https://arxiv.org/abs/1802.05957,
 * Appendix B; Brock et al. 2019). Built from tfjs layers on a symbolic tensor.
 *
 * Pre-activation block (default): main path ReLU → conv k×k → ReLU → conv k×k → avg-pool 2x2
 * ({@link AverageDownsample2D}, twice differentiable, so gradient penalties work through it); shortcut
 * conv 1x1 → avg-pool 2x2 when the block downsamples or changes the channel count, identity otherwise.
 * First ("optimized") block, `preactivation: false`: conv k×k → ReLU → conv k×k → avg-pool; shortcut
 * avg-pool → conv 1x1. No normalization (the papers use spectral norm instead).
 * Output: main + shortcut, shape [batch, H/2, W/2, filters] (or [batch, H, W, filters] without downsampling).
 *
 * Defaults: downsample, pre-activation, 3x3 kernels, no spectral norm, glorot-uniform kernels.
 *
 * @param x NHWC feature map (a `tf.SymbolicTensor`); with `downsample`, H and W must be even.
 * @returns the block's output symbolic tensor.
 */
export function discriminatorResidualBlock(
  x: tf.SymbolicTensor,
  options: DiscriminatorResidualBlockOptions,
): tf.SymbolicTensor {
  checkOptionKeys('discriminatorResidualBlock options', options, DISCRIMINATOR_RESIDUAL_BLOCK_OPTION_KEYS);
  const inChannels = channelsOf('discriminatorResidualBlock x', x);
  const filters = checkInteger('discriminatorResidualBlock.filters', options?.filters, 1);
  const downsample = checkBoolean('discriminatorResidualBlock.downsample', options.downsample, true);
  const preactivation = checkBoolean('discriminatorResidualBlock.preactivation', options.preactivation, true);
  const kernelSize = checkInteger('discriminatorResidualBlock.kernelSize', options.kernelSize ?? 3, 1);
  const sn = checkBoolean('discriminatorResidualBlock.spectralNormalization', options.spectralNormalization, false);
  const name = options.name;
  if (downsample) {
    const [, h, w] = x.shape;
    if ((h != null && h % 2 !== 0) || (w != null && w % 2 !== 0)) {
      throw new ShapeError('discriminatorResidualBlock x', 'even height and width when downsampling', `shape [${x.shape.join(', ')}]`);
    }
  }
  const init = options.kernelInitializer ?? tf.initializers.glorotUniform({});
  const conv = (t: tf.SymbolicTensor, size: number, part: string): tf.SymbolicTensor =>
    wrapSpectral(
      tf.layers.conv2d({ filters, kernelSize: size, padding: 'same', kernelInitializer: init, ...layerName(name, part) }),
      sn,
    ).apply(t) as tf.SymbolicTensor;
  const pool = (t: tf.SymbolicTensor, part: string): tf.SymbolicTensor =>
    downsample
      ? (new AverageDownsample2D({ factor: 2, ...layerName(name, part) }).apply(t) as tf.SymbolicTensor)
      : t;
  const relu = (t: tf.SymbolicTensor, part: string): tf.SymbolicTensor =>
    tf.layers.reLU(layerName(name, part)).apply(t) as tf.SymbolicTensor;

  let h = preactivation ? relu(x, 'relu1') : x;
  h = conv(h, kernelSize, 'conv1');
  h = relu(h, 'relu2');
  h = conv(h, kernelSize, 'conv2');
  h = pool(h, 'pool');

  let shortcut = x;
  if (downsample || inChannels !== filters || !preactivation) {
    shortcut = preactivation
      ? pool(conv(shortcut, 1, 'shortcut_conv'), 'shortcut_pool')
      : conv(pool(shortcut, 'shortcut_pool'), 1, 'shortcut_conv');
  }
  return tf.layers.add(layerName(name, 'add')).apply([h, shortcut]) as tf.SymbolicTensor;
}
