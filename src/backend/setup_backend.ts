import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BackendError, InvalidArgumentError } from '../errors';
import { removeEmscriptenProcessHandlers } from './backend_guards';
import { registerGanKitKernels } from './register';
import { enableWasmThreads, getWasmThreadCount, getWasmThreadsFallbackReason, wasmThreadsFromEnv } from './wasm_threads';

/** Names of the tfjs backends gan-kit knows how to pick. `tensorflow` is the native tfjs-node(-gpu) backend. */
export type BackendName = 'tensorflow' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** Options of {@link setupBackend}. */
export interface SetupBackendOptions {
  /**
   * Use exactly this backend instead of choosing. Fails with a {@link BackendError} if it cannot start.
   * Default: undefined (choose the fastest available, see {@link setupBackend}).
   */
  backend?: BackendName;
  /**
   * Where the browser can fetch the wasm backend's `.wasm` files (a URL prefix ending in `/`), passed to
   * `setWasmPaths`. Not needed in Node, where the files are found inside the npm package. Default: undefined.
   */
  wasmPaths?: string;
  /**
   * Run the wasm backend on several threads (see {@link enableWasmThreads} and docs/performance.md). `true`: in
   * Node, as many threads as cores (`os.availableParallelism()`, at most 8), falling back to the single-threaded
   * build if the threaded one cannot start; in browsers, whatever the stock loader does (threads only on
   * cross-origin-isolated pages). A number >= 2: that many threads. `false` or `1`: single-threaded. Only takes
   * effect if the wasm backend has not started yet in this process, and is ignored by Node when `wasmPaths` is
   * set (gan-kit then leaves loading to the stock loader). {@link getWasmThreadCount} tells the count in use.
   * Default: the environment variable `GAN_KIT_WASM_THREADS` when set (a count, `auto`, or `0`/`off`), else true.
   */
  threads?: boolean | number;
  /** Print which backend was chosen (console.info). Default: false. */
  verbose?: boolean;
}

const NODE_BINDINGS = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;
const KNOWN: readonly BackendName[] = ['tensorflow', 'webgpu', 'webgl', 'wasm', 'cpu'];

function isNode(): boolean {
  return typeof process !== 'undefined' && process.versions != null && process.versions.node != null;
}

/**
 * Loads a module by a name held in a variable, so that bundlers do not try to resolve optional Node-only
 * peers (tfjs-node) when building for the browser.
 */
async function importOptional(name: string): Promise<boolean> {
  try {
    await import(/* @vite-ignore */ /* webpackIgnore: true */ name);
    return true;
  } catch {
    return false;
  }
}

/** Validates `options.threads` and turns it into enableWasmThreads' thread count (undefined: default; 1: off). */
function resolveThreads(options: SetupBackendOptions): number | undefined {
  const threads = options.threads ?? wasmThreadsFromEnv() ?? true;
  if (typeof threads === 'boolean') return threads ? undefined : 1;
  if (!(Number.isInteger(threads) && threads >= 1)) {
    throw new InvalidArgumentError('options.threads', 'a boolean or an integer >= 1', threads);
  }
  return threads;
}

/** Before the wasm backend is tried: switch its loader to the threaded build where asked and possible. */
async function prepareWasm(options: SetupBackendOptions, numThreads: number | undefined): Promise<void> {
  if (!isNode() && numThreads === undefined) return; // browsers: the stock loader already decides
  // Node with explicit wasmPaths: leave loading (single-threaded) to the stock loader, which honours them.
  await enableWasmThreads({ numThreads: isNode() && options.wasmPaths !== undefined ? 1 : numThreads });
}

async function trySet(name: BackendName): Promise<boolean> {
  if (tf.findBackendFactory(name) == null) return false;
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  } finally {
    // The wasm module's Emscripten glue makes every later uncaught error print its minified source: undo that.
    if (name === 'wasm') removeEmscriptenProcessHandlers();
  }
}

