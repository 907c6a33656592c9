import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file gets its own process: tfjs keeps global state (backend, registries).
    pool: 'forks',
    // Generous limits: the suite often runs on 2 shared cores beside training jobs (load averages of 10-12),
    // where the slowest test (the CLI's train/resume round, 55 s at load 10) takes several times its idle time.
    // A limit only has to catch a hang; one that a slow machine can reach is a random failure. No retries.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    retry: 0,
  },
});
