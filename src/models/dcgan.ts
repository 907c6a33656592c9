import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError } from '../errors';
import { checkInteger, type Initializer } from '../layers/layer_utils';
import {
  applyActivation,
  applyNormalization,
  checkAlpha,
  checkDim,
  checkFilterList,
  checkImageShape,
  checkSeed,
  dcganInitializer,
  pick,
  seeded,
  squareDcganSize,
  type ActivationKind,
  type NormalizationContext,
  type NormalizationKind,
  type OutputActivationKind,
  type SeedOption,
} from './builder_utils';
import { optionKeys } from '../option_keys';

const G_NORMS: readonly NormalizationKind[] = ['batch', 'instance', 'layer', 'pixel', 'none'];
const D_NORMS: readonly NormalizationKind[] = ['batch', 'instance', 'layer', 'none'];
const ACTIVATIONS: readonly ActivationKind[] = ['relu', 'leakyRelu', 'elu', 'tanh', 'sigmoid', 'linear'];
const OUTPUTS: readonly OutputActivationKind[] = ['tanh', 'sigmoid', 'linear'];

/** Options of {@link transposedConvStack}. */
export interface TransposedConvStackOptions extends SeedOption {
  /** Shape [H, W, C] of the input feature map (no batch axis). Required. */
  inputShape: [number, number, number];
  /**
   * Output channels of each transposed convolution, in order; each one doubles H and W. The last entry is the
   * number of output channels (e.g. 1 or 3 for an image). Required, at least one entry.
   */
  filters: number[];
  /** Kernel size of every transposed convolution. Default: 4 (DCGAN-style, divisible by the stride). */
  kernelSize?: number;
  /** Normalization after every transposed convolution but the last. Default: `'batch'` (Radford et al. 2016). */
  normalization?: NormalizationKind;
  /** Activation after every transposed convolution but the last. Default: `'relu'`. */
  activation?: ActivationKind;
  /** Slope of LeakyReLU for negative inputs, when an activation is `'leakyRelu'`. Default: 0.2. */
  leakyReluAlpha?: number;
  /** Activation of the last transposed convolution. Default: `'tanh'` (images in [−1, 1]). */
  outputActivation?: OutputActivationKind;
  /** Kernel initializer. Default: N(0, 0.02) (Radford et al. 2016). */
  kernelInitializer?: Initializer;
  /** Model name. Default: `'transposed_conv_stack'`. */
  name?: string;
}

/** The keys of {@link TransposedConvStackOptions} (checked against it by the compiler, both ways). */
const TRANSPOSED_CONV_STACK_OPTION_KEYS = optionKeys<TransposedConvStackOptions>()(['inputShape', 'filters', 'kernelSize', 'normalization', 'activation', 'leakyReluAlpha', 'outputActivation', 'kernelInitializer', 'name', 'seed']);

/** Resolved settings of a transposed-conv stack, shared by the DCGAN and conditional generators. */
export interface StackSettings {
  filters: number[];
  kernelSize: number;
  normalization: NormalizationKind;
  activation: ActivationKind;
  leakyReluAlpha: number;
  outputActivation: OutputActivationKind;
  kernelInitializer: Initializer;
}

/**
 * Applies the stack to a symbolic feature map: for each entry of `filters`, a stride-2 'same' transposed
 * convolution, then (except after the last) normalization and activation. Convolutions followed by a norm that
 * re-centres have no bias; the last one has a bias and the output activation.
 *
 * @internal
 */
export function applyTransposedConvStack(
  x: tf.SymbolicTensor,
  s: StackSettings,
  context: NormalizationContext = {},
): tf.SymbolicTensor {
  let h = x;
  s.filters.forEach((filters, i) => {
    const last = i === s.filters.length - 1;
    h = tf.layers
      .conv2dTranspose({
        filters,
        kernelSize: s.kernelSize,
        strides: 2,
        padding: 'same',
        useBias: last || s.normalization === 'none' || s.normalization === 'pixel',
        kernelInitializer: s.kernelInitializer,
        activation: last && s.outputActivation !== 'linear' ? s.outputActivation : undefined,
      })
      .apply(h) as tf.SymbolicTensor;
    if (!last) {
      h = applyNormalization(h, s.normalization, context);
      h = applyActivation(h, s.activation, s.leakyReluAlpha);
    }
  });
  return h;
}

