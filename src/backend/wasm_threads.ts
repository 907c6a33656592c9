/**
 * Multi-threaded wasm backend in Node.
 *
 * `@tensorflow/tfjs-backend-wasm` 4.22 ships an XNNPACK build with pthreads
 * (`tfjs-backend-wasm-threaded-simd.wasm`), but its loader never uses it in Node:
 *
 * 1. the flag `WASM_HAS_MULTITHREAD_SUPPORT` returns `false` whenever `IS_NODE` is true
 *    (`dist/flags_wasm.js`, tfjs issue #3830);
 * 2. forced on, the loader hands Emscripten the pthread worker as a `blob:` URL (`URL.createObjectURL`), and
 *    Node's `worker_threads.Worker` only accepts file paths and `file:`/`data:` URL objects
 *    (`ERR_WORKER_PATH`), so initialisation fails;
 * 3. even with workers, the C++ side caps the pool at `emscripten_num_logical_cores() / 2` (it assumes two
 *    hyper-threads per core), which is one thread on a 2-core machine.
 *
 * gan-kit therefore loads the threaded build itself, through the Emscripten factory options that the package's
 * own typings document (`WasmFactoryConfig`: `locateFile`, `mainScriptUrlOrBlob`, `instantiateWasm`), and hands
 * the module to the package's exported `BackendWasm` class, registered under the same name `'wasm'` (so every
 * stock and gan-kit kernel applies unchanged):
 *
 * - the main script given to each pthread is the package's own glue file `wasm-out/tfjs-backend-wasm-threaded-simd.js`
 *   (a real path, which the worker reads with `fs`);
 * - the worker script is the package's own worker source (`wasm-out/…worker.js` exports it as a string), written
 *   once to a private temporary directory (`fs.mkdtemp`, mode 0600) and deleted as soon as the pool has started;
 * - `instantiateWasm` compiles the package's `dist/tfjs-backend-wasm-threaded-simd.wasm` and answers the
 *   `emscripten_num_logical_cores` import with twice the requested thread count, so the `/ 2` cap lands on it.
 *
 * Nothing under `node_modules` is modified. Any failure (no `worker_threads`, no shared memory, a timeout, a
 * different package layout or version) falls back to the stock single-threaded SIMD build, and the reason is kept
 * for {@link getWasmThreadsFallbackReason}. XNNPACK's pool threads are unreferenced (`worker.unref()`) so they
 * never keep a process alive, and the pthread workers the pool does not use are terminated.
 *
 * @module backend/wasm_threads
 */
import * as tf from '@tensorflow/tfjs';
import { BackendWasm, getThreadsCount, setThreadsCount, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import type { WasmFactoryConfig } from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd';
import { InvalidArgumentError } from '../errors';
import { removeEmscriptenProcessHandlers } from './backend_guards';

/** Options of {@link enableWasmThreads}. */
export interface WasmThreadsOptions {
  /**
   * Threads XNNPACK may use, the calling thread included (an integer >= 1; 1 means the single-threaded build).
   * Default: the number of cores Node reports (`os.availableParallelism()`), at most 8 (the size of the
   * package's pthread pool). In browsers the stock loader decides (see {@link enableWasmThreads}).
   */
  numThreads?: number;
  /**
   * How long to wait, in milliseconds, for the threaded module and its workers to start before giving up and
   * using the single-threaded build. Default: 30000.
   */
  timeoutMs?: number;
}

/** The pool size the package's threaded glue was built with (`PTHREAD_POOL_SIZE`), and backend.cc's cap. */
const MAX_THREADS = 8;
const DEFAULT_TIMEOUT_MS = 30_000;
const WASM = 'wasm';
const GLUE = 'wasm-out/tfjs-backend-wasm-threaded-simd.js';
const WORKER_SOURCE = 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';
const BINARY = 'dist/tfjs-backend-wasm-threaded-simd.wasm';

type BackendFactory = () => tf.KernelBackend | Promise<tf.KernelBackend>;
type NodeWorker = { unref(): void; terminate(): unknown };

/** The parts of the Emscripten module of the threaded build that gan-kit touches. */
interface ThreadedModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
  PThread?: {
    unusedWorkers: NodeWorker[];
    runningWorkers: NodeWorker[];
    terminateAllThreads(): void;
  };
  tfjs?: Record<string, (...args: number[]) => number>;
}

