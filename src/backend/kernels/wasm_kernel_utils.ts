/**
 * Small helpers for writing wasm kernels out of the wasm backend's own kernels (XNNPACK Conv2D, Transpose,
 * Reshape, Slice): kernels work on TensorInfo (no tape, no engine bookkeeping), so every intermediate made
 * here must be released with {@link release}.
 *
 * @internal
 */
import * as tf from '@tensorflow/tfjs';

type TensorInfo = tf.TensorInfo;

/** The slice of the wasm backend's surface our kernels use. */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

/** Runs the registered wasm kernel `name` directly (no tape, no profiling) and returns its output. */
export function runWasmKernel(
  name: string,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
  backend: WasmBackendLike,
): TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel == null) throw new Error(`gan-kit: the wasm backend has no '${name}' kernel`);
  return kernel.kernelFunc({ inputs, attrs, backend: backend as unknown as tf.KernelBackend }) as TensorInfo;
}

/** Frees an intermediate made inside a kernel. */
export function release(backend: WasmBackendLike, info: TensorInfo): void {
  backend.disposeData(info.dataId);
}

/** `reshape` of a TensorInfo; the result shares memory with `x` (the backend counts references). */
export function reshapeInfo(backend: WasmBackendLike, x: TensorInfo, shape: number[]): TensorInfo {
  return runWasmKernel('Reshape', { x }, { shape }, backend);
}

/** `transpose` of a TensorInfo by `perm`. */
export function transposeInfo(backend: WasmBackendLike, x: TensorInfo, perm: number[]): TensorInfo {
  return runWasmKernel('Transpose', { x }, { perm }, backend);
}

/** `slice` of a TensorInfo; returns `x` itself (one more reference) when the slice is the whole tensor. */
export function sliceInfo(backend: WasmBackendLike, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  return runWasmKernel('Slice', { x }, { begin, size }, backend);
}

/**
 * Stride-1-or-more convolution with explicit padding `[top, bottom, left, right]` and dilation, straight to
 * XNNPACK. Skips the op-level checks (e.g. strides and dilations both > 1), which XNNPACK itself supports.
 */
export function conv2dInfo(
  backend: WasmBackendLike,
  x: TensorInfo,
  filter: TensorInfo,
  opts: { strides: [number, number]; dilations: [number, number]; pad: [number, number, number, number] },
): TensorInfo {
  const [top, bottom, left, right] = opts.pad;
  return runWasmKernel(
    'Conv2D',
    { x, filter },
    {
      strides: opts.strides,
      dilations: opts.dilations,
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ] as unknown as tf.NamedAttrMap[string],
      dataFormat: 'NHWC',
      dimRoundingMode: undefined as unknown as string,
    },
    backend,
  );
}
