/**
 * The gradient of `MirrorPad` (`tf.mirrorPad`, 'reflect' and 'symmetric'): the exact adjoint of the padding.
 *
 * Stock tfjs 4.22's gradient only slices the centre out of the upstream gradient, so everything that flows back
 * through the reflected copies is dropped: wrong at first order, on every backend. With `[1, 2, 3]`
 * reflect-padded by 2 on both sides (`[3, 2, 1, 2, 3, 2, 1]`) and upstream gradient
 * `[1, 10, 100, 1000, 10⁴, 10⁵, 10⁶]`, the stock gradient is `[100, 1000, 10⁴]`; the right one is
 * `[100 + 10⁶, 10 + 1000 + 10⁵, 1 + 10⁴] = [1000100, 101010, 10001]`.
 *
 * Mirror padding acts on each axis separately, so its adjoint is the composition of the per-axis adjoints.
 * Along an axis of length n padded by [a, b], with shift s = 1 ('reflect': the border is not repeated) or
 * s = 0 ('symmetric': it is), output position k reads input
 * - a − 1 − k + s for k < a (the left copy, reversed),
 * - k − a for a ≤ k < a + n (the centre),
 * - n − 1 − s − (k − a − n) for k ≥ a + n (the right copy, reversed).
 * The adjoint therefore adds to the centre slice of the upstream gradient the left slice reversed and placed
 * at input positions [s, s + a), and the right slice reversed and placed at [n − s − b, n − s).
 *
 * It is built from Slice, Reverse, Pad and Add only, whose gradients are exact and linear, so it composes to
 * any order: its own gradient with respect to the upstream gradient is mirror padding again.
 */
import * as tf from '@tensorflow/tfjs';
import { attrsAs, single } from './util';

/** Paddings that pad only `axis`, by [before, after]. */
function padAlong(rank: number, axis: number, before: number, after: number): Array<[number, number]> {
  return Array.from({ length: rank }, (_, i): [number, number] => (i === axis ? [before, after] : [0, 0]));
}

/** `t[.., start : start + size, ..]` along `axis`. */
function sliceAlong(t: tf.Tensor, axis: number, start: number, size: number): tf.Tensor {
  const begin = t.shape.map((_, i) => (i === axis ? start : 0));
  const sizes = t.shape.map((d, i) => (i === axis ? size : d));
  return tf.slice(t, begin, sizes);
}

/**
 * The adjoint of mirror-padding one axis of length `n` by [a, b]: folds the upstream gradient `g` (length
 * a + n + b along `axis`) back onto length n.
 */
function foldAxis(g: tf.Tensor, axis: number, n: number, a: number, b: number, shift: number): tf.Tensor {
  let folded = sliceAlong(g, axis, a, n);
  if (a > 0) {
    const left = tf.reverse(sliceAlong(g, axis, 0, a), axis);
    folded = tf.add(folded, tf.pad(left, padAlong(g.rank, axis, shift, n - shift - a)));
  }
  if (b > 0) {
    const right = tf.reverse(sliceAlong(g, axis, a + n, b), axis);
    folded = tf.add(folded, tf.pad(right, padAlong(g.rank, axis, n - shift - b, shift)));
  }
  return folded;
}

/** The adjoint of `tf.mirrorPad(·, paddings, mode)` applied to `dy`, for an input of shape `xShape`. */
export function mirrorPadAdjoint(
  dy: tf.Tensor,
  xShape: readonly number[],
  paddings: ReadonlyArray<readonly [number, number]>,
  mode: 'reflect' | 'symmetric',
): tf.Tensor {
  const shift = mode === 'reflect' ? 1 : 0;
  let g = dy;
  for (let axis = 0; axis < xShape.length; axis++) {
    const [a, b] = paddings[axis];
    if (a === 0 && b === 0) continue;
    g = foldAxis(g, axis, xShape[axis], a, b, shift);
  }
  return g === dy ? tf.clone(dy) : g; // a new tensor even when nothing was padded
}

const mirrorPadGrad: tf.GradConfig = {
  kernelName: 'MirrorPad',
  inputsToSave: ['x'],
  gradFunc: (dy, [x], attrs) => ({
    x: () => {
      const { paddings, mode } = attrsAs<tf.MirrorPadAttrs>(attrs);
      return mirrorPadAdjoint(single(dy), x.shape, paddings, mode);
    },
  }),
};

/** Padding gradients. */
export const paddingGradients: readonly tf.GradConfig[] = [mirrorPadGrad];
