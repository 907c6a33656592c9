import { checkOptionKeys, InvalidArgumentError } from '../errors';
import { type FeatureMatrix, type Float64Matrix, requireRows, requireSameCols, toFloat64Matrix } from './feature_matrix';
import { MetricsRandom } from './prng';
import { optionKeys } from '../option_keys';

/** Options of {@link kernelInceptionDistance}. */
export interface KernelInceptionDistanceOptions {
  /** Number of random subsets the estimate is averaged over. Default: 100. */
  subsets?: number;
  /**
   * Samples drawn (without replacement) from each set for each subset; capped at the smaller set's size.
   * Default: 1000.
   */
  subsetSize?: number;
  /** Degree of the polynomial kernel. Default: 3. */
  degree?: number;
  /** Scale of the inner product in the kernel. Default: 1 / d (d = feature dimension). */
  gamma?: number;
  /** Constant added inside the kernel. Default: 1. */
  coef0?: number;
  /** Seed of the subset sampling; the same seed gives the same subsets. Default: 0. */
  seed?: number;
}

/** The keys of {@link KernelInceptionDistanceOptions} (checked against it by the compiler, both ways). */
const KERNEL_INCEPTION_DISTANCE_OPTION_KEYS = optionKeys<KernelInceptionDistanceOptions>()(['subsets', 'subsetSize', 'degree', 'gamma', 'coef0', 'seed']);

/** Result of {@link kernelInceptionDistance}. */
export interface KernelInceptionDistanceResult {
  /** The KID: the mean over subsets of the unbiased MMD^2 estimate. Can be slightly negative (unbiased). */
  readonly mean: number;
  /** Standard deviation of the per-subset estimates (population form, divides by `subsets`). */
  readonly std: number;
  /** Number of subsets used. */
  readonly subsets: number;
  /** Samples per set in each subset. */
  readonly subsetSize: number;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError(name, 'an integer >= 1', value);
  return value;
}

/** Dot products of rows `ia[i]` of `x` with rows `ib[j]` of `y`, through the kernel, summed. */
function kernelSum(
  x: Float64Matrix,
  ia: Int32Array,
  y: Float64Matrix,
  ib: Int32Array,
  sameSet: boolean,
  gamma: number,
  coef0: number,
  degree: number,
): number {
  const d = x.cols;
  const xd = x.data;
  const yd = y.data;
  let total = 0;
  for (let i = 0; i < ia.length; i++) {
    const xo = ia[i] * d;
    // Within one set the diagonal (i = j) is excluded and the kernel is symmetric: sum j > i, doubled.
    const jStart = sameSet ? i + 1 : 0;
    let rowSum = 0;
    for (let j = jStart; j < ib.length; j++) {
      const yo = ib[j] * d;
      let dot = 0;
      for (let k = 0; k < d; k++) dot += xd[xo + k] * yd[yo + k];
      const base = gamma * dot + coef0;
      rowSum += degree === 3 ? base * base * base : base ** degree;
    }
    total += rowSum;
  }
  return sameSet ? 2 * total : total;
}

/**
 * Kernel Inception Distance (Bińkowski, Sutherland, Arbel & Gretton 2018, "Demystifying MMD GANs",
 * https://arxiv.org/abs/1801.01401): the squared maximum mean discrepancy between two sets of features under
 * the polynomial kernel k(x, y) = (gamma x.y + coef0)^degree, by default (x.y / d + 1)^3.
 *
 * For each subset, m samples X from set A and m samples Y from set B are drawn without replacement and the
 * unbiased estimator is computed:
 *
 *   MMD^2_u = sum_{i != j} k(x_i, x_j) / (m(m-1)) + sum_{i != j} k(y_i, y_j) / (m(m-1)) - 2 sum_{i,j} k(x_i, y_j) / m^2
 *
 * The result is the mean over subsets, with the standard deviation across them (as StyleGAN2-ADA's
 * `kid50k_full` and TF-GAN's `kernel_classifier_distance_and_std` report). Unlike FID the estimator is
 * unbiased in the sample size, so values from different n are comparable, and it can be slightly negative
 * when the two distributions are close. Computed in float64 in plain JS: O(subsets * m^2 * d).
 *
 * @param featuresA - `[nA, d]` features (e.g. of real samples), nA >= 2.
 * @param featuresB - `[nB, d]` features (e.g. of generated samples), nB >= 2.
 * @param options - see {@link KernelInceptionDistanceOptions}.
 * @example
 * ```ts
 * const { mean, std } = kernelInceptionDistance(realFeatures, fakeFeatures, { subsets: 50, subsetSize: 500 });
 * ```
 */
export function kernelInceptionDistance(
  featuresA: FeatureMatrix,
  featuresB: FeatureMatrix,
  options: KernelInceptionDistanceOptions = {},
): KernelInceptionDistanceResult {
  checkOptionKeys('kernelInceptionDistance options', options, KERNEL_INCEPTION_DISTANCE_OPTION_KEYS);
  const a = toFloat64Matrix(featuresA, 'featuresA');
  const b = toFloat64Matrix(featuresB, 'featuresB');
  requireRows(a, 2, 'featuresA');
  requireRows(b, 2, 'featuresB');
  requireSameCols(a, b, 'featuresA', 'featuresB');
  const subsets = positiveInteger(options.subsets ?? 100, 'options.subsets');
  const requested = positiveInteger(options.subsetSize ?? 1000, 'options.subsetSize');
  const degree = positiveInteger(options.degree ?? 3, 'options.degree');
  const gamma = options.gamma ?? 1 / a.cols;
  const coef0 = options.coef0 ?? 1;
  if (!Number.isFinite(gamma)) throw new InvalidArgumentError('options.gamma', 'a finite number', gamma);
  if (!Number.isFinite(coef0)) throw new InvalidArgumentError('options.coef0', 'a finite number', coef0);
  const m = Math.min(requested, a.rows, b.rows);
  if (m < 2) throw new InvalidArgumentError('options.subsetSize', 'at least 2', requested);
  const rng = new MetricsRandom(options.seed ?? 0);
  const estimates = new Float64Array(subsets);
  for (let s = 0; s < subsets; s++) {
    const ia = rng.sampleWithoutReplacement(a.rows, m);
    const ib = rng.sampleWithoutReplacement(b.rows, m);
    const kxx = kernelSum(a, ia, a, ia, true, gamma, coef0, degree) / (m * (m - 1));
    const kyy = kernelSum(b, ib, b, ib, true, gamma, coef0, degree) / (m * (m - 1));
    const kxy = kernelSum(a, ia, b, ib, false, gamma, coef0, degree) / (m * m);
    estimates[s] = kxx + kyy - 2 * kxy;
  }
  let mean = 0;
  for (const v of estimates) mean += v;
  mean /= subsets;
  let variance = 0;
  for (const v of estimates) variance += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(variance / subsets), subsets, subsetSize: m };
}
