/**
 * Helpers shared by gan-kit's custom layers: argument checks that throw gan-kit's typed errors, shape
 * helpers, initializer (de)serialization through tfjs' public serialization map, and class registration.
 *
 * @internal
 * @module layers/layer_utils
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '../errors';
import { spectralNormalize } from '../regularizers/spectral_normalize';

/** Constructor arguments every tfjs-layers layer accepts (`name`, `trainable`, `inputShape`, …). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** Keyword arguments tfjs passes to `Layer.call` (`training`, `mask`, …). */
export type LayerCallKwargs = { [key: string]: unknown };

/** Package prefix under which gan-kit registers its layers (`GanKit>SelfAttention2D`, …). */
export const GAN_KIT_PACKAGE = 'GanKit';

/**
 * Registers a layer class with tfjs serialization so that `tf.loadLayersModel` can rebuild it. The model JSON
 * stores the class's static `className`; the global custom-object key is `GanKit>` + className.
 */
export function registerLayer<T extends { className: string }>(cls: T): T {
  tf.serialization.registerClass(
    cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
    GAN_KIT_PACKAGE,
  );
  return cls;
}

/** A tfjs-layers weight initializer (the type `tf.initializers.*()` return). */
export type Initializer = ReturnType<typeof tf.initializers.ones>;

/** Throws unless `value` is an integer >= `min`. Returns the value for chaining. */
export function checkInteger(argument: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidArgumentError(argument, `an integer >= ${min}`, value);
  }
  return value;
}

/** Throws unless `value` is a finite number > 0 (or >= 0 when `allowZero`). */
export function checkPositive(argument: string, value: unknown, allowZero = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new InvalidArgumentError(argument, allowZero ? 'a finite number >= 0' : 'a finite number > 0', value);
  }
  return value;
}

/** Throws unless `value` is a number in [lo, hi] (or [lo, hi) when `hiOpen`). */
export function checkInRange(argument: string, value: unknown, lo: number, hi: number, hiOpen = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < lo || value > hi || (hiOpen && value === hi)) {
    throw new InvalidArgumentError(argument, `a number in [${lo}, ${hi}${hiOpen ? ')' : ']'}`, value);
  }
  return value;
}

/** Throws unless `value` is a boolean; returns `fallback` when `value` is undefined. */
export function checkBoolean(argument: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidArgumentError(argument, 'a boolean', value);
  return value;
}

