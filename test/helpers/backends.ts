import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe } from 'vitest';
import '../../src/index';

/** The backends every numerical test runs on. */
export const TEST_BACKENDS = ['cpu', 'wasm'] as const;
export type TestBackend = (typeof TEST_BACKENDS)[number];

/**
 * Declares `body` once per backend inside a `describe(\`${title} [${backend}]\`)`, switching the active tfjs
 * backend before the block's tests run. Test files run in separate processes, so switching is safe.
 */
export function describeEachBackend(title: string, body: (backend: TestBackend) => void): void {
  for (const backend of TEST_BACKENDS) {
    describe(`${title} [${backend}]`, () => {
      beforeAll(async () => {
        await tf.setBackend(backend);
        await tf.ready();
      });
      body(backend);
    });
  }
}
