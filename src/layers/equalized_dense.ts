import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors';
import {
  checkBoolean,
  checkInRange,
  checkInteger,
  checkPositive,
  checkRank,
  knownChannels,
  recordInitializer,
  registerLayer,
  singleShape,
  singleTensor,
  type LayerArgs,
  type LayerCallKwargs,
} from './layer_utils';
import { checkActivation, scaledActivation, type EqualizedActivation } from './scaled_leaky_relu';

/**
 * Options shared by {@link EqualizedDense} and `EqualizedConv2D` (equalized learning rate, Karras et al. 2018).
 */
export interface EqualizedArgs extends LayerArgs {
  /**
   * Weight gain g: the stored weights, drawn N(0, 1/lrMultiplier²), are multiplied at run time by
   * `g / √fan_in · lrMultiplier`. Default: √2 (He's constant for ReLU-like activations, Progressive GAN). Use 1
   * for a linear layer (Progressive GAN's toRGB and last dense layer) and with `activationGain: √2` for StyleGAN2's
   * convention.
   */
  gain?: number;
  /**
   * Learning-rate multiplier λ in (0, 1]: weights are stored divided by λ (drawn N(0, 1/λ²)) and multiplied by λ
   * at run time, so an optimizer's steps move the effective weights λ times as fast. Default: 1. StyleGAN's
   * mapping network uses 0.01 (Karras et al. 2019, Appendix C).
   */
  lrMultiplier?: number;
  /** Whether to add a bias. Default: true. */
  useBias?: boolean;
  /**
   * Initial effective bias b₀: the stored bias starts at b₀/λ, so that b = stored · λ starts at b₀.
   * Default: 0 (StyleGAN2's style affine uses 1).
   */
  biasInit?: number;
  /** Activation after the bias: `'linear'` or `'leakyRelu'`. Default: `'linear'`. */
  activation?: EqualizedActivation;
  /** Negative slope of `'leakyRelu'`, in [0, 1). Default: 0.2. */
  alpha?: number;
  /**
   * Factor applied after the activation. Default: 1 (Progressive GAN). StyleGAN2's fused bias–activation uses √2
   * for leaky ReLU (with `gain: 1`).
   */
  activationGain?: number;
}

/** The checked options of an equalized or modulated layer, defaults filled in (its `settings`). */
export interface EqualizedSettings {
  gain: number;
  lrMultiplier: number;
  useBias: boolean;
  biasInit: number;
  activation: EqualizedActivation;
  alpha: number;
  activationGain: number;
}

/** Checks {@link EqualizedArgs} (naming each option as `<layer>.<option>`) and fills in the defaults. @internal */
export function equalizedSettings(layer: string, args: EqualizedArgs, defaultGain = Math.SQRT2): EqualizedSettings {
  const biasInit = args.biasInit ?? 0;
  if (typeof biasInit !== 'number' || !Number.isFinite(biasInit)) {
    throw new InvalidArgumentError(`${layer}.biasInit`, 'a finite number', biasInit);
  }
  const lrMultiplier = args.lrMultiplier ?? 1;
  if (typeof lrMultiplier !== 'number' || !(lrMultiplier > 0 && lrMultiplier <= 1)) {
    throw new InvalidArgumentError(`${layer}.lrMultiplier`, 'a number in (0, 1]', lrMultiplier);
  }
  return {
    gain: checkPositive(`${layer}.gain`, args.gain ?? defaultGain),
    lrMultiplier,
    useBias: checkBoolean(`${layer}.useBias`, args.useBias, true),
    biasInit,
    activation: checkActivation(`${layer}.activation`, args.activation),
    alpha: checkInRange(`${layer}.alpha`, args.alpha ?? 0.2, 0, 1, true),
    activationGain: checkPositive(`${layer}.activationGain`, args.activationGain ?? 1),
  };
}

/** Config entries of {@link EqualizedSettings}. @internal */
export function equalizedConfig(s: EqualizedSettings): tf.serialization.ConfigDict {
  return {
    gain: s.gain,
    lrMultiplier: s.lrMultiplier,
    useBias: s.useBias,
    biasInit: s.biasInit,
    activation: s.activation,
    alpha: s.alpha,
    activationGain: s.activationGain,
  };
}

