import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '../errors';
import {
  checkInteger,
  checkRank,
  registerLayer,
  singleShape,
  singleTensor,
  type LayerArgs,
  type LayerCallKwargs,
} from './layer_utils';

/** Options of {@link NearestUpsample2D} and {@link AverageDownsample2D}. */
export interface Resample2DArgs extends LayerArgs {
  /** Scale factor along height and width. Default: 2. */
  factor?: number;
}

function scaled(shape: tf.Shape, f: (d: number) => number): tf.Shape {
  return [shape[0] ?? null, shape[1] == null ? null : f(shape[1]), shape[2] == null ? null : f(shape[2]), shape[3] ?? null];
}

/**
 * Nearest-neighbour upsampling of an NHWC tensor by an integer factor: every pixel becomes a factor×factor
 * block. [batch, H, W, C] → [batch, H·f, W·f, C]. The upsampling of SNGAN (Miyato et al. 2018,
 * https://arxiv.org/abs/1802.05957) and BigGAN generator blocks.
 *
 * Same values as `tf.layers.upSampling2d({ size: [f, f] })`, but computed with reshape and broadcast, for two
 * reasons: stock tfjs 4.22's cpu gradient of `resizeNearestNeighbor` reads the wrong example for batch > 1,
 * and it has no second derivative. This layer's gradient (a block sum) is correct on every backend and
 * differentiable again. No weights. Default factor: 2.
 */
export class NearestUpsample2D extends tf.layers.Layer {
  /** @internal */
  static className = 'NearestUpsample2D';

  readonly factor: number;

  constructor(args: Resample2DArgs = {}) {
    super(args);
    this.factor = checkInteger('NearestUpsample2D.factor', args.factor ?? 2, 1);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    checkRank('NearestUpsample2D input', singleShape('NearestUpsample2D', inputShape), 4, 4);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return scaled(singleShape('NearestUpsample2D', inputShape), (d) => d * this.factor);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: LayerCallKwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor('NearestUpsample2D', inputs) as tf.Tensor4D;
      const [b, h, w, c] = x.shape;
      const f = this.factor;
      const blocks = tf.broadcastTo(tf.reshape(x, [b, h, 1, w, 1, c]), [b, h, f, w, f, c]);
      return tf.reshape(blocks, [b, h * f, w * f, c]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), factor: this.factor };
  }
}
registerLayer(NearestUpsample2D);

/**
 * Average pooling of an NHWC tensor over non-overlapping factor×factor blocks: [batch, H, W, C] →
 * [batch, H/f, W/f, C] (H and W must be multiples of f). The downsampling of SNGAN (Miyato et al. 2018,
 * https://arxiv.org/abs/1802.05957) and BigGAN discriminator blocks.
 *
 * Same values as `tf.layers.averagePooling2d({ poolSize: f, strides: f })`, computed as reshape + mean so that
 * it is twice differentiable: gradient penalties (WGAN-GP, R1) need the gradient of the gradient, and tfjs'
 * `AvgPoolGrad` has none. No weights. Default factor: 2.
 */
export class AverageDownsample2D extends tf.layers.Layer {
  /** @internal */
  static className = 'AverageDownsample2D';

  readonly factor: number;

  constructor(args: Resample2DArgs = {}) {
    super(args);
    this.factor = checkInteger('AverageDownsample2D.factor', args.factor ?? 2, 1);
  }

  private checkDivisible(shape: readonly (number | null)[]): void {
    const f = this.factor;
    if ((shape[1] != null && shape[1] % f !== 0) || (shape[2] != null && shape[2] % f !== 0)) {
      throw new ShapeError(
        'AverageDownsample2D input',
        `height and width divisible by the factor ${f}`,
        `shape [${shape.map((d) => (d == null ? 'null' : d)).join(', ')}]`,
      );
    }
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = singleShape('AverageDownsample2D', inputShape);
    checkRank('AverageDownsample2D input', shape, 4, 4);
    this.checkDivisible(shape);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return scaled(singleShape('AverageDownsample2D', inputShape), (d) => d / this.factor);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: LayerCallKwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor('AverageDownsample2D', inputs) as tf.Tensor4D;
      this.checkDivisible(x.shape);
      const [b, h, w, c] = x.shape;
      const f = this.factor;
      return tf.mean(tf.reshape(x, [b, h / f, f, w / f, f, c]), [2, 4]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), factor: this.factor };
  }
}
registerLayer(AverageDownsample2D);

/** Creates a {@link NearestUpsample2D} layer. Same as `new NearestUpsample2D(args)`. */
export function nearestUpsample2d(args: Resample2DArgs = {}): NearestUpsample2D {
  return new NearestUpsample2D(args);
}

/** Creates an {@link AverageDownsample2D} layer. Same as `new AverageDownsample2D(args)`. */
export function averageDownsample2d(args: Resample2DArgs = {}): AverageDownsample2D {
  return new AverageDownsample2D(args);
}
