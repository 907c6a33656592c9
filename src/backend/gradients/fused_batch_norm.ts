/**
 * Gradient of `FusedBatchNorm` (tf.batchNorm; tfjs-layers BatchNormalization) by broadcasting.
 *
 * y = (x − mean) · rsqrt(variance + ε) · scale + offset, every parameter broadcast against x. Stock tfjs
 * materialises rsqrt(variance + ε) at the full size of x with `Tile` for the input gradient (a third of a
 * second per DCGAN step on wasm); broadcasting multiplies give the same numbers with no copy. Built only from
 * the saved inputs and differentiable ops, so it is also correct at second order (gradient penalties through
 * a batch-normalised critic).
 *
 * @internal
 */
import * as tf from '@tensorflow/tfjs';

/** Sums `t` down to `shape` over the axes broadcasting expanded, then reshapes to `shape`. */
function reduceTo(t: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, t.shape);
  const summed = axes.length > 0 ? tf.sum(t, axes) : t;
  return tf.reshape(summed, shape);
}

/** The gradient config; installed with the others by `registerSecondOrderGradients()`. */
export const fusedBatchNormGradConfig: tf.GradConfig = {
  kernelName: 'FusedBatchNorm',
  // The same inputs stock tfjs saves. (Saving `offset` would break calls without one: the engine cannot save a
  // missing input. Its gradient has the shape of `mean`, which tfjs requires `offset` to match in rank.)
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs?: tf.NamedAttrMap) => {
    const g = dy as tf.Tensor;
    const [x, mean, variance, scale] = saved;
    const eps = (attrs as { varianceEpsilon: number }).varianceEpsilon;
    const inv = () => tf.rsqrt(tf.add(variance, eps));
    const dyScaled = () => (scale == null ? g : tf.mul(g, scale));
    return {
      x: () => tf.mul(dyScaled(), inv()),
      mean: () => reduceTo(tf.neg(tf.mul(dyScaled(), inv())), mean.shape),
      variance: () => {
        const i = inv();
        const dInv = tf.mul(tf.mul(i, i), tf.mul(i, -0.5)); // d rsqrt(v + ε) / dv
        return reduceTo(tf.mul(tf.mul(dyScaled(), tf.sub(x, mean)), dInv), variance.shape);
      },
      scale: () => reduceTo(tf.mul(g, tf.mul(tf.sub(x, mean), inv())), (scale ?? mean).shape),
      offset: () => reduceTo(g, mean.shape),
    };
  },
};
