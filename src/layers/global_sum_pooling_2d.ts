import * as tf from '@tensorflow/tfjs';
import { checkRank, registerLayer, singleShape, singleTensor, type LayerArgs, type LayerCallKwargs } from './layer_utils';

/**
 * Global sum pooling: sums an NHWC feature map over height and width, [batch, H, W, C] → [batch, C]. The
 * pooling SNGAN (Miyato et al. 2018, https://arxiv.org/abs/1802.05957), the projection discriminator (Miyato &
 * Koyama 2018) and SAGAN/BigGAN discriminators use before their output head. Differs from
 * `tf.layers.globalAveragePooling2d` by the factor H·W. No weights, no options.
 */
export class GlobalSumPooling2D extends tf.layers.Layer {
  /** @internal */
  static className = 'GlobalSumPooling2D';

  constructor(args: LayerArgs = {}) {
    super(args);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    checkRank('GlobalSumPooling2D input', singleShape('GlobalSumPooling2D', inputShape), 4, 4);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = singleShape('GlobalSumPooling2D', inputShape);
    return [shape[0] ?? null, shape[3] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: LayerCallKwargs): tf.Tensor {
    return tf.tidy(() => tf.sum(singleTensor('GlobalSumPooling2D', inputs), [1, 2]));
  }
}
registerLayer(GlobalSumPooling2D);

/** Creates a {@link GlobalSumPooling2D} layer. Same as `new GlobalSumPooling2D(args)`. */
export function globalSumPooling2d(args: LayerArgs = {}): GlobalSumPooling2D {
  return new GlobalSumPooling2D(args);
}
