// The examples import gan-kit from here so that they run from this repository's sources (npx tsx examples/…).
// In your own project, import from 'gan-kit' instead: every name below is exported by the package.
export * from '../src/index';
export * from '../src/data/index';
export * from '../src/io/public';
