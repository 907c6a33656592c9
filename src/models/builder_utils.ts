/**
 * Pieces shared by gan-kit's model builders: option checks, the normalization and activation menus, and
 * the "power-of-two multiple of a 4x4 or 7x7 start" size rule of DCGAN-style networks.
 *
 * @internal
 * @module models/builder_utils
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors';
import { ConditionalBatchNormalization } from '../layers/conditional_batch_normalization';
import { InstanceNormalization } from '../layers/instance_normalization';
import { checkInteger, type Initializer } from '../layers/layer_utils';
import { PixelNormalization } from '../layers/pixel_normalization';
import { checkWeightSeed, initializeWeights } from './initialize_weights';

/**
 * Normalization after a hidden layer. `'batch'`: `tf.layers.batchNormalization`; `'instance'`:
 * {@link InstanceNormalization}; `'layer'`: `tf.layers.layerNormalization` over all non-batch axes; `'pixel'`:
 * {@link PixelNormalization}; `'conditional-batch'`: {@link ConditionalBatchNormalization} (conditional
 * generators only); `'none'`.
 */
export type NormalizationKind = 'batch' | 'instance' | 'layer' | 'pixel' | 'conditional-batch' | 'none';

/** Activation of hidden layers. `'leakyRelu'` uses the builder's `leakyReluAlpha`. */
export type ActivationKind = 'relu' | 'leakyRelu' | 'elu' | 'tanh' | 'sigmoid' | 'linear';

/** Activation of a network's output. `'linear'` returns logits (discriminators) or raw values. */
export type OutputActivationKind = 'tanh' | 'sigmoid' | 'linear';

/** Batch-norm momentum every builder uses: PyTorch's default (0.1 in its convention), as the papers' code ran. */
export const BATCH_NORM_MOMENTUM = 0.9;
/** Batch-norm (and layer-norm) epsilon every builder uses: PyTorch's default. */
export const BATCH_NORM_EPSILON = 1e-5;

/** The `seed` option every gan-kit model builder takes. */
export interface SeedOption {
  /**
   * Integer seed in [0, 2^32) for the initial weights: the same options and seed always build the same weights,
   * on every backend (see {@link initializeWeights}). Default: undefined, tfjs' unseeded initializers, so every
   * build differs.
   */
  seed?: number;
}

/** Throws unless `seed` is undefined or an integer in [0, 2^32); builders call this before creating any layer. */
export function checkSeed(seed: unknown): number | undefined {
  return seed === undefined ? undefined : checkWeightSeed('options.seed', seed);
}

/** Returns `model`, its weights redrawn from `seed` when one is given. */
export function seeded(model: tf.LayersModel, seed: number | undefined): tf.LayersModel {
  if (seed !== undefined) initializeWeights(model, { seed });
  return model;
}

/** Weight initialisation of DCGAN (Radford et al. 2016) and CycleGAN/pix2pix: N(0, 0.02). */
export function dcganInitializer(): Initializer {
  return tf.initializers.randomNormal({ mean: 0, stddev: 0.02 });
}

/** Throws unless `value` is one of `allowed`; returns `fallback` when undefined. */
export function pick<T extends string>(argument: string, value: T | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) {
    throw new InvalidArgumentError(argument, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value;
}

/** Checks a [height, width, channels] shape of positive integers. */
export function checkImageShape(argument: string, shape: unknown): [number, number, number] {
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new InvalidArgumentError(argument, '[height, width, channels] of positive integers', shape);
  }
  return shape as [number, number, number];
}

/** Checks a list of positive integers of the given length. */
export function checkFilterList(argument: string, filters: unknown, length: number): number[] {
  if (!Array.isArray(filters) || filters.length !== length || !filters.every((f) => Number.isInteger(f) && f > 0)) {
    throw new InvalidArgumentError(argument, `a list of ${length} positive integers`, filters);
  }
  return filters as number[];
}