interface Prepared {
  module: ThreadedModule;
  numThreads: number;
  /** Stops every worker of the module and deletes the temporary folder (after a failure). */
  cleanup: () => void;
  /** Gives worker errors back to Emscripten and deletes the temporary worker script (once the pool runs). */
  finishStartup: () => void;
}

type NodeModules = {
  fs: typeof import('node:fs');
  os: typeof import('node:os');
  path: typeof import('node:path');
  module: typeof import('node:module');
};

/** State of this process's installation. */
const state: {
  stockFactory?: BackendFactory;
  priority: number;
  /** Requested threads; 0 means the default count, resolved when the backend starts. */
  numThreads: number;
  timeoutMs: number;
  pending?: Prepared;
  reason?: string;
} = { priority: 2, numThreads: 1, timeoutMs: DEFAULT_TIMEOUT_MS };

function isNode(): boolean {
  return typeof process !== 'undefined' && process.versions != null && process.versions.node != null;
}

/** Loads a Node built-in by a name held in a variable, so browser bundlers leave it alone. */
async function nodeImport<T>(name: string): Promise<T> {
  const mod = (await import(/* @vite-ignore */ /* webpackIgnore: true */ name)) as T & { default?: T };
  return (mod.default ?? mod) as T;
}

async function loadNodeModules(): Promise<NodeModules> {
  const [fs, os, path, module] = await Promise.all([
    nodeImport<NodeModules['fs']>('node:fs'),
    nodeImport<NodeModules['os']>('node:os'),
    nodeImport<NodeModules['path']>('node:path'),
    nodeImport<NodeModules['module']>('node:module'),
  ]);
  await nodeImport('node:worker_threads'); // throws where Node was built without worker threads
  return { fs, os, path, module };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** True once the wasm backend has been initialised (or is initialising) in this process. */
function wasmStarted(): boolean {
  const engine = tf.engine();
  return engine.registry[WASM] != null || engine.backendName === WASM;
}

/**
 * The folder of the `@tensorflow/tfjs-backend-wasm` package that this process loaded: first from Node's module
 * cache (the exact copy gan-kit imported), then by resolution from this file and from the working directory.
 * Only a copy whose version equals the loaded `version_wasm` is accepted.
 */
function findWasmPackage(node: NodeModules): string {
  const { fs, path } = node;
  const candidates: string[] = [];
  const cacheRequire = node.module.createRequire(path.join(process.cwd(), 'gan-kit-resolve.cjs'));
  for (const file of Object.keys(cacheRequire.cache ?? {})) {
    const m = /^(.*[\\/]@tensorflow[\\/]tfjs-backend-wasm)[\\/]dist[\\/][^\\/]+\.js$/.exec(file);
    if (m != null) candidates.push(m[1]);
  }
  const bases: string[] = [];
  if (typeof __filename === 'string') bases.push(__filename);
  bases.push(path.join(process.cwd(), 'gan-kit-resolve.cjs'));
  for (const base of bases) {
    try {
      const pkg = node.module.createRequire(base).resolve('@tensorflow/tfjs-backend-wasm/package.json');
      candidates.push(path.dirname(pkg));
    } catch {
      // not resolvable from here: try the next base
    }
  }
  const seen: string[] = [];
  for (const dir of candidates) {
    if (seen.includes(dir)) continue;
    seen.push(dir);
    try {
      const { version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string };
      if (version === version_wasm) return dir;
    } catch {
      // unreadable: try the next candidate
    }
  }
  throw new Error(
    `could not find the files of @tensorflow/tfjs-backend-wasm ${version_wasm} (looked in: ${seen.join(', ') || 'nothing found'})`,
  );
}

/** Rejects after `ms` unless `promise` settles first; the timer never keeps the process alive. */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    (timer as { unref?: () => void }).unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Starts the package's threaded Emscripten module with real file paths for its pthread workers. Resolves once
 * the module is ready and all pool workers have loaded it; XNNPACK's thread pool is created later, by
 * `BackendWasm`'s constructor.
 */
async function prepareThreadedModule(numThreads: number, timeoutMs: number): Promise<Prepared> {
  if (typeof SharedArrayBuffer !== 'function') throw new Error('SharedArrayBuffer is not available');
  const node = await loadNodeModules();
  const { fs, os, path } = node;
  const dir = findWasmPackage(node);
  const require = node.module.createRequire(path.join(dir, 'package.json'));
  const factory = require(path.join(dir, GLUE)) as (config: WasmFactoryConfig) => Promise<ThreadedModule>;
  const { wasmWorkerContents } = require(path.join(dir, WORKER_SOURCE)) as { wasmWorkerContents?: unknown };
  if (typeof factory !== 'function' || typeof wasmWorkerContents !== 'string') {
    throw new Error(`unexpected layout of @tensorflow/tfjs-backend-wasm's ${GLUE}`);
  }
  const binary = await fs.promises.readFile(path.join(dir, BINARY));

  let tmp: string | undefined;
  const removeTemp = (): void => {
    if (tmp === undefined) return;
    try {
      fs.rmSync(tmp, { recursive: true, force: true });
    } catch {
      // best effort: the folder is private and tiny
    }
    tmp = undefined;
  };
  let abort: (reason: Error) => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    abort = reject;
  });
  // A pthread worker that fails to start (for example because it inherited an execArgv it cannot use) emits
  // 'error'; Emscripten's own handler rethrows it, which would end the process. Until the backend is built,
  // these errors reject the start instead, and gan-kit falls back.
  const onStartupError = (e: unknown): void => abort(new Error(`a pthread worker failed to start: ${message(e)}`));
  const glueErrorHandlers = new Map<NodeWorker, unknown>();
  let workerFile = '';
  const config: WasmFactoryConfig & Partial<ThreadedModule> = {
    mainScriptUrlOrBlob: path.join(dir, GLUE),
    locateFile: (file: string, prefix: string) => (file.endsWith('.worker.js') ? workerFile : prefix + file),
    instantiateWasm: (
      imports: { env: Record<string, unknown> },
      receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
    ) => {
      if (typeof imports.env?.emscripten_num_logical_cores !== 'function') {
        abort(new Error('the threaded module no longer imports emscripten_num_logical_cores'));
        return {};
      }
      // backend.cc uses min(requested, logical cores / 2) threads: report twice the requested count.
      imports.env.emscripten_num_logical_cores = () => 2 * numThreads;
      WebAssembly.instantiate(binary, imports as WebAssembly.Imports).then(
        (result) => {
          receive(result.instance, result.module); // attaches Emscripten's handlers to the pool workers
          for (const worker of config.PThread?.unusedWorkers ?? []) {
            const w = worker as NodeWorker & { onerror?: unknown };
            glueErrorHandlers.set(worker, w.onerror);
            w.onerror = onStartupError;
          }
        },
        (e: unknown) => abort(new Error(`instantiating ${BINARY} failed: ${message(e)}`)),
      );
      return {};
    },
    onAbort: (what: string) => abort(new Error(`the threaded module aborted: ${what}`)),
  };

  let addedListeners: Array<['uncaughtException' | 'unhandledRejection', (...args: unknown[]) => void]> = [];
  const cleanup = (): void => {
    try {
      config.PThread?.terminateAllThreads();
    } catch {
      // nothing left to stop
    }
    for (const [event, listener] of addedListeners) process.removeListener(event, listener);
    addedListeners = [];
    removeTemp();
  };
  const finishStartup = (): void => {
    for (const [worker, handler] of glueErrorHandlers) (worker as { onerror?: unknown }).onerror = handler;
    glueErrorHandlers.clear();
    removeTemp();
  };

  try {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gan-kit-wasm-'));
    // The package stores the worker source in a template literal, which turned its "\n" escapes into newlines;
    // restoring them gives the script the stock loader puts in its Blob.
    workerFile = path.join(tmp, 'pthread-worker.cjs');
    fs.writeFileSync(workerFile, wasmWorkerContents.replace(/\n/g, '\\n'), { mode: 0o600 });
    const before = {
      uncaughtException: process.listeners('uncaughtException'),
      unhandledRejection: process.listeners('unhandledRejection'),
    };
    let ready: Promise<ThreadedModule>;
    try {
      ready = factory(config); // creates the pool's workers synchronously
    } finally {
      // The glue adds process listeners, as the stock loader's does; remember them to remove them on failure.
      for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
        for (const listener of process.listeners(event)) {
          if (!(before[event] as unknown[]).includes(listener)) {
            addedListeners.push([event, listener as (...args: unknown[]) => void]);
          }
        }
      }
      for (const worker of config.PThread?.unusedWorkers ?? []) {
        // Settles nothing once the start has finished: later errors reach Emscripten's handler.
        (worker as NodeWorker & { on(event: 'error', fn: (e: unknown) => void): void }).on('error', onStartupError);
      }
    }
    const module = await withTimeout(Promise.race([ready, aborted]), timeoutMs, 'starting the threaded wasm module');
    removeEmscriptenProcessHandlers(); // they would print the minified glue before every later uncaught error
    if (module.PThread == null || typeof module.cwrap !== 'function') {
      throw new Error('the threaded module has no PThread pool');
    }
    return { module, numThreads, cleanup, finishStartup };
  } catch (e) {
    cleanup();
    throw e;
  }
}

