import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { conv2dBackpropFilterWasmConfig } from './conv2d_backprop_filter';
import { conv2dBackpropInputWasmConfig } from './conv2d_backprop_input';

/** The kernels gan-kit registers on the wasm backend (replacing any stock kernel of the same name). */
export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterWasmConfig,
  conv2dBackpropInputWasmConfig,
];

/**
 * Registers gan-kit's wasm training kernels: `Conv2DBackpropFilter` (missing from stock tfjs-backend-wasm,
 * without which no convolution trains on wasm) and a fast `Conv2DBackpropInput` (also the forward pass of
 * every transposed convolution), both built on the backend's XNNPACK `Conv2D`. Called on import of gan-kit.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of WASM_TRAINING_KERNELS) {
    if (tf.getKernel(config.kernelName, config.backendName) != null) {
      tf.unregisterKernel(config.kernelName, config.backendName);
    }
    tf.registerKernel(config);
  }
}
