/**
 * Dense float64 linear algebra for the metrics, in plain JavaScript (Float64Array, row-major n x n).
 *
 * tfjs has no float64 and its float32 decompositions are not accurate enough for FID, whose value is a small
 * difference of large traces. Feature dimensions are at most a few thousand (2048 for InceptionV3), so O(n^3)
 * work in JS is affordable: about 15 n^3 flops for {@link traceSqrtProduct}, i.e. milliseconds for n = 128 and
 * a few minutes for n = 2048 (257 s measured on one core of a shared 2-core machine).
 *
 * The symmetric eigensolver is the textbook two-phase method (Golub & Van Loan, "Matrix Computations", 4th ed.,
 * sections 5.1.4, 8.3.1 and 8.3.3): Householder reduction to tridiagonal form, then implicit symmetric QR steps
 * with the Wilkinson shift, chasing the bulge with Givens rotations, deflating off-diagonal entries below
 * machine precision. Backward stable: the computed eigenvalues are exact for a matrix within about
 * n * 2^-52 * ||A|| of the input.
 *
 * @module metrics/linalg
 * @internal
 */
import { GanKitError } from '../errors';

/** Result of {@link symmetricEigen}: eigenvalues ascending and, if asked for, the eigenvectors. */
export interface SymmetricEigen {
  /** The n eigenvalues, ascending. */
  readonly values: Float64Array;
  /** Row-major n x n; row k is the unit eigenvector of `values[k]` (i.e. the matrix V^T). Absent if not asked. */
  readonly vectors?: Float64Array;
}

const EPS = 2 ** -52;

/**
 * Eigendecomposition A = V diag(values) V^T of a real symmetric matrix (float64).
 *
 * @param a - row-major n x n; only symmetric input is meaningful (the lower triangle is what is read after
 *   symmetrisation by the caller; asymmetric input gives the decomposition of an unspecified nearby matrix).
 *   Not modified.
 * @param n - the order.
 * @param wantVectors - also return the eigenvectors (about 3x the work).
 * @throws {GanKitError} if the QR iteration does not converge (never observed; it would signal NaN input).
 */
export function symmetricEigen(a: Float64Array, n: number, wantVectors: boolean): SymmetricEigen {
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 0));
  const w = wantVectors ? identity(n) : undefined;
  tridiagonalize(Float64Array.from(a), n, d, e, w);
  tridiagonalQr(d, e, n, w);
  return sortAscending(d, w, n);
}

function identity(n: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  return m;
}

/**
 * Householder tridiagonalisation T = Q^T A Q (in place on `a`, which is destroyed). Writes the diagonal of T
 * to `d` and its sub-diagonal to `e` (e[k] couples k and k+1). If `qt` is given (the identity on entry), it
 * receives Q^T, one row per column of Q.
 *
 * Step k reflects x = A[k+1:, k] onto a multiple of e_1 with P = I - beta v v^T, then updates the trailing
 * block B = A[k+1:, k+1:] as B - v w^T - w v^T with p = beta B v, w = p - (beta/2)(p^T v) v (G&VL 8.3.1).
 */