/**
 * Builds the stock `BackendWasm` on a prepared threaded module: the same C functions the stock loader wraps, then
 * XNNPACK's pool (created by the constructor with the requested thread count). Afterwards the pool's threads are
 * unreferenced and the unused pthread workers terminated.
 */
function constructBackend(prepared: Prepared): tf.KernelBackend {
  const { module, numThreads } = prepared;
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  setThreadsCount(numThreads);
  const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
  const pool = module.PThread!;
  for (const worker of pool.runningWorkers) worker.unref();
  for (const worker of pool.unusedWorkers.splice(0)) void worker.terminate();
  prepared.finishStartup();
  return backend;
}

/** The factory registered as `'wasm'` while threads are enabled: threaded build, else the stock one. */
async function threadedFactory(): Promise<tf.KernelBackend> {
  let prepared = state.pending;
  state.pending = undefined;
  const numThreads = state.numThreads > 0 ? state.numThreads : await defaultThreadCount();
  if (numThreads <= 1) {
    prepared?.cleanup();
    prepared = undefined;
    state.reason = 'this machine has one core';
  } else if (prepared == null || prepared.numThreads !== numThreads) {
    prepared?.cleanup();
    try {
      prepared = await prepareThreadedModule(numThreads, state.timeoutMs);
    } catch (e) {
      prepared = undefined;
      state.reason = message(e);
    }
  }
  if (prepared != null) {
    try {
      const backend = constructBackend(prepared);
      state.reason = undefined;
      return backend;
    } catch (e) {
      prepared.cleanup();
      state.reason = `the threaded backend could not be constructed: ${message(e)}`;
    }
  }
  setThreadsCount(-1);
  try {
    return await state.stockFactory!();
  } finally {
    removeEmscriptenProcessHandlers();
  }
}

