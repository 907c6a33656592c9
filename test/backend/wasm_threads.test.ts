/**
 * The multi-threaded wasm backend in Node (src/backend/wasm_threads.ts): it starts with the requested thread count,
 * really runs XNNPACK on a second OS thread, computes what the cpu backend computes (convolutions, transposed
 * convolutions, matrix products and their gradients, which go through gan-kit's wasm training kernels), never keeps
 * a process alive, and falls back to the single-threaded build when the threaded one cannot start.
 *
 * The whole suite of wasm kernel tests also runs threaded with:
 *   GAN_KIT_WASM_THREADS=2 npx vitest run test/backend/wasm_kernels.test.ts
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, setupBackend } from '../../src/index';
import {
  enableWasmThreads,
  getWasmThreadCount,
  getWasmThreadsFallbackReason,
} from '../../src/backend/wasm_threads';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = (file: string): string => JSON.stringify(fileURLToPath(new URL(`../../src/${file}`, import.meta.url)));

/** Deterministic PRNG (mulberry32), so every run checks the same numbers. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function values(n: number, seed: number): Float32Array {
  const next = rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = next() * 2 - 1;
  return a;
}

const size = (shape: number[]): number => shape.reduce((p, d) => p * d, 1);

/** Runs `fn` on the (threaded) wasm backend and on cpu with the same inputs; returns both results. */
async function onBoth(fn: () => tf.Tensor[]): Promise<{ wasm: Float32Array[]; cpu: Float32Array[] }> {
  const out: Record<string, Float32Array[]> = {};
  for (const backend of ['wasm', 'cpu']) {
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const results = tf.tidy(fn);
    out[backend] = results.map((t) => t.dataSync() as Float32Array);
    tf.dispose(results);
    expect(tf.memory().numTensors).toBe(before);
  }
  await tf.setBackend('wasm');
  return { wasm: out.wasm, cpu: out.cpu };
}

/** max |a - b| / max |b|: float32 summation order differs between XNNPACK and the cpu loops. */
function relativeError(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

function expectSame(r: { wasm: Float32Array[]; cpu: Float32Array[] }): void {
  expect(r.wasm.length).toBe(r.cpu.length);
  r.wasm.forEach((w, i) => expect(relativeError(w, r.cpu[i])).toBeLessThan(1e-4));
}

/** CPU time (user + system, in clock ticks) of each thread of this process, by thread id (Linux /proc). */
function threadTicks(): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
      ticks.set(tid, Number(fields[11]) + Number(fields[12])); // utime (14), stime (15)
    } catch {
      // the thread ended meanwhile
    }
  }
  return ticks;
}

interface ChildResult {
  code: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Runs `code` (CommonJS, with tsx for the TypeScript sources) in a fresh Node process and waits for it to exit
 * by itself; kills it after `limitMs` and reports `timedOut`.
 */
function runChild(code: string, env: Record<string, string | undefined>, limitMs = 90_000): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', `(async () => {\n${code}\n})();`], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('exit', (exitCode) => {
      clearTimeout(timer);
      resolve({ code: exitCode, timedOut, stdout, stderr });
    });
  });
}

/** The last line of a child's stdout, parsed as JSON. */
function lastJson(r: ChildResult): Record<string, unknown> {
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
}

// A 3x4 by 4x2 product, computed in every child process and checked against a plain-JS reference.
const A = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const B = [1, -1, 2, 0.5, -3, 1, 0, 2];
const CHILD_MATMUL = `
  const product = Array.from(tf.matMul(tf.tensor2d(${JSON.stringify(A)}, [3, 4]),
    tf.tensor2d(${JSON.stringify(B)}, [4, 2])).dataSync());
`;
const EXPECTED_PRODUCT: number[] = [];
for (let i = 0; i < 3; i++) {
  for (let j = 0; j < 2; j++) {
    let sum = 0;
    for (let k = 0; k < 4; k++) sum += A[i * 4 + k] * B[k * 2 + j];
    EXPECTED_PRODUCT.push(sum);
  }
}

