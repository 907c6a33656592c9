import { InvalidArgumentError, ShapeError } from '../errors';
import { type FeatureMatrix, toFloat64Matrix } from './feature_matrix';

/**
 * The first two moments of a set of feature vectors: what the Fréchet distance compares.
 * `covariance` is row-major `d x d`.
 */
export interface GaussianStatistics {
  /** Mean feature vector, length d. */
  readonly mean: ArrayLike<number>;
  /** Covariance matrix, row-major, length d * d, symmetric positive semi-definite. */
  readonly covariance: ArrayLike<number>;
}

/**
 * Streaming mean and covariance of feature vectors, accumulated batch by batch in float64, so that FID over
 * tens of thousands of samples never holds more than one batch of features.
 *
 * Each batch's mean and centred scatter matrix are computed exactly (in float64) and merged into the running
 * totals with the pairwise update of Chan, Golub & LeVeque ("Updating formulae and a pairwise algorithm for
 * computing sample variances", 1979): with counts n_a, n_b, means m_a, m_b and centred scatters M_a, M_b,
 * `M = M_a + M_b + (m_b - m_a)(m_b - m_a)^T n_a n_b / (n_a + n_b)`. Unlike summing raw outer products, this
 * does not lose precision when the mean is large compared with the spread.
 *
 * Cost: O(batch * d^2) per update (d = feature dimension), O(d^2) memory.
 *
 * @example
 * ```ts
 * const moments = new FeatureMoments();
 * for (const batch of featureBatches) moments.update(batch); // [b, d] tensors or arrays
 * moments.count;          // samples seen
 * moments.covariance();   // unbiased (divides by count - 1)
 * ```
 */
export class FeatureMoments implements GaussianStatistics {
  private n = 0;
  private d: number | undefined;
  private mu: Float64Array = new Float64Array(0);
  /** Upper triangle (i <= j) of the centred scatter matrix, row-major d x d. */
  private scatter: Float64Array = new Float64Array(0);

  /**
   * @param dimension - the feature dimension d. Default: taken from the first batch.
   */
  constructor(dimension?: number) {
    if (dimension !== undefined) this.init(dimension);
  }

  private init(dimension: number): void {
    if (!Number.isInteger(dimension) || dimension < 1) {
      throw new InvalidArgumentError('dimension', 'an integer >= 1', dimension);
    }
    this.d = dimension;
    this.mu = new Float64Array(dimension);
    this.scatter = new Float64Array(dimension * dimension);
  }

  /** Number of samples accumulated. */
  get count(): number {
    return this.n;
  }

  /** Feature dimension d (undefined until set or until the first batch). */
  get dimension(): number | undefined {
    return this.d;
  }

  /**
   * Adds a batch of samples.
   * @param batch - `[b, d]`: a rank-2 tensor (read synchronously, not disposed) or an array of rows.
   * @returns this.
   */
  update(batch: FeatureMatrix): this {
    const m = toFloat64Matrix(batch, 'batch');
    return this.updateRows(m.data, m.rows, m.cols);
  }

  /**
   * Adds `rows` samples given as a row-major array of `rows * cols` values (e.g. a tensor's `data()`).
   * @returns this.
   */
  updateRows(values: ArrayLike<number>, rows: number, cols: number): this {
    if (this.d === undefined) this.init(cols);
    const d = this.d!;
    if (cols !== d) throw new ShapeError('batch', `${d} features per row`, `${cols} features per row`);
    if (values.length !== rows * cols) {
      throw new ShapeError('values', `${rows} x ${cols} = ${rows * cols} values`, `${values.length} values`);
    }
    if (rows === 0) return this;
    // Batch mean and centred scatter (upper triangle), exact in float64.
    const mean = new Float64Array(d);
    for (let r = 0; r < rows; r++) {
      const off = r * cols;
      for (let j = 0; j < d; j++) mean[j] += values[off + j];
    }
    for (let j = 0; j < d; j++) mean[j] /= rows;
    const scatter = new Float64Array(d * d);
    const centred = new Float64Array(d);
    for (let r = 0; r < rows; r++) {
      const off = r * cols;
      for (let j = 0; j < d; j++) centred[j] = values[off + j] - mean[j];
      for (let i = 0; i < d; i++) {
        const ci = centred[i];
        if (ci === 0) continue;
        const row = i * d;
        for (let j = i; j < d; j++) scatter[row + j] += ci * centred[j];
      }
    }
    this.merge(rows, mean, scatter);
    return this;
  }

  /** Chan et al.'s pairwise merge of (rows, mean, upper-triangle scatter) into the running totals. */
  private merge(nb: number, meanB: Float64Array, scatterB: Float64Array): void {
    const d = this.d!;
    const na = this.n;
    const n = na + nb;
    const delta = new Float64Array(d);
    for (let j = 0; j < d; j++) delta[j] = meanB[j] - this.mu[j];
    const f = (na * nb) / n;
    for (let i = 0; i < d; i++) {
      const row = i * d;
      const di = delta[i] * f;
      for (let j = i; j < d; j++) this.scatter[row + j] += scatterB[row + j] + di * delta[j];
    }
    for (let j = 0; j < d; j++) this.mu[j] += (delta[j] * nb) / n;
    this.n = n;
  }

  /**
   * Adds all samples accumulated by another {@link FeatureMoments} (e.g. from another worker).
   * @returns this.
   */
  mergeFrom(other: FeatureMoments): this {
    if (other.n === 0) return this;
    if (this.d === undefined) this.init(other.d!);
    if (other.d !== this.d) throw new ShapeError('other', `dimension ${this.d}`, `dimension ${other.d}`);
    this.merge(other.n, other.mu, other.scatter);
    return this;
  }

  /** The mean feature vector (a copy), length d. */
  get mean(): Float64Array {
    this.requireSamples(1);
    return Float64Array.from(this.mu);
  }

  /**
   * The unbiased sample covariance, `scatter / (count - 1)`, row-major d x d (a new array each call).
   * @throws {InvalidArgumentError} with fewer than 2 samples.
   */
  get covariance(): Float64Array {
    this.requireSamples(2);
    const d = this.d!;
    const c = new Float64Array(d * d);
    const inv = 1 / (this.n - 1);
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        const v = this.scatter[i * d + j] * inv;
        c[i * d + j] = v;
        c[j * d + i] = v;
      }
    }
    return c;
  }

  private requireSamples(min: number): void {
    if (this.n < min) {
      throw new InvalidArgumentError(
        'FeatureMoments.count',
        `at least ${min} sample${min > 1 ? 's' : ''} (the unbiased covariance needs 2)`,
        this.n,
      );
    }
  }
}
