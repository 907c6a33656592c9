import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors';

/**
 * Options of Top-k training (Sinha, Zhao, Goyal, Raffel, Odena, "Top-k Training of GANs: Improving GAN
 * Performance by Throwing Away Bad Samples", NeurIPS 2020, https://arxiv.org/abs/2002.06224): in each generator
 * update only the `k` generated samples that the discriminator scores as most realistic contribute to G's loss;
 * the other `batch − k` are dropped. `k` starts at the batch size `B` and shrinks geometrically,
 * `k(s) = max(⌈ν·B⌉, ⌈B · γ^⌊s / decayEvery⌋⌉)`, where `s` is the number of completed training steps
 * (generator updates), `γ = decay` and `ν = minFraction`. The paper decays once per epoch with γ = 0.99; with
 * streamed data there is no epoch, so `decayEvery` says how many steps one decay takes.
 */
export interface TopKOptions {
  /** γ: the factor `k` is multiplied by every `decayEvery` steps, in (0, 1]. Default: 0.99 (the paper's). */
  decay?: number;
  /** ν: the smallest `k` as a fraction of the batch, in (0, 1]. Default: 0.5. */
  minFraction?: number;
  /** Training steps (generator updates) per decay of `k` (the paper's epoch). Integer >= 1. Default: 1. */
  decayEvery?: number;
}

/** {@link TopKOptions} with every default filled in and validated. */
export interface TopKSchedule {
  readonly decay: number;
  readonly minFraction: number;
  readonly decayEvery: number;
}

/**
 * Validates {@link TopKOptions} (`argument` names the option in errors, e.g. `'topK'`) and fills in defaults.
 * @throws {InvalidArgumentError} for a value out of range.
 */
export function resolveTopK(argument: string, options: TopKOptions): TopKSchedule {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(argument, '{ decay?, minFraction?, decayEvery? }', options);
  }
  const decay = options.decay ?? 0.99;
  if (typeof decay !== 'number' || !(decay > 0 && decay <= 1)) {
    throw new InvalidArgumentError(`${argument}.decay`, 'a number in (0, 1]', decay, 'The paper uses 0.99.');
  }
  const minFraction = options.minFraction ?? 0.5;
  if (typeof minFraction !== 'number' || !(minFraction > 0 && minFraction <= 1)) {
    throw new InvalidArgumentError(`${argument}.minFraction`, 'a number in (0, 1]', minFraction);
  }
  const decayEvery = options.decayEvery ?? 1;
  if (typeof decayEvery !== 'number' || !Number.isInteger(decayEvery) || decayEvery < 1) {
    throw new InvalidArgumentError(`${argument}.decayEvery`, 'an integer >= 1', decayEvery);
  }
  return Object.freeze({ decay, minFraction, decayEvery });
}

/**
 * The number of generated samples kept in the generator update after `step` completed steps, for a batch of
 * `batchSize`: `max(⌈ν·B⌉, ⌈B · γ^⌊step / decayEvery⌋⌉)`, between 1 and `batchSize`.
 */
export function topKSize(schedule: TopKSchedule, batchSize: number, step: number): number {
  const decays = Math.floor(step / schedule.decayEvery);
  const floor = Math.ceil(schedule.minFraction * batchSize);
  // The small tolerance keeps ⌈B·γ^0⌉ = B (and exact products) from rounding up through float error.
  const decayed = Math.ceil(batchSize * Math.pow(schedule.decay, decays) - 1e-9);
  return Math.min(batchSize, Math.max(1, floor, decayed));
}

/**
 * The `k` rows of `logits` (`[B, ...]`, e.g. `[B, 1]` or a PatchGAN map `[B, h, w, 1]`) whose mean logit is
 * highest, as `[k, ...]`, highest first. The choice itself is not differentiated: gradients flow to the chosen
 * rows only (a constant one-hot selection matrix times the logits). Use inside a gradient tape.
 */
export function selectTopK(logits: tf.Tensor, k: number): tf.Tensor {
  const batch = logits.shape[0]!;
  if (k >= batch) return logits;
  const rowSize = logits.size / batch;
  const flat = tf.reshape(logits, [batch, rowSize]);
  // The selection matrix [k, B] is built inside customGrad, so the tape sees one op with a zero gradient instead
  // of TopK (which has no gradient in tfjs).
  const selection = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = inputs[0] as tf.Tensor;
    const scores = rowSize === 1 ? tf.reshape(x, [batch]) : tf.mean(x, 1);
    const { indices } = tf.topk(scores, k, true);
    return { value: tf.cast(tf.oneHot(indices, batch), 'float32'), gradFunc: () => tf.zerosLike(x) };
  })(flat);
  return tf.reshape(tf.matMul(selection, flat), [k, ...logits.shape.slice(1)]);
}
