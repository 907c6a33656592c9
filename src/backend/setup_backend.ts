import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BackendError, InvalidArgumentError } from '../errors';
import { registerGanKitKernels } from './register';

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

async function trySet(name: BackendName): Promise<boolean> {
  if (tf.findBackendFactory(name) == null) return false;
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
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
 * gan-kit works on any of them; this only chooses. It also makes sure gan-kit's kernels and second-order
 * gradients are registered (they are registered on import already; calling again is harmless).
 *
 * @example
 * ```ts
 * import { setupBackend } from 'gan-kit';
 * const name = await setupBackend();            // e.g. 'wasm' on a machine without tfjs-node
 * await setupBackend({ backend: 'cpu' });        // force one
 * ```
 * @returns the name of the active backend.
 * @throws {InvalidArgumentError} if `options.backend` is not a known backend name.
 * @throws {BackendError} if the named backend cannot be started.
 */
export async function setupBackend(options: SetupBackendOptions = {}): Promise<BackendName> {
  registerGanKitKernels();
  if (options.wasmPaths !== undefined) setWasmPaths(options.wasmPaths);
  const requested = options.backend;
  if (requested !== undefined) {
    if (!KNOWN.includes(requested)) {
      throw new InvalidArgumentError('options.backend', `one of ${KNOWN.join(', ')}`, requested);
    }
    if (requested === 'tensorflow' && !(await loadNativeBinding())) {
      throw new BackendError(
        "options.backend: 'tensorflow' needs @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu, and neither " +
          'could be loaded. Install one (npm install @tensorflow/tfjs-node), or leave options.backend unset.',
      );
    }
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
    if (await trySet(name)) return report(name, options);
  }
  throw new BackendError(`No tfjs backend could be started (tried ${candidates.join(', ')}).`);
}

function report(name: BackendName, options: SetupBackendOptions): BackendName {
  if (options.verbose) console.info(`gan-kit: using the ${name} backend`);
  return name;
}
