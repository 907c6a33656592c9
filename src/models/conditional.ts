import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError } from '../errors';
import { ClassEmbedding } from '../layers/class_embedding';
import { GlobalSumPooling2D } from '../layers/global_sum_pooling_2d';
import { checkInteger } from '../layers/layer_utils';
import { ProjectionDiscriminatorHead } from '../layers/projection_discriminator_head';
import {
  applyActivation,
  checkDim,
  checkImageShape,
  checkSeed,
  pick,
  seeded,
  type OutputActivationKind,
} from './builder_utils';
import {
  applyDcganGenerator,
  applyDcganTrunk,
  applyDenseLogit,
  resolveDcganGenerator,
  resolveDcganTrunk,
  type DcganDiscriminatorOptions,
  type DcganGeneratorOptions,
} from './dcgan';
import { optionKeys } from '../option_keys';

/** How a conditional generator sees the label. */
export type GeneratorConditioning = 'concat' | 'batch-norm';
/** How a conditional discriminator sees the label. */
export type DiscriminatorConditioning = 'projection' | 'concat';

/** Options of {@link conditionalGenerator}: the DCGAN generator's, plus the label's. */
export interface ConditionalGeneratorOptions extends Omit<DcganGeneratorOptions, 'outputShape'> {
  /** Image shape. Default: [28, 28, 1] (MNIST, as Mirza & Osindero 2014). */
  outputShape?: [number, number, number];
  /** Number of classes K; labels are integers in [0, K). Default: 10. */
  numClasses?: number;
  /**
   * `'concat'` (default): a learned class embedding is concatenated to z (Mirza & Osindero 2014, with the one-hot
   * code replaced by its learned image under a linear map — the same thing). `'batch-norm'`: every batch norm
   * becomes a {@link ConditionalBatchNormalization} with per-class gain and bias (de Vries et al. 2017; Miyato &
   * Koyama 2018), and z enters alone; needs `normalization: 'batch'`.
   */
  conditioning?: GeneratorConditioning;
  /** Length of the class embedding, for `'concat'`. Default: K (the one-hot code's length). */
  embeddingDim?: number;
}

/** The keys of {@link ConditionalGeneratorOptions} (checked against it by the compiler, both ways). */
const CONDITIONAL_GENERATOR_OPTION_KEYS = optionKeys<ConditionalGeneratorOptions>()(['outputShape', 'numClasses', 'conditioning', 'embeddingDim', 'latentDim', 'baseFilters', 'filters', 'kernelSize', 'normalization', 'activation', 'leakyReluAlpha', 'outputActivation', 'kernelInitializer', 'name', 'seed']);

/** Options of {@link conditionalDiscriminator}: the DCGAN discriminator's, plus the label's. */
export interface ConditionalDiscriminatorOptions extends Omit<DcganDiscriminatorOptions, 'inputShape'> {
  /** Image shape. Default: [28, 28, 1]. */
  inputShape?: [number, number, number];
  /** Number of classes K. Default: 10. */
  numClasses?: number;
  /**
   * `'projection'` (default): the convolutional features are summed over space and scored with a
   * {@link ProjectionDiscriminatorHead}, `φ·w + b + ⟨V[y], φ⟩` (Miyato & Koyama 2018). `'concat'`: the label's
   * learned H×W embedding is appended to the image as one extra channel before the convolutions (Mirza &
   * Osindero 2014), and the output is the DCGAN flatten → dense(1).
   */
  conditioning?: DiscriminatorConditioning;
}

/** The keys of {@link ConditionalDiscriminatorOptions} (checked against it by the compiler, both ways). */
const CONDITIONAL_DISCRIMINATOR_OPTION_KEYS = optionKeys<ConditionalDiscriminatorOptions>()(['inputShape', 'numClasses', 'conditioning', 'baseFilters', 'filters', 'kernelSize', 'normalization', 'leakyReluAlpha', 'outputActivation', 'kernelInitializer', 'name', 'seed']);

/**
 * Class-conditional DCGAN generator: Mirza & Osindero, "Conditional Generative Adversarial Nets", 2014
 * (https://arxiv.org/abs/1411.1784), on the DCGAN architecture of {@link dcganGenerator}; or, with
 * `conditioning: 'batch-norm'`, class-conditional batch norm as in Miyato & Koyama 2018
 * (https://arxiv.org/abs/1802.05637).
 *
 * Inputs: `[z, labels]` with z of shape [batch, latentDim] and labels of shape [batch, 1] (int32 class ids).
 * Output: images [batch, H, W, C]. Every option of the DCGAN generator applies.
 *
 * Defaults: outputShape [28, 28, 1], 10 classes, `'concat'` with a 10-long embedding, and the DCGAN generator's
 * defaults (latentDim 100, baseFilters 128, batch norm, ReLU, tanh).
 *
 * @example
 * ```ts
 * const g = conditionalGenerator({ numClasses: 10 });
 * const images = g.predict([tf.randomNormal([4, 100]), tf.tensor2d([[0], [1], [2], [3]], [4, 1], 'int32')]);
 * ```
 */
