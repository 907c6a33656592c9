/**
 * Independent float64 references for the metric tests, in plain JS and deliberately by other methods than
 * src/metrics: matrix square roots by the Denman–Beavers iteration (no eigendecomposition), inverses by
 * Gauss–Jordan elimination, covariances by the two-pass formula over the whole set.
 */

/** Row-major square matrix of order n. */
export type Mat = Float64Array;

/** Seeded uniform and normal float64 variates (xorshift32 uniforms; Box–Muller for normals). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = (seed >>> 0) || 0x12345678;
  }
  uniform(): number {
    // xorshift32
    let x = this.s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.s = x;
    return (x + 0.5) / 4294967296;
  }
  normal(): number {
    return Math.sqrt(-2 * Math.log(this.uniform())) * Math.cos(2 * Math.PI * this.uniform());
  }
}

export function identity(n: number): Mat {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  return m;
}

export function mul(a: Mat, b: Mat, n: number): Mat {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
      c[i * n + j] = s;
    }
  }
  return c;
}

export function transpose(a: Mat, n: number): Mat {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = a[i * n + j];
  return t;
}

export function trace(a: Mat, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i * n + i];
  return s;
}

/** Inverse by Gauss–Jordan elimination with partial pivoting. */
export function inverse(a: Mat, n: number): Mat {
  const m = Float64Array.from(a);
  const inv = identity(n);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r * n + col]) > Math.abs(m[pivot * n + col])) pivot = r;
    if (m[pivot * n + col] === 0) throw new Error('singular matrix');
    if (pivot !== col) {
      for (let j = 0; j < n; j++) {
        [m[col * n + j], m[pivot * n + j]] = [m[pivot * n + j], m[col * n + j]];
        [inv[col * n + j], inv[pivot * n + j]] = [inv[pivot * n + j], inv[col * n + j]];
      }
    }
    const p = m[col * n + col];
    for (let j = 0; j < n; j++) {
      m[col * n + j] /= p;
      inv[col * n + j] /= p;
    }
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r * n + col];
      if (f === 0) continue;
      for (let j = 0; j < n; j++) {
        m[r * n + j] -= f * m[col * n + j];
        inv[r * n + j] -= f * inv[col * n + j];
      }
    }
  }
  return inv;
}

/**
 * Principal square root of a (not necessarily symmetric) matrix with positive real eigenvalues, by the
 * Denman–Beavers iteration Y <- (Y + Z^-1)/2, Z <- (Z + Y^-1)/2 from Y = A, Z = I (Y -> sqrt(A)).
 */
export function sqrtmDenmanBeavers(a: Mat, n: number): Mat {
  let y = Float64Array.from(a);
  let z = identity(n);
  for (let it = 0; it < 100; it++) {
    const yi = inverse(y, n);
    const zi = inverse(z, n);
    const ny = new Float64Array(n * n);
    const nz = new Float64Array(n * n);
    let change = 0;
    let size = 0;
    for (let i = 0; i < n * n; i++) {
      ny[i] = 0.5 * (y[i] + zi[i]);
      nz[i] = 0.5 * (z[i] + yi[i]);
      change += (ny[i] - y[i]) ** 2;
      size += ny[i] ** 2;
    }
    y = ny;
    z = nz;
    if (change <= 1e-30 * size) break;
  }
  return y;
}

/** FID of two Gaussians from their moments: ||m1 - m2||^2 + tr C1 + tr C2 - 2 tr sqrtm(C1 C2), sqrtm by Denman–Beavers. */
export function referenceFrechet(m1: ArrayLike<number>, c1: Mat, m2: ArrayLike<number>, c2: Mat, n: number): number {
  let meanTerm = 0;
  for (let i = 0; i < n; i++) meanTerm += (m1[i] - m2[i]) ** 2;
  const root = sqrtmDenmanBeavers(mul(c1, c2, n), n);
  return meanTerm + trace(c1, n) + trace(c2, n) - 2 * trace(root, n);
}

/** Mean and unbiased covariance of the rows of `x` (two passes over the whole set). */
export function meanAndCovariance(x: number[][]): { mean: Float64Array; cov: Mat } {
  const n = x.length;
  const d = x[0].length;
  const mean = new Float64Array(d);
  for (const row of x) for (let j = 0; j < d; j++) mean[j] += row[j] / n;
  const cov = new Float64Array(d * d);
  for (const row of x) {
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) cov[i * d + j] += ((row[i] - mean[i]) * (row[j] - mean[j])) / (n - 1);
  }
  return { mean, cov };
}

/** A random orthogonal matrix (Gram–Schmidt on Gaussian columns). */
export function randomOrthogonal(n: number, rng: Rng): Mat {
  const q = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    const v = Array.from({ length: n }, () => rng.normal());
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += v[i] * q[i * n + p];
      for (let i = 0; i < n; i++) v[i] -= dot * q[i * n + p];
    }
    const norm = Math.hypot(...v);
    for (let i = 0; i < n; i++) q[i * n + c] = v[i] / norm;
  }
  return q;
}

/** Q diag(values) Q^T. */
export function fromEigen(q: Mat, values: number[], n: number): Mat {
  const d = new Float64Array(n * n);
  values.forEach((v, i) => (d[i * n + i] = v));
  return mul(mul(q, d, n), transpose(q, n), n);
}

/** n samples of N(mean, L L^T) as rows, L a d x d row-major factor. */
export function gaussianSamples(count: number, mean: number[], l: Mat, rng: Rng): number[][] {
  const d = mean.length;
  const rows: number[][] = [];
  for (let s = 0; s < count; s++) {
    const z = Array.from({ length: d }, () => rng.normal());
    const row = mean.slice();
    for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) row[i] += l[i * d + k] * z[k];
    rows.push(row);
  }
  return rows;
}

/** Relative difference |a - b| / max(|b|, floor). */
export function relDiff(a: number, b: number, floor = 1e-12): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), floor);
}
