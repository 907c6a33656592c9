// Public API of src/layers: re-exported from the package root by src/index.ts.
export {};
