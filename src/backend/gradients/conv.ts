/**
 * Gradient of the Conv2DBackpropFilter kernel, which stock tfjs 4.22 lacks.
 *
 * Conv2DBackpropFilter(x, dy) = dW with dW[i, j, c, o] = Σ_{n, h, w} x[n, h·s + i - p, w·s + j - p, c] · dy[n, h, w, o]
 * is bilinear in (x, dy). Given the upstream gradient ddW (filter-shaped):
 * - d/dx  = Conv2DBackpropInput(dy, ddW)   (the input gradient of a convolution with filter ddW),
 * - d/ddy = Conv2D(x, ddW).
 * It is reached when a gradient containing a convolution's filter gradient is differentiated again (third
 * order for a gradient penalty through Conv2D, second order through Conv2DTranspose's input gradient).
 *
 * Conv2D, Conv2DBackpropInput and the fused conv2d (linear activation: the only one tfjs fuses while recording
 * gradients) keep their stock gradients: they save only inputs and are built from the two conv kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { attrsAs, runKernel, single } from './util';

const conv2dBackpropFilterGrad: tf.GradConfig = {
  kernelName: 'Conv2DBackpropFilter',
  inputsToSave: ['x', 'dy'],
  gradFunc: (ddw, [x, dy], attrs) => {
    const { strides, pad, dataFormat, dimRoundingMode } = attrsAs<tf.Conv2DBackpropFilterAttrs>(attrs);
    const filter = single(ddw);
    return {
      x: () =>
        runKernel('Conv2DBackpropInput', { dy, filter }, {
          strides,
          pad,
          dataFormat,
          dimRoundingMode,
          inputShape: x.shape,
        }),
      dy: () => runKernel('Conv2D', { x, filter }, { strides, pad, dataFormat, dilations: [1, 1], dimRoundingMode }),
    };
  },
};

/** Convolution gradients. */
export const convGradients: readonly tf.GradConfig[] = [conv2dBackpropFilterGrad];
