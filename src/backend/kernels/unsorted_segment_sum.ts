/**
 * `UnsortedSegmentSum` for the wasm backend, which stock tfjs-backend-wasm 4.22 lacks. It is the gradient of
 * `tf.gather` — so without it no `tf.layers.embedding` (class-conditional GANs) can be trained on wasm.
 *
 * out[s, …] = Σ_{i : segmentIds[i] = s} x[i, …] for s in [0, numSegments); ids outside that range are dropped,
 * as in TensorFlow. A single pass over x in JavaScript on the wasm heap: the op is memory-bound and small
 * (embedding tables), so there is nothing for XNNPACK to speed up.
 *
 * @internal
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendLike } from './wasm_kernel_utils';

/** The kernel function: inputs {x, segmentIds (int32, a prefix of x's shape)}, attrs {numSegments}. */
export function unsortedSegmentSumWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = args.attrs as { numSegments: number };
  const ids = backend.readSync(segmentIds.dataId) as Int32Array;
  const xValues = backend.readSync(x.dataId) as Float32Array | Int32Array;
  const n = ids.length;
  const inner = n === 0 ? 0 : xValues.length / n;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = backend.makeOutput(outShape, x.dtype);
  const outValues = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
  outValues.fill(0);
  for (let i = 0; i < n; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) outValues[dst + j] += xValues[src + j];
  }
  return out;
}

/** Kernel config registered for the wasm backend by {@link registerWasmTrainingKernels}. */
export const unsortedSegmentSumWasmConfig: tf.KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSumWasm as unknown as tf.KernelFunc,
};
