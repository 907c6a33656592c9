/**
 * Second-order-correct gradients of activation kernels.
 *
 * Stock tfjs 4.22 computes the gradients of Exp, Sigmoid, Tanh, Elu and Softmax from the kernel's saved
 * *output*. The engine saves that output as a clone whose tape node comes before the kernel's own node, so when
 * such a gradient is differentiated again, the part flowing through the saved output arrives after the kernel
 * was already processed and is silently dropped (see docs/second-order-gradients.md). Here every gradient
 * saves only the kernel's inputs and recomputes what it needs from them with differentiable ops.
 */
import * as tf from '@tensorflow/tfjs';
import { attrsAs, single } from './util';

/** `min(x, 0)`: keeps `exp` finite in the branch `where` discards (an overflow there turns into NaN at 2nd order). */
function negativePart(x: tf.Tensor): tf.Tensor {
  return tf.minimum(x, tf.scalar(0));
}

const expGrad: tf.GradConfig = {
  kernelName: 'Exp',
  inputsToSave: ['x'],
  gradFunc: (dy, [x]) => ({ x: () => tf.mul(single(dy), tf.exp(x)) }),
};

const sigmoidGrad: tf.GradConfig = {
  kernelName: 'Sigmoid',
  inputsToSave: ['x'],
  gradFunc: (dy, [x]) => ({
    x: () => {
      const s = tf.sigmoid(x);
      return tf.mul(single(dy), tf.mul(s, tf.sub(tf.scalar(1), s)));
    },
  }),
};

const tanhGrad: tf.GradConfig = {
  kernelName: 'Tanh',
  inputsToSave: ['x'],
  gradFunc: (dy, [x]) => ({
    x: () => tf.mul(single(dy), tf.sub(tf.scalar(1), tf.square(tf.tanh(x)))),
  }),
};

/** elu(x) = x for x > 0, exp(x) - 1 otherwise; elu'(x) = 1 for x > 0, exp(x) otherwise. No EluGrad kernel. */
const eluGrad: tf.GradConfig = {
  kernelName: 'Elu',
  inputsToSave: ['x'],
  gradFunc: (dy, [x]) => ({
    x: () => {
      const g = single(dy);
      return tf.where(tf.greater(x, 0), g, tf.mul(g, tf.exp(negativePart(x))));
    },
  }),
};

/**
 * The EluGrad kernel computes `dy` where `y >= 0` and `dy * (y + 1)` elsewhere, from elu's output `y`. It is
 * linear in `dy`, and its derivative in `y` is `dy` on the negative side. Registered for code that still calls
 * the kernel (gan-kit's own Elu gradient above does not).
 */
const eluGradGrad: tf.GradConfig = {
  kernelName: 'EluGrad',
  inputsToSave: ['dy', 'y'],
  gradFunc: (ddx, [dy, y]) => {
    const g = single(ddx);
    const nonNegative = tf.greaterEqual(y, 0);
    return {
      dy: () => tf.where(nonNegative, g, tf.mul(g, tf.add(y, tf.scalar(1)))),
      y: () => tf.where(nonNegative, tf.zerosLike(g), tf.mul(g, dy)),
    };
  },
};

/** selu(x) = scale * x for x > 0, scale * alpha * (exp(x) - 1) otherwise (Klambauer et al. 2017). */
const seluGrad: tf.GradConfig = {
  kernelName: 'Selu',
  inputsToSave: ['x'],
  gradFunc: (dy, [x]) => ({
    x: () => {
      const g = single(dy);
      const { SELU_SCALE, SELU_SCALEALPHA } = tf.backend_util;
      return tf.where(
        tf.greater(x, 0),
        tf.mul(g, tf.scalar(SELU_SCALE)),
        tf.mul(g, tf.mul(tf.scalar(SELU_SCALEALPHA), tf.exp(negativePart(x)))),
      );
    },
  }),
};

/** softmax: dx = y * (dy - sum(dy * y, dim)), with y = softmax(x) recomputed from the saved logits. */
const softmaxGrad: tf.GradConfig = {
  kernelName: 'Softmax',
  inputsToSave: ['logits'],
  gradFunc: (dy, [logits], attrs) => ({
    logits: () => {
      const { dim } = attrsAs<tf.SoftmaxAttrs>(attrs);
      const y = tf.softmax(logits, dim);
      const dyTimesY = tf.mul(single(dy), y);
      return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, dim, true), y));
    },
  }),
};

/** Activation gradients that save only inputs and recompute from them. */
export const activationGradients: readonly tf.GradConfig[] = [
  expGrad,
  sigmoidGrad,
  tanhGrad,
  eluGrad,
  eluGradGrad,
  seluGrad,
  softmaxGrad,
];