function resolveStack(prefix: string, options: Partial<StackSettings> & { filters: number[] }): StackSettings {
  return {
    filters: options.filters,
    kernelSize: checkInteger(`${prefix}.kernelSize`, options.kernelSize ?? 4, 1),
    normalization: pick(`${prefix}.normalization`, options.normalization, G_NORMS, 'batch'),
    activation: pick(`${prefix}.activation`, options.activation, ACTIVATIONS, 'relu'),
    leakyReluAlpha: checkAlpha(`${prefix}.leakyReluAlpha`, options.leakyReluAlpha),
    outputActivation: pick(`${prefix}.outputActivation`, options.outputActivation, OUTPUTS, 'tanh'),
    kernelInitializer: options.kernelInitializer ?? dcganInitializer(),
  };
}

/**
 * A stack of stride-2 transposed convolutions that doubles H and W at each step: the upsampling body of a DCGAN
 * generator (Radford, Metz, Chintala, "Unsupervised Representation Learning with Deep Convolutional GANs",
 * ICLR 2016, https://arxiv.org/abs/1511.06434), as a model from a feature map [H, W, C] to
 * [H·2ⁿ, W·2ⁿ, filters[n−1]] where n = filters.length.
 *
 * Each hidden step is convT (no bias) → norm → activation; the last is convT (with bias) → output activation.
 * Defaults: kernel 4, batch norm (momentum 0.9, ε 1e-5), ReLU, tanh output, N(0, 0.02) kernels.
 *
 * @example
 * ```ts
 * const up = transposedConvStack({ inputShape: [7, 7, 256], filters: [128, 1] }); // → [null, 28, 28, 1]
 * ```
 * @throws {InvalidArgumentError} for a bad shape, filter list or option.
 */
export function transposedConvStack(options: TransposedConvStackOptions): tf.LayersModel {
  checkOptionKeys('transposedConvStack options', options, TRANSPOSED_CONV_STACK_OPTION_KEYS);
  const seed = checkSeed(options.seed);
  const inputShape = checkImageShape('transposedConvStack.inputShape', options?.inputShape);
  if (!Array.isArray(options.filters) || options.filters.length === 0) {
    throw new InvalidArgumentError('transposedConvStack.filters', 'a non-empty list of positive integers', options.filters);
  }
  const filters = checkFilterList('transposedConvStack.filters', options.filters, options.filters.length);
  const settings = resolveStack('transposedConvStack', { ...options, filters });
  const input = tf.input({ shape: inputShape });
  return seeded(tf.model({
    inputs: input,
    outputs: applyTransposedConvStack(input, settings),
    name: options.name ?? 'transposed_conv_stack',
  }), seed);
}

/** Options of {@link dcganGenerator}. */
export interface DcganGeneratorOptions extends SeedOption {
  /**
   * Image shape [H, W, C] (H = W = 4·2ⁿ or 7·2ⁿ, n >= 1: 8, 14, 16, 28, 32, 56, 64, 128, …).
   * Default: [64, 64, 3] (the paper's LSUN/ImageNet size).
   */
  outputShape?: [number, number, number];
  /** Length of the latent vector z. Default: 100 (Radford et al. 2016). */
  latentDim?: number;
  /**
   * Channels of the last hidden feature map; the start has baseFilters·2ⁿ⁻¹ and each upsampling halves it
   * (64x64: 1024 → 512 → 256 → 128 → C, the paper's generator). Default: 128.
   */
  baseFilters?: number;
  /** Explicit channels of the n hidden feature maps, start first (overrides `baseFilters`). */
  filters?: number[];
  /** Kernel size of the transposed convolutions. Default: 4. */
  kernelSize?: number;
  /**
   * Normalization of the projection and every hidden layer (never the output). Default: `'batch'`. With batch
   * norm the projection is dense → BN → activation → reshape (BN per feature, as PyTorch's BatchNorm1d);
   * with `'instance'`, `'layer'` and `'pixel'` it is dense → reshape → norm → activation.
   */
  normalization?: NormalizationKind;
  /** Hidden activation. Default: `'relu'` (Radford et al. 2016). */
  activation?: ActivationKind;
  /** LeakyReLU slope, when `activation` is `'leakyRelu'`. Default: 0.2. */
  leakyReluAlpha?: number;
  /** Output activation. Default: `'tanh'` (images scaled to [−1, 1]). */
  outputActivation?: OutputActivationKind;
  /** Kernel initializer of the dense and convolution layers. Default: N(0, 0.02). */
  kernelInitializer?: Initializer;
  /** Model name. Default: `'dcgan_generator'`. */
  name?: string;
}

