/**
 * A fast `Conv2DBackpropInput` for the wasm backend (the gradient of a convolution with respect to its input,
 * and the forward pass of a transposed convolution), built on the backend's XNNPACK `Conv2D`. Stock wasm's own
 * kernel is a naive loop (about 5.4 s of a 7 s DCGAN step here).
 *
 * Sub-pixel decomposition. Per spatial axis, with stride s, filter size K, padding before P, and dy of length O:
 *   dx[i] = Σ_{o, k : o·s + k − P = i} dy[o] · W[k].
 * Write q = i + P = s·m + r (0 ≤ r < s). Then k = r + s·t and o = m − t, so each phase r is a stride-1
 * correlation of dy with the taps W[r], W[r+s], … (reversed). With T = ceil(K/s) all s phases stack into ONE
 * stride-1 convolution of dy with the filter
 *   F[u, co, (r, ci)] = W[r + s·(T−1−u), ci, co]   (zero where r + s·(T−1−u) ≥ K),
 * whose output Z[m, (r, ci)] is reordered (depth-to-space) into Q[s·m + r, ci] and cropped: dx[i] = Q[i + P].
 * No zero insertion. The filter rearrangement is a small JS loop.
 *
 * The stacked form computes every phase over the union of the phases' row ranges; with padding P > 0 the
 * phases are shifted against each other, which costs an extra row and column (31% more work for DCGAN's
 * 7→14 transposed convolution). When the input size is a multiple of the stride — the usual case in GANs —
 * each output phase p is instead computed exactly, as its own stride-1 convolution with the taps
 * W[r + s·t], r = (p + P) mod s, and the phases are interleaved by the same depth-to-space step.
 *
 * The rearranged filters are cached for the last few filter tensors (see {@link rearrangedFilter}): a training
 * step runs a transposed convolution forward once per generator pass and a convolution's input gradient once per
 * discriminator pass, all with the same weights until the optimizer updates them, so each version of a filter is
 * read from the heap and rearranged once instead of once per call.
 *
 * @internal
 */
import * as tf from '@tensorflow/tfjs';
import {
  conv2dInfo,
  release,
  reshapeInfo,
  runWasmKernel,
  sliceInfo,
  transposeInfo,
  type WasmBackendLike,
} from './wasm_kernel_utils';

interface Conv2DBackpropInputAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

/**
 * Builds the stacked sub-pixel filter F [TH, TW, co, sh·sw·ci] from W [KH, KW, ci, co] (see the module doc).
 * Exported for tests.
 */
export function subPixelFilter(
  w: Float32Array,
  [kh, kw, ci, co]: [number, number, number, number],
  sh: number,
  sw: number,
): { data: Float32Array; shape: [number, number, number, number] } {
  const th = Math.ceil(kh / sh);
  const tw = Math.ceil(kw / sw);
  const outC = sh * sw * ci;
  const data = new Float32Array(th * tw * co * outC);
  for (let uh = 0; uh < th; uh++) {
    for (let rh = 0; rh < sh; rh++) {
      const fh = rh + sh * (th - 1 - uh);
      if (fh >= kh) continue;
      for (let uw = 0; uw < tw; uw++) {
        for (let rw = 0; rw < sw; rw++) {
          const fw = rw + sw * (tw - 1 - uw);
          if (fw >= kw) continue;
          const src = (fh * kw + fw) * ci * co; // W[fh, fw, :, :]
          const dstBase = (uh * tw + uw) * co * outC + (rh * sw + rw) * ci;
          for (let c = 0; c < ci; c++) {
            const s = src + c * co;
            let d = dstBase + c;
            for (let o = 0; o < co; o++, d += outC) data[d] = w[s + o];
          }
        }
      }
    }
  }
  return { data, shape: [th, tw, co, outC] };
}

/** One output phase's filter and padding for {@link phaseSplit}. */
interface PhasePlan {
  data: Float32Array;
  shape: [number, number, number, number];
  pad: [number, number, number, number];
}

/**
 * Plans the per-phase convolutions (see the module doc) for output phases (ph, pw), in row-major phase order,
 * or returns null when the phase-split form does not apply (a phase with no taps, or padding that would have
 * to be negative). Exported for tests.
 */
