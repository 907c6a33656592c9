/**
 * Central finite differences for checking tfjs gradients (any order) against the function itself.
 *
 * The function is evaluated in float32 by tfjs; the differences and errors are taken in float64. The step
 * actually taken is the float32-rounded one, so a coordinate's derivative is (f(θ+h₊) − f(θ−h₋)) / (h₊ + h₋).
 */
import * as tf from '@tensorflow/tfjs';

/** A scalar function of one tensor. */
export type ScalarFn = (theta: tf.Tensor) => tf.Scalar | tf.Tensor;

/** Evaluates `f` at `values` (reshaped to `shape`) and returns the scalar, disposing everything it made. */
function evaluate(f: ScalarFn, values: Float32Array, shape: number[]): number {
  return tf.tidy(() => f(tf.tensor(values, shape)).dataSync()[0]);
}

/** Central differences of `f` at `theta` along the given flat coordinates, step `eps`. */
export function centralDifferences(f: ScalarFn, theta: tf.Tensor, coords: readonly number[], eps: number): number[] {
  const base = Float32Array.from(theta.dataSync() as Float32Array);
  return coords.map((k) => {
    const plus = base.slice();
    const minus = base.slice();
    plus[k] = Math.fround(base[k] + eps);
    minus[k] = Math.fround(base[k] - eps);
    return (evaluate(f, plus, theta.shape) - evaluate(f, minus, theta.shape)) / (plus[k] - minus[k]);
  });
}

/** Central differences of `f()` along coordinates of a variable it reads; the variable is restored after. */
export function variableCentralDifferences(
  f: () => tf.Scalar | tf.Tensor,
  variable: tf.Variable,
  coords: readonly number[],
  eps: number,
): number[] {
  const base = Float32Array.from(variable.dataSync() as Float32Array);
  const at = (values: Float32Array): number => {
    tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
    return tf.tidy(() => f().dataSync()[0]);
  };
  try {
    return coords.map((k) => {
      const plus = base.slice();
      const minus = base.slice();
      plus[k] = Math.fround(base[k] + eps);
      minus[k] = Math.fround(base[k] - eps);
      return (at(plus) - at(minus)) / (plus[k] - minus[k]);
    });
  } finally {
    tf.tidy(() => variable.assign(tf.tensor(base, variable.shape)));
  }
}

/** The gradient of `f` at `theta` by tfjs's autodiff, as plain numbers. */
export function autodiffGradient(f: ScalarFn, theta: tf.Tensor): Float32Array {
  return tf.tidy(() => tf.grad((t: tf.Tensor) => f(t) as tf.Scalar)(theta).dataSync() as Float32Array).slice();
}

/** ‖a − b‖ / ‖b‖ (b the reference), in float64. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

/** Euclidean norm. */
export function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] ** 2;
  return Math.sqrt(s);
}

/** Up to `count` flat coordinates spread evenly over `size` (all of them when size <= count). */
export function spreadCoords(size: number, count: number): number[] {
  if (size <= count) return Array.from({ length: size }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.floor(((i + 0.5) * size) / count));
}
