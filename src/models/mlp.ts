import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError } from '../errors';
import type { Initializer } from '../layers/layer_utils';
import { MinibatchStdDev } from '../layers/minibatch_std_dev';
import {
  applyActivation,
  applyNormalization,
  checkAlpha,
  checkDim,
  checkRate,
  checkSeed,
  pick,
  seeded,
  type ActivationKind,
  type NormalizationKind,
  type OutputActivationKind,
  type SeedOption,
} from './builder_utils';
import { optionKeys } from '../option_keys';

const NORMS: readonly NormalizationKind[] = ['batch', 'layer', 'none'];
const ACTIVATIONS: readonly ActivationKind[] = ['relu', 'leakyRelu', 'elu', 'tanh', 'sigmoid', 'linear'];
const OUTPUTS: readonly OutputActivationKind[] = ['tanh', 'sigmoid', 'linear'];

/** Options shared by {@link mlpGenerator} and {@link mlpDiscriminator}. */
export interface MlpOptions extends SeedOption {
  /** Units of each hidden layer. Default: [128, 128] (Metz et al. 2017's 2-D mixture-of-Gaussians networks). */
  hiddenUnits?: number[];
  /** Normalization after each hidden dense layer: `'batch'`, `'layer'` or `'none'`. Default: `'none'`. */
  normalization?: NormalizationKind;
  /** LeakyReLU slope, when an activation is `'leakyRelu'`. Default: 0.2. */
  leakyReluAlpha?: number;
  /**
   * Kernel initializer of the dense layers. Default: tfjs' default, Glorot normal (a normal of std
   * √(2 / (fanIn + fanOut)) truncated at 2 std).
   */
  kernelInitializer?: Initializer;
  /**
   * Make the model class-conditional (the conditional GAN of Mirza & Osindero 2014,
   * https://arxiv.org/abs/1411.1784, whose networks were MLPs): a second input takes one-hot labels
   * `[batch, numClasses]`, concatenated to the first input before the hidden layers. The model then has two inputs,
   * `[z, labels]` or `[x, labels]`, as {@link ConditionalGanTrainer} expects. Default: undefined (unconditional,
   * one input). An integer ≥ 2.
   */
  numClasses?: number;
  /** Model name. */
  name?: string;
}

/** Options of {@link mlpGenerator}. */
export interface MlpGeneratorOptions extends MlpOptions {
  /** Length of the latent vector z. Default: 256 (Metz et al. 2017). */
  latentDim?: number;
  /** Length of each generated sample (2 for 2-D toy data, the number of columns for tabular data). Default: 2. */
  outputDim?: number;
  /** Hidden activation. Default: `'relu'`. */
  activation?: ActivationKind;
  /** Output activation. Default: `'linear'` (unbounded values; use `'tanh'` for data scaled to [−1, 1]). */
  outputActivation?: OutputActivationKind;
}

/** The keys of {@link MlpGeneratorOptions} (checked against it by the compiler, both ways). */
const MLP_GENERATOR_OPTION_KEYS = optionKeys<MlpGeneratorOptions>()(['latentDim', 'outputDim', 'activation', 'outputActivation', 'hiddenUnits', 'normalization', 'leakyReluAlpha', 'kernelInitializer', 'numClasses', 'name', 'seed']);

/** Options of {@link mlpDiscriminator}. */
export interface MlpDiscriminatorOptions extends MlpOptions {
  /** Length of each sample. Default: 2. */
  inputDim?: number;
  /** Hidden activation. Default: `'leakyRelu'` (slope 0.2). */
  activation?: ActivationKind;
  /** Output activation. Default: `'linear'` (logits, as gan-kit's losses expect). */
  outputActivation?: OutputActivationKind;
  /** Dropout rate after each hidden activation. Default: 0 (none). */
  dropout?: number;
  /**
   * Append the minibatch standard deviation of the input ({@link MinibatchStdDev}, Karras et al. 2018) as an
   * extra feature, which helps against mode collapse on multi-modal toy data. Default: false.
   */
  minibatchStdDev?: boolean;
}

/** The keys of {@link MlpDiscriminatorOptions} (checked against it by the compiler, both ways). */
const MLP_DISCRIMINATOR_OPTION_KEYS = optionKeys<MlpDiscriminatorOptions>()(['inputDim', 'activation', 'outputActivation', 'dropout', 'minibatchStdDev', 'hiddenUnits', 'normalization', 'leakyReluAlpha', 'kernelInitializer', 'numClasses', 'name', 'seed']);

/** The optional one-hot label input of a conditional MLP, and the input the hidden layers start from. */
function conditionInput(argument: string, first: tf.SymbolicTensor, numClasses: unknown): { labels?: tf.SymbolicTensor; h: tf.SymbolicTensor } {
  if (numClasses === undefined) return { h: first };
  if (!Number.isInteger(numClasses) || (numClasses as number) < 2) {
    throw new InvalidArgumentError(argument, 'an integer >= 2 (or undefined for an unconditional model)', numClasses);
  }
  const labels = tf.input({ shape: [numClasses as number], name: 'labels' });
  return { labels, h: tf.layers.concatenate().apply([first, labels]) as tf.SymbolicTensor };
}

