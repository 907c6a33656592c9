/**
 * `BatchMatMul` for the wasm backend with fast transposed operands.
 *
 * Stock tfjs-backend-wasm sends only the plain `a · b` product to XNNPACK; with `transposeA` or `transposeB`
 * (every dense layer's weight and input gradients) it falls back to a slow loop: about 145 ms for the
 * 100×64 · 64×12544 weight gradient of DCGAN's first dense layer, against about 13 ms for the plain product.
 * This kernel materialises the transposed operand once with the backend's `Transpose` (a memory-bound copy),
 * then calls the stock kernel on the plain product.
 *
 * Stock also sends a product with a batch of more than one `b` matrix to the slow loop: about 90 ms for the
 * 64 × (196×196 · 196×16) attention product of SAGAN at 14x14, against about 0.2 ms for one 196×196 · 196×16
 * product through XNNPACK. So a batched product runs as one XNNPACK product per batch entry, each operand
 * copied out of the heap with `Float32Array.set` (the wasm `Slice` kernel takes tens of ms for such a slice)
 * and each result copied into place. Broadcasting over the batch (a batch of 1 on either side) is kept.
 *
 * @internal
 */
import * as tf from '@tensorflow/tfjs';
import { release, transposeInfo, type WasmBackendLike } from './wasm_kernel_utils';

/** Swaps the last two axes of `x`. */
function transposeLastTwo(backend: WasmBackendLike, x: tf.TensorInfo): tf.TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return transposeInfo(backend, x, perm);
}

/** One batch entry `index` of a rank-3 operand (a batch of 1 is broadcast), as a new [1, rows, cols] info. */
function batchEntry(backend: WasmBackendLike, x: tf.TensorInfo, index: number): tf.TensorInfo {
  const [batch, rows, cols] = x.shape as [number, number, number];
  const size = rows * cols;
  const entry = backend.makeOutput([1, rows, cols], 'float32');
  const from = backend.typedArrayFromHeap(x) as Float32Array;
  const offset = (batch === 1 ? 0 : index) * size;
  (backend.typedArrayFromHeap(entry) as Float32Array).set(from.subarray(offset, offset + size));
  return entry;
}

/**
 * The untransposed product of rank-3 float32 `a` [batch, m, k] and `b` [batch, k, n] (either batch may be 1)
 * as one stock (XNNPACK) product per batch entry, written into one [batch, m, n] output.
 */
function perEntryProduct(stock: tf.KernelConfig, backend: WasmBackendLike, a: tf.TensorInfo, b: tf.TensorInfo, attrs: tf.NamedAttrMap | undefined): tf.TensorInfo {
  const batch = Math.max(a.shape[0]!, b.shape[0]!);
  const m = a.shape[1]!;
  const n = b.shape[2]!;
  const out = backend.makeOutput([batch, m, n], 'float32');
  const sharedA = a.shape[0] === 1 ? batchEntry(backend, a, 0) : undefined;
  const sharedB = b.shape[0] === 1 ? batchEntry(backend, b, 0) : undefined;
  try {
    for (let i = 0; i < batch; i++) {
      const ai = sharedA ?? batchEntry(backend, a, i);
      const bi = sharedB ?? batchEntry(backend, b, i);
      const product = stock.kernelFunc({
        inputs: { a: ai, b: bi },
        attrs: { ...attrs, transposeA: false, transposeB: false },
        backend: backend as unknown as tf.KernelBackend,
      }) as tf.TensorInfo;
      // The heap may grow (and move) while kernels run: take the output's view after the product.
      (backend.typedArrayFromHeap(out) as Float32Array).set(backend.typedArrayFromHeap(product) as Float32Array, i * m * n);
      release(backend, product);
      if (ai !== sharedA) release(backend, ai);
      if (bi !== sharedB) release(backend, bi);
    }
  } finally {
    if (sharedA) release(backend, sharedA);
    if (sharedB) release(backend, sharedB);
  }
  return out;
}

/** Whether a product goes per batch entry: rank-3 float32 operands with more than one `b` matrix, no fused extras. */
function perEntry(a: tf.TensorInfo, b: tf.TensorInfo): boolean {
  return a.shape.length === 3 && b.shape.length === 3 && b.shape[0]! > 1 && a.dtype === 'float32' && b.dtype === 'float32';
}

/**
 * Builds the replacement kernel around the stock one (`stock`), which it calls for the untransposed
 * product. Its `setupFunc` runs the stock kernel's setup, so replacing the registration loses nothing.
 */
export function makeBatchMatMulWasmConfig(stock: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }) => {
    const backend = args.backend as WasmBackendLike;
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    const batched = perEntry(a, b);
    if (!transposeA && !transposeB && !batched) return stock.kernelFunc(args as never);
    const a2 = transposeA ? transposeLastTwo(backend, a) : a;
    const b2 = transposeB ? transposeLastTwo(backend, b) : b;
    const out = batched
      ? perEntryProduct(stock, backend, a2, b2, args.attrs)
      : (stock.kernelFunc({
          inputs: { a: a2, b: b2 },
          attrs: { ...args.attrs, transposeA: false, transposeB: false },
          backend: args.backend as tf.KernelBackend,
        }) as tf.TensorInfo);
    if (transposeA) release(backend, a2);
    if (transposeB) release(backend, b2);
    return out;
  };
  return {
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    setupFunc: stock.setupFunc,
    kernelFunc: kernelFunc as unknown as tf.KernelFunc,
  };
}
