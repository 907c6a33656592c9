/**
 * Two guards that keep tfjs' backend machinery from hiding the user's own errors.
 *
 * 1. **Emscripten's process handlers.** The Node builds of `@tensorflow/tfjs-backend-wasm` (Emscripten glue)
 *    add `process.on('uncaughtException', ex => { throw ex })` and `process.on('unhandledRejection', r => { throw r })`
 *    when the module starts. Any later uncaught error is then re-thrown from inside the glue, so Node prints the
 *    glue's source line as the error's location: about 39 KB of minified code for the threaded build, before the
 *    user's message, and exits with status 7 instead of 1. gan-kit removes exactly these two listeners (recognised
 *    by their source) once the wasm backend has started; Node's own handling, the same as without tfjs, applies.
 * 2. **A backend that is not initialised yet.** The wasm backend starts asynchronously, so calling gan-kit (or
 *    any tfjs op) before `await setupBackend()` fails inside tfjs with "Backend 'wasm' has not yet been
 *    initialized". gan-kit turns that into a {@link BackendNotReadyError} that says to call `setupBackend()`.
 *
 * @module backend/backend_guards
 */
import * as tf from '@tensorflow/tfjs';
import { BackendNotReadyError } from '../errors';

type Listener = (...args: unknown[]) => void;

/** True for the listener bodies the Emscripten glue adds (whitespace and minification ignored). */
function isEmscriptenListener(event: 'uncaughtException' | 'unhandledRejection', listener: Listener): boolean {
  let source: string;
  try {
    source = Function.prototype.toString.call(listener).replace(/\s+/g, '');
  } catch {
    return false;
  }
  if (event === 'uncaughtException') {
    // function(ex){if(!(ex instanceof ExitStatus)){throw ex}}
    return /^function\((\w+)\)\{if\(!\(\1instanceofExitStatus\)\)\{throw\1;?\}\}$/.test(source);
  }
  // function(reason){throw reason}
  return /^function\((\w+)\)\{throw\1;?\}$/.test(source);
}

/**
 * Removes the `uncaughtException` and `unhandledRejection` listeners that the wasm backend's Emscripten glue
 * installs on `process` (see the module comment), and only those. Safe to call any number of times, and a no-op
 * outside Node. Called by {@link setupBackend} and by gan-kit's threaded wasm loader after the module starts.
 *
 * @returns how many listeners were removed.
 */
export function removeEmscriptenProcessHandlers(): number {
  if (typeof process === 'undefined' || typeof process.listeners !== 'function') return 0;
  let removed = 0;
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    for (const listener of process.listeners(event) as Listener[]) {
      if (isEmscriptenListener(event, listener)) {
        process.removeListener(event, listener);
        removed++;
      }
    }
  }
  return removed;
}

const PATCHED = Symbol.for('gan-kit.backendReadyGuard');

/** tfjs' message when an op runs while an asynchronous backend is still starting (or was never awaited). */
const NOT_INITIALIZED = /(?:Backend|backend) '([^']+)' has not yet been\s+initialized/;

/**
 * Makes tfjs' "backend has not yet been initialized" error a {@link BackendNotReadyError} that tells the user
 * to `await setupBackend()`. Installs a getter on the tfjs engine instance that calls tfjs' own `backend` getter
 * and rewrites only that one error; every other error and every return value pass through unchanged. Idempotent.
 */
export function installBackendReadyGuard(): void {
  let engine: object;
  try {
    engine = tf.engine() as unknown as object;
  } catch {
    return;
  }
  const marked = engine as Record<symbol, unknown>;
  if (marked[PATCHED] === true) return;
  let proto: object | null = Object.getPrototypeOf(engine);
  let descriptor: PropertyDescriptor | undefined;
  while (proto != null && descriptor === undefined) {
    descriptor = Object.getOwnPropertyDescriptor(proto, 'backend');
    proto = Object.getPrototypeOf(proto);
  }
  const get = descriptor?.get;
  if (get === undefined) return; // a tfjs without this getter: leave it alone
  Object.defineProperty(engine, 'backend', {
    configurable: true,
    enumerable: false,
    get(this: object) {
      try {
        return get.call(this);
      } catch (e) {
        const match = e instanceof Error ? NOT_INITIALIZED.exec(e.message) : null;
        if (match != null) throw new BackendNotReadyError(match[1]!);
        throw e;
      }
    },
  });
  Object.defineProperty(engine, PATCHED, { value: true });
}
