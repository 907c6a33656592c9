import { installBackendReadyGuard } from './backend_guards';
import { registerSecondOrderGradients } from './gradients/index';
import { registerWasmTrainingKernels } from './kernels/index';

/**
 * Registers gan-kit's wasm training kernels (Conv2DBackpropFilter, a fast Conv2DBackpropInput, BatchMatMul)
 * and its gradients (second-order-correct, and a Tile-free batch-norm gradient) with the active tfjs.
 * Runs when gan-kit is imported. Idempotent: call it again to put gan-kit's back if something (another copy of
 * tfjs-core, a library registering its own) replaced them since. It also makes tfjs' "backend has not yet been
 * initialized" error a `BackendNotReadyError` that says to call `setupBackend()`.
 */
export function registerGanKitKernels(): void {
  registerWasmTrainingKernels();
  registerSecondOrderGradients();
  installBackendReadyGuard();
}
