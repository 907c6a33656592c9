import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '../errors';
import {
  checkInteger,
  checkPositive,
  checkRank,
  knownChannels,
  registerLayer,
  singleShape,
  singleTensor,
  type LayerArgs,
  type LayerCallKwargs,
} from './layer_utils';

/** Options of {@link MinibatchStdDev}. */
export interface MinibatchStdDevArgs extends LayerArgs {
  /**
   * Examples per group. The group is `min(groupSize, batch)` and must divide the batch size. Default: 4
   * (Karras et al. 2018).
   */
  groupSize?: number;
  /**
   * Statistics appended: the channels are split into this many groups, each giving one feature map.
   * Default: 1 (Progressive GAN; StyleGAN2 calls it `num_channels`). Must divide the number of channels.
   */
  numNewFeatures?: number;
  /** Added to the variance before the square root. Default: 1e-8. */
  epsilon?: number;
}

/**
 * Minibatch standard deviation from Progressive GAN: Karras, Aila, Laine, Lehtinen, "Progressive Growing of GANs
 * for Improved Quality, Stability, and Variation", ICLR 2018, https://arxiv.org/abs/1710.10196 (Section 3).
 * Lets the discriminator see how varied a minibatch is, which discourages mode collapse.
 *
 * Input [batch, ...spatial, C] (rank >= 2; rank 2 for MLP features). The batch is split into
 * M = batch / G groups of G = min(groupSize, batch) examples; example n belongs to group n mod M (Progressive
 * GAN's reshape to [G, M, …]). For each group, the standard deviation over its G examples,
 * `√(mean_g (x − mean_g x)² + ε)`, is computed for every feature, then averaged over the spatial positions
 * and the channels of each of the F = numNewFeatures channel groups. The F values are broadcast over the
 * spatial positions and appended as new channels to every example of the group: output [batch, ...spatial, C + F].
 *
 * Defaults: `groupSize: 4`, `numNewFeatures: 1`, `epsilon: 1e-8`. No weights.
 *
 * @throws {ShapeError} at call time if the batch size is not a multiple of `min(groupSize, batch)`.
 */
export class MinibatchStdDev extends tf.layers.Layer {
  /** @internal */
  static className = 'MinibatchStdDev';

  readonly groupSize: number;
  readonly numNewFeatures: number;
  readonly epsilon: number;

  constructor(args: MinibatchStdDevArgs = {}) {
    super(args);
    this.groupSize = checkInteger('MinibatchStdDev.groupSize', args.groupSize ?? 4, 1);
    this.numNewFeatures = checkInteger('MinibatchStdDev.numNewFeatures', args.numNewFeatures ?? 1, 1);
    this.epsilon = checkPositive('MinibatchStdDev.epsilon', args.epsilon ?? 1e-8);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = singleShape('MinibatchStdDev', inputShape);
    checkRank('MinibatchStdDev input', shape, 2);
    const c = knownChannels('MinibatchStdDev', shape);
    if (c % this.numNewFeatures !== 0) {
      throw new InvalidArgumentError(
        'MinibatchStdDev.numNewFeatures',
        `a divisor of the input's ${c} channels`,
        this.numNewFeatures,
      );
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = singleShape('MinibatchStdDev', inputShape);
    const c = shape[shape.length - 1];
    return [...shape.slice(0, -1), c == null ? null : (c as number) + this.numNewFeatures];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: LayerCallKwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor('MinibatchStdDev', inputs);
      const [batch, ...rest] = x.shape as number[];
      const channels = rest[rest.length - 1] as number;
      const spatial = rest.slice(0, -1);
      const group = Math.min(this.groupSize, batch as number);
      if ((batch as number) % group !== 0) {
        throw new ShapeError(
          'MinibatchStdDev input',
          `a batch size divisible by the group size ${group} (groupSize ${this.groupSize})`,
          batch,
          'Use a batch size that is a multiple of groupSize, or a smaller groupSize.',
        );
      }
      const groups = (batch as number) / group;
      const f = this.numNewFeatures;
      // [G, M, ...spatial, F, C/F]: example n = g·M + m sits at (g, m).
      const y = tf.reshape(x, [group, groups, ...spatial, f, channels / f]);
      const centred = tf.sub(y, tf.mean(y, 0, true));
      const std = tf.sqrt(tf.add(tf.mean(tf.square(centred), 0), this.epsilon)); // [M, ...spatial, F, C/F]
      const spatialAxes = spatial.map((_, i) => i + 1);
      const perGroup = tf.mean(std, [...spatialAxes, spatial.length + 2]); // [M, F]
      const broadcastShape = [1, groups, ...spatial.map(() => 1), f];
      const tiled = tf.tile(tf.reshape(perGroup, broadcastShape), [group, 1, ...spatial, 1]);
      return tf.concat([x, tf.reshape(tiled, [batch as number, ...spatial, f])], -1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      groupSize: this.groupSize,
      numNewFeatures: this.numNewFeatures,
      epsilon: this.epsilon,
    };
  }
}
registerLayer(MinibatchStdDev);

/** Creates a {@link MinibatchStdDev} layer (Karras et al. 2018). Same as `new MinibatchStdDev(args)`. */
export function minibatchStdDev(args: MinibatchStdDevArgs = {}): MinibatchStdDev {
  return new MinibatchStdDev(args);
}
