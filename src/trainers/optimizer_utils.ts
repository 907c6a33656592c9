import * as tf from '@tensorflow/tfjs';

import { InvalidArgumentError } from '../errors';

type NamedTensor = { name: string; tensor: tf.Tensor };

/**
 * The trainable variables of a tfjs LayersModel, in the model's fixed weight order. Pass them as the explicit
 * variable list of an update so that a generator step never moves the discriminator and vice versa.
 */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * Scales a list of gradients so that their global L2 norm is at most `maxNorm`:
 * `g_i ← g_i · min(1, maxNorm / ‖g‖)`, `‖g‖ = sqrt(Σ_i ‖g_i‖²)` (Pascanu, Mikolov, Bengio, "On the difficulty of
 * training recurrent neural networks", ICML 2013, https://arxiv.org/abs/1211.5063). Keeps directions unchanged.
 *
 * @returns new tensors (the caller disposes them) and the norm before clipping, as a scalar tensor.
 */
export function clipByGlobalNorm(
  gradients: readonly tf.Tensor[],
  maxNorm: number,
): { gradients: tf.Tensor[]; globalNorm: tf.Scalar } {
  if (!(maxNorm > 0 && Number.isFinite(maxNorm))) {
    throw new InvalidArgumentError('maxNorm', 'a positive finite number', maxNorm);
  }
  return tf.tidy(() => {
    const squares = gradients.map((g) => tf.sum(tf.square(g)));
    const globalNorm = tf.sqrt(squares.length > 0 ? tf.addN(squares) : tf.scalar(0)) as tf.Scalar;
    // min(1, maxNorm / norm); norm = 0 gives Infinity → 1.
    const scale = tf.minimum(1, tf.div(maxNorm, globalNorm));
    return { gradients: gradients.map((g) => tf.mul(g, scale)), globalNorm };
  });
}

/**
 * Runs a gradient tape's forward function; if it throws, frees the tensors the tape saved for the backward pass
 * (tfjs keeps them outside every tidy scope and drops the tape without freeing them), so that an error in a
 * loss (a bad shape, a custom penalty returning a non-scalar) leaks nothing.
 */
function freeTapeOnError(loss: () => tf.Scalar): tf.Scalar {
  try {
    return loss();
  } catch (error) {
    const state = (tf.engine() as unknown as { state: { gradientDepth: number; activeTape: { saved?: tf.Tensor[] }[] | null } }).state;
    if (state.gradientDepth === 1) for (const node of state.activeTape ?? []) tf.dispose(node.saved ?? []);
    throw error;
  }
}

/** Options of {@link applyUpdate}. */
export interface UpdateOptions {
  /** Clip the gradients to this global L2 norm before applying them (see {@link clipByGlobalNorm}). Default: none. */
  clipNorm?: number;
}

/**
 * One optimizer update of exactly `variables`: computes the gradients of `loss()` with respect to them, clips
 * them if asked, applies them with `optimizer`, and returns the loss value (the caller disposes it). Variables
 * outside the list are never changed, whatever `loss` touches.
 *
 * This is the building block of every trainer step; see docs/writing-your-own-trainer-step.md.
 *
 * @param optimizer - the optimizer that owns these variables. Use one optimizer per variable list, and pass the
 *   same list in the same order every time: tfjs optimizers keep their per-variable state (Adam's moments) by
 *   position.
 * @param loss - builds the scalar to minimise; runs under gradient recording.
 * @param variables - the variables to update (e.g. `trainableVariables(discriminator)`).
 */
export function applyUpdate(
  optimizer: tf.Optimizer,
  loss: () => tf.Scalar,
  variables: readonly tf.Variable[],
  options: UpdateOptions = {},
): tf.Scalar {
  const { value, grads } = tf.variableGrads(() => freeTapeOnError(loss), [...variables]);
  let clipped: tf.Tensor[] | undefined;
  let norm: tf.Scalar | undefined;
  try {
    const present = variables.filter((v) => grads[v.name] != null);
    let tensors = present.map((v) => grads[v.name]!);
    if (options.clipNorm !== undefined) {
      ({ gradients: clipped, globalNorm: norm } = clipByGlobalNorm(tensors, options.clipNorm));
      tensors = clipped;
    }
    const byName = new Map(present.map((v, i) => [v.name, tensors[i]!]));
    // The full list, in a fixed order, with null where a variable got no gradient: tfjs optimizers skip nulls,
    // and index their state by position, so the positions must not shift from one step to the next.
    const list = variables.map((v) => ({ name: v.name, tensor: byName.get(v.name) ?? null }));
    optimizer.applyGradients(list as unknown as NamedTensor[]);
  } finally {
    tf.dispose(Object.values(grads));
    if (clipped) tf.dispose(clipped);
    norm?.dispose();
  }
  return value;
}

interface LearningRateHolder {
  learningRate?: unknown;
  setLearningRate?: (lr: number) => void;
}

/** The learning rate an optimizer currently uses, or undefined if it has none (all tfjs optimizers have one). */
export function getLearningRate(optimizer: tf.Optimizer): number | undefined {
  const lr = (optimizer as unknown as LearningRateHolder).learningRate;
  return typeof lr === 'number' ? lr : undefined;
}

/**
 * Sets the learning rate of a tfjs optimizer in place (tfjs optimizers read it at every update). Used by the
 * trainers' learning-rate schedules.
 */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  if (!(learningRate >= 0 && Number.isFinite(learningRate))) {
    throw new InvalidArgumentError('learningRate', 'a finite number >= 0', learningRate);
  }
  const holder = optimizer as unknown as LearningRateHolder;
  if (holder.learningRate === learningRate) return;
  if (typeof holder.setLearningRate === 'function') holder.setLearningRate(learningRate);
  else holder.learningRate = learningRate;
}
