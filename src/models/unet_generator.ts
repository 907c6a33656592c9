import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError } from '../errors';
import { checkInteger, type Initializer } from '../layers/layer_utils';
import {
  applyActivation,
  applyNormalization,
  checkAlpha,
  checkImageShape,
  checkRate,
  checkSeed,
  dcganInitializer,
  pick,
  seeded,
  type NormalizationKind,
  type OutputActivationKind,
  type SeedOption,
} from './builder_utils';
import { optionKeys } from '../option_keys';

/** Options of {@link unetGenerator}. */
export interface UnetGeneratorOptions extends SeedOption {
  /** Image shape [H, W, C]; H and W must be multiples of 2^numDownsampling. Default: [256, 256, 3]. */
  inputShape?: [number, number, number];
  /** Channels of the output image. Default: the input's channels. */
  outputChannels?: number;
  /** Channels of the first encoder layer (`ngf`), doubled per level up to `maxFilters`. Default: 64. */
  filters?: number;
  /** Largest channel count. Default: 8·filters (512). */
  maxFilters?: number;
  /**
   * Encoder levels (stride-2 convolutions). Default: log2 of the smaller side, down to a 1x1 bottleneck
   * (8 for 256x256, 7 for 128x128, as in the authors' `unet_256` / `unet_128`).
   */
  numDownsampling?: number;
  /** `'batch'` (pix2pix, default), `'instance'` or `'none'`. */
  normalization?: NormalizationKind;
  /** Learn a scale and offset in instance norm. Default: false (the authors' code). */
  instanceNormAffine?: boolean;
  /**
   * Dropout rate in the decoder layers next to the bottleneck that have `maxFilters` channels (three of them at
   * 256x256: "CD512-CD512-CD512"). pix2pix keeps dropout on at test time as its noise source; here it follows
   * tfjs semantics (active only with `training: true`). Default: 0.5. Set 0 to turn it off.
   */
  dropout?: number;
  /** Encoder LeakyReLU slope. Default: 0.2. */
  leakyReluAlpha?: number;
  /** Output activation. Default: `'tanh'`. */
  outputActivation?: OutputActivationKind;
  /** Kernel initializer. Default: N(0, 0.02). */
  kernelInitializer?: Initializer;
  /** Model name. Default: `'unet_generator'`. */
  name?: string;
}

/** The keys of {@link UnetGeneratorOptions} (checked against it by the compiler, both ways). */
const UNET_GENERATOR_OPTION_KEYS = optionKeys<UnetGeneratorOptions>()(['inputShape', 'outputChannels', 'filters', 'maxFilters', 'numDownsampling', 'normalization', 'instanceNormAffine', 'dropout', 'leakyReluAlpha', 'outputActivation', 'kernelInitializer', 'name', 'seed']);

/**
 * U-Net generator of pix2pix: Isola, Zhu, Zhou, Efros, "Image-to-Image Translation with Conditional Adversarial
 * Networks", CVPR 2017, https://arxiv.org/abs/1611.07004 (Section 3.2.1 and Appendix 6.1.1), after Ronneberger et
 * al., "U-Net", MICCAI 2015.
 *
 * Encoder: C64-C128-C256-C512-C512-C512-C512-C512 for 256x256 — conv 4x4 stride 2 ('same'), batch norm (not on
 * the first or the innermost layer), LeakyReLU 0.2 before every layer but the first. Decoder, mirrored:
 * ReLU → transposed conv 4x4 stride 2 → batch norm (→ dropout 0.5 on the layers with 512 channels next to
 * the bottleneck), with each decoder layer's input concatenated with the encoder feature map of the same size
 * (skip connections); the last one maps to the output channels with a bias and tanh. Convolutions have a bias
 * only with instance norm or none, except the last (the authors' `use_bias` rule).
 *
 * Defaults: [256, 256, 3], 64 filters up to 512, 8 levels, batch norm (momentum 0.9, ε 1e-5), dropout 0.5,
 * tanh, N(0, 0.02) kernels. For 256x256x3 that is 54,413,955 trainable weights, the reference `unet_256` count,
 * plus 9,856 batch-norm moving statistics.
 *
 * @example
 * ```ts
 * const g = unetGenerator({ inputShape: [128, 128, 3] }); // 7 levels → [null, 128, 128, 3]
 * ```
 */