/** The keys of {@link DcganGeneratorOptions} (checked against it by the compiler, both ways). */
const DCGAN_GENERATOR_OPTION_KEYS = optionKeys<DcganGeneratorOptions>()(['outputShape', 'latentDim', 'baseFilters', 'filters', 'kernelSize', 'normalization', 'activation', 'leakyReluAlpha', 'outputActivation', 'kernelInitializer', 'name', 'seed']);

/** Resolved generator layout, shared with the conditional generator. @internal */
export interface DcganGeneratorLayout {
  outputShape: [number, number, number];
  start: number;
  hidden: number[];
  stack: StackSettings;
}

/** @internal */
export function resolveDcganGenerator(prefix: string, options: DcganGeneratorOptions): DcganGeneratorLayout {
  const outputShape = checkImageShape(`${prefix}.outputShape`, options.outputShape ?? [64, 64, 3]);
  const { start, doublings } = squareDcganSize(`${prefix}.outputShape`, outputShape);
  const hidden =
    options.filters !== undefined
      ? checkFilterList(`${prefix}.filters`, options.filters, doublings)
      : Array.from(
          { length: doublings },
          (_, i) => checkDim(`${prefix}.baseFilters`, options.baseFilters ?? 128) * 2 ** (doublings - 1 - i),
        );
  const stack = resolveStack(prefix, { ...options, filters: [...hidden.slice(1), outputShape[2]] });
  return { outputShape, start, hidden, stack };
}

/**
 * Projects a (latent) vector to the start feature map and runs the transposed-conv stack. @internal
 */
export function applyDcganGenerator(
  z: tf.SymbolicTensor,
  layout: DcganGeneratorLayout,
  context: NormalizationContext = {},
): tf.SymbolicTensor {
  const { start, hidden, stack } = layout;
  const norm = stack.normalization;
  const recentring = norm === 'batch' || norm === 'instance' || norm === 'layer' || norm === 'conditional-batch';
  let h = tf.layers
    .dense({ units: start * start * hidden[0]!, useBias: !recentring, kernelInitializer: stack.kernelInitializer })
    .apply(z) as tf.SymbolicTensor;
  const reshape = (t: tf.SymbolicTensor) =>
    tf.layers.reshape({ targetShape: [start, start, hidden[0]!] }).apply(t) as tf.SymbolicTensor;
  // Batch norm of the projection is per feature, before the reshape (dense → BN → ReLU → reshape, as the
  // DCGAN-28 reference); the spatial norms need the feature map, so they come after it.
  const flatNorm = norm === 'batch' || norm === 'conditional-batch';
  if (!flatNorm) h = reshape(h);
  h = applyNormalization(h, norm, context);
  h = applyActivation(h, stack.activation, stack.leakyReluAlpha);
  if (flatNorm) h = reshape(h);
  return applyTransposedConvStack(h, stack, context);
}

/**
 * DCGAN generator (Radford, Metz, Chintala, ICLR 2016, https://arxiv.org/abs/1511.06434), following the paper's
 * guidelines: no pooling or fully connected hidden layers beyond the projection of z, fractionally-strided
 * (transposed) convolutions, batch norm everywhere except the output, ReLU inside, tanh output.
 *
 * Layout: z [latentDim] → dense (start·start·F₀) → BN → ReLU → reshape [start, start, F₀] →
 * (convT k4 s2 → norm → activation) × (n−1) → convT k4 s2 → C channels → tanh, where the image side is
 * start·2ⁿ with start 4 or 7.
 *
 * The defaults for `outputShape: [28, 28, 1]` are exactly the "DCGAN-28" benchmark generator: dense 100→7·7·256
 * (no bias), BN, ReLU, reshape, convT 256→128 k4 s2 'same' (no bias), BN, ReLU, convT 128→1 k4 s2 'same'
 * (with bias), tanh — 1,831,425 weights, of which 1,806,081 trainable (the rest are BN moving statistics).
 *
 * Defaults: outputShape [64, 64, 3], latentDim 100, baseFilters 128, kernel 4, batch norm (momentum 0.9,
 * ε 1e-5), ReLU, tanh, N(0, 0.02) kernels.
 *
 * @example
 * ```ts
 * const g = dcganGenerator({ outputShape: [28, 28, 1] }); // input [null, 100] → output [null, 28, 28, 1]
 * const images = g.predict(tf.randomNormal([16, 100])) as tf.Tensor4D; // values in [−1, 1]
 * ```
 * @throws {InvalidArgumentError} for an unsupported size or a bad option.
 */
