// End-to-end tests of the browser example (`npm run test:browser`): Debian's Chromium driven by playwright-core.
// Kept out of `npm test` (test/**/*.test.ts) because they need a Chromium binary; .ci/run installs it and runs both.
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: resolve(__dirname, '../..'),
    include: ['test/browser/**/*.e2e.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 180_000,
  },
});
