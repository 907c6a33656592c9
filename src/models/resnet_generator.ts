import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError } from '../errors';
import { checkInteger, type Initializer } from '../layers/layer_utils';
import { ReflectionPadding2D } from '../layers/reflection_padding_2d';
import {
  applyActivation,
  applyNormalization,
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

/** Options of {@link resnetGenerator}. */
export interface ResnetGeneratorOptions extends SeedOption {
  /** Image shape [H, W, C]; H and W must be multiples of 2^numDownsampling. Default: [256, 256, 3]. */
  inputShape?: [number, number, number];
  /** Channels of the output image. Default: the input's channels. */
  outputChannels?: number;
  /** Channels of the first convolution (`ngf`); doubled by each downsampling. Default: 64. */
  filters?: number;
  /** Stride-2 convolutions before the residual blocks (and transposed ones after). Default: 2. */
  numDownsampling?: number;
  /**
   * Residual blocks at the bottleneck. Default: 9 when the smaller image side is >= 256, else 6 (Zhu et al. 2017:
   * 6 blocks for 128x128 training images, 9 for 256x256).
   */
  numResidualBlocks?: number;
  /** `'instance'` (default), `'batch'` or `'none'`. */
  normalization?: NormalizationKind;
  /**
   * Learn a scale and offset in instance norm. Default: false, as the authors' PyTorch code
   * (`InstanceNorm2d(affine=False)`).
   */
  instanceNormAffine?: boolean;
  /** Dropout rate between the two convolutions of each residual block. Default: 0 (the CycleGAN setting). */
  dropout?: number;
  /** Output activation. Default: `'tanh'`. */
  outputActivation?: OutputActivationKind;
  /** Kernel initializer. Default: N(0, 0.02) (the authors' code). */
  kernelInitializer?: Initializer;
  /** Model name. Default: `'resnet_generator'`. */
  name?: string;
}

/** The keys of {@link ResnetGeneratorOptions} (checked against it by the compiler, both ways). */
const RESNET_GENERATOR_OPTION_KEYS = optionKeys<ResnetGeneratorOptions>()(['inputShape', 'outputChannels', 'filters', 'numDownsampling', 'numResidualBlocks', 'normalization', 'instanceNormAffine', 'dropout', 'outputActivation', 'kernelInitializer', 'name', 'seed']);

/**
 * CycleGAN's ResNet generator: Zhu, Park, Isola, Efros, "Unpaired Image-to-Image Translation using
 * Cycle-Consistent Adversarial Networks", ICCV 2017, https://arxiv.org/abs/1703.10593 (Appendix 7.2), after
 * Johnson, Alahi, Fei-Fei, "Perceptual Losses for Real-Time Style Transfer", ECCV 2016.
 *
 * Layout (paper notation, for the defaults): c7s1-64, d128, d256, R256 × n, u128, u64, c7s1-3 — i.e.
 * reflection pad 3 → conv 7x7 → norm → ReLU; per downsampling, conv 3x3 stride 2 → norm → ReLU; n residual
 * blocks of [reflection pad 1 → conv 3x3 → norm → ReLU → (dropout) → reflection pad 1 → conv 3x3 → norm] plus
 * the identity; per upsampling, transposed conv 3x3 stride 2 → norm → ReLU; reflection pad 3 → conv 7x7 →
 * tanh. Convolutions have a bias unless followed by batch norm (as in the authors' code). Strided convolutions
 * use tfjs' 'same' padding (TensorFlow's asymmetric padding instead of PyTorch's padding 1; same shapes and
 * parameter counts).
 *
 * Defaults: [256, 256, 3] in and out, 64 filters, 2 downsamplings, 9 residual blocks (6 below 256 px), instance
 * norm without affine parameters, no dropout, tanh, N(0, 0.02) kernels — 11,378,179 weights for 256x256x3 with
 * 9 blocks, the reference implementation's count.
 *
 * @example
 * ```ts
 * const gAB = resnetGenerator({ inputShape: [128, 128, 3] }); // 6 residual blocks → [null, 128, 128, 3]
 * ```
 */
export function resnetGenerator(options: ResnetGeneratorOptions = {}): tf.LayersModel {
  checkOptionKeys('resnetGenerator options', options, RESNET_GENERATOR_OPTION_KEYS);
  const seed = checkSeed(options.seed);
  const inputShape = checkImageShape('resnetGenerator.inputShape', options.inputShape ?? [256, 256, 3]);
  const outputChannels = checkInteger('resnetGenerator.outputChannels', options.outputChannels ?? inputShape[2], 1);
  const filters = checkInteger('resnetGenerator.filters', options.filters ?? 64, 1);
  const numDown = checkInteger('resnetGenerator.numDownsampling', options.numDownsampling ?? 2, 0);
  const numBlocks = checkInteger(
    'resnetGenerator.numResidualBlocks',
    options.numResidualBlocks ?? (Math.min(inputShape[0], inputShape[1]) >= 256 ? 9 : 6),
    0,
  );
  const normalization = pick('resnetGenerator.normalization', options.normalization, ['instance', 'batch', 'none'], 'instance');
  const dropout = checkRate('resnetGenerator.dropout', options.dropout, 0);
  const outputActivation = pick<OutputActivationKind>('resnetGenerator.outputActivation', options.outputActivation, ['tanh', 'sigmoid', 'linear'], 'tanh');
  const kernelInitializer = options.kernelInitializer ?? dcganInitializer();
  const scale = 2 ** numDown;
  if (inputShape[0] % scale !== 0 || inputShape[1] % scale !== 0) {
    throw new InvalidArgumentError('resnetGenerator.inputShape', `height and width divisible by 2^numDownsampling = ${scale}`, inputShape);
  }
  // Reflection padding 3 before the 7x7 convolutions needs at least 4 rows.
  if (Math.min(inputShape[0], inputShape[1]) < 4) {
    throw new InvalidArgumentError('resnetGenerator.inputShape', 'height and width >= 4', inputShape);
  }
  const useBias = normalization !== 'batch';
  const context = { instanceNormAffine: options.instanceNormAffine ?? false };
  const convLayer = (t: tf.SymbolicTensor, f: number, k: number, strides = 1, padding: 'same' | 'valid' = 'valid', bias = useBias) =>
    tf.layers.conv2d({ filters: f, kernelSize: k, strides, padding, useBias: bias, kernelInitializer }).apply(t) as tf.SymbolicTensor;
  const reflect = (t: tf.SymbolicTensor, p: number) => new ReflectionPadding2D({ padding: p }).apply(t) as tf.SymbolicTensor;
  const normRelu = (t: tf.SymbolicTensor) => applyActivation(applyNormalization(t, normalization, context), 'relu', 0);

  const x = tf.input({ shape: inputShape });
  let h = normRelu(convLayer(reflect(x, 3), filters, 7));
  for (let i = 0; i < numDown; i++) h = normRelu(convLayer(h, filters * 2 ** (i + 1), 3, 2, 'same'));
  const width = filters * scale;
  // The 3x3 convolutions of a block keep the size only if reflection padding 1 fits: bottleneck side >= 2.
  if (numBlocks > 0 && Math.min(inputShape[0], inputShape[1]) / scale < 2) {
    throw new InvalidArgumentError('resnetGenerator.inputShape', `a bottleneck of at least 2x2 (sides >= ${2 * scale})`, inputShape);
  }
  for (let b = 0; b < numBlocks; b++) {
    let r = normRelu(convLayer(reflect(h, 1), width, 3));
    if (dropout > 0) r = tf.layers.dropout({ rate: dropout }).apply(r) as tf.SymbolicTensor;
    r = applyNormalization(convLayer(reflect(r, 1), width, 3), normalization, context);
    h = tf.layers.add().apply([h, r]) as tf.SymbolicTensor;
  }
  for (let i = numDown - 1; i >= 0; i--) {
    h = tf.layers
      .conv2dTranspose({ filters: filters * 2 ** i, kernelSize: 3, strides: 2, padding: 'same', useBias, kernelInitializer })
      .apply(h) as tf.SymbolicTensor;
    h = normRelu(h);
  }
  h = convLayer(reflect(h, 3), outputChannels, 7, 1, 'valid', true);
  h = applyActivation(h, outputActivation, 0);
  return seeded(tf.model({ inputs: x, outputs: h, name: options.name ?? 'resnet_generator' }), seed);
}