export function dcganGenerator(options: DcganGeneratorOptions = {}): tf.LayersModel {
  checkOptionKeys('dcganGenerator options', options, DCGAN_GENERATOR_OPTION_KEYS);
  const seed = checkSeed(options.seed);
  const latentDim = checkDim('dcganGenerator.latentDim', options.latentDim ?? 100);
  const layout = resolveDcganGenerator('dcganGenerator', options);
  if (layout.stack.normalization === 'conditional-batch') {
    throw new InvalidArgumentError('dcganGenerator.normalization', "not 'conditional-batch' (use conditionalGenerator)", 'conditional-batch');
  }
  const z = tf.input({ shape: [latentDim] });
  return seeded(tf.model({ inputs: z, outputs: applyDcganGenerator(z, layout), name: options.name ?? 'dcgan_generator' }), seed);
}

/** Options of {@link dcganDiscriminator}. */
export interface DcganDiscriminatorOptions extends SeedOption {
  /** Image shape [H, W, C] (H = W = 4·2ⁿ or 7·2ⁿ, n >= 1). Default: [64, 64, 3]. */
  inputShape?: [number, number, number];
  /**
   * Channels of the first convolution; each later one doubles it (64x64: 64 → 128 → 256 → 512, the paper's
   * discriminator). Default: 64.
   */
  baseFilters?: number;
  /** Explicit channels of the n convolutions (overrides `baseFilters`). */
  filters?: number[];
  /** Kernel size. Default: 4. */
  kernelSize?: number;
  /** Normalization after every convolution but the first. Default: `'batch'` (Radford et al. 2016). */
  normalization?: NormalizationKind;
  /** Slope of LeakyReLU. Default: 0.2 (Radford et al. 2016). */
  leakyReluAlpha?: number;
  /** Output activation. Default: `'linear'`: logits, which gan-kit's losses expect. */
  outputActivation?: OutputActivationKind;
  /** Kernel initializer. Default: N(0, 0.02). */
  kernelInitializer?: Initializer;
  /** Model name. Default: `'dcgan_discriminator'`. */
  name?: string;
}

/** The keys of {@link DcganDiscriminatorOptions} (checked against it by the compiler, both ways). */
const DCGAN_DISCRIMINATOR_OPTION_KEYS = optionKeys<DcganDiscriminatorOptions>()(['inputShape', 'baseFilters', 'filters', 'kernelSize', 'normalization', 'leakyReluAlpha', 'outputActivation', 'kernelInitializer', 'name', 'seed']);

/** Resolved discriminator trunk settings. @internal */
export interface DcganTrunk {
  filters: number[];
  kernelSize: number;
  normalization: NormalizationKind;
  leakyReluAlpha: number;
  kernelInitializer: Initializer;
}

/** @internal */
export function resolveDcganTrunk(
  prefix: string,
  inputShape: [number, number, number],
  options: { baseFilters?: number; filters?: number[]; kernelSize?: number; normalization?: NormalizationKind; leakyReluAlpha?: number; kernelInitializer?: Initializer },
  norms: readonly NormalizationKind[] = D_NORMS,
  defaultNorm: NormalizationKind = 'batch',
  defaultKernel = 4,
): DcganTrunk {
  const { doublings } = squareDcganSize(`${prefix}.inputShape`, inputShape);
  const filters =
    options.filters !== undefined
      ? checkFilterList(`${prefix}.filters`, options.filters, doublings)
      : Array.from({ length: doublings }, (_, i) => checkDim(`${prefix}.baseFilters`, options.baseFilters ?? 64) * 2 ** i);
  return {
    filters,
    kernelSize: checkInteger(`${prefix}.kernelSize`, options.kernelSize ?? defaultKernel, 1),
    normalization: pick(`${prefix}.normalization`, options.normalization, norms, defaultNorm),
    leakyReluAlpha: checkAlpha(`${prefix}.leakyReluAlpha`, options.leakyReluAlpha),
    kernelInitializer: options.kernelInitializer ?? dcganInitializer(),
  };
}