/** Initializer of equalized weights: N(0, 1/λ²). @internal */
export function equalizedKernelInitializer(lrMultiplier: number): ReturnType<typeof tf.initializers.randomNormal> {
  return tf.initializers.randomNormal({ mean: 0, stddev: 1 / lrMultiplier });
}

/** Initializer of an equalized bias: the constant b₀/λ. @internal */
export function equalizedBiasInitializer(s: EqualizedSettings): ReturnType<typeof tf.initializers.constant> {
  return tf.initializers.constant({ value: s.biasInit / s.lrMultiplier });
}

/**
 * Dense layer with equalized learning rate, from Progressive GAN: Karras, Aila, Laine, Lehtinen, "Progressive
 * Growing of GANs for Improved Quality, Stability, and Variation", ICLR 2018, https://arxiv.org/abs/1710.10196
 * (Section 4.1), with StyleGAN's learning-rate multiplier (Karras, Laine, Aila, "A Style-Based Generator
 * Architecture for Generative Adversarial Networks", CVPR 2019, https://arxiv.org/abs/1812.04948).
 *
 * The stored kernel V [in, units] is drawn N(0, 1/λ²) and scaled at run time:
 * `y = act(x · (V · g/√in · λ) + b_stored · λ) · activationGain`, so every weight gets the same dynamic range
 * and adaptive optimizers (Adam) learn every layer at the same speed. Inputs of rank >= 2 (the last axis is
 * multiplied, as `tf.layers.dense`).
 *
 * Weights: `kernel` [in, units], `bias` [units] (with `useBias`). Defaults: `gain: √2`, `lrMultiplier: 1`,
 * `useBias: true`, `biasInit: 0`, `activation: 'linear'`, `alpha: 0.2`, `activationGain: 1`.
 */
export class EqualizedDense extends tf.layers.Layer {
  /** @internal */
  static className = 'EqualizedDense';

  readonly units: number;
  readonly settings: Readonly<EqualizedSettings>;
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;
  private scale = 1;

  constructor(args: EqualizedDenseArgs) {
    super(args ?? {});
    this.units = checkInteger('EqualizedDense.units', args?.units, 1);
    this.settings = equalizedSettings('EqualizedDense', args);
  }

  /** The run-time kernel scale g/√fan_in · λ (1 before the layer is built). */
  get runtimeScale(): number {
    return this.scale;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = singleShape('EqualizedDense', inputShape);
    checkRank('EqualizedDense input', shape, 2);
    const fanIn = knownChannels('EqualizedDense', shape);
    const s = this.settings;
    this.scale = (s.gain / Math.sqrt(fanIn)) * s.lrMultiplier;
    const kernelInit = equalizedKernelInitializer(s.lrMultiplier);
    this.kernel = recordInitializer(this.addWeight('kernel', [fanIn, this.units], 'float32', kernelInit), kernelInit);
    if (s.useBias) {
      const biasInit = equalizedBiasInitializer(s);
      this.bias = recordInitializer(this.addWeight('bias', [this.units], 'float32', biasInit), biasInit);
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = singleShape('EqualizedDense', inputShape);
    return [...shape.slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: LayerCallKwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor('EqualizedDense', inputs);
      const s = this.settings;
      const w = tf.mul(this.kernel!.read(), this.scale);
      const flat = x.rank === 2 ? x : tf.reshape(x, [-1, x.shape[x.rank - 1] as number]);
      let z: tf.Tensor = tf.matMul(flat as tf.Tensor2D, w as tf.Tensor2D);
      if (x.rank !== 2) z = tf.reshape(z, [...x.shape.slice(0, -1), this.units]);
      if (this.bias) z = tf.add(z, s.lrMultiplier === 1 ? this.bias.read() : tf.mul(this.bias.read(), s.lrMultiplier));
      return scaledActivation(z, s.activation, s.alpha, s.activationGain);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, ...equalizedConfig(this.settings) };
  }
}
registerLayer(EqualizedDense);

/** Options of {@link EqualizedDense}. */
export interface EqualizedDenseArgs extends EqualizedArgs {
  /** Output size. Required. */
  units: number;
}

/** Creates an {@link EqualizedDense} layer (Karras et al. 2018). Same as `new EqualizedDense(args)`. */
export function equalizedDense(args: EqualizedDenseArgs): EqualizedDense {
  return new EqualizedDense(args);
}
