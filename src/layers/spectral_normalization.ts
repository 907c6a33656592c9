import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '../errors';
import { checkNumber } from '../losses/validation';
import { spectralNormalize } from '../regularizers/spectral_normalize';
import { recordInitializer } from './layer_utils';

/** Constructor arguments every tfjs-layers layer accepts (`name`, `trainable`, `inputShape`, …). */
type BaseLayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** Arguments of {@link SpectralNormalization} and {@link spectralNormalization}. */
export interface SpectralNormalizationArgs extends BaseLayerArgs {
  /** The layer whose kernel is normalised: a `tf.layers.dense`, `conv2d` or `conv2dTranspose`, not yet used. */
  layer: tf.layers.Layer;
  /** Power-iteration steps per training call. Default: 1 (Miyato et al. 2018). */
  powerIterations?: number;
  /** Lower bound on a vector's norm in the power iteration. Default: 1e-12. */
  epsilon?: number;
}

/**
 * Where each supported layer keeps its output channels in its kernel (tfjs layouts: Dense [in, out], Conv2D
 * [kh, kw, in, out], Conv2DTranspose [kh, kw, out, in]).
 */
const OUTPUT_AXIS_FROM_END: Readonly<Record<string, 1 | 2>> = { Dense: 1, Conv2D: 1, Conv2DTranspose: 2 };

/** Swaps the last two axes of a rank-4 kernel (self-inverse). */
const SWAP_LAST_TWO = [0, 1, 3, 2];

/** The part of the wrapped layer this wrapper relies on: tfjs' Dense and Conv layers read `this.kernel`. */
interface KernelHolder {
  kernel: { read(): tf.Tensor } | null;
}

/**
 * A wrapper layer that applies spectral normalization to the kernel of a Dense, Conv2D or Conv2DTranspose
 * layer: Miyato, Kataoka, Koyama, Yoshida, "Spectral Normalization for Generative Adversarial Networks", ICLR
 * 2018, https://arxiv.org/abs/1802.05957. Used in the discriminators of SNGAN, SAGAN and BigGAN (and SAGAN's
 * generator) to keep each layer roughly 1-Lipschitz without a gradient penalty.
 *
 * Every call computes W_SN = W / σ(W) with {@link spectralNormalize} (one power-iteration step from the stored
 * u by default) and runs the wrapped layer with W_SN in place of its kernel; gradients flow to the raw kernel
 * through W and σ(W), u and v being constants. The estimate u ([outChannels], a non-trainable weight named
 * `u`) is written back only when the layer is called with `{ training: true }` (`model.apply(x, { training:
 * true })`, `fit`), once per call; inference (`predict`, `apply` without `training`) uses it unchanged, so
 * outputs are deterministic. For Conv2DTranspose, whose tfjs kernel is [kh, kw, out, in], the output axis is
 * moved last before reshaping, so u always has one entry per output channel (PyTorch's convention).
 *
 * Weights: the wrapped layer's kernel and bias (trainable) and `u` (non-trainable), all saved and restored by
 * `model.save` / `tf.loadLayersModel`; the class is registered for serialization (`GanKit>SpectralNormalization`,
 * JSON class name `SpectralNormalization`), the wrapped layer stored as a nested `{className, config}`.
 *
 * @example
 * ```ts
 * const critic = tf.sequential({ layers: [
 *   spectralNormalization({ layer: tf.layers.conv2d({ filters: 64, kernelSize: 4, strides: 2, padding: 'same' }),
 *                           inputShape: [32, 32, 3] }),
 *   tf.layers.leakyReLU({ alpha: 0.1 }),
 *   tf.layers.flatten(),
 *   spectralNormalization({ layer: tf.layers.dense({ units: 1 }) }),
 * ] });
 * ```
 */
export class SpectralNormalization extends tf.layers.Layer {
  /** The JSON class name. */
  static className = 'SpectralNormalization';

  /** The wrapped layer. */
  readonly layer: tf.layers.Layer;
  /** Power-iteration steps per call. */
  readonly powerIterations: number;
  /** Norm floor in the power iteration. */
  readonly epsilon: number;

  private readonly outputAxisFromEnd: 1 | 2;
  private kernelVariable: tf.LayerVariable | null = null;
  private uVariable: tf.LayerVariable | null = null;

