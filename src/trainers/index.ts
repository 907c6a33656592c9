// Public API of src/trainers: re-exported from the package root by src/index.ts.
export {};
