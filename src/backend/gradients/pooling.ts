/**
 * Second-order-correct gradients of 2-D average and max pooling and of their gradient kernels.
 *
 * Average pooling. tfjs averages over the window's elements that lie inside the image (padding excluded, as
 * TensorFlow does), but its AvgPoolGrad kernel divides by the full window size on both cpu and wasm, so stock
 * tfjs 4.22's first-order gradient of `avgPool(…, 'same')` is wrong near the borders. With W(y) the window sum
 * (zero padding) and n(y) the number of in-image elements of window y, the forward pass is
 * avg(x)_y = W(x)_y / n(y) and AvgPoolGrad(dy) = Wᵀ(dy) / (fh·fw), so
 * - AvgPool's gradient is AvgPoolGrad(dy · fh·fw / n): exact for every padding;
 * - AvgPoolGrad is linear in dy, with adjoint W(ddx) / (fh·fw) = avgPool(ddx) · n / (fh·fw).
 * The AvgPoolGrad kernels (cpu and wasm) ignore `dimRoundingMode`: with a numeric pad and 'ceil' or 'round'
 * rounding, where the forward pass has more windows than the floor rule gives, they read dy with the floor
 * rule's row length (wrong at first order in stock tfjs too). AvgPool's gradient therefore passes them the same
 * windows as explicit padding (the bottom/right padding grown to fit the extra windows), for which every
 * rounding mode agrees; AvgPoolGrad's own gradient follows the kernel and ignores `dimRoundingMode` as well.
 *
 * Max pooling. Stock tfjs saves the pooled output for MaxPoolGrad (lost at second order) and has no gradient
 * for MaxPoolGrad. Here MaxPool saves only its input and recomputes the pooled output. MaxPoolGrad routes each
 * window's upstream gradient to the window's maximum, so it is linear in dy and piecewise constant in the
 * input; its adjoint reads ddx at each window's maximum, i.e. gathers at the argmax. That gather is a custom op
 * whose own gradient is MaxPoolGrad again, so any order composes. Where a window holds tied maxima, the argmax
 * and MaxPoolGrad must pick the same one (both pick the first in row-major order on cpu and wasm).
 */
import * as tf from '@tensorflow/tfjs';
import { attrsAs, runKernel, single, zeroGrad } from './util';

type PoolAttrs = tf.AvgPoolAttrs; // filterSize, strides, pad, dimRoundingMode: the same for AvgPool and MaxPool

function poolInfo(xShape: readonly number[], attrs: PoolAttrs): tf.backend_util.Conv2DInfo {
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  return tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
}

/** Number of elements of a window of `size` starting at `start` that fall inside [0, extent). */
function inside(start: number, size: number, extent: number): number {
  return Math.max(0, Math.min(extent, start + size) - Math.max(0, start));
}

/**
 * `fh·fw / n(y)` for every output position y, shape [1, outHeight, outWidth, 1]; null when every window lies
 * fully inside the image (then the factor is 1 everywhere).
 */
function fullOverValidCount(xShape: readonly number[], attrs: PoolAttrs): tf.Tensor | null {
  const info = poolInfo(xShape, attrs);
  const { outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, inHeight, inWidth } = info;
  const values = new Float32Array(outHeight * outWidth);
  let partial = false;
  for (let r = 0; r < outHeight; r++) {
    const rows = inside(r * strideHeight - info.padInfo.top, filterHeight, inHeight);
    for (let c = 0; c < outWidth; c++) {
      const cols = inside(c * strideWidth - info.padInfo.left, filterWidth, inWidth);
      const count = rows * cols;
      if (count !== filterHeight * filterWidth) partial = true;
      values[r * outWidth + c] = (filterHeight * filterWidth) / count;
    }
  }
  return partial ? tf.tensor4d(values, [1, outHeight, outWidth, 1]) : null;
}

/**
 * The windows of `attrs` with explicit padding and no rounding mode: the form AvgPoolGrad understands (it
 * ignores `dimRoundingMode`). Bottom/right padding grows so that exactly outHeight × outWidth windows fit.
 */
function explicitWindows(xShape: readonly number[], attrs: PoolAttrs): PoolAttrs {
  if (attrs.dimRoundingMode == null) return attrs;
  const info = poolInfo(xShape, attrs);
  const { top, bottom, left, right } = info.padInfo;
  const fit = (out: number, stride: number, filter: number, size: number, before: number) =>
    (out - 1) * stride + filter - size - before;
  const explicit: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [top, Math.max(bottom, fit(info.outHeight, info.strideHeight, info.filterHeight, info.inHeight, top))],
    [left, Math.max(right, fit(info.outWidth, info.strideWidth, info.filterWidth, info.inWidth, left))],
    [0, 0],
  ];
  return { filterSize: attrs.filterSize, strides: attrs.strides, pad: explicit };
}

