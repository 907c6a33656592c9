// Public API of src/models: re-exported from the package root by src/index.ts.
export {};
