// Public API of src/regularizers: re-exported from the package root by src/index.ts.
export {};
