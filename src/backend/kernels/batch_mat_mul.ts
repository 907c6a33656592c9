/**
 * `BatchMatMul` for the wasm backend with fast transposed operands.
 *
 * Stock tfjs-backend-wasm sends only the plain `a · b` product to XNNPACK; with `transposeA` or `transposeB`
 * (every dense layer's weight and input gradients) it falls back to a slow loop: about 145 ms for the
 * 100×64 · 64×12544 weight gradient of DCGAN's first dense layer, against about 13 ms for the plain product.
 * This kernel materialises the transposed operand once with the backend's `Transpose` (a memory-bound copy),
 * then calls the stock kernel on the plain product.
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

/**
 * Builds the replacement kernel around the stock one (`stock`), which it calls for the untransposed
 * product. Its `setupFunc` runs the stock kernel's setup, so replacing the registration loses nothing.
 */
export function makeBatchMatMulWasmConfig(stock: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }) => {
    const backend = args.backend as WasmBackendLike;
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    if (!transposeA && !transposeB) return stock.kernelFunc(args as never);
    const a2 = transposeA ? transposeLastTwo(backend, a) : a;
    const b2 = transposeB ? transposeLastTwo(backend, b) : b;
    const out = stock.kernelFunc({
      inputs: { a: a2, b: b2 },
      attrs: { ...args.attrs, transposeA: false, transposeB: false },
      backend: args.backend as tf.KernelBackend,
    }) as tf.TensorInfo;
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
