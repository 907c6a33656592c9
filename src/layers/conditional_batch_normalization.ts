import * as tf from '@tensorflow/tfjs';
import {
  checkInRange,
  checkInteger,
  checkLabelShape,
  checkPositive,
  checkRank,
  deserializeInitializer,
  knownChannels,
  lookupRows,
  multiShape,
  multiTensor,
  registerLayer,
  serializeInitializer,
  type Initializer,
  type LayerArgs,
  type LayerCallKwargs,
  type SerializedInitializer,
  recordInitializer,
} from './layer_utils';

/** Options of {@link ConditionalBatchNormalization}. */
export interface ConditionalBatchNormalizationArgs extends LayerArgs {
  /** Number of classes K; labels are integers in [0, K). Required. */
  numClasses: number;
  /**
   * Weight of the old value in the moving averages: `moving = momentum · moving + (1 − momentum) · batch`.
   * Default: 0.9 (PyTorch's BatchNorm default momentum 0.1, which SNGAN/SAGAN/BigGAN code used).
   */
  momentum?: number;
  /** Added to the variance before the square root. Default: 1e-5 (PyTorch's default). */
  epsilon?: number;
  /** Initializer of the per-class gains, shape [K, C]. Default: ones. */
  gammaInitializer?: Initializer | SerializedInitializer;
  /** Initializer of the per-class biases, shape [K, C]. Default: zeros. */
  betaInitializer?: Initializer | SerializedInitializer;
}

/**
 * Class-conditional batch normalization: batch norm without its own affine parameters, followed by a gain
 * γ[y] and bias β[y] looked up per example from its class y. From de Vries et al., "Modulating early visual
 * processing by language", NeurIPS 2017 (https://arxiv.org/abs/1707.00683) and Dumoulin et al. 2017; the
 * conditional generators of Miyato & Koyama 2018 (https://arxiv.org/abs/1802.05637), SAGAN and BigGAN use it.
 *
 * Inputs: `[x, labels]` with x of shape [batch, ...spatial, C] (rank >= 2) and labels of shape [batch] or
 * [batch, 1] holding integer class ids (any dtype; cast to int32). Output: `x̂ · γ[y] + β[y]`, shape of x, where
 * x̂ is x normalised per channel with the batch's mean and (biased) variance when called with
 * `{ training: true }` — which also updates the moving averages — and with the moving averages otherwise
 * (as `tf.layers.batchNormalization`).
 *
 * Weights: `gamma` and `beta` [K, C] (trainable), `moving_mean` and `moving_variance` [C] (not trainable).
 * Defaults: γ = 1, β = 0, momentum 0.9, ε = 1e-5. Labels outside [0, K) get γ = β = 0 (they select no row).
 *
 * @example
 * ```ts
 * const x = tf.input({ shape: [8, 8, 64] });
 * const y = tf.input({ shape: [1], dtype: 'int32' });
 * const out = new ConditionalBatchNormalization({ numClasses: 10 }).apply([x, y]); // [null, 8, 8, 64]
 * ```
 */
export class ConditionalBatchNormalization extends tf.layers.Layer {
  /** @internal */
  static className = 'ConditionalBatchNormalization';

  readonly numClasses: number;
  readonly momentum: number;
  readonly epsilon: number;
  private readonly gammaInitializer: Initializer;
  private readonly betaInitializer: Initializer;
  private gamma?: tf.LayerVariable;
  private beta?: tf.LayerVariable;
  private movingMean?: tf.LayerVariable;
  private movingVariance?: tf.LayerVariable;

  constructor(args: ConditionalBatchNormalizationArgs) {
    super(args ?? {});
    this.numClasses = checkInteger('ConditionalBatchNormalization.numClasses', args?.numClasses, 1);
    args = args ?? ({} as ConditionalBatchNormalizationArgs);
    this.momentum = checkInRange('ConditionalBatchNormalization.momentum', args.momentum ?? 0.9, 0, 1, true);
    this.epsilon = checkPositive('ConditionalBatchNormalization.epsilon', args.epsilon ?? 1e-5);
    this.gammaInitializer = deserializeInitializer(args.gammaInitializer, () => tf.initializers.ones());
    this.betaInitializer = deserializeInitializer(args.betaInitializer, () => tf.initializers.zeros());
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [xShape, labelShape] = multiShape('ConditionalBatchNormalization', inputShape, 2) as [tf.Shape, tf.Shape];
    checkRank('ConditionalBatchNormalization x', xShape, 2);
    checkLabelShape('ConditionalBatchNormalization', labelShape);
    const c = knownChannels('ConditionalBatchNormalization', xShape);
    const [zeros, ones] = [tf.initializers.zeros(), tf.initializers.ones()];
    this.gamma = recordInitializer(this.addWeight('gamma', [this.numClasses, c], 'float32', this.gammaInitializer), this.gammaInitializer);
    this.beta = recordInitializer(this.addWeight('beta', [this.numClasses, c], 'float32', this.betaInitializer), this.betaInitializer);
    this.movingMean = recordInitializer(this.addWeight('moving_mean', [c], 'float32', zeros, undefined, false), zeros);
    this.movingVariance = recordInitializer(this.addWeight('moving_variance', [c], 'float32', ones, undefined, false), ones);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return multiShape('ConditionalBatchNormalization', inputShape, 2)[0] as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: LayerCallKwargs): tf.Tensor {
    return tf.tidy(() => {
      const [x, labels] = multiTensor('ConditionalBatchNormalization', inputs, 2) as [tf.Tensor, tf.Tensor];
      const training = kwargs != null && kwargs['training'] === true;
      const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
      let mean: tf.Tensor;
      let variance: tf.Tensor;
      if (training) {
        ({ mean, variance } = tf.moments(x, axes));
        // Moving averages are updated imperatively, as tf.layers.batchNormalization does in tfjs.
        const m = this.momentum;
        const update = (variable: tf.LayerVariable, value: tf.Tensor): void => {
          tf.tidy(() => {
            variable.write(tf.add(tf.mul(variable.read(), m), tf.mul(value, 1 - m)));
          });
        };
        update(this.movingMean!, mean);
        update(this.movingVariance!, variance);
      } else {
        mean = this.movingMean!.read();
        variance = this.movingVariance!.read();
      }
      const normalized = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
      const perExample = [x.shape[0], ...Array.from({ length: x.rank - 2 }, () => 1), x.shape[x.rank - 1]] as number[];
      const gamma = tf.reshape(lookupRows(this.gamma!.read() as tf.Tensor2D, labels, this.numClasses), perExample);
      const beta = tf.reshape(lookupRows(this.beta!.read() as tf.Tensor2D, labels, this.numClasses), perExample);
      return tf.add(tf.mul(normalized, gamma), beta);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      numClasses: this.numClasses,
      momentum: this.momentum,
      epsilon: this.epsilon,
      gammaInitializer: serializeInitializer(this.gammaInitializer),
      betaInitializer: serializeInitializer(this.betaInitializer),
    };
  }
}
registerLayer(ConditionalBatchNormalization);

/**
 * Creates a {@link ConditionalBatchNormalization} layer (class-conditional BN, de Vries et al. 2017).
 * Same as `new ConditionalBatchNormalization(args)`.
 */
export function conditionalBatchNormalization(args: ConditionalBatchNormalizationArgs): ConditionalBatchNormalization {
  return new ConditionalBatchNormalization(args);
}
