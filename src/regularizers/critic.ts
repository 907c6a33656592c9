/**
 * The critic-as-a-function type shared by the gradient penalties, and the per-sample input-gradient norm they
 * are built from.
 *
 * @module regularizers/critic
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '../errors';
import { formatShape } from '../losses/validation';

/**
 * A discriminator (critic) as a function of a batch of inputs: `x` of shape [batch, ...] → scores of shape
 * [batch, ...] (e.g. [batch, 1], or [batch, h, w, 1] for a PatchGAN). The penalties differentiate it twice, so it
 * must be built from ops with correct second-order gradients (gan-kit registers them on import) and must not mix
 * samples of the batch (no batch normalization in training mode).
 *
 * A tfjs `LayersModel` works through its `apply`:
 * ```ts
 * const criticFn: CriticFn = (x) => critic.apply(x, { training: true }) as tf.Tensor;
 * ```
 */
export type CriticFn = (x: tf.Tensor) => tf.Tensor;

/** Throws an {@link InvalidArgumentError} unless `critic` is a function. */
export function checkCritic(critic: unknown): CriticFn {
  if (typeof critic !== 'function') {
    throw new InvalidArgumentError(
      'critic',
      'a function (x: tf.Tensor) => tf.Tensor',
      critic,
      'For a LayersModel pass (x) => model.apply(x, { training: true }) as tf.Tensor.',
    );
  }
  return critic as CriticFn;
}

/** Returns why `scores` is not a valid critic output for input `x`, or null when it is. */
function invalidScores(scores: unknown, x: tf.Tensor): Error | null {
  if (!(scores instanceof tf.Tensor)) {
    return new InvalidArgumentError('critic(x)', 'a single tf.Tensor', scores);
  }
  if (scores.rank === 0 || scores.shape[0] !== x.shape[0]) {
    return new ShapeError(
      'critic(x)',
      `scores of shape [${x.shape[0]}, ...] for an input of shape ${formatShape(x.shape)}`,
      scores,
      'The critic must return one score (or one patch of scores) per sample, not a reduced value.',
    );
  }
  if (scores.dtype !== 'float32') return new InvalidArgumentError('critic(x)', 'float32 scores', scores);
  return null;
}

/**
 * ‖∇ₓ D(x)‖² per sample: the gradient of sum(D(x)) with respect to `x`, squared and summed over every axis but
 * the batch axis, shape [batch]. Samples do not interact in D, so row i is the gradient of sample i's own
 * score(s). The result stays differentiable with respect to the critic's weights (the backward pass runs on
 * the outer gradient tape), which is what the penalties need. Call inside a `tf.tidy`.
 *
 * @throws {ShapeError} if the critic does not return one score (or patch of scores) per sample.
 */
export function squaredGradientNorms(critic: CriticFn, x: tf.Tensor): tf.Tensor1D {
  let problem: Error | null = null;
  const gradient = tf.grad((input: tf.Tensor) => {
    let scores: unknown = critic(input);
    if (Array.isArray(scores) && scores.length === 1) scores = scores[0];
    problem = invalidScores(scores, input);
    // On a bad output, finish the gradient computation anyway (on a dummy) so that tfjs frees the tensors
    // it saved for the backward pass, then report the problem.
    return problem === null ? tf.sum(scores as tf.Tensor) : tf.sum(tf.mul(input, 0));
  })(x);
  if (problem !== null) {
    gradient.dispose();
    throw problem;
  }
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i + 1);
  const squares = tf.square(gradient);
  return (axes.length === 0 ? squares : tf.sum(squares, axes)) as tf.Tensor1D;
}