function tridiagonalize(a: Float64Array, n: number, d: Float64Array, e: Float64Array, qt?: Float64Array): void {
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  const u = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    const start = k + 1;
    const m = n - start;
    // x = A[start.., k]; ||x[1:]||^2 decides whether a reflection is needed at all.
    let tail = 0;
    for (let i = 1; i < m; i++) {
      const x = a[(start + i) * n + k];
      tail += x * x;
    }
    const x0 = a[start * n + k];
    d[k] = a[k * n + k];
    if (tail === 0) {
      e[k] = x0;
      continue;
    }
    const alpha = Math.sqrt(x0 * x0 + tail);
    const sign = x0 >= 0 ? 1 : -1;
    // v = x + sign * alpha * e1, so that P x = -sign * alpha * e1 without cancellation.
    v[0] = x0 + sign * alpha;
    for (let i = 1; i < m; i++) v[i] = a[(start + i) * n + k];
    const vv = v[0] * v[0] + tail;
    const beta = 2 / vv;
    e[k] = -sign * alpha;
    // p = beta * B v
    for (let i = 0; i < m; i++) {
      const row = (start + i) * n + start;
      let s = 0;
      for (let j = 0; j < m; j++) s += a[row + j] * v[j];
      p[i] = beta * s;
    }
    let pv = 0;
    for (let i = 0; i < m; i++) pv += p[i] * v[i];
    const half = 0.5 * beta * pv;
    for (let i = 0; i < m; i++) p[i] -= half * v[i]; // p is now w
    for (let i = 0; i < m; i++) {
      const row = (start + i) * n + start;
      const vi = v[i];
      const wi = p[i];
      for (let j = 0; j < m; j++) a[row + j] -= vi * p[j] + wi * v[j];
    }
    if (qt !== undefined) {
      // Q^T <- P Q^T: rows start.. of Q^T change by -beta v (v^T Q^T[start.., :]).
      u.fill(0);
      for (let i = 0; i < m; i++) {
        const row = (start + i) * n;
        const vi = v[i];
        for (let j = 0; j < n; j++) u[j] += vi * qt[row + j];
      }
      for (let i = 0; i < m; i++) {
        const row = (start + i) * n;
        const f = beta * v[i];
        for (let j = 0; j < n; j++) qt[row + j] -= f * u[j];
      }
    }
  }
  if (n >= 2) {
    d[n - 2] = a[(n - 2) * n + (n - 2)];
    e[n - 2] = a[(n - 1) * n + (n - 2)];
  }
  if (n >= 1) d[n - 1] = a[(n - 1) * n + (n - 1)];
}

/**
 * Diagonalises the symmetric tridiagonal matrix (d, e) in place by implicit QR steps with the Wilkinson shift
 * (G&VL 8.3.3). On return `d` holds the eigenvalues. Each rotation G in the (k, k+1) plane is also applied as
 * W <- G^T W to `w` (rows k and k+1), so a W = Q^T on entry becomes V^T on return.
 */
function tridiagonalQr(d: Float64Array, e: Float64Array, n: number, w?: Float64Array): void {
  const maxSweeps = 60 * Math.max(n, 1);
  let sweeps = 0;
  let hi = n - 1;
  while (hi > 0) {
    // Deflate negligible couplings, then find the bottom unreduced block [lo, hi].
    for (let i = 0; i < hi; i++) {
      if (Math.abs(e[i]) <= EPS * (Math.abs(d[i]) + Math.abs(d[i + 1]))) e[i] = 0;
    }
    while (hi > 0 && e[hi - 1] === 0) hi--;
    if (hi === 0) break;
    let lo = hi - 1;
    while (lo > 0 && e[lo - 1] !== 0) lo--;
    if (++sweeps > maxSweeps) {
      throw new GanKitError('symmetricEigen: the QR iteration did not converge (is the input finite?).');
    }
    // Wilkinson shift: the eigenvalue of the trailing 2x2 block closer to d[hi].
    const delta = 0.5 * (d[hi - 1] - d[hi]);
    const b2 = e[hi - 1] * e[hi - 1];
    const mu = d[hi] - b2 / (delta + (delta >= 0 ? 1 : -1) * Math.hypot(delta, e[hi - 1]));
    let x = d[lo] - mu;
    let z = e[lo];
    for (let k = lo; k < hi; k++) {
      // G = [[c, s], [-s, c]] in the (k, k+1) plane with c = x/r, s = -z/r: zeroes z (the bulge, or the
      // second entry of the shifted first column when k = lo).
      const r = Math.hypot(x, z);
      const c = r === 0 ? 1 : x / r;
      const s = r === 0 ? 0 : -z / r;
      if (k > lo) e[k - 1] = r;
      const dk = d[k];
      const dk1 = d[k + 1];
      const ek = e[k];
      const cs = c * s;
      d[k] = c * c * dk - 2 * cs * ek + s * s * dk1;
      d[k + 1] = s * s * dk + 2 * cs * ek + c * c * dk1;
      e[k] = cs * (dk - dk1) + (c * c - s * s) * ek;
      if (k + 1 < hi) {
        const f = e[k + 1];
        z = -s * f; // new bulge at (k, k+2)
        e[k + 1] = c * f;
        x = e[k];
      }
      if (w !== undefined) {
        const rk = k * n;
        const rk1 = rk + n;
        for (let j = 0; j < n; j++) {
          const wk = w[rk + j];
          const wk1 = w[rk1 + j];
          w[rk + j] = c * wk - s * wk1;
          w[rk1 + j] = s * wk + c * wk1;
        }
      }
    }
  }
}