/** Registers {@link threadedFactory} as `'wasm'`, keeping the stock factory for the fallback. */
function install(numThreads: number, timeoutMs: number): boolean {
  state.numThreads = numThreads;
  state.timeoutMs = timeoutMs;
  if (state.stockFactory != null) return true;
  const entry = tf.engine().registryFactory[WASM];
  if (entry == null) {
    state.reason = "the 'wasm' backend is not registered (import '@tensorflow/tfjs-backend-wasm')";
    return false;
  }
  state.stockFactory = entry.factory as BackendFactory;
  state.priority = entry.priority;
  tf.removeBackend(WASM);
  tf.registerBackend(WASM, threadedFactory, state.priority);
  return true;
}

/** Puts the stock `'wasm'` factory back (only before the backend has started). */
function uninstall(): void {
  state.pending?.cleanup();
  state.pending = undefined;
  if (state.stockFactory == null || wasmStarted()) return;
  tf.removeBackend(WASM);
  tf.registerBackend(WASM, state.stockFactory, state.priority);
  state.stockFactory = undefined;
}

/** Threads to use by default in Node: the cores Node reports, at most {@link MAX_THREADS}. */
async function defaultThreadCount(): Promise<number> {
  const os = await nodeImport<NodeModules['os']>('node:os');
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(MAX_THREADS, cores));
}

/**
 * Parses `GAN_KIT_WASM_THREADS`: an integer thread count, `true`/`auto` (the default count), or
 * `0`/`1`/`false`/`off` (single-threaded). Returns undefined when unset or unreadable.
 */
export function wasmThreadsFromEnv(): number | boolean | undefined {
  if (!isNode()) return undefined;
  const raw = process.env.GAN_KIT_WASM_THREADS?.trim().toLowerCase();
  if (raw == null || raw === '') return undefined;
  if (raw === 'true' || raw === 'auto' || raw === 'on') return true;
  if (raw === 'false' || raw === 'off') return false;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) return undefined;
  return n <= 1 ? false : n;
}

