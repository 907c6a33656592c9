// Public API of src/losses: re-exported from the package root by src/index.ts.
export {};
