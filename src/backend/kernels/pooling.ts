/**
 * Correct max-pooling kernels for the wasm backend, replacing stock tfjs-backend-wasm 4.22 ones that are wrong.
 *
 * - `MaxPoolGrad`, `MaxPoolWithArgmax`, `MaxPool3D`, `MaxPool3DGrad`: the stock C++ kernels start each window's
 *   running maximum at the smallest positive float (FLT_MIN, 1.2e-38) instead of −∞. A window whose values are
 *   all ≤ 0 therefore keeps the start value: the gradient goes to the window's first element instead of its
 *   maximum (`[-4, -3, -2, -1]` in one 2×2 window gives `[1, 0, 0, 0]` instead of `[0, 0, 0, 1]`), and
 *   `MaxPoolWithArgmax` and the 3-D forward pass return 1.2e-38 and index 0. Windows overlapping a 'same'
 *   border hit this whenever their in-image values are negative, and so does every window of a layer that
 *   pools pre-activations. gan-kit's MaxPool gradient (and its second-order gradient, which gathers at
 *   `MaxPoolWithArgmax`'s indexes) runs these kernels.
 * - `MaxPool`, `AvgPool` with a numeric `pad` and `dimRoundingMode` 'ceil' or 'round': tfjs sizes the output
 *   by the rounding mode, but XNNPACK sizes it from the padding alone (floor), so the output rows and columns
 *   beyond XNNPACK's are never written (uninitialised memory) and the rest are laid out with the wrong row
 *   stride. These shapes are computed here; every other call goes to the stock XNNPACK kernel.
 *
 * Semantics follow the cpu backend (the oracle in the tests): a window covers only in-image elements (padding
 * never wins a maximum and is not counted in an average); its maximum is the first one in row-major window
 * order (ties: the first), found by strict comparison from −∞, so a window holding only NaN has index −1 and
 * value −∞. Max-pool gradients add each output's upstream gradient to the input element at that index;
 * `MaxPoolWithArgmax` and `MaxPoolGrad` therefore pick the same element, which gan-kit's second-order max-pool
 * gradient relies on. Plain loops over the wasm heap, channels innermost (contiguous in NHWC/NDHWC).
 *
 * @internal
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendLike } from './wasm_kernel_utils';

type TypedArray = Float32Array | Int32Array | Uint8Array;

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}

/** A pooling window grid, 2-D pooling being the 3-D case with depth 1. Dilation is 1 (tfjs pooling has none). */
interface Grid {
  batch: number;
  channels: number;
  inDepth: number;
  inHeight: number;
  inWidth: number;
  outDepth: number;
  outHeight: number;
  outWidth: number;
  filterDepth: number;
  filterHeight: number;
  filterWidth: number;
  strideDepth: number;
  strideHeight: number;
  strideWidth: number;
  padFront: number;
  padTop: number;
  padLeft: number;
}