async function loadNativeBinding(): Promise<boolean> {
  if (!isNode()) return false;
  if (tf.findBackendFactory('tensorflow') != null) return true;
  for (const name of NODE_BINDINGS) {
    if (await importOptional(name)) return true;
  }
  return false;
}

/**
 * Picks and initialises the fastest tfjs backend available, unless one is named, and returns the one in use.
 *
 * Order of preference: the native TensorFlow binding (`@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node`,
 * when installed; Node only), `webgpu` (when the user registered `@tensorflow/tfjs-backend-webgpu`) and `webgl`
 * in a browser, then `wasm` (with gan-kit's training kernels, see docs/backend.md), then `cpu`.
 *
 * In Node the wasm backend runs on all cores by default (`options.threads`, {@link enableWasmThreads}); the
 * single-threaded build is used where threads cannot start. {@link getWasmThreadCount} tells which.
 *
 * It also removes the process handlers the wasm backend's Emscripten glue installs in Node, which would print
 * tens of kilobytes of minified glue code before any later uncaught error (see docs/backend.md).
 *
 * gan-kit works on any of them; this only chooses. It also makes sure gan-kit's kernels and second-order
 * gradients are registered (they are registered on import already; calling again is harmless).
 *
 * @example
 * ```ts
 * import { setupBackend } from 'gan-kit';
 * const name = await setupBackend();            // e.g. 'wasm' on a machine without tfjs-node
 * await setupBackend({ backend: 'cpu' });        // force one
 * await setupBackend({ threads: false });       // wasm on one thread
 * ```
 * @returns the name of the active backend.
 * @throws {InvalidArgumentError} if `options.backend` is not a known backend name, or `options.threads` is
 *   neither a boolean nor an integer >= 1.
 * @throws {BackendError} if the named backend cannot be started.
 */
export async function setupBackend(options: SetupBackendOptions = {}): Promise<BackendName> {
  registerGanKitKernels();
  const requested = options.backend;
  if (requested !== undefined && !KNOWN.includes(requested)) {
    throw new InvalidArgumentError('options.backend', `one of ${KNOWN.join(', ')}`, requested);
  }
  const numThreads = resolveThreads(options);
  if (options.wasmPaths !== undefined) setWasmPaths(options.wasmPaths);
  if (requested !== undefined) {
    if (requested === 'tensorflow' && !(await loadNativeBinding())) {
      throw new BackendError(
        "options.backend: 'tensorflow' needs @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu, and neither " +
          'could be loaded. Install one (npm install @tensorflow/tfjs-node), or leave options.backend unset.',
      );
    }
    if (requested === 'wasm') await prepareWasm(options, numThreads);
    if (!(await trySet(requested))) {
      throw new BackendError(
        `options.backend: the '${requested}' backend could not be started here` +
          (tf.findBackendFactory(requested) == null ? ' (it is not registered: import its package first)' : '') +
          '. Leave options.backend unset to let gan-kit choose.',
      );
    }
    return report(requested, options);
  }
  const candidates: BackendName[] = [];
  if (await loadNativeBinding()) candidates.push('tensorflow');
  if (!isNode()) candidates.push('webgpu', 'webgl');
  candidates.push('wasm', 'cpu');
  for (const name of candidates) {
    if (name === 'wasm') await prepareWasm(options, numThreads);
    if (await trySet(name)) return report(name, options);
  }
  throw new BackendError(`No tfjs backend could be started (tried ${candidates.join(', ')}).`);
}

function report(name: BackendName, options: SetupBackendOptions): BackendName {
  if (options.verbose) {
    let detail = '';
    if (name === 'wasm') {
      const threads = getWasmThreadCount();
      const reason = threads <= 1 ? getWasmThreadsFallbackReason() : undefined;
      detail = ` (${threads} thread${threads === 1 ? '' : 's'}${reason ? `: ${reason}` : ''})`;
    }
    console.info(`gan-kit: using the ${name} backend${detail}`);
  }
  return name;
}
