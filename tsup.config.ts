import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    // One declaration pass for both entries (the browser build below has none of its own).
    dts: { entry: { index: 'src/index.ts', 'index.browser': 'src/index.browser.ts' } },
    sourcemap: true,
    clean: true,
    target: 'es2020',
    // tfjs must be the user's own instance: never bundle it.
    external: [/^@tensorflow\//],
    // src/data/image_decode.ts reads import.meta.url only where __filename is undefined (ESM), never in CJS.
    esbuildOptions(options) {
      options.logOverride = { ...options.logOverride, 'empty-import-meta': 'silent' };
    },
  },
  {
    // The browser entry (package.json "exports" condition "browser"): no Node-only modules. platform 'browser'
    // makes the build fail if a Node built-in is ever imported from it (see test/browser/entry.test.ts).
    entry: { 'index.browser': 'src/index.browser.ts' },
    format: ['esm', 'cjs'],
    dts: false,
    sourcemap: true,
    clean: false,
    target: 'es2020',
    platform: 'browser',
    external: [/^@tensorflow\//],
  },
  {
    // The `gan-kit` command (package.json "bin"): one ESM file, run by Node.
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: false,
    clean: false,
    target: 'node18',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
    external: [/^@tensorflow\//],
  },
]);
