/**
 * gan-kit: build and train Generative Adversarial Networks on TensorFlow.js.
 *
 * Importing the package registers gan-kit's wasm training kernels and its second-order-correct gradients
 * with the user's own `@tensorflow/tfjs` instance (a peer dependency).
 *
 * @packageDocumentation
 */
import { registerGanKitKernels } from './backend/register';

registerGanKitKernels();

export { registerGanKitKernels } from './backend/register';
export { setupBackend } from './backend/setup_backend';
export type { BackendName, SetupBackendOptions } from './backend/setup_backend';
export { enableWasmThreads, getWasmThreadCount, getWasmThreadsFallbackReason } from './backend/wasm_threads';
export type { WasmThreadsOptions } from './backend/wasm_threads';
export * from './errors';
export type { AdversarialLoss } from './losses/adversarial_loss';
export * from './losses/index';
export * from './regularizers/index';
export * from './layers/index';
export * from './models/index';
export * from './trainers/index';
export * from './io/index';
export * from './data/index';
export * from './metrics/index';
