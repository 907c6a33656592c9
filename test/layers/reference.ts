/**
 * Float64 reference implementations of the few NHWC operations the block tests need, written from their
 * definitions (loops, no tfjs), so that the tests compare gan-kit against an independent computation.
 */

/** A dense NHWC array: `data[((n·H + i)·W + j)·C + c]`. */
export interface Nhwc {
  data: number[];
  shape: [number, number, number, number];
}

export function nhwc(data: number[], shape: [number, number, number, number]): Nhwc {
  if (data.length !== shape.reduce((a, b) => a * b, 1)) throw new Error('size mismatch');
  return { data, shape };
}

function at(t: Nhwc, n: number, i: number, j: number, c: number): number {
  const [, H, W, C] = t.shape;
  return t.data[((n * H + i) * W + j) * C + c]!;
}

function build(shape: [number, number, number, number], f: (n: number, i: number, j: number, c: number) => number): Nhwc {
  const [N, H, W, C] = shape;
  const data: number[] = [];
  for (let n = 0; n < N; n++) for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) for (let c = 0; c < C; c++) data.push(f(n, i, j, c));
  return { data, shape };
}

/**
 * Stride-1 convolution with 'same' zero padding (odd kernel: (k−1)/2 on each side), kernel [k, k, Cin, Cout]
 * flattened row-major, as tfjs stores it.
 */
export function conv2dSame(x: Nhwc, kernel: number[], k: number, cout: number, bias?: number[]): Nhwc {
  const [N, H, W, C] = x.shape;
  const p = (k - 1) / 2;
  return build([N, H, W, cout], (n, i, j, o) => {
    let s = bias ? bias[o]! : 0;
    for (let di = 0; di < k; di++) {
      for (let dj = 0; dj < k; dj++) {
        const ii = i + di - p;
        const jj = j + dj - p;
        if (ii < 0 || ii >= H || jj < 0 || jj >= W) continue;
        for (let c = 0; c < C; c++) s += at(x, n, ii, jj, c) * kernel[((di * k + dj) * C + c) * cout + o]!;
      }
    }
    return s;
  });
}

export function relu(x: Nhwc): Nhwc {
  return { data: x.data.map((v) => Math.max(0, v)), shape: x.shape };
}

export function add(a: Nhwc, b: Nhwc): Nhwc {
  return { data: a.data.map((v, i) => v + b.data[i]!), shape: a.shape };
}

export function upsampleNearest(x: Nhwc, f = 2): Nhwc {
  const [N, H, W, C] = x.shape;
  return build([N, H * f, W * f, C], (n, i, j, c) => at(x, n, Math.floor(i / f), Math.floor(j / f), c));
}

export function avgPool(x: Nhwc, f = 2): Nhwc {
  const [N, H, W, C] = x.shape;
  return build([N, H / f, W / f, C], (n, i, j, c) => {
    let s = 0;
    for (let a = 0; a < f; a++) for (let b = 0; b < f; b++) s += at(x, n, i * f + a, j * f + b, c);
    return s / (f * f);
  });
}

/** Per-channel affine normalisation with given statistics: (x − mean)/√(var + ε)·γ + β. */
export function normalize(x: Nhwc, mean: number[], variance: number[], gamma: number[], beta: number[], eps: number): Nhwc {
  return build(x.shape, (n, i, j, c) => ((at(x, n, i, j, c) - mean[c]!) / Math.sqrt(variance[c]! + eps)) * gamma[c]! + beta[c]!);
}

/** Per-channel mean and biased variance over batch and space. */
export function batchMoments(x: Nhwc): { mean: number[]; variance: number[] } {
  const [N, H, W, C] = x.shape;
  const count = N * H * W;
  const mean = Array.from({ length: C }, () => 0);
  const variance = Array.from({ length: C }, () => 0);
  for (let n = 0; n < N; n++) for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) for (let c = 0; c < C; c++) mean[c] += at(x, n, i, j, c) / count;
  for (let n = 0; n < N; n++) for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) for (let c = 0; c < C; c++) variance[c] += (at(x, n, i, j, c) - mean[c]!) ** 2 / count;
  return { mean, variance };
}

/** Largest singular value of a row-major [rows, cols] matrix, by 500 float64 power-iteration steps on WᵀW. */
export function topSingularValue(w: number[], rows: number, cols: number): number {
  let v = Array.from({ length: cols }, (_, i) => 1 + i / cols);
  let sigma = 0;
  for (let step = 0; step < 500; step++) {
    const wv = Array.from({ length: rows }, (_, r) => v.reduce((s, vc, c) => s + w[r * cols + c]! * vc, 0));
    const wtwv = Array.from({ length: cols }, (_, c) => wv.reduce((s, x, r) => s + w[r * cols + c]! * x, 0));
    const norm = Math.sqrt(wtwv.reduce((s, x) => s + x * x, 0));
    v = wtwv.map((x) => x / norm);
    sigma = Math.sqrt(norm);
  }
  return sigma;
}