  /**
   * @throws {InvalidArgumentError} if `layer` is not a Dense, Conv2D or Conv2DTranspose layer, or `powerIterations` /
   *   `epsilon` are invalid.
   */
  constructor(args: SpectralNormalizationArgs) {
    if (args == null || typeof args !== 'object') {
      throw new InvalidArgumentError('args', 'an object with a `layer`', args);
    }
    const layer: unknown = args.layer;
    if (!(layer instanceof tf.layers.Layer)) {
      throw new InvalidArgumentError(
        'SpectralNormalization.layer',
        'a tf.layers.dense, conv2d or conv2dTranspose layer',
        layer === undefined || layer === null ? layer : Object.prototype.toString.call(layer),
      );
    }
    const className = layer.getClassName();
    const axis = OUTPUT_AXIS_FROM_END[className];
    if (axis === undefined) {
      throw new InvalidArgumentError(
        'SpectralNormalization.layer',
        `a layer of class ${Object.keys(OUTPUT_AXIS_FROM_END).join(', ')}`,
        className,
      );
    }
    const powerIterations = checkNumber('SpectralNormalization.powerIterations', args.powerIterations ?? 1, {
      min: 1,
      integer: true,
    });
    const epsilon = checkNumber('SpectralNormalization.epsilon', args.epsilon ?? 1e-12, {
      min: 0,
      minExclusive: true,
    });
    const { layer: _inner, powerIterations: _p, epsilon: _e, ...baseArgs } = args;
    // An input shape given to the wrapped layer is the wrapper's input shape (first layer of a Sequential).
    if (baseArgs.inputShape == null && baseArgs.batchInputShape == null && layer.batchInputShape != null) {
      baseArgs.batchInputShape = layer.batchInputShape;
    }
    super({ ...baseArgs, trainable: baseArgs.trainable ?? layer.trainable });
    this.layer = layer;
    this.outputAxisFromEnd = axis;
    this.powerIterations = powerIterations;
    this.epsilon = epsilon;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    if (!this.layer.built) {
      this.layer.build(inputShape);
      this.layer.built = true;
    }
    const kernel = (this.layer as unknown as KernelHolder).kernel;
    if (!(kernel instanceof tf.LayerVariable)) {
      throw new ShapeError(
        'SpectralNormalization.layer',
        'a built layer with a `kernel` weight',
        this.layer.getClassName(),
      );
    }
    this.kernelVariable = kernel;
    const outChannels = kernel.shape[kernel.shape.length - this.outputAxisFromEnd]!;
    // The wrapper owns the wrapped layer's weights, so trainable flags, getWeights/setWeights, saving and
    // disposal all go through it: order [kernel, bias?] (trainable), then [u] (non-trainable).
    this._trainableWeights = [...this.layer.weights];
    const normal = tf.initializers.randomNormal({ mean: 0, stddev: 1 });
    this.uVariable = recordInitializer(this.addWeight('u', [outChannels], 'float32', normal, undefined, false), normal);
    this.trainable = this.trainable; // propagate the wrapper's flag to the adopted variables
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return this.layer.computeOutputShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { [key: string]: unknown }): tf.Tensor | tf.Tensor[] {
    const kernelVariable = this.kernelVariable;
    const uVariable = this.uVariable;
    if (kernelVariable === null || uVariable === null) {
      throw new InvalidArgumentError('SpectralNormalization', 'a built layer (call apply, not call)', 'unbuilt');
    }
    return tf.tidy(() => {
      const swap = this.outputAxisFromEnd === 2;
      const raw = kernelVariable.read();
      const oriented = swap ? tf.transpose(raw, SWAP_LAST_TWO) : raw;
      const { kernel, u } = spectralNormalize(oriented, uVariable.read(), {
        powerIterations: this.powerIterations,
        epsilon: this.epsilon,
      });
      const normalized = swap ? tf.transpose(kernel, SWAP_LAST_TWO) : kernel;
      // tfjs' Dense, Conv2D and Conv2DTranspose read their kernel through `this.kernel.read()` in `call`; point
      // that at the normalised kernel for this one call, so every option of the wrapped layer (activation,
      // strides, padding, dilation, data format, bias) behaves exactly as without the wrapper.
      const holder = this.layer as unknown as KernelHolder;
      const original = holder.kernel;
      holder.kernel = { read: () => normalized };
      let output: tf.Tensor | tf.Tensor[];
      try {
        output = this.layer.call(inputs, kwargs);
      } finally {
        holder.kernel = original;
      }
      if (kwargs != null && kwargs['training'] === true) uVariable.write(u);
      return output;
    });
  }

  override get losses(): tf.layers.Layer['losses'] {
    return [...super.losses, ...this.layer.losses];
  }

  override setFastWeightInitDuringBuild(value: boolean): void {
    super.setFastWeightInitDuringBuild(value);
    this.layer.setFastWeightInitDuringBuild(value);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      layer: { className: this.layer.getClassName(), config: this.layer.getConfig() },
      powerIterations: this.powerIterations,
      epsilon: this.epsilon,
    };
  }

  /** Rebuilds the wrapper, and the wrapped layer from its nested `{className, config}`. */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const { layer: layerConfig, ...rest } = config;
    const nested = layerConfig as { className?: unknown; config?: unknown } | null;
    const entry =
      nested && typeof nested.className === 'string'
        ? tf.serialization.SerializationMap.getMap().classNameMap[nested.className]
        : undefined;
    if (!entry || nested?.config == null || typeof nested.config !== 'object') {
      throw new InvalidArgumentError(
        'SpectralNormalization config.layer',
        'a {className, config} of a registered layer class',
        nested?.className ?? nested,
      );
    }
    const [layerClass, layerFromConfig] = entry;
    const layer = layerFromConfig(layerClass, { ...(nested.config as tf.serialization.ConfigDict) });
    return new cls({ ...rest, layer });
  }
}
tf.serialization.registerClass(SpectralNormalization, 'GanKit');

/**
 * Wraps a Dense, Conv2D or Conv2DTranspose layer in {@link SpectralNormalization}
 * (Miyato et al. 2018, https://arxiv.org/abs/1802.05957); reads like the tfjs factories.
 *
 * @example
 * ```ts
 * const snConv = spectralNormalization({ layer: tf.layers.conv2d({ filters: 64, kernelSize: 3 }) });
 * ```
 * @throws {InvalidArgumentError} for an unsupported layer or invalid options.
 */
export function spectralNormalization(args: SpectralNormalizationArgs): SpectralNormalization {
  return new SpectralNormalization(args);
}
