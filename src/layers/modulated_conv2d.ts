import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '../errors';
import {
  checkBoolean,
  checkInteger,
  checkPositive,
  checkRank,
  knownChannels,
  multiShape,
  multiTensor,
  recordInitializer,
  registerLayer,
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

/** Options of {@link ModulatedConv2D}. */
export interface ModulatedConv2DArgs extends EqualizedArgs {
  /** Output channels. Required. */
  filters: number;
  /** Odd square kernel size k (stride 1, 'same' zero padding). Default: 3. */
  kernelSize?: number;
  /** Whether to demodulate (Karras et al. 2020, eq. 3). Default: true. StyleGAN2's toRGB layers use false. */
  demodulate?: boolean;
  /**
   * Whether to upsample the input 2× (nearest neighbour) before the convolution, as the first layer of a
   * synthesis block. Default: false.
   */
  upsample?: boolean;
  /** ε inside the demodulation's square root. Default: 1e-8 (Karras et al. 2020). */
  epsilon?: number;
  /**
   * Whether the second input is the latent w, mapped to the style s by a learned affine layer inside this one
   * (`affine_kernel` [w_dim, C_in] equalized with gain 1, `affine_bias` [C_in] starting at 1), as in StyleGAN2.
   * With false the second input is the style s [batch, C_in] itself. Default: true.
   */
  styleAffine?: boolean;
}

/**
 * StyleGAN2's modulated convolution with weight demodulation: Karras, Laine, Aittala, Hellsten, Lehtinen, Aila,
 * "Analyzing and Improving the Image Quality of StyleGAN", CVPR 2020, https://arxiv.org/abs/1912.04958
 * (Section 2.2, equations 1–3).
 *
 * Inputs `[x, w]`: x [batch, H, W, C_in] and w [batch, w_dim] (or, with `styleAffine: false`, the style
 * s [batch, C_in]). With `styleAffine` the style is `s = w · A·(1/√w_dim) + b_A`, b_A starting at 1. For each
 * example the kernel is modulated and demodulated,
 *
 *   w'_{ijk} = s_i · w_{ijk}   (eq. 1),    w''_{ijk} = w'_{ijk} / √(Σ_{i,k} w'_{ijk}² + ε)   (eq. 3),
 *
 * i the input channel, j the output channel, k the spatial tap, w = V·g/√(k²·C_in)·λ the equalized kernel. The
 * layer computes it without per-example kernels (tfjs has no grouped convolution), in the equal form
 *
 *   y = conv(x ⊙ s, w) ⊙ d,   d_j = 1/√(Σ_i s_i² · Σ_k w_{ijk}² + ε),
 *
 * then adds the bias and applies the activation (both as in {@link EqualizedConv2D}). In a StyleGAN2 synthesis
 * layer the noise goes between the bias and the activation: `ModulatedConv2D` (linear) → `NoiseInjection` →
 * `ScaledLeakyReLU`; the bias commutes with the noise, so this order equals StyleGAN2's. With `upsample` the
 * input is first upsampled 2× by nearest neighbour (StyleGAN2 uses a transposed convolution followed by a
 * [1, 3, 3, 1] blur; this simpler form keeps every gradient correct to second order). StyleGAN2's toRGB is
 * `ModulatedConv2D({ filters: channels, kernelSize: 1, demodulate: false })`.
 *
 * Weights: `kernel` [k, k, C_in, filters] drawn N(0, 1/λ²), `bias` [filters] (with `useBias`), and with
 * `styleAffine` `affine_kernel` [w_dim, C_in] (N(0, 1)) and `affine_bias` [C_in] (ones). Defaults: `kernelSize: 3`,
 * `demodulate: true`, `upsample: false`, `epsilon: 1e-8`, `styleAffine: true`, `gain: 1`, `lrMultiplier: 1`,
 * `useBias: true`, `biasInit: 0`, `activation: 'linear'`, `alpha: 0.2`, `activationGain: 1`.
 */
export class ModulatedConv2D extends tf.layers.Layer {
  /** @internal */
  static className = 'ModulatedConv2D';

  readonly filters: number;
  readonly kernelSize: number;
  readonly demodulate: boolean;
  readonly upsample: boolean;
  readonly epsilon: number;
  readonly styleAffine: boolean;
  readonly settings: Readonly<EqualizedSettings>;
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;
  private affineKernel?: tf.LayerVariable;
  private affineBias?: tf.LayerVariable;
  private scale = 1;
  private affineScale = 1;

  constructor(args: ModulatedConv2DArgs) {
    super(args ?? {});
    this.filters = checkInteger('ModulatedConv2D.filters', args?.filters, 1);
    this.kernelSize = checkInteger('ModulatedConv2D.kernelSize', args.kernelSize ?? 3, 1);
    if (this.kernelSize % 2 === 0) {
      throw new InvalidArgumentError('ModulatedConv2D.kernelSize', 'an odd integer (same padding)', this.kernelSize);
    }
    this.demodulate = checkBoolean('ModulatedConv2D.demodulate', args.demodulate, true);
    this.upsample = checkBoolean('ModulatedConv2D.upsample', args.upsample, false);
    this.epsilon = checkPositive('ModulatedConv2D.epsilon', args.epsilon ?? 1e-8);
    this.styleAffine = checkBoolean('ModulatedConv2D.styleAffine', args.styleAffine, true);
    this.settings = equalizedSettings('ModulatedConv2D', args, 1);
  }

  /** The run-time kernel scale g/√(k²·C_in) · λ (1 before the layer is built). */
  get runtimeScale(): number {
    return this.scale;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [xShape, styleShape] = multiShape('ModulatedConv2D', inputShape, 2) as [tf.Shape, tf.Shape];
    checkRank('ModulatedConv2D x', xShape, 4, 4);
    checkRank(this.styleAffine ? 'ModulatedConv2D w' : 'ModulatedConv2D style', styleShape, 2, 2);
    const cin = knownChannels('ModulatedConv2D', xShape);
    const styleDim = knownChannels('ModulatedConv2D style', styleShape);
    if (!this.styleAffine && styleDim !== cin) {
      throw new ShapeError('ModulatedConv2D style', `[batch, ${cin}] (one scale per input channel, styleAffine: false)`, `[batch, ${styleDim}]`);
    }
    const k = this.kernelSize;
    const s = this.settings;
    this.scale = (s.gain / Math.sqrt(k * k * cin)) * s.lrMultiplier;
    const kernelInit = equalizedKernelInitializer(s.lrMultiplier);
    this.kernel = recordInitializer(this.addWeight('kernel', [k, k, cin, this.filters], 'float32', kernelInit), kernelInit);
    if (s.useBias) {
      const biasInit = equalizedBiasInitializer(s);
      this.bias = recordInitializer(this.addWeight('bias', [this.filters], 'float32', biasInit), biasInit);
    }
    if (this.styleAffine) {
      this.affineScale = 1 / Math.sqrt(styleDim);
      const aInit = equalizedKernelInitializer(1);
      const ones = tf.initializers.ones();
      this.affineKernel = recordInitializer(this.addWeight('affine_kernel', [styleDim, cin], 'float32', aInit), aInit);
      this.affineBias = recordInitializer(this.addWeight('affine_bias', [cin], 'float32', ones), ones);
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [xShape] = multiShape('ModulatedConv2D', inputShape, 2) as [tf.Shape, tf.Shape];
    const f = this.upsample ? 2 : 1;
    const up = (d: number | null | undefined) => (d == null ? null : d * f);
    return [xShape[0] ?? null, up(xShape[1]), up(xShape[2]), this.filters];
  }

  /** The per-example style s [batch, C_in] for the second input (w, or s itself). Call inside a tidy. */
  style(second: tf.Tensor): tf.Tensor2D {
    if (!this.styleAffine) return second as tf.Tensor2D;
    const a = tf.mul(this.affineKernel!.read(), this.affineScale) as tf.Tensor2D;
    return tf.add(tf.matMul(second as tf.Tensor2D, a), this.affineBias!.read()) as tf.Tensor2D;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: LayerCallKwargs): tf.Tensor {
    return tf.tidy(() => {
      let [x, second] = multiTensor('ModulatedConv2D', inputs, 2) as [tf.Tensor4D, tf.Tensor];
      const [b, , , cin] = x.shape;
      const st = this.settings;
      const s = this.style(second);
      if (this.upsample) {
        const [, h, w] = x.shape;
        x = tf.reshape(tf.broadcastTo(tf.reshape(x, [b, h, 1, w, 1, cin]), [b, h, 2, w, 2, cin]), [b, 2 * h, 2 * w, cin]);
      }
      const weight = tf.mul(this.kernel!.read(), this.scale) as tf.Tensor4D;
      let y: tf.Tensor = tf.conv2d(tf.mul(x, tf.reshape(s, [b, 1, 1, cin])) as tf.Tensor4D, weight, 1, 'same');
      if (this.demodulate) {
        const k = this.kernelSize;
        const tapSquares = tf.sum(tf.reshape(tf.square(weight), [k * k, cin, this.filters]), 0) as tf.Tensor2D; // Σ_k w²
        const d = tf.rsqrt(tf.add(tf.matMul(tf.square(s) as tf.Tensor2D, tapSquares), this.epsilon)); // [B, filters]
        y = tf.mul(y, tf.reshape(d, [b, 1, 1, this.filters]));
      }
      if (this.bias) y = tf.add(y, st.lrMultiplier === 1 ? this.bias.read() : tf.mul(this.bias.read(), st.lrMultiplier));
      return scaledActivation(y, st.activation, st.alpha, st.activationGain);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      demodulate: this.demodulate,
      upsample: this.upsample,
      epsilon: this.epsilon,
      styleAffine: this.styleAffine,
      ...equalizedConfig(this.settings),
    };
  }
}
registerLayer(ModulatedConv2D);

/** Creates a {@link ModulatedConv2D} layer (Karras et al. 2020). Same as `new ModulatedConv2D(args)`. */
export function modulatedConv2d(args: ModulatedConv2DArgs): ModulatedConv2D {
  return new ModulatedConv2D(args);
}
