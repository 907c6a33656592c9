import * as tf from '@tensorflow/tfjs';
import {
  checkInteger,
  checkRank,
  recordInitializer,
  registerLayer,
  singleShape,
  singleTensor,
  type LayerArgs,
  type LayerCallKwargs,
} from './layer_utils';

/** Options of {@link ConstantInput}. */
export interface ConstantInputArgs extends LayerArgs {
  /** Channels C of the constant. Required (StyleGAN uses 512). */
  channels: number;
  /** Height and width of the constant. Default: 4 (StyleGAN's 4×4). */
  size?: number;
}

/**
 * The learned constant input of StyleGAN's synthesis network: Karras, Laine, Aila, "A Style-Based Generator
 * Architecture for Generative Adversarial Networks", CVPR 2019, https://arxiv.org/abs/1812.04948 (Section 2,
 * Figure 1b; kept in StyleGAN2). The synthesis network starts from one learned [size, size, C] tensor, the same
 * for every example; styles and noise make the examples differ.
 *
 * Input: any tensor whose first axis is the batch (normally w, [batch, w_dim]); only its batch size is used.
 * Output: the constant broadcast to [batch, size, size, C]. Weight: `constant` [size, size, C], drawn N(0, 1).
 * Default: `size: 4`.
 */
export class ConstantInput extends tf.layers.Layer {
  /** @internal */
  static className = 'ConstantInput';

  readonly channels: number;
  readonly size: number;
  private constant?: tf.LayerVariable;

  constructor(args: ConstantInputArgs) {
    super(args ?? {});
    this.channels = checkInteger('ConstantInput.channels', args?.channels, 1);
    this.size = checkInteger('ConstantInput.size', args.size ?? 4, 1);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    checkRank('ConstantInput input', singleShape('ConstantInput', inputShape), 1);
    const normal = tf.initializers.randomNormal({ mean: 0, stddev: 1 });
    this.constant = recordInitializer(this.addWeight('constant', [this.size, this.size, this.channels], 'float32', normal), normal);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [singleShape('ConstantInput', inputShape)[0] ?? null, this.size, this.size, this.channels];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: LayerCallKwargs): tf.Tensor {
    return tf.tidy(() => {
      const batch = singleTensor('ConstantInput', inputs).shape[0]!;
      // ones · constant: a broadcasting multiply, whose gradient (a sum over the batch) is correct to any order.
      return tf.mul(tf.ones([batch, 1, 1, 1]), this.constant!.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), channels: this.channels, size: this.size };
  }
}
registerLayer(ConstantInput);

/** Creates a {@link ConstantInput} layer (Karras et al. 2019). Same as `new ConstantInput(args)`. */
export function constantInput(args: ConstantInputArgs): ConstantInput {
  return new ConstantInput(args);
}