describe('enableWasmThreads (Node)', () => {
  /** OS threads of this process before the wasm backend started. */
  let threadsBefore: Set<string>;

  beforeAll(async () => {
    expect(existsSync('/proc/self/task')).toBe(true); // Linux, like CI
    threadsBefore = new Set(readdirSync('/proc/self/task'));
    expect(await setupBackend({ backend: 'wasm', threads: 2 })).toBe('wasm');
  });

  it('starts the wasm backend on the requested number of threads', async () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(getWasmThreadCount()).toBe(2);
    expect(getWasmThreadsFallbackReason()).toBeUndefined();
    // Called again once the backend runs, it reports the threads in use and changes nothing.
    expect(await enableWasmThreads({ numThreads: 2 })).toBe(true);
    expect(getWasmThreadCount()).toBe(2);
  });

  it('runs XNNPACK work on a second OS thread', () => {
    const x = tf.tensor4d(values(8 * 28 * 28 * 32, 1), [8, 28, 28, 32]);
    const w = tf.tensor4d(values(3 * 3 * 32 * 64, 2), [3, 3, 32, 64]);
    const a = tf.tensor2d(values(384 * 384, 3), [384, 384]);
    const before = threadTicks();
    const start = performance.now();
    while (performance.now() - start < 1000) {
      tf.tidy(() => {
        tf.conv2d(x, w, 1, 'same').dataSync();
        tf.matMul(a, a).dataSync();
      });
    }
    const after = threadTicks();
    tf.dispose([x, w, a]);
    const used = (tid: string): number => (after.get(tid) ?? 0) - (before.get(tid) ?? 0);
    const main = used(String(process.pid)); // the main thread's id is the process id
    // Threads that appeared with the wasm backend: XNNPACK's pool thread (a pthread worker). It shares the
    // convolutions and products with the main thread, so it gets a comparable share of CPU time; single-threaded,
    // no such thread exists (or it idles).
    const pool = Math.max(0, ...[...after.keys()].filter((tid) => !threadsBefore.has(tid)).map(used));
    expect(main).toBeGreaterThan(0);
    expect(pool).toBeGreaterThan(0.25 * main);
  });

  it('computes convolutions and their gradients as the cpu backend does', async () => {
    const xShape = [4, 16, 16, 24];
    const wShape = [3, 3, 24, 40];
    const x = values(size(xShape), 2);
    const w = values(size(wShape), 3);
    const r = values(4 * 8 * 8 * 40, 4);
    expectSame(
      await onBoth(() => {
        const xt = tf.tensor4d(x, xShape as [number, number, number, number]);
        const wt = tf.tensor4d(w, wShape as [number, number, number, number]);
        const rt = tf.tensor4d(r, [4, 8, 8, 40]);
        const same = tf.conv2d(xt, wt, 1, 'same');
        const fused = tf.fused.conv2d({
          x: xt,
          filter: wt,
          strides: 1,
          pad: 'valid',
          bias: tf.linspace(-1, 1, 40),
          activation: 'relu',
        });
        // Gradients of a strided convolution: gan-kit's Conv2DBackpropInput and Conv2DBackpropFilter kernels.
        const [dx, dw] = tf.grads((xi: tf.Tensor, wi: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, 2, 'same'), rt)),
        )([xt, wt]);
        return [same, fused, dx, dw];
      }),
    );
  });

  it('computes transposed convolutions (stride 2) and their gradients as the cpu backend does', async () => {
    const xShape: [number, number, number, number] = [4, 7, 7, 32];
    const wShape: [number, number, number, number] = [4, 4, 16, 32]; // [kh, kw, out, in]
    const x = values(size(xShape), 5);
    const w = values(size(wShape), 6);
    const r = values(4 * 14 * 14 * 16, 7);
    expectSame(
      await onBoth(() => {
        const xt = tf.tensor4d(x, xShape);
        const wt = tf.tensor4d(w, wShape);
        const rt = tf.tensor4d(r, [4, 14, 14, 16]);
        const f = (xi: tf.Tensor, wi: tf.Tensor) =>
          tf.conv2dTranspose(xi as tf.Tensor4D, wi as tf.Tensor4D, [4, 14, 14, 16], 2, 'same');
        const y = f(xt, wt);
        const [dx, dw] = tf.grads((xi: tf.Tensor, wi: tf.Tensor) => tf.sum(tf.mul(f(xi, wi), rt)))([xt, wt]);
        return [y, dx, dw];
      }),
    );
  });

  it('computes matrix products with transposed operands and their gradients as the cpu backend does', async () => {
    const a = values(96 * 128, 8);
    const b = values(80 * 96, 9);
    expectSame(
      await onBoth(() => {
        const at = tf.tensor2d(a, [96, 128]); // used transposed: [128, 96]
        const bt = tf.tensor2d(b, [80, 96]); // used transposed: [96, 80]
        const f = (ai: tf.Tensor, bi: tf.Tensor) => tf.matMul(ai as tf.Tensor2D, bi as tf.Tensor2D, true, true);
        const y = f(at, bt);
        const [da, db] = tf.grads((ai: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.tanh(f(ai, bi))))([at, bt]);
        return [y, da, db];
      }),
    );
  });

  it('rejects invalid thread counts and timeouts with typed errors naming the argument', async () => {
    await expect(enableWasmThreads({ numThreads: 0 })).rejects.toThrow(InvalidArgumentError);
    await expect(enableWasmThreads({ numThreads: 1.5 })).rejects.toThrow(/options\.numThreads/);
    await expect(enableWasmThreads({ timeoutMs: -1 })).rejects.toThrow(/options\.timeoutMs/);
    await expect(setupBackend({ threads: 2.5 })).rejects.toThrow(/options\.threads/);
    await expect(setupBackend({ threads: 0 })).rejects.toThrow(InvalidArgumentError);
  });
});

