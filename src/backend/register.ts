import { registerFusedBatchNormGradient } from './gradients/fused_batch_norm';
import { registerSecondOrderGradients } from './gradients/index';
import { registerWasmTrainingKernels } from './kernels/index';

let registered = false;

/**
 * Registers, once per process, gan-kit's wasm training kernels (Conv2DBackpropFilter, a fast
 * Conv2DBackpropInput, BatchMatMul) and its gradients (second-order-correct, and a Tile-free batch-norm
 * gradient). Runs when gan-kit is imported; calling it again does nothing. Exported for users who want to
 * call it explicitly (for example after registering kernels of their own).
 */
export function registerGanKitKernels(): void {
  if (registered) return;
  registered = true;
  registerWasmTrainingKernels();
  registerSecondOrderGradients();
  registerFusedBatchNormGradient();
}