const avgPoolGrad: tf.GradConfig = {
  kernelName: 'AvgPool',
  inputsToSave: ['x'],
  gradFunc: (dy, [x], attrs) => ({
    x: () => {
      const poolAttrs = explicitWindows(x.shape, attrsAs<PoolAttrs>(attrs));
      const factor = fullOverValidCount(x.shape, poolAttrs);
      const g = factor == null ? single(dy) : tf.mul(single(dy), factor);
      return runKernel('AvgPoolGrad', { dy: g, input: x }, poolAttrs);
    },
  }),
};

const avgPoolGradGrad: tf.GradConfig = {
  kernelName: 'AvgPoolGrad',
  gradFunc: (ddx, _saved, attrs) => {
    const g = single(ddx); // shaped like the pooled input
    return {
      dy: () => {
        // The kernel ignores dimRoundingMode (see the file doc), so its adjoint does too.
        const { filterSize, strides, pad } = attrsAs<PoolAttrs>(attrs);
        const poolAttrs: PoolAttrs = { filterSize, strides, pad };
        const pooled = tf.avgPool(g as tf.Tensor4D, filterSize, strides, pad);
        const factor = fullOverValidCount(g.shape, poolAttrs);
        return factor == null ? pooled : tf.div(pooled, factor);
      },
      input: () => zeroGrad(g.shape),
    };
  },
};

/** MaxPoolGrad(dy, x, maxPool(x)): routes dy to each window's maximum. */
function maxPoolBackprop(dy: tf.Tensor, x: tf.Tensor, attrs: PoolAttrs): tf.Tensor {
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const output = tf.maxPool(x as tf.Tensor4D, filterSize, strides, pad, dimRoundingMode);
  return runKernel('MaxPoolGrad', { dy, input: x, output }, attrs);
}

/** Lowest finite float32: pads the input so that padding never wins a window's maximum. */
const LOWEST_FLOAT32 = -3.4028234663852886e38;

/**
 * For every pooling window of `x`, the value of `v` (shaped like `x`) at the window's maximum: the adjoint of
 * MaxPoolGrad in its `dy` argument. The padding of `attrs` is applied explicitly (lowest float to `x`, zeros
 * to `v`), so one 'valid' MaxPoolWithArgmax serves every padding mode and rounding.
 */
function gatherAtArgmax(v: tf.Tensor, x: tf.Tensor, attrs: PoolAttrs): tf.Tensor {
  const info = poolInfo(x.shape, attrs);
  const { top, left } = info.padInfo;
  // Pad so that exactly outHeight × outWidth windows fit, whatever the rounding mode.
  const bottom = (info.outHeight - 1) * info.strideHeight + info.filterHeight - info.inHeight - top;
  const right = (info.outWidth - 1) * info.strideWidth + info.filterWidth - info.inWidth - left;
  const crop = bottom < 0 || right < 0;
  const paddings: Array<[number, number]> = [
    [0, 0],
    [top, Math.max(bottom, 0)],
    [left, Math.max(right, 0)],
    [0, 0],
  ];
  const gather = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [vIn, xIn, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([xIn]);
    let xPadded = tf.pad(xIn, paddings, LOWEST_FLOAT32);
    let vPadded = tf.pad(vIn, paddings, 0);
    if (crop) {
      // Windows that stop before the bottom/right edge ('valid' with a remainder): drop the unused rows/cols.
      const size = [-1, xPadded.shape[1]! + Math.min(bottom, 0), xPadded.shape[2]! + Math.min(right, 0), -1];
      xPadded = tf.slice(xPadded, [0, 0, 0, 0], size);
      vPadded = tf.slice(vPadded, [0, 0, 0, 0], size);
    }
    const { indexes } = tf.maxPoolWithArgmax(
      xPadded as tf.Tensor4D,
      [info.filterHeight, info.filterWidth],
      [info.strideHeight, info.strideWidth],
      'valid',
      true,
    );
    const picked = tf.gather(tf.reshape(vPadded, [-1]), tf.cast(tf.reshape(indexes, [-1]), 'int32'));
    const value = tf.reshape(picked, info.outShape);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => [
      maxPoolBackprop(dy, saved[0], attrs),
      tf.zerosLike(saved[0]),
    ];
    return { value, gradFunc };
  });
  return gather(v, x);
}

const maxPoolGrad: tf.GradConfig = {
  kernelName: 'MaxPool',
  inputsToSave: ['x'],
  gradFunc: (dy, [x], attrs) => ({
    x: () => maxPoolBackprop(single(dy), x, attrsAs<PoolAttrs>(attrs)),
  }),
};

const maxPoolGradGrad: tf.GradConfig = {
  kernelName: 'MaxPoolGrad',
  inputsToSave: ['input'],
  gradFunc: (ddx, [input], attrs) => {
    const poolAttrs = attrsAs<PoolAttrs>(attrs);
    return {
      dy: () => gatherAtArgmax(single(ddx), input, poolAttrs),
      input: () => zeroGrad(input.shape),
      output: () => zeroGrad(poolInfo(input.shape, poolAttrs).outShape),
    };
  },
};

/** Pooling gradients. */
export const poolingGradients: readonly tf.GradConfig[] = [avgPoolGrad, avgPoolGradGrad, maxPoolGrad, maxPoolGradGrad];
