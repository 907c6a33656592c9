/**
 * Seeded weight initialization: redraw every weight of a model from its own initializer, with seeds derived from
 * one integer, so that a model's starting point is reproducible. tfjs-layers draws initial weights from unseeded
 * random streams (each initializer takes its own optional `seed`, which builders do not set), so two runs of the
 * same script otherwise start from different weights and reach different results.
 *
 * @module models/initialize_weights
 */
import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, GanKitError, InvalidArgumentError } from '../errors';
import { deserializeInitializer, recordedInitializer, type Initializer } from '../layers/layer_utils';
import { Random } from '../trainers/random';
import { optionKeys } from '../option_keys';

/** Options of {@link initializeWeights}. */
export interface InitializeWeightsOptions {
  /**
   * Integer seed in [0, 2^32). The same model architecture and seed always give the same weights, on every backend
   * (tfjs draws seeded random numbers in JavaScript, not on the backend).
   */
  seed: number;
}

/** The keys of {@link InitializeWeightsOptions} (checked against it by the compiler, both ways). */
const INITIALIZE_WEIGHTS_OPTION_KEYS = optionKeys<InitializeWeightsOptions>()(['seed']);

/**
 * Thrown by {@link initializeWeights} when a weight's initializer cannot be found or cannot be seeded. Nothing
 * has been changed when it is thrown.
 */
export class WeightInitializationError extends GanKitError {}

/**
 * Returns `value` when it is an integer in [0, 2^32) (a weight seed), else throws an `InvalidArgumentError` naming
 * `argument`.
 *
 * @internal
 */
export function checkWeightSeed(argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= 2 ** 32) {
    throw new InvalidArgumentError(argument, 'an integer in [0, 2^32)', value);
  }
  return value;
}

/** Initializers that draw no random numbers, so need no seed. */
const DETERMINISTIC_INITIALIZERS = new Set(['Zeros', 'Ones', 'Constant', 'Identity']);

/** `moving_mean` → `movingMean`. */
function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** An initializer stored on `owner` under tfjs-layers' naming convention for weight `name`, if any. */
function initializerByConvention(owner: unknown, name: string): Initializer | undefined {
  if (owner === null || typeof owner !== 'object') return undefined;
  const candidates = [`${camelCase(name)}Initializer`];
  // depthwise_kernel → depthwiseInitializer, pointwise_kernel → pointwiseInitializer (tfjs' separable convolutions).
  if (name.endsWith('_kernel')) candidates.push(`${camelCase(name.slice(0, -'_kernel'.length))}Initializer`);
  for (const key of candidates) {
    const value = (owner as Record<string, unknown>)[key];
    if (value instanceof tf.serialization.Serializable && typeof (value as Initializer).apply === 'function') {
      return value as Initializer;
    }
  }
  return undefined;
}

/**
 * The initializer `variable` (a weight of `layer`) was drawn from: the one gan-kit's layers record, else the
 * layer's `<name>Initializer` property (tfjs-layers' convention: `kernelInitializer`, `movingMeanInitializer`, …),
 * looked up on the layer, the layer it wraps (`layer.layer`) and its recurrent cell (`layer.cell`).
 */
function findInitializer(layer: tf.layers.Layer, variable: tf.LayerVariable): Initializer | undefined {
  const recorded = recordedInitializer(variable);
  if (recorded !== undefined) return recorded;
  const name = variable.originalName.slice(variable.originalName.lastIndexOf('/') + 1);
  const owners = [layer, (layer as unknown as { layer?: unknown }).layer, (layer as unknown as { cell?: unknown }).cell];
  for (const owner of owners) {
    const found = initializerByConvention(owner, name);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A copy of `initializer` that draws from `seed`, or `initializer` itself when it draws nothing at random. */
function seededCopy(initializer: Initializer, seed: number, weight: string): Initializer {
  const className = initializer.getClassName();
  if (DETERMINISTIC_INITIALIZERS.has(className)) return initializer;
  const config = initializer.getConfig();
  if (!('seed' in config)) {
    throw new WeightInitializationError(
      `initializeWeights: weight '${weight}' uses initializer ${className}, which takes no seed; give that layer ` +
        `one of tfjs' seedable initializers (e.g. tf.initializers.glorotUniform()) or set the weight yourself.`,
    );
  }
  return deserializeInitializer({ className, config: { ...config, seed } }, () => initializer);
}

/** Every layer of `model`, nested models' layers included (a nested model contributes its layers, not itself). */
function leafLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.flatMap((layer) => (layer instanceof tf.LayersModel ? leafLayers(layer) : [layer]));
}

/**
 * Redraws every weight of `model` (trainable and not: kernels, biases, batch-norm statistics, spectral-norm `u`
 * vectors) from the initializer its layer drew it from, each with its own seed derived from `options.seed` and
 * the weight's position in the model. Batch-norm moving statistics therefore return to 0 and 1, as in a freshly
 * built model.
 *
 * tfjs-layers does not seed its initializers, so two builds of one model start from different weights; after
 * `initializeWeights(model, { seed })` they start from the same ones, on every backend. gan-kit's builders take
 * a `seed` option that calls this. Weights shared by several layers are drawn once. Dropout masks are not
 * affected: they stay random on every call.
 *
 * Works on any `tf.LayersModel` whose layers are gan-kit's or follow tfjs-layers' convention of keeping each
 * weight's initializer in a `<weightName>Initializer` property (all built-in tfjs layers with weights).
 *
 * @param model - the model to reinitialize, in place.
 * @param options - `seed`: an integer in [0, 2^32).
 * @throws InvalidArgumentError when the seed is not such an integer.
 * @throws WeightInitializationError when a weight's initializer cannot be found or takes no seed; no weight has
 *   been changed then.
 */
export function initializeWeights(model: tf.LayersModel, options: InitializeWeightsOptions): void {
  checkOptionKeys('initializeWeights options', options, INITIALIZE_WEIGHTS_OPTION_KEYS);
  if (!(model instanceof tf.LayersModel)) {
    throw new InvalidArgumentError('model', 'a tf.LayersModel', model);
  }
  const seed = checkWeightSeed('options.seed', options?.seed);
  // Find every initializer before changing anything, so that a failure leaves the model as it was.
  const random = new Random(seed);
  const plan: { variable: tf.LayerVariable; initializer: Initializer }[] = [];
  const seen = new Set<number>();
  for (const layer of leafLayers(model)) {
    for (const variable of layer.weights) {
      if (seen.has(variable.id)) continue;
      seen.add(variable.id);
      const initializer = findInitializer(layer, variable);
      if (initializer === undefined) {
        throw new WeightInitializationError(
          `initializeWeights: cannot find the initializer of weight '${variable.originalName}' of layer ` +
            `'${layer.name}' (${layer.getClassName()}); the layer keeps no '<name>Initializer' property for it. ` +
            `Set that model's weights with model.setWeights instead.`,
        );
      }
      // tfjs treats a seed of 0 as "no seed", so seeds are drawn from [1, 2^31).
      plan.push({ variable, initializer: seededCopy(initializer, 1 + random.int(2 ** 31 - 1), variable.originalName) });
    }
  }
  for (const { variable, initializer } of plan) {
    tf.tidy(() => {
      variable.write(initializer.apply(variable.shape, variable.dtype));
    });
  }
}
