import * as tf from '@tensorflow/tfjs';
import {
  checkPositive,
  checkRank,
  registerLayer,
  singleShape,
  singleTensor,
  type LayerArgs,
  type LayerCallKwargs,
} from './layer_utils';

/** Options of {@link PixelNormalization}. */
export interface PixelNormalizationArgs extends LayerArgs {
  /** Added to the mean square before the square root. Default: 1e-8 (Karras et al. 2018). */
  epsilon?: number;
}

/**
 * Pixelwise feature vector normalization from Progressive GAN: Karras, Aila, Laine, Lehtinen, "Progressive
 * Growing of GANs for Improved Quality, Stability, and Variation", ICLR 2018, https://arxiv.org/abs/1710.10196
 * (Section 4.2).
 *
 * Normalises the feature vector at every position to unit average square:
 * `b = a / √(mean_c(a²) + ε)` over the last (channels) axis. Used in the generator after each convolution
 * (and on the latent vector). No weights. Output shape = input shape (any rank >= 2). Default ε = 1e-8.
 */
export class PixelNormalization extends tf.layers.Layer {
  /** @internal */
  static className = 'PixelNormalization';

  readonly epsilon: number;

  constructor(args: PixelNormalizationArgs = {}) {
    super(args);
    this.epsilon = checkPositive('PixelNormalization.epsilon', args.epsilon ?? 1e-8);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    checkRank('PixelNormalization input', singleShape('PixelNormalization', inputShape), 2);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape('PixelNormalization', inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: LayerCallKwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor('PixelNormalization', inputs);
      const meanSquare = tf.mean(tf.square(x), -1, true);
      return tf.mul(x, tf.rsqrt(tf.add(meanSquare, this.epsilon)));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}
registerLayer(PixelNormalization);

/** Creates a {@link PixelNormalization} layer (Karras et al. 2018). Same as `new PixelNormalization(args)`. */
export function pixelNormalization(args: PixelNormalizationArgs = {}): PixelNormalization {
  return new PixelNormalization(args);
}
