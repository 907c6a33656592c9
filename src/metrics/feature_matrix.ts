import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '../errors';

/**
 * A set of feature vectors (or of class probabilities), one row per sample: a rank-2 tensor `[n, d]` or an
 * array of `n` rows of `d` numbers each (plain arrays or typed arrays). Metrics read the values into float64.
 */
export type FeatureMatrix = tf.Tensor | ArrayLike<ArrayLike<number>>;

/** A dense row-major float64 matrix. @internal */
export interface Float64Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

function isTensor(x: unknown): x is tf.Tensor {
  return x instanceof tf.Tensor;
}

/**
 * Reads a {@link FeatureMatrix} into a float64 row-major matrix, checking shape and finiteness.
 * Tensors are read synchronously (`dataSync`) and not disposed.
 *
 * @param argument - the argument's name, for error messages.
 * @internal
 */
export function toFloat64Matrix(x: FeatureMatrix, argument: string): Float64Matrix {
  let rows: number;
  let cols: number;
  let data: Float64Array;
  if (isTensor(x)) {
    if (x.rank !== 2) throw new ShapeError(argument, 'a rank-2 tensor [samples, features]', x);
    if (x.dtype !== 'float32' && x.dtype !== 'int32') {
      throw new InvalidArgumentError(argument, 'a float32 or int32 tensor', x);
    }
    [rows, cols] = x.shape as [number, number];
    data = Float64Array.from(x.dataSync() as Float32Array | Int32Array);
  } else {
    if (x == null || typeof x !== 'object' || typeof (x as ArrayLike<unknown>).length !== 'number') {
      throw new InvalidArgumentError(argument, 'a rank-2 tensor or an array of rows', x);
    }
    rows = x.length;
    cols = rows > 0 ? (x[0]?.length ?? -1) : 0;
    if (!(cols >= 0)) throw new InvalidArgumentError(argument, 'an array of rows (arrays of numbers)', x);
    data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const row = x[i];
      if (row == null || row.length !== cols) {
        throw new ShapeError(argument, `rows of equal length ${cols}`, `row ${i} of length ${row?.length}`);
      }
      for (let j = 0; j < cols; j++) data[i * cols + j] = row[j];
    }
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const r = cols > 0 ? Math.floor(i / cols) : 0;
      throw new InvalidArgumentError(argument, 'finite values', data[i], `(row ${r}, column ${i - r * cols})`);
    }
  }
  return { rows, cols, data };
}

/** Throws unless `m` has at least `min` rows. @internal */
export function requireRows(m: Float64Matrix, min: number, argument: string): void {
  if (m.rows < min) throw new ShapeError(argument, `at least ${min} rows (samples)`, `${m.rows} rows`);
}

/** Throws unless the two matrices have the same number of columns. @internal */
export function requireSameCols(a: Float64Matrix, b: Float64Matrix, nameA: string, nameB: string): void {
  if (a.cols !== b.cols) {
    throw new ShapeError(nameB, `${a.cols} features per row, like ${nameA}`, `${b.cols} features per row`);
  }
}
