import * as tf from '@tensorflow/tfjs';
import { checkInteger } from '../layers/layer_utils';
import {
  checkAlpha,
  checkDim,
  checkImageShape,
  checkSeed,
  dcganInitializer,
  seeded,
  squareDcganSize,
  type SeedOption,
} from './builder_utils';
import { optionKeys } from '../option_keys';
import { checkOptionKeys } from '../errors';

/** Options of {@link acganDiscriminator}. */
export interface AcganDiscriminatorOptions extends SeedOption {
  /** Image shape [H, W, C], square, H = 4·2ⁿ or 7·2ⁿ (n >= 1). Default: [28, 28, 1]. */
  inputShape?: [number, number, number];
  /** Number of classes K of the class head. Integer >= 2. Default: 10. */
  numClasses?: number;
  /** Channels of the first convolution; each later one doubles it. Default: 64 (DCGAN's). */
  baseFilters?: number;
  /** Slope of LeakyReLU. Default: 0.2. */
  leakyReluAlpha?: number;
  /** Model name. Default: `'acgan_discriminator'`. */
  name?: string;
}

/** The keys of {@link AcganDiscriminatorOptions} (checked against it by the compiler, both ways). */
const ACGAN_DISCRIMINATOR_OPTION_KEYS = optionKeys<AcganDiscriminatorOptions>()(['inputShape', 'numClasses', 'baseFilters', 'leakyReluAlpha', 'name', 'seed']);

/**
 * ACGAN discriminator (Odena, Olah, Shlens, "Conditional Image Synthesis with Auxiliary Classifier GANs", ICML
 * 2017, https://arxiv.org/abs/1610.09585) on the DCGAN trunk: the image alone goes in (no label input), and two
 * heads come out, a real/fake logit and K class logits. Train it with {@link ConditionalGanTrainer}, whose
 * `auxiliaryClassifier` option adds the class cross-entropy to both networks' losses; `discriminatorFakeWeight: 0`
 * there makes the class head learn from real data only (the recipe of `gan-kit train cgan`).
 *
 * Layout: image [H, W, C] → (conv k4 s2 'same' (bias on the first only) → batch norm (not after the first; tfjs
 * defaults: momentum 0.99, ε 1e-3) → LeakyReLU) × n → flatten → dense(1) and dense(K), N(0, 0.02) kernels, with
 * n doublings down to 4x4 or 7x7 (28x28: two convolutions). Outputs `[logits [batch, 1], classLogits [batch, K]]`.
 *
 * For 28x28x1, base 16 and 10 classes: 272 + 8,192 + 128 + 1,569 + 15,690 = 25,851 weights (25,787 trainable).
 *
 * @example
 * ```ts
 * const d = acganDiscriminator({ baseFilters: 16 }); // [null, 28, 28, 1] → [[null, 1], [null, 10]]
 * const trainer = new ConditionalGanTrainer({ generator, discriminator: d, numClasses: 10, latentDim: 100,
 *   auxiliaryClassifier: { weight: 1, discriminatorFakeWeight: 0 } });
 * ```
 * @throws {InvalidArgumentError} for a shape that is not a DCGAN size, or a bad class count or filter count.
 */
export function acganDiscriminator(options: AcganDiscriminatorOptions = {}): tf.LayersModel {
  checkOptionKeys('acganDiscriminator options', options, ACGAN_DISCRIMINATOR_OPTION_KEYS);
  const seed = checkSeed(options.seed);
  const inputShape = checkImageShape('acganDiscriminator.inputShape', options.inputShape ?? [28, 28, 1]);
  const { doublings } = squareDcganSize('acganDiscriminator.inputShape', inputShape);
  const numClasses = checkInteger('acganDiscriminator.numClasses', options.numClasses ?? 10, 2);
  const baseFilters = checkDim('acganDiscriminator.baseFilters', options.baseFilters ?? 64);
  const alpha = checkAlpha('acganDiscriminator.leakyReluAlpha', options.leakyReluAlpha);
  const kernelInitializer = dcganInitializer();
  const images = tf.input({ shape: inputShape });
  let h = images;
  for (let i = 0; i < doublings; i++) {
    h = tf.layers
      .conv2d({ filters: baseFilters * 2 ** i, kernelSize: 4, strides: 2, padding: 'same', useBias: i === 0, kernelInitializer })
      .apply(h) as tf.SymbolicTensor;
    if (i > 0) h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
    h = tf.layers.leakyReLU({ alpha }).apply(h) as tf.SymbolicTensor;
  }
  const features = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: 1, kernelInitializer }).apply(features) as tf.SymbolicTensor;
  const classLogits = tf.layers.dense({ units: numClasses, kernelInitializer }).apply(features) as tf.SymbolicTensor;
  return seeded(tf.model({ inputs: images, outputs: [logits, classLogits], name: options.name ?? 'acgan_discriminator' }), seed);
}