/**
 * Makes the wasm backend run XNNPACK on several threads in Node, using the multi-threaded SIMD build that
 * `@tensorflow/tfjs-backend-wasm` ships but does not start in Node (see docs/performance.md for why, and how).
 * Call it before the wasm backend initialises (before `tf.setBackend('wasm')` or the first op on it);
 * {@link setupBackend} calls it for you.
 *
 * In Node it starts the threaded Emscripten module and its pthread workers now, and registers it as the
 * `'wasm'` backend; every kernel (stock and gan-kit's) runs unchanged. If anything fails, or `numThreads` is 1,
 * the stock single-threaded SIMD build stays in place and it resolves `false`
 * ({@link getWasmThreadsFallbackReason} says why). It never throws for environmental reasons and never waits
 * longer than `timeoutMs`. The pool threads never keep a Node process alive.
 *
 * In browsers gan-kit does not replace the loader: the stock one uses its threaded build when the page is
 * cross-origin isolated (SharedArrayBuffer available). This then only forwards `numThreads` to the stock
 * `setThreadsCount` and resolves whether the stock loader will pick the threaded build. (The stock build uses at
 * most half of `navigator.hardwareConcurrency` threads.)
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { enableWasmThreads, getWasmThreadCount } from 'gan-kit';
 * await enableWasmThreads({ numThreads: 2 });  // true when the threaded build is ready
 * await tf.setBackend('wasm');
 * getWasmThreadCount();                         // 2
 * ```
 * @param options see {@link WasmThreadsOptions}.
 * @returns true when the threaded build will be (or already is) used by the wasm backend.
 * @throws {InvalidArgumentError} if `numThreads` is not an integer >= 1 or `timeoutMs` is not a positive number.
 */
export async function enableWasmThreads(options: WasmThreadsOptions = {}): Promise<boolean> {
  const { numThreads, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
  if (numThreads !== undefined && !(Number.isInteger(numThreads) && numThreads >= 1)) {
    throw new InvalidArgumentError('options.numThreads', 'an integer >= 1', numThreads);
  }
  if (!(typeof timeoutMs === 'number' && timeoutMs > 0 && Number.isFinite(timeoutMs))) {
    throw new InvalidArgumentError('options.timeoutMs', 'a positive number of milliseconds', timeoutMs);
  }
  if (!isNode()) {
    if (numThreads !== undefined) setThreadsCount(numThreads);
    const supported = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true;
    state.reason = supported ? undefined : 'the page is not cross-origin isolated (no SharedArrayBuffer)';
    return supported && numThreads !== 1;
  }
  if (wasmStarted()) {
    const active = getWasmThreadCount();
    if (active <= 1 && state.reason == null) {
      state.reason = 'the wasm backend had already started single-threaded: call enableWasmThreads before it starts';
    }
    return active > 1;
  }
  const threads = numThreads ?? (await defaultThreadCount());
  if (threads <= 1) {
    uninstall();
    state.reason = numThreads === 1 ? 'one thread was requested' : 'this machine has one core';
    return false;
  }
  if ((await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) !== true) {
    uninstall();
    state.reason = 'this WebAssembly engine has no SIMD, and the threaded build needs it';
    return false;
  }
  if (!install(Math.min(threads, MAX_THREADS), timeoutMs)) return false;
  if (state.pending == null || state.pending.numThreads !== state.numThreads) {
    state.pending?.cleanup();
    state.pending = undefined;
    try {
      state.pending = await prepareThreadedModule(state.numThreads, timeoutMs);
    } catch (e) {
      uninstall();
      state.reason = message(e);
      return false;
    }
  }
  state.reason = undefined;
  return true;
}

/**
 * Threads the initialised wasm backend runs XNNPACK on: 1 for the single-threaded builds, 2 or more when
 * {@link enableWasmThreads} took effect, 0 while the wasm backend has not been initialised.
 */
export function getWasmThreadCount(): number {
  if (tf.engine().registry[WASM] == null) return 0;
  try {
    return getThreadsCount();
  } catch {
    return 0;
  }
}

/**
 * Why the last attempt to use wasm threads fell back to the single-threaded build (for logs), or undefined when
 * threads are in use or were never asked for.
 */
export function getWasmThreadsFallbackReason(): string | undefined {
  return state.reason;
}

// GAN_KIT_WASM_THREADS=N (N >= 2, or "auto") makes any later start of the wasm backend in this Node process
// threaded, also for code that calls tf.setBackend('wasm') itself (for example the test suite). The module is
// then started lazily, by the backend factory, with the same fallback.
{
  const fromEnv = wasmThreadsFromEnv();
  if (fromEnv !== undefined && fromEnv !== false && !wasmStarted()) {
    install(fromEnv === true ? 0 : Math.min(MAX_THREADS, fromEnv), DEFAULT_TIMEOUT_MS);
  }
}
