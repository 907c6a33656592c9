import { checkOptionKeys, InvalidArgumentError } from '../errors';
import { type FeatureMatrix, type Float64Matrix, requireRows, requireSameCols, toFloat64Matrix } from './feature_matrix';
import { optionKeys } from '../option_keys';

/** Options of {@link precisionRecall}. */
export interface PrecisionRecallOptions {
  /**
   * The k of the k-nearest-neighbour radii that define each manifold (the sample itself excluded).
   * Default: 3, the paper's recommended value (StyleGAN2-ADA's `pr50k3`).
   */
  k?: number;
}

/** The keys of {@link PrecisionRecallOptions} (checked against it by the compiler, both ways). */
const PRECISION_RECALL_OPTION_KEYS = optionKeys<PrecisionRecallOptions>()(['k']);

/** Result of {@link precisionRecall}. */
export interface PrecisionRecallResult {
  /** Fraction of generated samples inside the real manifold, in [0, 1]: sample quality. */
  readonly precision: number;
  /** Fraction of real samples inside the generated manifold, in [0, 1]: coverage of the real data. */
  readonly recall: number;
}

/** Squared Euclidean distance between row i of x and row j of y. */
function distance2(x: Float64Matrix, i: number, y: Float64Matrix, j: number): number {
  const d = x.cols;
  const xo = i * d;
  const yo = j * d;
  let s = 0;
  for (let k = 0; k < d; k++) {
    const diff = x.data[xo + k] - y.data[yo + k];
    s += diff * diff;
  }
  return s;
}

/** Squared distance from each row of `x` to its k-th nearest other row of `x`. */
function kthNeighbourRadii2(x: Float64Matrix, k: number): Float64Array {
  const n = x.rows;
  const radii = new Float64Array(n);
  const best = new Float64Array(k); // the k smallest distances so far, ascending
  for (let i = 0; i < n; i++) {
    best.fill(Infinity);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const dist = distance2(x, i, x, j);
      if (dist >= best[k - 1]) continue;
      let pos = k - 1;
      while (pos > 0 && best[pos - 1] > dist) {
        best[pos] = best[pos - 1];
        pos--;
      }
      best[pos] = dist;
    }
    radii[i] = best[k - 1];
  }
  return radii;
}

/** Fraction of rows of `query` within the k-NN ball (distance <= radius) of at least one row of `manifold`. */
function coverage(query: Float64Matrix, manifold: Float64Matrix, radii2: Float64Array): number {
  let inside = 0;
  for (let i = 0; i < query.rows; i++) {
    for (let j = 0; j < manifold.rows; j++) {
      if (distance2(query, i, manifold, j) <= radii2[j]) {
        inside++;
        break;
      }
    }
  }
  return inside / query.rows;
}

/**
 * Improved precision and recall for generative models (Kynkäänniemi, Karras, Laine, Lehtinen & Aila 2019,
 * "Improved Precision and Recall Metric for Assessing Generative Models", https://arxiv.org/abs/1904.06991).
 *
 * Each set of features approximates its manifold by the union of balls centred on its samples, each ball's
 * radius being the distance to that sample's k-th nearest neighbour within the same set. Then:
 *
 * - precision = fraction of generated samples inside the real manifold (a point is inside if its distance to
 *   some real sample is <= that sample's radius);
 * - recall = fraction of real samples inside the generated manifold.
 *
 * Euclidean distances, computed exactly in float64: O((nReal + nFake)^2 d) time, O(n) memory. Use the same
 * number of real and generated samples (the paper uses 50k; a few thousand give usable estimates).
 *
 * @param realFeatures - `[nReal, d]`, nReal > k.
 * @param generatedFeatures - `[nFake, d]`, nFake > k.
 * @param options - see {@link PrecisionRecallOptions}.
 * @example
 * ```ts
 * const { precision, recall } = precisionRecall(realFeatures, fakeFeatures, { k: 3 });
 * ```
 */
export function precisionRecall(
  realFeatures: FeatureMatrix,
  generatedFeatures: FeatureMatrix,
  options: PrecisionRecallOptions = {},
): PrecisionRecallResult {
  checkOptionKeys('precisionRecall options', options, PRECISION_RECALL_OPTION_KEYS);
  const k = options.k ?? 3;
  if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError('options.k', 'an integer >= 1', k);
  const real = toFloat64Matrix(realFeatures, 'realFeatures');
  const fake = toFloat64Matrix(generatedFeatures, 'generatedFeatures');
  requireRows(real, k + 1, 'realFeatures');
  requireRows(fake, k + 1, 'generatedFeatures');
  requireSameCols(real, fake, 'realFeatures', 'generatedFeatures');
  const realRadii = kthNeighbourRadii2(real, k);
  const fakeRadii = kthNeighbourRadii2(fake, k);
  return {
    precision: coverage(fake, real, realRadii),
    recall: coverage(real, fake, fakeRadii),
  };
}
