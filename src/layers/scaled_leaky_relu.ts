import * as tf from '@tensorflow/tfjs';
import {
  checkInRange,
  checkOneOf,
  checkPositive,
  checkRank,
  registerLayer,
  singleShape,
  singleTensor,
  type LayerArgs,
  type LayerCallKwargs,
} from './layer_utils';

/** Activations of the equalized and modulated layers: identity, or leaky ReLU. */
export type EqualizedActivation = 'linear' | 'leakyRelu';

/** The activations {@link EqualizedActivation} allows. */
export const EQUALIZED_ACTIVATIONS: readonly EqualizedActivation[] = ['linear', 'leakyRelu'];

/**
 * `gain · act(z)`: `act` the identity or leaky ReLU with negative slope `alpha`. Built from `tf.leakyRelu` and
 * `tf.mul`, whose gradients gan-kit makes correct to any order. Call inside a `tf.tidy`.
 *
 * @internal
 */
export function scaledActivation(z: tf.Tensor, activation: EqualizedActivation, alpha: number, gain: number): tf.Tensor {
  const a = activation === 'leakyRelu' ? tf.leakyRelu(z, alpha) : z;
  return gain === 1 ? a : tf.mul(a, gain);
}

/** Options of {@link ScaledLeakyReLU}. */
export interface ScaledLeakyReLUArgs extends LayerArgs {
  /** Slope for negative inputs, in [0, 1). Default: 0.2 (Karras et al. 2018, 2019, 2020). */
  alpha?: number;
  /** Factor applied after the activation. Default: √2 (StyleGAN2's `fused_bias_act` gain for leaky ReLU). */
  gain?: number;
}

/**
 * Leaky ReLU followed by a constant gain: `y = gain · max(x, α·x)`, as StyleGAN2's fused bias–activation
 * (Karras et al., "Analyzing and Improving the Image Quality of StyleGAN", CVPR 2020,
 * https://arxiv.org/abs/1912.04958), where the gain √2 keeps the activations' second moment roughly constant
 * through layers whose weights are scaled by 1/√fan_in (gain 1). Any input rank; output shape = input shape.
 * No weights. Defaults: `alpha: 0.2`, `gain: √2`.
 */
export class ScaledLeakyReLU extends tf.layers.Layer {
  /** @internal */
  static className = 'ScaledLeakyReLU';

  readonly alpha: number;
  readonly gain: number;

  constructor(args: ScaledLeakyReLUArgs = {}) {
    super(args);
    this.alpha = checkInRange('ScaledLeakyReLU.alpha', args.alpha ?? 0.2, 0, 1, true);
    this.gain = checkPositive('ScaledLeakyReLU.gain', args.gain ?? Math.SQRT2);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    checkRank('ScaledLeakyReLU input', singleShape('ScaledLeakyReLU', inputShape), 1);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape('ScaledLeakyReLU', inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: LayerCallKwargs): tf.Tensor {
    return tf.tidy(() => scaledActivation(singleTensor('ScaledLeakyReLU', inputs), 'leakyRelu', this.alpha, this.gain));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), alpha: this.alpha, gain: this.gain };
  }
}
registerLayer(ScaledLeakyReLU);

/** Creates a {@link ScaledLeakyReLU} layer. Same as `new ScaledLeakyReLU(args)`. */
export function scaledLeakyRelu(args: ScaledLeakyReLUArgs = {}): ScaledLeakyReLU {
  return new ScaledLeakyReLU(args);
}

/** Checks an `activation` option. @internal */
export function checkActivation(argument: string, value: unknown): EqualizedActivation {
  return checkOneOf(argument, value, EQUALIZED_ACTIVATIONS, 'linear');
}
