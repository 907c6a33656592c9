/** Float64 linear algebra for spectral-norm tests, independent of tfjs. */

/** Eigenvalues of a symmetric matrix by cyclic Jacobi rotations. */
export function symmetricEigenvalues(matrix: readonly number[][]): number[] {
  const n = matrix.length;
  const a = matrix.map((row) => row.slice());
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i]![j]! ** 2;
    if (off < 1e-26) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
      }
    }
  }
  return a.map((row, i) => row[i]!);
}

/** Largest singular value of a row-major [rows, cols] matrix: √λ_max(WᵀW). */
export function largestSingularValue(flat: readonly number[], rows: number, cols: number): number {
  const gram = Array.from({ length: cols }, (_, i) =>
    Array.from({ length: cols }, (_, j) => {
      let s = 0;
      for (let r = 0; r < rows; r++) s += flat[r * cols + i]! * flat[r * cols + j]!;
      return s;
    }),
  );
  return Math.sqrt(Math.max(...symmetricEigenvalues(gram)));
}

/** W·x for a row-major [rows, cols] matrix. */
export function matVec(flat: readonly number[], rows: number, cols: number, x: readonly number[]): number[] {
  return Array.from({ length: rows }, (_, r) => {
    let s = 0;
    for (let c = 0; c < cols; c++) s += flat[r * cols + c]! * x[c]!;
    return s;
  });
}

/** Wᵀ·y for a row-major [rows, cols] matrix. */
export function matTVec(flat: readonly number[], rows: number, cols: number, y: readonly number[]): number[] {
  return Array.from({ length: cols }, (_, c) => {
    let s = 0;
    for (let r = 0; r < rows; r++) s += flat[r * cols + c]! * y[r]!;
    return s;
  });
}

export const unit = (x: readonly number[]): number[] => {
  const n = Math.hypot(...x);
  return x.map((v) => v / n);
};

export const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, v, i) => s + v * b[i]!, 0);

/**
 * The paper's power iteration in float64 on the [rows, cols] matrix W from u ([cols]): `steps` times
 * v = unit(W·u), u = unit(Wᵀ·v); σ = vᵀ·W·u.
 */
export function powerIteration64(
  flat: readonly number[],
  rows: number,
  cols: number,
  u0: readonly number[],
  steps = 1,
): { u: number[]; v: number[]; sigma: number } {
  let u = u0.slice();
  let v: number[] = [];
  for (let i = 0; i < steps; i++) {
    v = unit(matVec(flat, rows, cols, u));
    u = unit(matTVec(flat, rows, cols, v));
  }
  return { u, v, sigma: dot(v, matVec(flat, rows, cols, u)) };
}
