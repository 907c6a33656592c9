import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { makeBatchMatMulWasmConfig } from './batch_mat_mul';
import { conv2dBackpropFilterWasmConfig } from './conv2d_backprop_filter';
import { conv2dBackpropInputWasmConfig } from './conv2d_backprop_input';
import { registerWasmPoolingKernels } from './pooling';
import { tileWasmConfig } from './tile';
import { unsortedSegmentSumWasmConfig } from './unsorted_segment_sum';

/** Kernels that replace stock ones and need the stock kernel to delegate to. */
const WRAPPERS: Record<string, (stock: tf.KernelConfig) => tf.KernelConfig> = {
  BatchMatMul: makeBatchMatMulWasmConfig,
};

/** Stock wasm kernels we wrap, captured before our registration replaces them. */
const stockKernels = new Map<string, tf.KernelConfig>();

function replace(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName) != null) {
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel(config);
}

/**
 * Registers gan-kit's wasm training kernels (called on import of gan-kit):
 * - `Conv2DBackpropFilter`: missing from stock tfjs-backend-wasm, so no convolution trains there without it;
 * - `Conv2DBackpropInput`: the convolution input gradient and every transposed convolution's forward pass,
 *   as one XNNPACK convolution instead of stock's naive loop;
 * - `BatchMatMul`: transposed products (dense-layer gradients) through XNNPACK instead of a slow loop;
 * - `MaxPoolGrad`, `MaxPoolWithArgmax`, `MaxPool3D`, `MaxPool3DGrad` (wrong on stock for windows of values ≤ 0) and
 *   `MaxPool`/`AvgPool` with 'ceil'/'round' rounding: plain loops over the heap (./pooling.ts);
 * - `UnsortedSegmentSum`: missing from stock wasm; the gradient of `tf.gather`, so of every Embedding layer;
 * - `Tile` (also `tf.broadcastTo`, nearest-neighbour upsampling): block copies instead of stock's per-element loop.
 * The others are built on the wasm backend's own XNNPACK kernels; all are checked against the cpu backend in tests.
 */
export function registerWasmTrainingKernels(): void {
  replace(conv2dBackpropFilterWasmConfig);
  replace(conv2dBackpropInputWasmConfig);
  replace(unsortedSegmentSumWasmConfig);
  replace(tileWasmConfig);
  registerWasmPoolingKernels();
  for (const [name, wrap] of Object.entries(WRAPPERS)) {
    if (!stockKernels.has(name)) {
      const stock = tf.getKernel(name, 'wasm');
      if (stock == null) continue; // an older/newer wasm backend without it: keep whatever is there
      stockKernels.set(name, stock);
    }
    replace(wrap(stockKernels.get(name)!));
  }
}