export function unetGenerator(options: UnetGeneratorOptions = {}): tf.LayersModel {
  checkOptionKeys('unetGenerator options', options, UNET_GENERATOR_OPTION_KEYS);
  const seed = checkSeed(options.seed);
  const inputShape = checkImageShape('unetGenerator.inputShape', options.inputShape ?? [256, 256, 3]);
  const outputChannels = checkInteger('unetGenerator.outputChannels', options.outputChannels ?? inputShape[2], 1);
  const filters = checkInteger('unetGenerator.filters', options.filters ?? 64, 1);
  const maxFilters = checkInteger('unetGenerator.maxFilters', options.maxFilters ?? 8 * filters, 1);
  const levels = checkInteger(
    'unetGenerator.numDownsampling',
    options.numDownsampling ?? Math.floor(Math.log2(Math.min(inputShape[0], inputShape[1]))),
    1,
  );
  const normalization = pick('unetGenerator.normalization', options.normalization, ['batch', 'instance', 'none'], 'batch');
  const rate = checkRate('unetGenerator.dropout', options.dropout, 0.5);
  const alpha = checkAlpha('unetGenerator.leakyReluAlpha', options.leakyReluAlpha);
  const outputActivation = pick<OutputActivationKind>('unetGenerator.outputActivation', options.outputActivation, ['tanh', 'sigmoid', 'linear'], 'tanh');
  const kernelInitializer = options.kernelInitializer ?? dcganInitializer();
  const scale = 2 ** levels;
  if (inputShape[0] % scale !== 0 || inputShape[1] % scale !== 0) {
    throw new InvalidArgumentError('unetGenerator.inputShape', `height and width divisible by 2^numDownsampling = ${scale}`, inputShape);
  }
  const useBias = normalization !== 'batch';
  const context = { instanceNormAffine: options.instanceNormAffine ?? false };
  // Channels of encoder level i (1-based): min(filters·2^(i−1), maxFilters).
  const width = (i: number) => Math.min(filters * 2 ** (i - 1), maxFilters);

  const x = tf.input({ shape: inputShape });
  const skips: tf.SymbolicTensor[] = [];
  let h: tf.SymbolicTensor = x;
  for (let i = 1; i <= levels; i++) {
    if (i > 1) h = applyActivation(h, 'leakyRelu', alpha);
    h = tf.layers
      .conv2d({ filters: width(i), kernelSize: 4, strides: 2, padding: 'same', useBias, kernelInitializer })
      .apply(h) as tf.SymbolicTensor;
    if (i > 1 && i < levels) h = applyNormalization(h, normalization, context);
    skips.push(h);
  }
  for (let i = levels; i >= 1; i--) {
    // Level i's decoder sees its encoder output (innermost) or [encoder output, decoder output of level i + 1].
    const outermost = i === 1;
    h = applyActivation(h, 'relu', 0);
    h = tf.layers
      .conv2dTranspose({
        filters: outermost ? outputChannels : width(i - 1),
        kernelSize: 4,
        strides: 2,
        padding: 'same',
        useBias: outermost || useBias,
        kernelInitializer,
      })
      .apply(h) as tf.SymbolicTensor;
    if (outermost) break;
    h = applyNormalization(h, normalization, context);
    // pix2pix: dropout on the decoder layers whose encoder and decoder sides both have maxFilters channels.
    if (rate > 0 && i < levels && width(i) === maxFilters && width(i - 1) === maxFilters) {
      h = tf.layers.dropout({ rate }).apply(h) as tf.SymbolicTensor;
    }
    h = tf.layers.concatenate().apply([skips[i - 2]!, h]) as tf.SymbolicTensor;
  }
  h = applyActivation(h, outputActivation, 0);
  return seeded(tf.model({ inputs: x, outputs: h, name: options.name ?? 'unet_generator' }), seed);
}