/** `size = start · 2^doublings` with start 4 or 7 and doublings >= 1 (DCGAN-style sizes: 8, 14, 16, 28, 32, 56, 64, …). */
export function decomposeSize(argument: string, size: number): { start: number; doublings: number } {
  for (const start of [4, 7]) {
    let s = size;
    let doublings = 0;
    while (s > start && s % 2 === 0) {
      s /= 2;
      doublings++;
    }
    if (s === start && doublings >= 1) return { start, doublings };
  }
  throw new InvalidArgumentError(
    argument,
    'a power-of-two multiple (x2 or more) of 4 or 7, e.g. 8, 14, 16, 28, 32, 56, 64, 128',
    size,
  );
}

/** Checks a square image shape whose side is a DCGAN-style size. */
export function squareDcganSize(argument: string, shape: [number, number, number]): { start: number; doublings: number } {
  if (shape[0] !== shape[1]) {
    throw new InvalidArgumentError(argument, 'a square image shape (height = width)', shape);
  }
  return decomposeSize(argument, shape[0]);
}

/** Applies an activation layer (none for `'linear'`). */
export function applyActivation(
  x: tf.SymbolicTensor,
  kind: ActivationKind | OutputActivationKind,
  leakyReluAlpha: number,
  name?: string,
): tf.SymbolicTensor {
  const args = name === undefined ? {} : { name };
  switch (kind) {
    case 'linear':
      return x;
    case 'relu':
      return tf.layers.reLU(args).apply(x) as tf.SymbolicTensor;
    case 'leakyRelu':
      return tf.layers.leakyReLU({ alpha: leakyReluAlpha, ...args }).apply(x) as tf.SymbolicTensor;
    default:
      return tf.layers.activation({ activation: kind, ...args }).apply(x) as tf.SymbolicTensor;
  }
}

/** Options of {@link applyNormalization}. */
export interface NormalizationContext {
  /** Class-label input, for `'conditional-batch'`. */
  labels?: tf.SymbolicTensor;
  /** Number of classes, for `'conditional-batch'`. */
  numClasses?: number;
  /** Learn a scale and offset in instance norm. Default: true. */
  instanceNormAffine?: boolean;
}

/** Applies a normalization layer (none for `'none'`). */
export function applyNormalization(
  x: tf.SymbolicTensor,
  kind: NormalizationKind,
  context: NormalizationContext = {},
  name?: string,
): tf.SymbolicTensor {
  const args = name === undefined ? {} : { name };
  switch (kind) {
    case 'none':
      return x;
    case 'batch':
      return tf.layers
        .batchNormalization({ momentum: BATCH_NORM_MOMENTUM, epsilon: BATCH_NORM_EPSILON, ...args })
        .apply(x) as tf.SymbolicTensor;
    case 'instance':
      return new InstanceNormalization({ affine: context.instanceNormAffine ?? true, ...args }).apply(x) as tf.SymbolicTensor;
    case 'layer': {
      const axes = Array.from({ length: x.shape.length - 1 }, (_, i) => i + 1);
      return tf.layers.layerNormalization({ axis: axes, epsilon: BATCH_NORM_EPSILON, ...args }).apply(x) as tf.SymbolicTensor;
    }
    case 'pixel':
      return new PixelNormalization(args).apply(x) as tf.SymbolicTensor;
    case 'conditional-batch': {
      if (context.labels === undefined || context.numClasses === undefined) {
        throw new InvalidArgumentError('normalization', "'conditional-batch' only in a conditional model", kind);
      }
      return new ConditionalBatchNormalization({
        numClasses: context.numClasses,
        momentum: BATCH_NORM_MOMENTUM,
        epsilon: BATCH_NORM_EPSILON,
        ...args,
      }).apply([x, context.labels]) as tf.SymbolicTensor;
    }
  }
}

/** Checks a latent or feature dimension. */
export function checkDim(argument: string, value: unknown): number {
  return checkInteger(argument, value, 1);
}

/** Checks an optional slope of LeakyReLU (default 0.2, the DCGAN value). */
export function checkAlpha(argument: string, value: unknown): number {
  const alpha = value ?? 0.2;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha < 0) {
    throw new InvalidArgumentError(argument, 'a finite number >= 0', value);
  }
  return alpha;
}

/** Checks a dropout rate in [0, 1). */
export function checkRate(argument: string, value: unknown, fallback: number): number {
  const rate = value ?? fallback;
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
    throw new InvalidArgumentError(argument, 'a number in [0, 1)', value);
  }
  return rate;
}
