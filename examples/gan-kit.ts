// The examples import gan-kit from here so that they run from this repository's sources (npx tsx examples/…).
// In your own project, import the same names from 'gan-kit'.
export * from '../src/index';