/**
 * Strided convolutions, each halving H and W: conv (bias only where no norm follows) → norm (not after the first)
 * → LeakyReLU. @internal
 */
export function applyDcganTrunk(x: tf.SymbolicTensor, t: DcganTrunk): tf.SymbolicTensor {
  let h = x;
  t.filters.forEach((filters, i) => {
    const normalized = i > 0 && t.normalization !== 'none';
    h = tf.layers
      .conv2d({
        filters,
        kernelSize: t.kernelSize,
        strides: 2,
        padding: 'same',
        useBias: !normalized,
        kernelInitializer: t.kernelInitializer,
      })
      .apply(h) as tf.SymbolicTensor;
    if (normalized) h = applyNormalization(h, t.normalization);
    h = applyActivation(h, 'leakyRelu', t.leakyReluAlpha);
  });
  return h;
}

/** Flatten → dense(1) (→ output activation). @internal */
export function applyDenseLogit(
  h: tf.SymbolicTensor,
  kernelInitializer: Initializer,
  outputActivation: OutputActivationKind,
): tf.SymbolicTensor {
  const flat = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
  const logit = tf.layers.dense({ units: 1, kernelInitializer }).apply(flat) as tf.SymbolicTensor;
  return applyActivation(logit, outputActivation, 0);
}

/**
 * DCGAN discriminator (Radford, Metz, Chintala, ICLR 2016, https://arxiv.org/abs/1511.06434): strided
 * convolutions instead of pooling, batch norm on every layer but the input one, LeakyReLU (slope 0.2), and
 * the last feature map flattened into a single output.
 *
 * Layout: image [H, W, C] → (conv k4 s2 'same' → norm (not the first) → LeakyReLU 0.2) × n → flatten →
 * dense(1), where H = start·2ⁿ with start 4 or 7. Outputs logits [batch, 1] (no sigmoid) by default.
 *
 * The defaults for `inputShape: [28, 28, 1]` are exactly the "DCGAN-28" benchmark discriminator: conv 1→64 k4 s2
 * 'same', LeakyReLU 0.2, conv 64→128 k4 s2 'same' (no bias), BN, LeakyReLU 0.2, flatten, dense →1 —
 * 138,945 weights, of which 138,689 trainable.
 *
 * Defaults: inputShape [64, 64, 3], baseFilters 64 (doubling), kernel 4, batch norm (momentum 0.9, ε 1e-5),
 * LeakyReLU 0.2, linear output, N(0, 0.02) kernels.
 *
 * @example
 * ```ts
 * const d = dcganDiscriminator({ inputShape: [28, 28, 1] }); // [null, 28, 28, 1] → logits [null, 1]
 * ```
 * @throws {InvalidArgumentError} for an unsupported size or a bad option.
 */
export function dcganDiscriminator(options: DcganDiscriminatorOptions = {}): tf.LayersModel {
  checkOptionKeys('dcganDiscriminator options', options, DCGAN_DISCRIMINATOR_OPTION_KEYS);
  const seed = checkSeed(options.seed);
  const inputShape = checkImageShape('dcganDiscriminator.inputShape', options.inputShape ?? [64, 64, 3]);
  const trunk = resolveDcganTrunk('dcganDiscriminator', inputShape, options);
  const outputActivation = pick('dcganDiscriminator.outputActivation', options.outputActivation, OUTPUTS, 'linear');
  const x = tf.input({ shape: inputShape });
  const out = applyDenseLogit(applyDcganTrunk(x, trunk), trunk.kernelInitializer, outputActivation);
  return seeded(tf.model({ inputs: x, outputs: out, name: options.name ?? 'dcgan_discriminator' }), seed);
}