export function conditionalGenerator(options: ConditionalGeneratorOptions = {}): tf.LayersModel {
  checkOptionKeys('conditionalGenerator options', options, CONDITIONAL_GENERATOR_OPTION_KEYS);
  const seed = checkSeed(options.seed);
  const numClasses = checkInteger('conditionalGenerator.numClasses', options.numClasses ?? 10, 1);
  const latentDim = checkDim('conditionalGenerator.latentDim', options.latentDim ?? 100);
  const conditioning = pick<GeneratorConditioning>('conditionalGenerator.conditioning', options.conditioning, ['concat', 'batch-norm'], 'concat');
  const layout = resolveDcganGenerator('conditionalGenerator', { ...options, outputShape: options.outputShape ?? [28, 28, 1] });
  const z = tf.input({ shape: [latentDim] });
  const labels = tf.input({ shape: [1], dtype: 'int32' });
  let out: tf.SymbolicTensor;
  if (conditioning === 'concat') {
    const embeddingDim = checkDim('conditionalGenerator.embeddingDim', options.embeddingDim ?? numClasses);
    const embedded = new ClassEmbedding({ numClasses, outputDim: embeddingDim }).apply(labels) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate().apply([z, embedded]) as tf.SymbolicTensor;
    out = applyDcganGenerator(joined, layout);
  } else {
    if (layout.stack.normalization !== 'batch') {
      throw new InvalidArgumentError(
        'conditionalGenerator.normalization',
        "'batch' when conditioning is 'batch-norm'",
        layout.stack.normalization,
      );
    }
    out = applyDcganGenerator(z, { ...layout, stack: { ...layout.stack, normalization: 'conditional-batch' } }, { labels, numClasses });
  }
  return seeded(tf.model({ inputs: [z, labels], outputs: out, name: options.name ?? 'conditional_generator' }), seed);
}

/**
 * Class-conditional DCGAN discriminator: by default a projection discriminator (Miyato & Koyama, "cGANs with
 * Projection Discriminator", ICLR 2018, https://arxiv.org/abs/1802.05637) on the convolutional trunk of
 * {@link dcganDiscriminator}; or, with `conditioning: 'concat'`, the label as an extra input channel (Mirza &
 * Osindero 2014).
 *
 * Inputs: `[images, labels]` with images [batch, H, W, C] and labels [batch, 1] (int32 class ids). Output:
 * logits [batch, 1]. The trunk's options (filters, kernel size, normalization, LeakyReLU slope) apply.
 *
 * Defaults: inputShape [28, 28, 1], 10 classes, projection, and the DCGAN discriminator's defaults.
 *
 * @example
 * ```ts
 * const d = conditionalDiscriminator({ numClasses: 10 }); // [[null, 28, 28, 1], [null, 1]] → [null, 1]
 * ```
 */
export function conditionalDiscriminator(options: ConditionalDiscriminatorOptions = {}): tf.LayersModel {
  checkOptionKeys('conditionalDiscriminator options', options, CONDITIONAL_DISCRIMINATOR_OPTION_KEYS);
  const seed = checkSeed(options.seed);
  const numClasses = checkInteger('conditionalDiscriminator.numClasses', options.numClasses ?? 10, 1);
  const inputShape = checkImageShape('conditionalDiscriminator.inputShape', options.inputShape ?? [28, 28, 1]);
  const conditioning = pick<DiscriminatorConditioning>(
    'conditionalDiscriminator.conditioning',
    options.conditioning,
    ['projection', 'concat'],
    'projection',
  );
  const outputActivation = pick<OutputActivationKind>('conditionalDiscriminator.outputActivation', options.outputActivation, ['linear', 'sigmoid', 'tanh'], 'linear');
  const trunk = resolveDcganTrunk('conditionalDiscriminator', inputShape, options);
  const images = tf.input({ shape: inputShape });
  const labels = tf.input({ shape: [1], dtype: 'int32' });
  let out: tf.SymbolicTensor;
  if (conditioning === 'concat') {
    const [h, w] = inputShape;
    const embedded = new ClassEmbedding({ numClasses, outputDim: h * w }).apply(labels) as tf.SymbolicTensor;
    const plane = tf.layers.reshape({ targetShape: [h, w, 1] }).apply(embedded) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate().apply([images, plane]) as tf.SymbolicTensor;
    out = applyDenseLogit(applyDcganTrunk(joined, trunk), trunk.kernelInitializer, outputActivation);
  } else {
    const features = new GlobalSumPooling2D().apply(applyDcganTrunk(images, trunk)) as tf.SymbolicTensor;
    out = new ProjectionDiscriminatorHead({ numClasses }).apply([features, labels]) as tf.SymbolicTensor;
    out = applyActivation(out, outputActivation, 0);
  }
  return seeded(tf.model({ inputs: [images, labels], outputs: out, name: options.name ?? 'conditional_discriminator' }), seed);
}
