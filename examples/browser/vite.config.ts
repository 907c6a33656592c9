/**
 * Vite config of the browser example: `npm run example:browser` (dev server), or build it with
 * `npx vite build examples/browser` and serve examples/browser/dist.
 *
 * `gan-kit` resolves like an installed dependency, through package.json "exports": this example lives inside the
 * gan-kit package, so `import … from 'gan-kit'` is a package self-reference, and Vite picks the "browser"
 * condition, dist/index.browser.js, the build without Node-only modules (run `npm run build` first).
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');

export default defineConfig({
  root: here,
  // Relative asset URLs: the built page works from any sub-path (or a file server).
  base: './',
  // The dev server reads gan-kit's dist/ and node_modules/ above this folder.
  server: { fs: { allow: [repo] } },
  build: {
    outDir: resolve(here, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    // tfjs is large; one chunk is fine for a demo.
    chunkSizeWarningLimit: 4096,
  },
});
