/**
 * Backend selection for the page: where the wasm backend finds its .wasm files, and switching between webgl,
 * wasm and cpu with gan-kit's setupBackend.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BackendError, getWasmThreadCount, setupBackend, type BackendName } from 'gan-kit';
// Vite copies each file into the build and gives its final (hashed) URL.
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

// tfjs-backend-wasm 4.22 picks its multi-threaded build on cross-origin-isolated pages and starts the pthread
// workers from the *source text* of a function in its glue code. Bundled (Vite/Rolldown renames variables), that
// text no longer runs on its own: every worker throws "ReferenceError: e is not defined" and the backend never
// starts. Keep the single-threaded SIMD build everywhere (this must run before the wasm backend starts).
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
});

/** The backends the picker offers. */
export const PAGE_BACKENDS = ['webgl', 'wasm', 'cpu'] as const;
export type PageBackend = (typeof PAGE_BACKENDS)[number];

/** What the page knows about the active backend. */
export interface BackendInfo {
  name: BackendName;
  /** Human-readable details: wasm threads, WebGL renderer. */
  detail: string;
}

function webglRenderer(): string {
  try {
    const gl = document.createElement('canvas').getContext('webgl2') ?? document.createElement('canvas').getContext('webgl');
    if (!gl) return '';
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  } catch {
    return '';
  }
}

function describe(name: BackendName): string {
  if (name === 'wasm') {
    const threads = getWasmThreadCount();
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD' : 'no SIMD';
    const isolated = globalThis.crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated';
    return `${threads} thread${threads === 1 ? '' : 's'}, ${simd}, ${isolated}`;
  }
  if (name === 'webgl') return webglRenderer();
  return '';
}

/**
 * Switches to `name` (or lets gan-kit choose the fastest when undefined). Resolves with the active backend, or
 * rejects with gan-kit's BackendError when that backend cannot start in this browser (e.g. webgl without a GPU).
 */
export async function useBackend(name?: PageBackend): Promise<BackendInfo> {
  const active = await setupBackend(name === undefined ? {} : { backend: name });
  return { name: active, detail: describe(active) };
}

export { BackendError };
