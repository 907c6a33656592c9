import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors';
import {
  checkInteger,
  checkRank,
  knownChannels,
  recordInitializer,
  registerLayer,
  singleShape,
  singleTensor,
  type LayerCallKwargs,
} from './layer_utils';
import {
  equalizedBiasInitializer,
  equalizedConfig,
  equalizedKernelInitializer,
  equalizedSettings,
  type EqualizedArgs,
  type EqualizedSettings,
} from './equalized_dense';
import { scaledActivation } from './scaled_leaky_relu';

/** Options of {@link EqualizedConv2D}. */
export interface EqualizedConv2DArgs extends EqualizedArgs {
  /** Output channels. Required. */
  filters: number;
  /** Odd square kernel size k (stride 1, 'same' zero padding). Default: 3. */
  kernelSize?: number;
}

/**
 * 2-D convolution with equalized learning rate, from Progressive GAN: Karras, Aila, Laine, Lehtinen,
 * "Progressive Growing of GANs for Improved Quality, Stability, and Variation", ICLR 2018,
 * https://arxiv.org/abs/1710.10196 (Section 4.1).
 *
 * The stored kernel V [k, k, C_in, filters] is drawn N(0, 1/λ²) and scaled at run time by He's constant:
 * `y = act(conv(x, V · g/√(k²·C_in) · λ) + b_stored · λ) · activationGain`, stride 1, 'same' zero padding, NHWC.
 * Built on `tf.conv2d`, whose gradients gan-kit makes correct to any order (R1 and WGAN-GP differentiate through it).
 *
 * Weights: `kernel` [k, k, C_in, filters], `bias` [filters] (with `useBias`). Defaults: `kernelSize: 3`,
 * `gain: √2`, `lrMultiplier: 1`, `useBias: true`, `biasInit: 0`, `activation: 'linear'`, `alpha: 0.2`,
 * `activationGain: 1`. See {@link toRgb} and {@link fromRgb} for the 1×1 image-channel layers.
 */
export class EqualizedConv2D extends tf.layers.Layer {
  /** @internal */
  static className = 'EqualizedConv2D';

  readonly filters: number;
  readonly kernelSize: number;
  readonly settings: Readonly<EqualizedSettings>;
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;
  private scale = 1;

  constructor(args: EqualizedConv2DArgs) {
    super(args ?? {});
    this.filters = checkInteger('EqualizedConv2D.filters', args?.filters, 1);
    this.kernelSize = checkInteger('EqualizedConv2D.kernelSize', args.kernelSize ?? 3, 1);
    if (this.kernelSize % 2 === 0) {
      throw new InvalidArgumentError('EqualizedConv2D.kernelSize', 'an odd integer (same padding)', this.kernelSize);
    }
    this.settings = equalizedSettings('EqualizedConv2D', args);
  }

  /** The run-time kernel scale g/√(k²·C_in) · λ (1 before the layer is built). */
  get runtimeScale(): number {
    return this.scale;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = singleShape('EqualizedConv2D', inputShape);
    checkRank('EqualizedConv2D input', shape, 4, 4);
    const cin = knownChannels('EqualizedConv2D', shape);
    const k = this.kernelSize;
    const s = this.settings;
    this.scale = (s.gain / Math.sqrt(k * k * cin)) * s.lrMultiplier;
    const kernelInit = equalizedKernelInitializer(s.lrMultiplier);
    this.kernel = recordInitializer(this.addWeight('kernel', [k, k, cin, this.filters], 'float32', kernelInit), kernelInit);
    if (s.useBias) {
      const biasInit = equalizedBiasInitializer(s);
      this.bias = recordInitializer(this.addWeight('bias', [this.filters], 'float32', biasInit), biasInit);
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = singleShape('EqualizedConv2D', inputShape);
    return [...shape.slice(0, -1), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: LayerCallKwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor('EqualizedConv2D', inputs) as tf.Tensor4D;
      const s = this.settings;
      const w = tf.mul(this.kernel!.read(), this.scale) as tf.Tensor4D;
      let z: tf.Tensor = tf.conv2d(x, w, 1, 'same');
      if (this.bias) z = tf.add(z, s.lrMultiplier === 1 ? this.bias.read() : tf.mul(this.bias.read(), s.lrMultiplier));
      return scaledActivation(z, s.activation, s.alpha, s.activationGain);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, ...equalizedConfig(this.settings) };
  }
}
registerLayer(EqualizedConv2D);

/** Creates an {@link EqualizedConv2D} layer (Karras et al. 2018). Same as `new EqualizedConv2D(args)`. */
export function equalizedConv2d(args: EqualizedConv2DArgs): EqualizedConv2D {
  return new EqualizedConv2D(args);
}
