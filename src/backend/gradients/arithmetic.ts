/**
 * Second-order-correct gradients of arithmetic and reduction kernels: Pow, Rsqrt, Max, Min, Tile.
 *
 * - Pow, Max and Min: stock tfjs 4.22 reads the kernel's saved output, which loses gradient at second order
 *   (see docs/second-order-gradients.md); here the output is recomputed from the saved inputs.
 * - Pow: the exponent's gradient takes `log(a)` only where `a > 0`, and feeds `log` a safe value elsewhere, so
 *   the discarded branch cannot turn into NaN when differentiated again.
 * - Rsqrt: written with rsqrt itself (d/dx x^-1/2 = -1/2 · rsqrt(x)^3) instead of a Pow.
 * - Tile: stock sums one slice per repetition (hundreds of kernels for a batch-sized tile, as in
 *   tfjs-layers' LayerNormalization); here one reshape and one sum per tiled axis.
 */
import * as tf from '@tensorflow/tfjs';
import { attrsAs, single, sumToShape } from './util';

const powGrad: tf.GradConfig = {
  kernelName: 'Pow',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, [a, b]) => {
    const g = single(dy);
    const base = tf.cast(a, 'float32');
    const exponent = tf.cast(b, 'float32');
    return {
      a: () => sumToShape(tf.mul(g, tf.mul(exponent, tf.pow(base, tf.sub(exponent, tf.scalar(1))))), a.shape),
      b: () => {
        const positive = tf.greater(base, 0);
        const safeBase = tf.where(positive, base, tf.onesLike(base));
        const logBase = tf.where(positive, tf.log(safeBase), tf.zerosLike(base));
        return sumToShape(tf.mul(g, tf.mul(tf.pow(base, exponent), logBase)), b.shape);
      },
    };
  },
};

const rsqrtGrad: tf.GradConfig = {
  kernelName: 'Rsqrt',
  inputsToSave: ['x'],
  gradFunc: (dy, [x]) => ({
    x: () => {
      const r = tf.rsqrt(x);
      return tf.mul(single(dy), tf.mul(tf.scalar(-0.5), tf.mul(r, tf.square(r))));
    },
  }),
};

/**
 * Gradient of a max or min reduction: the upstream gradient goes to every element equal to the extremum (as
 * in stock tfjs, ties all receive it). `extremum` is recomputed with keepDims from the saved input.
 */
function extremumGrad(dy: tf.Tensor, x: tf.Tensor, extremumKeepDims: tf.Tensor): tf.Tensor {
  const g = tf.reshape(dy, extremumKeepDims.shape);
  const mask = tf.cast(tf.equal(x, extremumKeepDims), 'float32');
  return tf.mul(g, mask);
}

const maxGrad: tf.GradConfig = {
  kernelName: 'Max',
  inputsToSave: ['x'],
  gradFunc: (dy, [x], attrs) => ({
    x: () => {
      const axes = tf.util.parseAxisParam(attrsAs<tf.MaxAttrs>(attrs).reductionIndices, x.shape);
      return extremumGrad(single(dy), x, tf.max(x, axes, true));
    },
  }),
};

const minGrad: tf.GradConfig = {
  kernelName: 'Min',
  inputsToSave: ['x'],
  gradFunc: (dy, [x], attrs) => ({
    x: () => {
      const axes = tf.util.parseAxisParam(attrsAs<tf.MinAttrs>(attrs).axis, x.shape);
      return extremumGrad(single(dy), x, tf.min(x, axes, true));
    },
  }),
};

/**
 * Tile repeats `x` `reps[i]` times along axis i, so output index `k * x.shape[i] + j` holds `x[j]`; the
 * gradient sums, for every axis, the `reps[i]` blocks of the upstream gradient.
 */
const tileGrad: tf.GradConfig = {
  kernelName: 'Tile',
  inputsToSave: ['x'],
  gradFunc: (dy, [x], attrs) => ({
    x: () => {
      const { reps } = attrsAs<tf.TileAttrs>(attrs);
      let g = single(dy);
      for (let axis = 0; axis < x.rank; axis++) {
        if (reps[axis] === 1) continue;
        const outer = g.shape.slice(0, axis).reduce((p, s) => p * s, 1);
        const inner = g.shape.slice(axis + 1).reduce((p, s) => p * s, 1);
        const summed = tf.sum(tf.reshape(g, [outer, reps[axis], x.shape[axis] * inner]), 1);
        const shape = g.shape.slice();
        shape[axis] = x.shape[axis];
        g = tf.reshape(summed, shape);
      }
      return tf.reshape(g, x.shape); // a new tensor even when nothing was tiled
    },
  }),
};

/** Arithmetic, reduction and tiling gradients that save only inputs. */
export const arithmeticGradients: readonly tf.GradConfig[] = [powGrad, rsqrtGrad, maxGrad, minGrad, tileGrad];