function checkUnits(argument: string, units: unknown): number[] {
  const list = units ?? [128, 128];
  if (!Array.isArray(list) || !list.every((u) => Number.isInteger(u) && u > 0)) {
    throw new InvalidArgumentError(argument, 'a list of positive integers', units);
  }
  return list as number[];
}

function hiddenStack(
  x: tf.SymbolicTensor,
  prefix: string,
  options: MlpOptions & { activation: ActivationKind; dropout?: number },
): tf.SymbolicTensor {
  const units = checkUnits(`${prefix}.hiddenUnits`, options.hiddenUnits);
  const normalization = pick(`${prefix}.normalization`, options.normalization, NORMS, 'none');
  const alpha = checkAlpha(`${prefix}.leakyReluAlpha`, options.leakyReluAlpha);
  const rate = checkRate(`${prefix}.dropout`, options.dropout, 0);
  let h = x;
  for (const u of units) {
    h = tf.layers
      .dense({ units: u, useBias: normalization !== 'batch', kernelInitializer: options.kernelInitializer })
      .apply(h) as tf.SymbolicTensor;
    h = applyNormalization(h, normalization);
    h = applyActivation(h, options.activation, alpha);
    if (rate > 0) h = tf.layers.dropout({ rate }).apply(h) as tf.SymbolicTensor;
  }
  return h;
}

/**
 * Multilayer-perceptron generator for tabular and 2-D toy data (the setting of Goodfellow et al. 2014's first
 * experiments and of the mixture-of-Gaussians benchmarks in Metz et al., "Unrolled GANs", ICLR 2017,
 * https://arxiv.org/abs/1611.02163).
 *
 * Layout: z [latentDim] (concatenated with one-hot labels when `numClasses` is set) → (dense → norm →
 * activation) per hidden layer → dense(outputDim) → output activation. Defaults: latentDim 256, hidden
 * [128, 128], ReLU, no norm, outputDim 2, linear output, glorot-uniform kernels, unconditional.
 *
 * @example
 * ```ts
 * const g = mlpGenerator({ latentDim: 8, outputDim: 2 }); // [null, 8] → [null, 2]
 * ```
 */
export function mlpGenerator(options: MlpGeneratorOptions = {}): tf.LayersModel {
  checkOptionKeys('mlpGenerator options', options, MLP_GENERATOR_OPTION_KEYS);
  const seed = checkSeed(options.seed);
  const latentDim = checkDim('mlpGenerator.latentDim', options.latentDim ?? 256);
  const outputDim = checkDim('mlpGenerator.outputDim', options.outputDim ?? 2);
  const activation = pick('mlpGenerator.activation', options.activation, ACTIVATIONS, 'relu');
  const outputActivation = pick('mlpGenerator.outputActivation', options.outputActivation, OUTPUTS, 'linear');
  const z = tf.input({ shape: [latentDim] });
  const { labels, h: start } = conditionInput('mlpGenerator.numClasses', z, options.numClasses);
  const h = hiddenStack(start, 'mlpGenerator', { ...options, activation });
  const out = tf.layers
    .dense({ units: outputDim, kernelInitializer: options.kernelInitializer, activation: outputActivation })
    .apply(h) as tf.SymbolicTensor;
  return seeded(tf.model({ inputs: labels ? [z, labels] : z, outputs: out, name: options.name ?? 'mlp_generator' }), seed);
}

/**
 * Multilayer-perceptron discriminator for tabular and 2-D toy data, the counterpart of {@link mlpGenerator}.
 *
 * Layout: x [inputDim] → (optional minibatch stddev) → (concatenated with one-hot labels when `numClasses` is
 * set) → (dense → norm → activation → dropout) per hidden layer → dense(1) → output activation. Defaults:
 * inputDim 2, hidden [128, 128], LeakyReLU 0.2, no norm, no dropout, unconditional,
 * no minibatch stddev, logits out.
 *
 * @example
 * ```ts
 * const d = mlpDiscriminator({ inputDim: 2 }); // [null, 2] → logits [null, 1]
 * ```
 */
export function mlpDiscriminator(options: MlpDiscriminatorOptions = {}): tf.LayersModel {
  checkOptionKeys('mlpDiscriminator options', options, MLP_DISCRIMINATOR_OPTION_KEYS);
  const seed = checkSeed(options.seed);
  const inputDim = checkDim('mlpDiscriminator.inputDim', options.inputDim ?? 2);
  const activation = pick('mlpDiscriminator.activation', options.activation, ACTIVATIONS, 'leakyRelu');
  const outputActivation = pick('mlpDiscriminator.outputActivation', options.outputActivation, OUTPUTS, 'linear');
  const x = tf.input({ shape: [inputDim] });
  let h: tf.SymbolicTensor = x;
  if (options.minibatchStdDev === true) h = new MinibatchStdDev().apply(h) as tf.SymbolicTensor;
  const { labels, h: start } = conditionInput('mlpDiscriminator.numClasses', h, options.numClasses);
  h = hiddenStack(start, 'mlpDiscriminator', { ...options, activation });
  const out = tf.layers
    .dense({ units: 1, kernelInitializer: options.kernelInitializer, activation: outputActivation })
    .apply(h) as tf.SymbolicTensor;
  return seeded(tf.model({ inputs: labels ? [x, labels] : x, outputs: out, name: options.name ?? 'mlp_discriminator' }), seed);
}