export function phaseSplitPlan(
  w: Float32Array,
  [kh, kw, ci, co]: [number, number, number, number],
  [sh, sw]: [number, number],
  [top, left]: [number, number],
  [h, wd]: [number, number],
  [oh, ow]: [number, number],
): PhasePlan[] | null {
  const nh = h / sh;
  const nw = wd / sw;
  const axis = (p: number, pad: number, s: number, k: number, n: number, o: number) => {
    const r = (p + pad) % s;
    const off = Math.floor((p + pad) / s);
    const taps = Math.ceil((k - r) / s);
    const before = taps - 1 - off;
    const after = n - o - before + taps - 1;
    return { r, taps, before, after };
  };
  const plans: PhasePlan[] = [];
  for (let ph = 0; ph < sh; ph++) {
    const ah = axis(ph, top, sh, kh, nh, oh);
    for (let pw = 0; pw < sw; pw++) {
      const aw = axis(pw, left, sw, kw, nw, ow);
      if (ah.taps <= 0 || aw.taps <= 0 || ah.before < 0 || ah.after < 0 || aw.before < 0 || aw.after < 0) return null;
      const data = new Float32Array(ah.taps * aw.taps * co * ci);
      for (let uh = 0; uh < ah.taps; uh++) {
        const fh = ah.r + sh * (ah.taps - 1 - uh);
        for (let uw = 0; uw < aw.taps; uw++) {
          const fw = aw.r + sw * (aw.taps - 1 - uw);
          const src = (fh * kw + fw) * ci * co; // W[fh, fw, :, :]
          const dst = (uh * aw.taps + uw) * co * ci; // F[uh, uw, :, :] as [co, ci]
          for (let c = 0; c < ci; c++) {
            for (let o = 0; o < co; o++) data[dst + o * ci + c] = w[src + c * co + o];
          }
        }
      }
      plans.push({ data, shape: [ah.taps, aw.taps, co, ci], pad: [ah.before, ah.after, aw.before, aw.after] });
    }
  }
  return plans;
}

/** Interleaves Z [B, Mh, Mw, (rh, rw, c)] into [B, Mh·sh, Mw·sw, c] (depth-to-space). Releases z. */
function depthToSpace(backend: WasmBackendLike, z: tf.TensorInfo, sh: number, sw: number, ci: number): tf.TensorInfo {
  const [batch, mh, mw] = z.shape;
  const z4 = reshapeInfo(backend, z, [batch * mh, mw, sh, sw * ci]);
  release(backend, z);
  const zt = transposeInfo(backend, z4, [0, 2, 1, 3]);
  release(backend, z4);
  const q = reshapeInfo(backend, zt, [batch, mh * sh, mw * sw, ci]);
  release(backend, zt);
  return q;
}

/** The exact per-phase form: one stride-1 convolution per output phase, concatenated, then depth-to-space. */
function phaseSplit(backend: WasmBackendLike, dy: tf.TensorInfo, plans: PhasePlan[], sh: number, sw: number, ci: number): tf.TensorInfo {
  const parts = plans.map((plan) => {
    const f = backend.makeOutput(plan.shape, 'float32');
    (backend.typedArrayFromHeap(f) as Float32Array).set(plan.data);
    const z = conv2dInfo(backend, dy, f, { strides: [1, 1], dilations: [1, 1], pad: plan.pad });
    release(backend, f);
    return z;
  });
  const stacked = runWasmKernel('Concat', parts as unknown as tf.NamedTensorInfoMap, { axis: 3 }, backend);
  for (const z of parts) release(backend, z);
  return depthToSpace(backend, stacked, sh, sw, ci);
}

/** A filter rearranged for one geometry: the phase-split plans, or else the stacked sub-pixel filter. */
interface RearrangedFilter {
  plans: PhasePlan[] | null;
  stacked: { data: Float32Array; shape: [number, number, number, number] } | null;
}

/** How many rearranged filters {@link rearrangedFilter} keeps (most recently used first). */
const FILTER_CACHE_SIZE = 8;
const filterCache: { dataId: tf.DataId; key: string; filter: RearrangedFilter }[] = [];
/** Counts of rearrangements and cache hits, for tests. @internal */
export const filterCacheStats = { rearranged: 0, hits: 0 };

/**
 * The rearranged filter for `filter` in this geometry, from the cache when the same filter data was rearranged
 * for the same geometry before. Safe because a tensor's data never changes under its `dataId`: tfjs tensors are
 * immutable, a variable's `assign` gives it a new `dataId`, and the wasm backend never reuses a `dataId` object.
 * A reshape shares the `dataId` with another shape, so the shape is part of the key. At most
 * {@link FILTER_CACHE_SIZE} entries are kept (a DCGAN step uses five filters here), so memory stays bounded.
 */
