/** Registers gan-kit's wasm training kernels. (Placeholder until the kernels land.) */
export function registerWasmTrainingKernels(): void {}
