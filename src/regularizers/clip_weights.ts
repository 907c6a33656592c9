import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors';
import { checkNumber } from '../losses/validation';

/**
 * A weight that {@link clipWeights} can clip: a `tf.Variable`, or a tfjs-layers `LayerVariable` (what
 * `model.trainableWeights` holds).
 */
export type ClippableWeight = tf.Variable | { read(): tf.Tensor; write(value: tf.Tensor): unknown };

/**
 * Weight clipping, the original WGAN's way of keeping the critic Lipschitz: Arjovsky, Chintala, Bottou,
 * "Wasserstein GAN", ICML 2017, https://arxiv.org/abs/1701.07875 (Algorithm 1, c = 0.01).
 *
 * Sets every weight w to clip(w, −limit, limit) in place; call it after each critic update. The paper itself
 * calls clipping "a clearly terrible way to enforce a Lipschitz constraint" (capacity underuse, exploding or
 * vanishing gradients): prefer {@link gradientPenalty} or spectral normalization for new work.
 *
 * @param variables the critic's weights, e.g. `critic.trainableWeights` or a list of `tf.Variable`s.
 * @param limit c > 0, the clipping bound. The paper's value is 0.01.
 * @example
 * ```ts
 * criticOptimizer.minimize(criticLoss, false, criticVars);
 * clipWeights(critic.trainableWeights, 0.01);
 * ```
 * @throws {InvalidArgumentError} if `limit` is not a finite number > 0 or an entry is not a variable.
 */
export function clipWeights(variables: readonly ClippableWeight[], limit: number): void {
  if (!Array.isArray(variables)) {
    throw new InvalidArgumentError('variables', 'an array of tf.Variable or LayerVariable', variables);
  }
  const c = checkNumber('limit', limit, { min: 0, minExclusive: true });
  variables.forEach((v, i) => {
    const isVariable = v instanceof tf.Variable;
    const isLayerVariable =
      !isVariable && v != null && typeof (v as { read?: unknown }).read === 'function' &&
      typeof (v as { write?: unknown }).write === 'function';
    if (!isVariable && !isLayerVariable) {
      throw new InvalidArgumentError(`variables[${i}]`, 'a tf.Variable or LayerVariable', v);
    }
  });
  for (const v of variables) {
    tf.tidy(() => {
      if (v instanceof tf.Variable) v.assign(tf.clipByValue(v, -c, c));
      else v.write(tf.clipByValue(v.read(), -c, c));
    });
  }
}
