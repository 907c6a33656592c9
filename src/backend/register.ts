import { registerSecondOrderGradients } from './gradients/index';
import { registerWasmTrainingKernels } from './kernels/index';

let registered = false;

/**
 * Registers, once per process, gan-kit's wasm training kernels (Conv2DBackpropFilter, a fast
 * Conv2DBackpropInput, …) and its second-order-correct gradients. Runs when gan-kit is imported; calling it
 * again does nothing. Exported for users who import tfjs kernels lazily and want to re-run it explicitly.
 */
export function registerGanKitKernels(): void {
  if (registered) return;
  registered = true;
  registerWasmTrainingKernels();
  registerSecondOrderGradients();
}
