import * as tf from '@tensorflow/tfjs';
import {
  checkBoolean,
  checkPositive,
  checkRank,
  deserializeInitializer,
  knownChannels,
  registerLayer,
  serializeInitializer,
  singleShape,
  singleTensor,
  type Initializer,
  type LayerArgs,
  type LayerCallKwargs,
  type SerializedInitializer,
  recordInitializer,
} from './layer_utils';

/** Options of {@link InstanceNormalization}. */
export interface InstanceNormalizationArgs extends LayerArgs {
  /**
   * Learn a per-channel scale γ and offset β after normalising. Default: true. The CycleGAN / pix2pix
   * reference code uses instance norm without affine parameters; gan-kit's CycleGAN builders pass `false`.
   */
  affine?: boolean;
  /** Added to the variance before the square root. Default: 1e-5 (PyTorch's `InstanceNorm2d`). */
  epsilon?: number;
  /** Initializer of γ (when `affine`). Default: ones. */
  gammaInitializer?: Initializer | SerializedInitializer;
  /** Initializer of β (when `affine`). Default: zeros. */
  betaInitializer?: Initializer | SerializedInitializer;
}

/**
 * Instance normalization: Ulyanov, Vedaldi, Lempitsky, "Instance Normalization: The Missing Ingredient for Fast
 * Stylization", 2016, https://arxiv.org/abs/1607.08022. Used by CycleGAN (Zhu et al. 2017).
 *
 * For channels-last input [batch, ...spatial, C] (rank >= 3), each (example, channel) pair is normalised over its
 * spatial positions: `y = (x − μ) / √(σ² + ε) · γ + β`, with μ and σ² the mean and (biased) variance over the
 * spatial axes. Unlike batch norm there are no batch statistics and no moving averages: training and inference
 * compute the same thing. Output shape = input shape.
 *
 * Defaults: `affine: true` (γ = 1, β = 0 at init, shape [C] each), `epsilon: 1e-5`.
 *
 * @example
 * ```ts
 * const y = new InstanceNormalization({ affine: false }).apply(tf.input({ shape: [64, 64, 32] }));
 * ```
 */
export class InstanceNormalization extends tf.layers.Layer {
  /** @internal */
  static className = 'InstanceNormalization';

  readonly affine: boolean;
  readonly epsilon: number;
  private readonly gammaInitializer: Initializer;
  private readonly betaInitializer: Initializer;
  private gamma?: tf.LayerVariable;
  private beta?: tf.LayerVariable;

  constructor(args: InstanceNormalizationArgs = {}) {
    super(args);
    this.affine = checkBoolean('InstanceNormalization.affine', args.affine, true);
    this.epsilon = checkPositive('InstanceNormalization.epsilon', args.epsilon ?? 1e-5);
    this.gammaInitializer = deserializeInitializer(args.gammaInitializer, () => tf.initializers.ones());
    this.betaInitializer = deserializeInitializer(args.betaInitializer, () => tf.initializers.zeros());
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = singleShape('InstanceNormalization', inputShape);
    checkRank('InstanceNormalization input', shape, 3);
    const c = knownChannels('InstanceNormalization', shape);
    if (this.affine) {
      this.gamma = recordInitializer(this.addWeight('gamma', [c], 'float32', this.gammaInitializer), this.gammaInitializer);
      this.beta = recordInitializer(this.addWeight('beta', [c], 'float32', this.betaInitializer), this.betaInitializer);
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape('InstanceNormalization', inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: LayerCallKwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor('InstanceNormalization', inputs);
      const spatialAxes = Array.from({ length: x.rank - 2 }, (_, i) => i + 1);
      const { mean, variance } = tf.moments(x, spatialAxes, true);
      const normalized = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
      if (!this.affine) return normalized;
      return tf.add(tf.mul(normalized, this.gamma!.read()), this.beta!.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      affine: this.affine,
      epsilon: this.epsilon,
      gammaInitializer: serializeInitializer(this.gammaInitializer),
      betaInitializer: serializeInitializer(this.betaInitializer),
    };
  }
}
registerLayer(InstanceNormalization);

/** Creates an {@link InstanceNormalization} layer (Ulyanov et al. 2016). Same as `new InstanceNormalization(args)`. */
export function instanceNormalization(args: InstanceNormalizationArgs = {}): InstanceNormalization {
  return new InstanceNormalization(args);
}