function rearrangedFilter(
  backend: WasmBackendLike,
  filter: tf.TensorInfo,
  filterShape: [number, number, number, number],
  [sh, sw]: [number, number],
  [top, left]: [number, number],
  [h, w]: [number, number],
  [oh, ow]: [number, number],
): RearrangedFilter {
  const key = `${filterShape.join(',')}|${sh},${sw}|${top},${left}|${h},${w}|${oh},${ow}`;
  const at = filterCache.findIndex((e) => e.dataId === filter.dataId && e.key === key);
  if (at >= 0) {
    const entry = filterCache[at]!;
    if (at > 0) {
      filterCache.splice(at, 1);
      filterCache.unshift(entry);
    }
    filterCacheStats.hits++;
    return entry.filter;
  }
  const wValues = backend.readSync(filter.dataId) as Float32Array;
  let plans: PhasePlan[] | null = null;
  if ((sh > 1 || sw > 1) && h % sh === 0 && w % sw === 0) {
    plans = phaseSplitPlan(wValues, filterShape, [sh, sw], [top, left], [h, w], [oh, ow]);
  }
  const result: RearrangedFilter = { plans, stacked: plans == null ? subPixelFilter(wValues, filterShape, sh, sw) : null };
  filterCacheStats.rearranged++;
  filterCache.unshift({ dataId: filter.dataId, key, filter: result });
  if (filterCache.length > FILTER_CACHE_SIZE) filterCache.length = FILTER_CACHE_SIZE;
  return result;
}

/** The kernel function: inputs {dy [B,OH,OW,co], filter [KH,KW,ci,co]} → dx [B,H,W,ci]. */
export function conv2dBackpropInputWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
  if (attrs.dataFormat === 'NCHW') {
    throw new Error("gan-kit wasm Conv2DBackpropInput supports dataFormat 'NHWC' only");
  }
  const filterShape = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const [batch, h, w, ci] = attrs.inputShape;
  const { strideHeight: sh, strideWidth: sw } = info;
  const [, oh, ow] = dy.shape;
  const { top, left } = info.padInfo;

  const rearranged = rearrangedFilter(backend, filter, filterShape, [sh, sw], [top, left], [h, w], [oh, ow]);
  if (rearranged.plans != null) return phaseSplit(backend, dy, rearranged.plans, sh, sw, ci);
  const f = rearranged.stacked!;
  const fInfo = backend.makeOutput(f.shape, 'float32');
  (backend.typedArrayFromHeap(fInfo) as Float32Array).set(f.data);
  const [th, tw] = f.shape;

  // Rows m of Z start at m0 = floor(P/s): earlier rows only feed the cropped-away padding.
  const m0h = Math.floor(top / sh);
  const m0w = Math.floor(left / sw);
  const needH = Math.ceil((top + h) / sh) - m0h;
  const needW = Math.ceil((left + w) / sw) - m0w;
  const padTop = th - 1 - m0h;
  const padLeft = tw - 1 - m0w;
  const padBottom = Math.max(0, needH - oh + m0h);
  const padRight = Math.max(0, needW - ow + m0w);
  const z = conv2dInfo(backend, dy, fInfo, {
    strides: [1, 1],
    dilations: [1, 1],
    pad: [padTop, padBottom, padLeft, padRight],
  }); // [B, Mh, Mw, sh*sw*ci]
  release(backend, fInfo);
  let q: tf.TensorInfo;
  if (sh === 1 && sw === 1) {
    q = z;
  } else {
    // Depth-to-space: Z[b, m, n, (rh, rw, c)] → Q[b, m·sh + rh, n·sw + rw, c].
    q = depthToSpace(backend, z, sh, sw, ci);
  }
  const offH = top - m0h * sh;
  const offW = left - m0w * sw;
  if (offH === 0 && offW === 0 && q.shape[1] === h && q.shape[2] === w) return q;
  const out = sliceInfo(backend, q, [0, offH, offW, 0], [batch, h, w, ci]);
  release(backend, q);
  return out;
}

/** Kernel config registered for the wasm backend by {@link registerWasmTrainingKernels}. */
export const conv2dBackpropInputWasmConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInputWasm as unknown as tf.KernelFunc,
};
