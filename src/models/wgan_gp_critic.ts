import * as tf from '@tensorflow/tfjs';
import { checkInteger, type Initializer } from '../layers/layer_utils';
import { checkImageShape, checkSeed, seeded, type NormalizationKind, type SeedOption } from './builder_utils';
import { applyDcganTrunk, applyDenseLogit, resolveDcganTrunk } from './dcgan';
import { optionKeys } from '../option_keys';
import { checkOptionKeys } from '../errors';

/** Options of {@link wganGpCritic}. */
export interface WganGpCriticOptions extends SeedOption {
  /** Image shape [H, W, C] (H = W = 4·2ⁿ or 7·2ⁿ, n >= 1). Default: [64, 64, 3]. */
  inputShape?: [number, number, number];
  /** Channels of the first convolution, doubling after each. Default: 64 (the paper's 64x64 critic: 64→512). */
  baseFilters?: number;
  /** Explicit channels of the n convolutions (overrides `baseFilters`). */
  filters?: number[];
  /** Kernel size. Default: 5 (the authors' code). */
  kernelSize?: number;
  /**
   * `'layer'` (layer norm over H, W and C of every convolution but the first; default) or `'none'`. Never batch
   * norm: the gradient penalty is computed per example, and batch norm would mix examples.
   */
  normalization?: 'layer' | 'none';
  /** LeakyReLU slope. Default: 0.2. */
  leakyReluAlpha?: number;
  /** Kernel initializer. Default: N(0, 0.02). */
  kernelInitializer?: Initializer;
  /**
   * Add a class head of this many logits beside the score (an AC-WGAN-GP critic, as in the authors'
   * conditional CIFAR-10 code): outputs `[scores [batch, 1], classLogits [batch, numClasses]]`, for
   * {@link ConditionalGanTrainer} with `auxiliaryClassifier`, `loss: wassersteinLoss()` and a gradient penalty
   * (which sees the score only). Integer >= 2. Default: none (one output, the score).
   */
  numClasses?: number;
  /** Model name. Default: `'wgan_gp_critic'`. */
  name?: string;
}

/** The keys of {@link WganGpCriticOptions} (checked against it by the compiler, both ways). */
const WGAN_GP_CRITIC_OPTION_KEYS = optionKeys<WganGpCriticOptions>()(['inputShape', 'baseFilters', 'filters', 'kernelSize', 'normalization', 'leakyReluAlpha', 'kernelInitializer', 'name', 'seed', 'numClasses']);

/**
 * Critic for WGAN-GP: Gulrajani, Ahmed, Arjovsky, Dumoulin, Courville, "Improved Training of Wasserstein GANs",
 * NeurIPS 2017, https://arxiv.org/abs/1704.00028. A DCGAN-style discriminator without batch norm (the penalty is
 * per example, Section 4: "we recommend layer normalization as a drop-in replacement") and with a linear output:
 * the critic's score, not a probability.
 *
 * Layout: image → (conv k5 s2 'same' → layer norm (not after the first) → LeakyReLU 0.2) × n → flatten →
 * dense(1). Layer norm uses `tf.layers.layerNormalization` over all of H, W and C, with γ and β of shape
 * [H, W, C] (Keras' LayerNormalization over those axes).
 *
 * Defaults: inputShape [64, 64, 3], baseFilters 64 (doubling to 512 at 4x4), kernel 5, layer norm, LeakyReLU
 * 0.2, N(0, 0.02) kernels. Every op in it has correct second derivatives once gan-kit is imported (LeakyReLU's
 * needs gan-kit's gradient registrations), so it can be trained with a gradient penalty.
 *
 * With `numClasses`, a second dense head on the same features gives class logits (ACGAN, Odena et al. 2017,
 * https://arxiv.org/abs/1610.09585; the WGAN-GP authors' conditional model): outputs `[scores, classLogits]`.
 *
 * @example
 * ```ts
 * const critic = wganGpCritic({ inputShape: [32, 32, 3], normalization: 'none' }); // → scores [null, 1]
 * const ac = wganGpCritic({ inputShape: [28, 28, 1], numClasses: 10 });          // → [[null, 1], [null, 10]]
 * ```
 */
export function wganGpCritic(options: WganGpCriticOptions = {}): tf.LayersModel {
  checkOptionKeys('wganGpCritic options', options, WGAN_GP_CRITIC_OPTION_KEYS);
  const seed = checkSeed(options.seed);
  const inputShape = checkImageShape('wganGpCritic.inputShape', options.inputShape ?? [64, 64, 3]);
  const trunk = resolveDcganTrunk(
    'wganGpCritic',
    inputShape,
    options as { normalization?: NormalizationKind },
    ['layer', 'none'],
    'layer',
    5,
  );
  const numClasses = options.numClasses === undefined ? undefined : checkInteger('wganGpCritic.numClasses', options.numClasses, 2);
  const x = tf.input({ shape: inputShape });
  const features = applyDcganTrunk(x, trunk);
  const name = options.name ?? 'wgan_gp_critic';
  if (numClasses === undefined) {
    const out = applyDenseLogit(features, trunk.kernelInitializer, 'linear');
    return seeded(tf.model({ inputs: x, outputs: out, name }), seed);
  }
  const flat = tf.layers.flatten().apply(features) as tf.SymbolicTensor;
  const scores = tf.layers.dense({ units: 1, kernelInitializer: trunk.kernelInitializer }).apply(flat) as tf.SymbolicTensor;
  const classLogits = tf.layers.dense({ units: numClasses, kernelInitializer: trunk.kernelInitializer }).apply(flat) as tf.SymbolicTensor;
  return seeded(tf.model({ inputs: x, outputs: [scores, classLogits], name }), seed);
}