describe('wasm threads in fresh Node processes', () => {
  it('exit by themselves, use threads by default and through GAN_KIT_WASM_THREADS, and fall back cleanly', async () => {
    const [byDefault, byEnv, fallback] = await Promise.all([
      // setupBackend() with no options: as many threads as cores (at most 8).
      runChild(
        `const tf = await import('@tensorflow/tfjs');
         const { setupBackend } = await import(${SRC('index.ts')});
         const { getWasmThreadCount } = await import(${SRC('backend/wasm_threads.ts')});
         const backend = await setupBackend();
         ${CHILD_MATMUL}
         console.log(JSON.stringify({ backend, threads: getWasmThreadCount(), product }));`,
        { GAN_KIT_WASM_THREADS: undefined },
      ),
      // The environment variable makes a plain tf.setBackend('wasm') threaded (how the kernel suite is rerun).
      runChild(
        `const tf = await import('@tensorflow/tfjs');
         await import(${SRC('index.ts')});
         const { getWasmThreadCount } = await import(${SRC('backend/wasm_threads.ts')});
         await tf.setBackend('wasm');
         ${CHILD_MATMUL}
         console.log(JSON.stringify({ threads: getWasmThreadCount(), product }));`,
        { GAN_KIT_WASM_THREADS: '2' },
      ),
      // A start that cannot finish in time falls back to the single-threaded build, which then works.
      runChild(
        `const tf = await import('@tensorflow/tfjs');
         await import(${SRC('index.ts')});
         const w = await import(${SRC('backend/wasm_threads.ts')});
         const enabled = await w.enableWasmThreads({ numThreads: 2, timeoutMs: 1 });
         await tf.setBackend('wasm');
         ${CHILD_MATMUL}
         console.log(JSON.stringify({ enabled, threads: w.getWasmThreadCount(),
           reason: w.getWasmThreadsFallbackReason(), product }));`,
        { GAN_KIT_WASM_THREADS: undefined },
      ),
    ]);
    for (const r of [byDefault, byEnv, fallback]) {
      expect(r.timedOut, `process did not exit by itself; stderr: ${r.stderr}`).toBe(false);
      expect(r.code, r.stderr).toBe(0);
      expect(lastJson(r).product).toEqual(EXPECTED_PRODUCT);
    }
    expect(lastJson(byDefault)).toMatchObject({ backend: 'wasm', threads: Math.min(8, availableParallelism()) });
    expect(lastJson(byEnv).threads).toBe(2);
    const fb = lastJson(fallback);
    expect(fb.enabled).toBe(false);
    expect(fb.threads).toBe(1);
    expect(fb.reason).toMatch(/did not finish within 1 ms/);
  });
});
