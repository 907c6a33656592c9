import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BackendError, BackendNotReadyError, dcganGenerator, setupBackend } from '../../src/index';
import { root } from '../examples/run_example';

/** Runs a script against the built package (as a user's program would) and returns its exit code and stderr. */
function runScript(source: string, threads: string, type: 'module' | 'commonjs' = 'module'): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [`--input-type=${type}`, '-e', source], {
    cwd: root,
    env: { ...process.env, GAN_KIT_WASM_THREADS: threads },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stderr: result.stderr };
}

const esm = join(root, 'dist', 'index.js');
const cjs = join(root, 'dist', 'index.cjs');

describe('uncaught errors after setupBackend', () => {
  // Before the fix the threaded build printed ~55 KB of minified Emscripten glue (exit status 7), the single-threaded
  // one its own `throw ex;` line; the user's error must stand alone, with Node's usual exit status 1.
  for (const threads of ['2', '1']) {
    it(`print only the user's error (GAN_KIT_WASM_THREADS=${threads}, ESM)`, () => {
      const { status, stderr } = runScript(
        `import { setupBackend } from ${JSON.stringify(esm)};\nawait setupBackend();\nthrow new Error('my own mistake 42');`,
        threads,
      );
      expect(stderr).toContain('Error: my own mistake 42');
      expect(stderr).not.toMatch(/tfjs-backend-wasm|ExitStatus|GROWABLE_HEAP/);
      expect(stderr.length).toBeLessThan(1000);
      expect(status).toBe(1);
    });
  }

  it("print only the user's error for an unhandled rejection (CommonJS)", () => {
    const { status, stderr } = runScript(
      `const { setupBackend } = require(${JSON.stringify(cjs)});\n` +
        `setupBackend().then(() => Promise.reject(new Error('rejected 17')));`,
      '2',
      'commonjs',
    );
    expect(stderr).toContain('rejected 17');
    expect(stderr).not.toMatch(/tfjs-backend-wasm|ExitStatus|GROWABLE_HEAP/);
    expect(stderr.length).toBeLessThan(1000);
    expect(status).toBe(1);
  });
});

describe('a forgotten setupBackend', () => {
  it('gives a BackendNotReadyError that says to call setupBackend, then works once it is called', async () => {
    // This file's process has not started a backend yet; wasm (registered on import) is the highest priority.
    let error: unknown;
    try {
      dcganGenerator({ outputShape: [28, 28, 1], seed: 1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BackendNotReadyError);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendNotReadyError).backend).toBe('wasm');
    expect((error as Error).message).toMatch(/await setupBackend\(\)/);
    expect(() => tf.zeros([2])).toThrow(BackendNotReadyError);

    await setupBackend({ threads: false });
    const g = dcganGenerator({ outputShape: [28, 28, 1], seed: 1 });
    expect(g.outputs[0]!.shape).toEqual([null, 28, 28, 1]);
    // Every other error passes through tfjs unchanged.
    expect(() => tf.tensor([1, 2, 3], [2, 2])).toThrow(/Based on the provided shape/);
  });
});