/** Throws unless `value` is one of `allowed`; returns `fallback` when `value` is undefined. */
export function checkOneOf<T extends string>(argument: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(argument, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
}

/** `true` when `shape` is a list of shapes (a multi-input layer's input shape). */
export function isShapeList(shape: tf.Shape | tf.Shape[]): shape is tf.Shape[] {
  return Array.isArray(shape) && shape.length > 0 && Array.isArray(shape[0]);
}

/** The single input shape of a one-input layer; throws a {@link ShapeError} naming the layer otherwise. */
export function singleShape(layer: string, shape: tf.Shape | tf.Shape[]): tf.Shape {
  if (isShapeList(shape)) {
    if (shape.length !== 1) throw new ShapeError(`${layer} input`, 'exactly one input', `${shape.length} inputs`);
    return shape[0] as tf.Shape;
  }
  return shape as tf.Shape;
}

/** The shapes of a layer that takes exactly `count` inputs. */
export function multiShape(layer: string, shape: tf.Shape | tf.Shape[], count: number): tf.Shape[] {
  if (!isShapeList(shape) || shape.length !== count) {
    throw new ShapeError(`${layer} input`, `a list of ${count} inputs`, isShapeList(shape) ? `${shape.length} inputs` : 'one input');
  }
  return shape;
}

/** The single tensor passed to a one-input layer. */
export function singleTensor(layer: string, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  if (Array.isArray(inputs)) {
    if (inputs.length !== 1) throw new ShapeError(`${layer} input`, 'exactly one tensor', `${inputs.length} tensors`);
    return inputs[0] as tf.Tensor;
  }
  return inputs;
}

/** The tensors passed to a layer that takes exactly `count` inputs. */
export function multiTensor(layer: string, inputs: tf.Tensor | tf.Tensor[], count: number): tf.Tensor[] {
  if (!Array.isArray(inputs) || inputs.length !== count) {
    throw new ShapeError(`${layer} input`, `a list of ${count} tensors`, Array.isArray(inputs) ? `${inputs.length} tensors` : 'one tensor');
  }
  return inputs;
}

/** Throws a {@link ShapeError} unless `shape` has a rank in [minRank, maxRank]. */
export function checkRank(argument: string, shape: tf.Shape, minRank: number, maxRank = Infinity): void {
  if (shape.length < minRank || shape.length > maxRank) {
    const expected = maxRank === Infinity ? `rank >= ${minRank}` : minRank === maxRank ? `rank ${minRank}` : `rank ${minRank} to ${maxRank}`;
    throw new ShapeError(argument, expected, `shape [${shape.map((d) => (d == null ? 'null' : d)).join(', ')}]`);
  }
}

/** The size of the last (channels) axis, which must be known when the layer is built. */
export function knownChannels(layer: string, shape: tf.Shape): number {
  const c = shape[shape.length - 1];
  if (c == null) {
    throw new ShapeError(`${layer} input`, 'a known size on the last (channels) axis', `shape [${shape.join(', ')}]`);
  }
  return c;
}

/** A JSON-friendly description of an initializer, restorable with {@link deserializeInitializer}. */
export type SerializedInitializer = { className: string; config: tf.serialization.ConfigDict };

/** Serializes a tfjs initializer the way tfjs-layers writes it into a layer config. */
export function serializeInitializer(init: Initializer): SerializedInitializer {
  // Unset options (e.g. `seed`) are dropped so that a config survives a JSON round trip unchanged.
  const config = Object.fromEntries(
    Object.entries(init.getConfig()).filter(([, v]) => v !== undefined && v !== null),
  ) as tf.serialization.ConfigDict;
  return { className: init.getClassName(), config };
}

/**
 * Rebuilds an initializer from {@link serializeInitializer}'s output (or passes an instance through), using
 * tfjs' public serialization map, where every built-in initializer is registered.
 */
export function deserializeInitializer(
  value: Initializer | SerializedInitializer | undefined,
  fallback: () => Initializer,
): Initializer {
  if (value === undefined || value === null) return fallback();
  if (value instanceof tf.serialization.Serializable) return value as Initializer;
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[value.className];
  if (entry === undefined) {
    throw new InvalidArgumentError('initializer', 'a registered tfjs initializer class name', value.className);
  }
  const [cls, fromConfig] = entry;
  return fromConfig(cls, value.config) as Initializer;
}

/** Integer class ids of shape [batch] from a label tensor of shape [batch] or [batch, 1] (any dtype). */
export function labelsToIndices(labels: tf.Tensor): tf.Tensor1D {
  const flat = labels.rank === 1 ? labels : tf.reshape(labels, [-1]);
  return (flat.dtype === 'int32' ? flat : tf.cast(flat, 'int32')) as tf.Tensor1D;
}

/** Checks that a label input has shape [batch] or [batch, 1]. */
export function checkLabelShape(layer: string, shape: tf.Shape): void {
  if (!(shape.length === 1 || (shape.length === 2 && (shape[1] === 1 || shape[1] == null)))) {
    throw new ShapeError(`${layer} labels`, 'shape [batch] or [batch, 1] (integer class ids)', `shape [${shape.join(', ')}]`);
  }
}

/**
 * Looks up rows of a [numClasses, dim] table for integer labels, as `oneHot(labels) · table`. This is the
 * same as a gather, but its gradient is a matrix product, which every backend (wasm included) implements;
 * tfjs' gather gradient needs `UnsortedSegmentSum`, which the wasm backend lacks. Labels outside
 * [0, numClasses) select an all-zero row.
 */
export function lookupRows(table: tf.Tensor2D, labels: tf.Tensor, numClasses: number): tf.Tensor2D {
  const oneHot = tf.cast(tf.oneHot(labelsToIndices(labels), numClasses), table.dtype) as tf.Tensor2D;
  return tf.matMul(oneHot, table);
}

/**
 * Reads a kernel, spectrally normalised with gan-kit's {@link spectralNormalize} when `u` is given (Miyato et al.
 * 2018): one power-iteration step from u per call; u is written back only when `training` (as the
 * `SpectralNormalization` wrapper does), so inference is deterministic. Call inside a `tf.tidy`.
 */
export function readKernel(
  kernel: tf.LayerVariable,
  u: tf.LayerVariable | undefined,
  powerIterations: number,
  training: boolean,
): tf.Tensor {
  if (u === undefined) return kernel.read();
  const result = spectralNormalize(kernel.read(), u.read(), { powerIterations });
  if (training) u.write(result.u);
  return result.kernel;
}

/** The initializer each gan-kit layer weight was drawn from, recorded by {@link recordInitializer}. */
const WEIGHT_INITIALIZERS = new WeakMap<tf.LayerVariable, Initializer>();

/**
 * Records that `variable` was drawn from `initializer`, so that `initializeWeights` can draw it again from a seed;
 * returns `variable`. gan-kit's layers call this on every weight they add.
 */
export function recordInitializer(variable: tf.LayerVariable, initializer: Initializer): tf.LayerVariable {
  WEIGHT_INITIALIZERS.set(variable, initializer);
  return variable;
}

/** The initializer recorded for `variable` by {@link recordInitializer}, if any. */
export function recordedInitializer(variable: tf.LayerVariable): Initializer | undefined {
  return WEIGHT_INITIALIZERS.get(variable);
}
