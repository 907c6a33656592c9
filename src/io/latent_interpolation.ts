/**
 * Interpolation between latent codes, to walk a generator's latent space: linear (lerp) and spherical (slerp).
 * For a Gaussian prior, slerp keeps intermediate codes at the norm typical of the prior, where lerp passes
 * through low-norm codes the generator rarely saw (White, "Sampling Generative Networks", 2016,
 * https://arxiv.org/abs/1609.04468).
 *
 * Vectors are the rows of the tensors: a rank-1 tensor `[d]` is one vector; for rank >= 2 each entry of the
 * first axis is one vector (its other axes taken together, e.g. `[n, 4, 4, 8]` spatial latents).
 *
 * @module io/latent_interpolation
 */
import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError, ShapeError } from '../errors';
import { optionKeys } from '../option_keys';

function checkPair(z0: tf.Tensor, z1: tf.Tensor): void {
  if (!(z0 instanceof tf.Tensor) || !(z1 instanceof tf.Tensor)) {
    throw new InvalidArgumentError('z0, z1', 'two tensors', !(z0 instanceof tf.Tensor) ? z0 : z1);
  }
  if (!tf.util.arraysEqual(z0.shape, z1.shape)) {
    throw new ShapeError('z1', `the shape of z0 [${z0.shape.join(', ')}]`, `shape [${z1.shape.join(', ')}]`);
  }
  if (z0.rank === 0) throw new ShapeError('z0', 'a vector [d] or a batch of vectors [n, ...]', 'a scalar');
}

function checkT(t: number, argument = 't'): void {
  if (typeof t !== 'number' || !Number.isFinite(t)) throw new InvalidArgumentError(argument, 'a finite number (0 gives z0, 1 gives z1)', t);
}

/**
 * Linear interpolation `(1 − t)·z0 + t·z1`.
 *
 * @param z0 - start code(s), any shape. Not disposed.
 * @param z1 - end code(s), the same shape. Not disposed.
 * @param t - position: 0 gives z0, 1 gives z1 (values outside [0, 1] extrapolate).
 * @returns a new tensor of the same shape.
 * @example
 * ```ts
 * const mid = lerp(z0, z1, 0.5);
 * ```
 */
export function lerp(z0: tf.Tensor, z1: tf.Tensor, t: number): tf.Tensor {
  checkPair(z0, z1);
  checkT(t);
  return tf.tidy(() => tf.add(tf.mul(z0, 1 - t), tf.mul(z1, t)));
}

/**
 * Spherical linear interpolation (Shoemake 1985; for GAN latents, White 2016,
 * https://arxiv.org/abs/1609.04468): with Ω the angle between z0 and z1,
 * `slerp(z0, z1, t) = sin((1 − t)Ω)/sin Ω · z0 + sin(tΩ)/sin Ω · z1`, per vector (see the module notes).
 * The path follows the great circle between the two directions; when the norms are equal it stays on that
 * sphere. Where Ω is (numerically) 0 or π — parallel or opposite codes, for which the arc is not defined by the
 * formula — it falls back to {@link lerp}.
 *
 * @param z0 - start code(s) `[d]` or `[n, ...]`. Not disposed.
 * @param z1 - end code(s), the same shape. Not disposed.
 * @param t - position: 0 gives z0, 1 gives z1.
 * @returns a new tensor of the same shape.
 * @example
 * ```ts
 * const z = slerp(tf.randomNormal([8, 128]), tf.randomNormal([8, 128]), 0.25); // 8 codes, a quarter of the way
 * ```
 */
export function slerp(z0: tf.Tensor, z1: tf.Tensor, t: number): tf.Tensor {
  checkPair(z0, z1);
  checkT(t);
  return tf.tidy(() => {
    const rows = z0.rank === 1 ? 1 : z0.shape[0]!;
    const a = tf.reshape(z0, [rows, -1]);
    const b = tf.reshape(z1, [rows, -1]);
    const normA = tf.norm(a, 'euclidean', 1, true);
    const normB = tf.norm(b, 'euclidean', 1, true);
    const cos = tf.clipByValue(tf.div(tf.sum(tf.mul(a, b), 1, true), tf.maximum(tf.mul(normA, normB), 1e-30)), -1, 1);
    const omega = tf.acos(cos);
    const sinOmega = tf.sin(omega);
    // sin Ω below ~1e-6 (Ω within ~0.06° of 0 or 180°, or a zero vector): the weights are ill-conditioned; use lerp.
    const degenerate = tf.less(sinOmega, 1e-6);
    const safeSin = tf.where(degenerate, tf.onesLike(sinOmega), sinOmega);
    const wA = tf.where(degenerate, tf.fill(sinOmega.shape, 1 - t), tf.div(tf.sin(tf.mul(omega, 1 - t)), safeSin));
    const wB = tf.where(degenerate, tf.fill(sinOmega.shape, t), tf.div(tf.sin(tf.mul(omega, t)), safeSin));
    return tf.reshape(tf.add(tf.mul(wA, a), tf.mul(wB, b)), z0.shape);
  });
}

/** Options of {@link interpolateLatents}. */
export interface InterpolateLatentsOptions {
  /** `'slerp'` (default; for Gaussian priors) or `'lerp'` (for uniform priors, or to compare). */
  method?: 'slerp' | 'lerp';
}

/** The keys of {@link InterpolateLatentsOptions} (checked against it by the compiler, both ways). */
const INTERPOLATE_LATENTS_OPTION_KEYS = optionKeys<InterpolateLatentsOptions>()(['method']);

/**
 * Evenly spaced codes from z0 to z1, both ends included: `steps` codes at t = 0, 1/(steps − 1), …, 1, stacked
 * along a new first axis. Feed them to a generator to render a latent walk (one grid row per pair).
 *
 * @param z0 - start code `[d]` (or any shape without a batch axis, e.g. `[4, 4, 8]`). Not disposed.
 * @param z1 - end code, the same shape. Not disposed.
 * @param steps - number of codes, >= 2.
 * @returns a new tensor `[steps, ...z0.shape]`.
 * @example
 * ```ts
 * const walk = interpolateLatents(tf.randomNormal([100]), tf.randomNormal([100]), 8); // [8, 100]
 * const frames = generator.predict(walk) as tf.Tensor4D;
 * ```
 */
export function interpolateLatents(
  z0: tf.Tensor,
  z1: tf.Tensor,
  steps: number,
  options: InterpolateLatentsOptions = {},
): tf.Tensor {
  checkOptionKeys('interpolateLatents options', options, INTERPOLATE_LATENTS_OPTION_KEYS);
  checkPair(z0, z1);
  if (!Number.isInteger(steps) || steps < 2) throw new InvalidArgumentError('steps', 'an integer >= 2 (both ends are included)', steps);
  const method = options.method ?? 'slerp';
  if (method !== 'slerp' && method !== 'lerp') throw new InvalidArgumentError('options.method', "'slerp' or 'lerp'", options.method);
  return tf.tidy(() => {
    // One vector per code: flatten, so slerp sees the whole code as one vector.
    const a = tf.reshape(z0, [1, -1]);
    const b = tf.reshape(z1, [1, -1]);
    const rows = Array.from({ length: steps }, (_, i) => {
      const t = i / (steps - 1);
      return method === 'slerp' ? slerp(a, b, t) : lerp(a, b, t);
    });
    return tf.reshape(tf.concat(rows, 0), [steps, ...z0.shape]);
  });
}
