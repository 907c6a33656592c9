/**
 * Small helpers shared by gan-kit's gradient registrations (src/backend/gradients).
 *
 * Every helper here is built from ops whose gradients are themselves correct at any order, so a gradient
 * written with them can be differentiated again.
 */
import * as tf from '@tensorflow/tfjs';

/** The kernel's upstream gradient: every kernel gan-kit registers a gradient for has exactly one output. */
export function single(dy: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(dy) ? dy[0] : dy;
}

/** A float32 zero gradient of the given shape (backprop requires float32 gradients, whatever the input dtype). */
export function zeroGrad(shape: readonly number[]): tf.Tensor {
  return tf.zeros(shape as number[], 'float32');
}

/**
 * Sums `t` over the axes along which a tensor of `shape` was broadcast to `t.shape`, and reshapes the result
 * to `shape`: the gradient of a broadcast input.
 */
export function sumToShape(t: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const target = shape as number[];
  const axes = tf.backend_util.getReductionAxes(target, t.shape);
  const reduced = axes.length > 0 ? tf.sum(t, axes) : t;
  return tf.reshape(reduced, target);
}

/** Runs a registered kernel by name: for kernels tfjs has no public op for (e.g. `Conv2DBackpropFilter`). */
export function runKernel(kernelName: string, inputs: tf.NamedTensorMap, attrs: object): tf.Tensor {
  return tf.engine().runKernel<tf.Tensor>(kernelName, inputs, attrs as unknown as tf.NamedAttrMap);
}

/** Reads a kernel's attributes with their declared type (tfjs passes them untyped to gradient functions). */
export function attrsAs<T>(attrs: tf.NamedAttrMap): T {
  return attrs as unknown as T;
}