function sortAscending(d: Float64Array, w: Float64Array | undefined, n: number): SymmetricEigen {
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i] - d[j]);
  const values = Float64Array.from(order, (i) => d[i]);
  if (w === undefined) return { values };
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => vectors.set(w.subarray(src * n, src * n + n), dst * n));
  return { values, vectors };
}

/** C = A B for row-major n x n matrices (i-k-j loop order: contiguous inner loop). */
export function matMul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ci = i * n;
    for (let k = 0; k < n; k++) {
      const aik = a[ci + k];
      if (aik === 0) continue;
      const bk = k * n;
      for (let j = 0; j < n; j++) c[ci + j] += aik * b[bk + j];
    }
  }
  return c;
}

/** Replaces `m` (n x n) by (m + m^T) / 2 in place, removing rounding asymmetry. */
export function symmetrize(m: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const avg = 0.5 * (m[i * n + j] + m[j * n + i]);
      m[i * n + j] = avg;
      m[j * n + i] = avg;
    }
  }
  return m;
}

/**
 * Eigenvalues below this are indistinguishable from 0: the eigensolver's backward error is about
 * n * eps * max |lambda|, so smaller ones may be pure rounding noise of either sign. Zeroing them before a
 * square root matters because sqrt amplifies noise: a spurious 1e-16 would contribute 1e-8.
 */
function noiseFloor(values: Float64Array, n: number): number {
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(v));
  return Math.max(n, 1) * EPS * max;
}

/**
 * The principal square root of a symmetric positive semi-definite matrix, S = V diag(sqrt(lambda)) V^T, where
 * eigenvalues below the solver's noise floor (n * eps * max |lambda|, including the slightly negative ones
 * rounding produces for singular input) are taken as exactly 0. Rank-deficient input is fine.
 */
export function sqrtmPsd(a: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(a, n, true);
  const vt = vectors!;
  const floor = noiseFloor(values, n);
  const s = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    if (values[k] <= floor) continue;
    const root = Math.sqrt(values[k]);
    const row = k * n;
    for (let i = 0; i < n; i++) {
      const f = root * vt[row + i];
      if (f === 0) continue;
      const si = i * n;
      for (let j = i; j < n; j++) s[si + j] += f * vt[row + j];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) s[i * n + j] = s[j * n + i];
  return s;
}

/**
 * tr sqrt(A B) for symmetric positive semi-definite A and B (n x n, float64), the cross term of the Fréchet
 * distance between Gaussians.
 *
 * Method: S = sqrt(A) by symmetric eigendecomposition, then the eigenvalues mu_i of the symmetric PSD matrix
 * M = S B S, whose square roots are summed, eigenvalues below the noise floor (n * eps * max mu, which
 * includes the small negatives rounding produces) counting as 0. A B = S (S B) and (S B) S
 * have the same eigenvalues (XY and YX always share their spectrum), so sum sqrt(mu_i) is the trace of the
 * principal square root of A B. No inverse is formed and no complex arithmetic arises, which makes the result
 * well defined and stable when A or B is singular (fewer samples than dimensions, dead ReLU features).
 */
export function traceSqrtProduct(a: Float64Array, b: Float64Array, n: number): number {
  const s = sqrtmPsd(a, n);
  const m = symmetrize(matMul(matMul(s, b, n), s, n), n);
  const { values } = symmetricEigen(m, n, false);
  const floor = noiseFloor(values, n);
  let sum = 0;
  for (let i = 0; i < n; i++) if (values[i] > floor) sum += Math.sqrt(values[i]);
  return sum;
}
