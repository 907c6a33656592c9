/**
 * `Conv2DBackpropFilter` for the wasm backend (stock tfjs-backend-wasm 4.22 has none, so no convolution can be
 * trained there), built on the backend's XNNPACK `Conv2D`.
 *
 * The filter gradient of y = conv(x, W; stride s, padding p) is
 *   dW[kh, kw, ci, co] = Σ_{b, oh, ow} x[b, oh·sh + kh - top, ow·sw + kw - left, ci] · dy[b, oh, ow, co],
 * which is itself a convolution with the roles of batch and channels swapped: take x' = x transposed to
 * [ci, H, W, B] as the input and dy' = dy transposed to [OH, OW, B, co] as the filter, with dilation = s and
 * stride = 1 (the forward dilation, which tfjs requires to be 1 in gradients). The result [ci, KH, KW, co] is
 * cropped to the filter size and transposed to [KH, KW, ci, co]. Same FLOPs as the forward convolution.
 *
 * @internal
 */
import * as tf from '@tensorflow/tfjs';
import {
  conv2dInfo,
  release,
  sliceInfo,
  transposeInfo,
  type WasmBackendLike,
} from './wasm_kernel_utils';

interface Conv2DBackpropFilterAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** The kernel function: inputs {x [B,H,W,ci], dy [B,OH,OW,co]} → dW [KH,KW,ci,co]. */
export function conv2dBackpropFilterWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  if (attrs.dataFormat === 'NCHW') {
    throw new Error("gan-kit wasm Conv2DBackpropFilter supports dataFormat 'NHWC' only");
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const [kh, kw, ci, co] = attrs.filterShape;
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  const [, h, w] = x.shape;
  // Padding after, so the correlation output covers all KH x KW taps (extra rows are cropped below).
  const bottom = Math.max(0, kh + (oh - 1) * sh - h - top);
  const right = Math.max(0, kw + (ow - 1) * sw - w - left);

  const xT = transposeInfo(backend, x, [3, 1, 2, 0]); // [ci, H, W, B]
  const dyT = transposeInfo(backend, dy, [1, 2, 0, 3]); // [OH, OW, B, co]
  const corr = conv2dInfo(backend, xT, dyT, {
    strides: [1, 1],
    dilations: [sh, sw],
    pad: [top, bottom, left, right],
  }); // [ci, >=KH, >=KW, co]
  release(backend, xT);
  release(backend, dyT);
  const needsCrop = corr.shape[1] !== kh || corr.shape[2] !== kw;
  const cropped = needsCrop ? sliceInfo(backend, corr, [0, 0, 0, 0], [ci, kh, kw, co]) : corr;
  if (needsCrop) release(backend, corr);
  const out = transposeInfo(backend, cropped, [1, 2, 0, 3]); // [KH, KW, ci, co]
  release(backend, cropped);
  return out;
}

/** Kernel config registered for the wasm backend by {@link registerWasmTrainingKernels}. */
export const conv2dBackpropFilterWasmConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilterWasm as unknown as tf.KernelFunc,
};