function grid2d(info: tf.backend_util.Conv2DInfo): Grid {
  return {
    batch: info.batchSize,
    channels: info.inChannels,
    inDepth: 1,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    outDepth: 1,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterDepth: 1,
    filterHeight: info.effectiveFilterHeight,
    filterWidth: info.effectiveFilterWidth,
    strideDepth: 1,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padFront: 0,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

function grid3d(info: tf.backend_util.Conv3DInfo): Grid {
  return {
    batch: info.batchSize,
    channels: info.inChannels,
    inDepth: info.inDepth,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    outDepth: info.outDepth,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterDepth: info.effectiveFilterDepth,
    filterHeight: info.effectiveFilterHeight,
    filterWidth: info.effectiveFilterWidth,
    strideDepth: info.strideDepth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padFront: info.padInfo.front,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * Calls `visit(outBase, window)` for every output position (outBase: flat offset of its channel 0), with the
 * flat offsets (channel 0, batch included) of the window's in-image input elements in row-major order.
 */
function forEachWindow(g: Grid, visit: (outBase: number, window: readonly number[]) => void): void {
  const window: number[] = [];
  let outBase = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let od = 0; od < g.outDepth; od++) {
      const d0 = od * g.strideDepth - g.padFront;
      const dMin = Math.max(0, d0);
      const dMax = Math.min(g.inDepth, d0 + g.filterDepth);
      for (let oh = 0; oh < g.outHeight; oh++) {
        const h0 = oh * g.strideHeight - g.padTop;
        const hMin = Math.max(0, h0);
        const hMax = Math.min(g.inHeight, h0 + g.filterHeight);
        for (let ow = 0; ow < g.outWidth; ow++) {
          const w0 = ow * g.strideWidth - g.padLeft;
          const wMin = Math.max(0, w0);
          const wMax = Math.min(g.inWidth, w0 + g.filterWidth);
          window.length = 0;
          for (let d = dMin; d < dMax; d++) {
            for (let h = hMin; h < hMax; h++) {
              const row = ((b * g.inDepth + d) * g.inHeight + h) * g.inWidth;
              for (let w = wMin; w < wMax; w++) window.push((row + w) * g.channels);
            }
          }
          visit(outBase, window);
          outBase += g.channels;
        }
      }
    }
  }
}

/**
 * For every output element, the flat index in `x` (batch included) of its window's first maximum, or −1 when
 * the window has no element greater than −∞ (only NaN or −∞, or no in-image element).
 */
function argmaxIndexes(x: TypedArray, g: Grid): Int32Array {
  const outSize = g.batch * g.outDepth * g.outHeight * g.outWidth * g.channels;
  const indexes = new Int32Array(outSize);
  const best = new Float64Array(g.channels);
  forEachWindow(g, (outBase, window) => {
    best.fill(Number.NEGATIVE_INFINITY);
    indexes.fill(-1, outBase, outBase + g.channels);
    for (const base of window) {
      for (let c = 0; c < g.channels; c++) {
        const v = x[base + c];
        if (v > best[c]) {
          best[c] = v;
          indexes[outBase + c] = base + c;
        }
      }
    }
  });
  return indexes;
}

/** Max pooling values from the argmax indexes (−∞ where there is none). */
function gatherMax(x: TypedArray, indexes: Int32Array, out: TypedArray): void {
  for (let i = 0; i < indexes.length; i++) out[i] = indexes[i] >= 0 ? x[indexes[i]] : Number.NEGATIVE_INFINITY;
}

/** dx = Σ over outputs of dy at the output, added at the output's argmax. */
function scatterAtArgmax(dy: TypedArray, indexes: Int32Array, dx: Float32Array): void {
  dx.fill(0);
  for (let i = 0; i < indexes.length; i++) if (indexes[i] >= 0) dx[indexes[i]] += dy[i];
}

function maxPoolGradWasm(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const dx = backend.makeOutput(input.shape, 'float32');
  const indexes = argmaxIndexes(backend.typedArrayFromHeap(input), grid2d(info));
  scatterAtArgmax(backend.typedArrayFromHeap(dy), indexes, backend.typedArrayFromHeap(dx) as Float32Array);
  return dx;
}

function maxPoolWithArgmaxWasm(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmBackendLike;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { filterSize, strides, pad, includeBatchInIndex } = args.attrs as unknown as tf.MaxPoolWithArgmaxAttrs;
  if (x.shape.length !== 4) throw new Error(`MaxPoolWithArgmax: input must be rank 4, got rank ${x.shape.length}`);
  const info = tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    filterSize,
    strides,
    [1, 1],
    pad,
  );
  const pooled = backend.makeOutput(info.outShape, x.dtype);
  const indexesOut = backend.makeOutput(info.outShape, 'int32');
  const xValues = backend.typedArrayFromHeap(x);
  const indexes = argmaxIndexes(xValues, grid2d(info));
  gatherMax(xValues, indexes, backend.typedArrayFromHeap(pooled));
  const perImage = info.inHeight * info.inWidth * info.inChannels;
  const outPerImage = info.outHeight * info.outWidth * info.outChannels;
  const target = backend.typedArrayFromHeap(indexesOut) as Int32Array;
  for (let i = 0; i < indexes.length; i++) {
    // TensorFlow's index is (b·H + h)·W·C + w·C + c, or without the batch term.
    const b = Math.floor(i / outPerImage);
    target[i] = indexes[i] < 0 || includeBatchInIndex ? indexes[i] : indexes[i] - b * perImage;
  }
  return [pooled, indexesOut];
}

type Pool3DAttrs = tf.MaxPool3DGradAttrs & { dataFormat?: string };

function pool3dInfo(x: tf.TensorInfo, attrs: Pool3DAttrs): tf.backend_util.Conv3DInfo {
  if (attrs.dataFormat != null && attrs.dataFormat !== 'NDHWC') {
    throw new Error(`wasm 3-D pooling supports dataFormat 'NDHWC' only, got '${attrs.dataFormat}'`);
  }
  return tf.backend_util.computePool3DInfo(
    x.shape as [number, number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    'NDHWC',
  );
}

function maxPool3DWasm(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const info = pool3dInfo(x, args.attrs as unknown as Pool3DAttrs);
  const out = backend.makeOutput(info.outShape, x.dtype);
  const xValues = backend.typedArrayFromHeap(x);
  gatherMax(xValues, argmaxIndexes(xValues, grid3d(info)), backend.typedArrayFromHeap(out));
  return out;
}

function maxPool3DGradWasm(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const info = pool3dInfo(input, args.attrs as unknown as Pool3DAttrs);
  const dx = backend.makeOutput(input.shape, 'float32');
  const indexes = argmaxIndexes(backend.typedArrayFromHeap(input), grid3d(info));
  scatterAtArgmax(backend.typedArrayFromHeap(dy), indexes, backend.typedArrayFromHeap(dx) as Float32Array);
  return dx;
}

/** Output length XNNPACK derives from explicit padding (it always floors). */
function xnnpackOutSize(inSize: number, filter: number, stride: number, before: number, after: number): number {
  return Math.floor((inSize + before + after - filter) / stride) + 1;
}

/** Whether the stock XNNPACK pooling kernel would size the output differently from tfjs (see the file doc). */
function stockMisSizes(info: tf.backend_util.Conv2DInfo): boolean {
  const { top, bottom, left, right } = info.padInfo;
  return (
    xnnpackOutSize(info.inHeight, info.effectiveFilterHeight, info.strideHeight, top, bottom) !== info.outHeight ||
    xnnpackOutSize(info.inWidth, info.effectiveFilterWidth, info.strideWidth, left, right) !== info.outWidth
  );
}

/** Average pooling over each window's in-image elements (NaN for a window with none, as on cpu). */
function averagePool(x: TypedArray, g: Grid, out: TypedArray): void {
  const sums = new Float64Array(g.channels);
  forEachWindow(g, (outBase, window) => {
    sums.fill(0);
    for (const base of window) for (let c = 0; c < g.channels; c++) sums[c] += x[base + c];
    for (let c = 0; c < g.channels; c++) out[outBase + c] = sums[c] / window.length;
  });
}

/**
 * Wraps the stock 2-D `MaxPool` or `AvgPool` kernel: shapes it sizes wrongly are pooled here, the rest go to
 * the stock kernel (whose setup the wrapper keeps).
 */
function wrapPool2d(stock: tf.KernelConfig, kind: 'max' | 'avg'): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.AvgPoolAttrs;
    const info = tf.backend_util.computePool2DInfo(
      x.shape as [number, number, number, number],
      filterSize,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    if (!stockMisSizes(info) || x.dtype !== 'float32') return stock.kernelFunc(args as never);
    const backend = args.backend as WasmBackendLike;
    const out = backend.makeOutput(info.outShape, 'float32');
    const xValues = backend.typedArrayFromHeap(x);
    const g = grid2d(info);
    if (kind === 'max') gatherMax(xValues, argmaxIndexes(xValues, g), backend.typedArrayFromHeap(out));
    else averagePool(xValues, g, backend.typedArrayFromHeap(out));
    return out;
  };
  return { ...stock, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

/** Replacement kernels that need nothing from the stock ones. */
const STANDALONE: readonly tf.KernelConfig[] = [
  { kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGradWasm as unknown as tf.KernelFunc },
  {
    kernelName: 'MaxPoolWithArgmax',
    backendName: 'wasm',
    kernelFunc: maxPoolWithArgmaxWasm as unknown as tf.KernelFunc,
  },
  { kernelName: 'MaxPool3D', backendName: 'wasm', kernelFunc: maxPool3DWasm as unknown as tf.KernelFunc },
  { kernelName: 'MaxPool3DGrad', backendName: 'wasm', kernelFunc: maxPool3DGradWasm as unknown as tf.KernelFunc },
];

/** Stock wasm MaxPool/AvgPool, captured before the first replacement (re-registration must not wrap ours). */
const stockPools = new Map<string, tf.KernelConfig>();

function replace(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName) != null) {
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel(config);
}

/**
 * Registers the pooling kernels above for the wasm backend (from {@link registerWasmTrainingKernels}).
 * Idempotent: the wrappers always wrap the stock kernels captured on the first call.
 */
export function registerWasmPoolingKernels(): void {
  for (const config of STANDALONE) replace(config);
  for (const [name, kind] of [
    ['MaxPool', 'max'],
    ['AvgPool', 'avg'],
  ] as const) {
    if (!stockPools.has(name)) {
      const stock = tf.getKernel(name, 'wasm');
      if (stock == null) continue;
      stockPools.set(name, stock);
    }
    replace(wrapPool2d(stockPools.get(name)!, kind));
  }
}
