import { ShapeError } from '../errors';
import { type FeatureMatrix, requireRows, requireSameCols, toFloat64Matrix } from './feature_matrix';
import { FeatureMoments, type GaussianStatistics } from './feature_moments';
import { traceSqrtProduct } from './linalg';

/**
 * The Fréchet distance between two Gaussians N(m1, C1) and N(m2, C2), given their means and covariances:
 *
 *   d^2 = ||m1 - m2||^2 + tr(C1) + tr(C2) - 2 tr sqrt(C1 C2)
 *
 * (Dowson & Landau 1982, "The Fréchet distance between multivariate normal distributions"). Applied to
 * classifier features of real and generated samples this is the FID of Heusel et al. 2017, "GANs Trained by a
 * Two Time-Scale Update Rule Converge to a Local Nash Equilibrium" (https://arxiv.org/abs/1706.08500).
 * Like FID, the value is the squared distance (no final square root).
 *
 * Numerics (all float64, in plain JS): tr sqrt(C1 C2) is the sum of square roots of the eigenvalues of the
 * symmetric PSD matrix sqrt(C1) C2 sqrt(C1), with sqrt(C1) from a symmetric eigendecomposition; eigenvalues
 * below the eigensolver's noise floor (n * eps * largest eigenvalue, which covers the slightly negative values
 * rounding produces) count as 0 before square roots are taken. This is well defined and accurate for
 * rank-deficient covariances (fewer samples than features, dead ReLU units). scipy-based FID code (pytorch-fid, TF-GAN's
 * numpy path) calls `scipy.linalg.sqrtm` on the non-symmetric product C1 C2, which can return complex values
 * or fail on singular products and is patched with an `eps * I` offset; both compute the same quantity, the
 * trace of the principal square root of C1 C2 (whose eigenvalues are those of sqrt(C1) C2 sqrt(C1)), so the
 * values agree to rounding wherever scipy's succeeds unpatched. Tiny negative totals caused by rounding are
 * clamped to 0.
 *
 * Cost: about 15 d^3 flops (d = feature dimension), single-threaded: milliseconds for d = 128, a few minutes for
 * d = 2048 (257 s measured on one shared core).
 *
 * @param a - the first Gaussian's statistics (e.g. a {@link FeatureMoments} of real features).
 * @param b - the second's, of the same dimension.
 * @returns the squared Fréchet distance, >= 0.
 * @throws {ShapeError} if the dimensions differ or the arrays have the wrong length.
 */
export function frechetDistanceFromMoments(a: GaussianStatistics, b: GaussianStatistics): number {
  const ma = a.mean;
  const mb = b.mean;
  const d = ma.length;
  if (mb.length !== d) throw new ShapeError('b.mean', `length ${d}, like a.mean`, `length ${mb.length}`);
  const ca = Float64Array.from(a.covariance);
  const cb = Float64Array.from(b.covariance);
  if (ca.length !== d * d) throw new ShapeError('a.covariance', `${d} x ${d} = ${d * d} values`, `${ca.length} values`);
  if (cb.length !== d * d) throw new ShapeError('b.covariance', `${d} x ${d} = ${d * d} values`, `${cb.length} values`);
  let meanTerm = 0;
  for (let i = 0; i < d; i++) {
    const diff = ma[i] - mb[i];
    meanTerm += diff * diff;
  }
  let traces = 0;
  for (let i = 0; i < d; i++) traces += ca[i * d + i] + cb[i * d + i];
  const cross = traceSqrtProduct(ca, cb, d);
  return Math.max(0, meanTerm + traces - 2 * cross);
}

/**
 * The Fréchet distance between Gaussians fitted to two sets of feature vectors: FID when the features are those
 * of a fixed network (InceptionV3's pool3 for the published numbers; see {@link fid} for the streaming version
 * that runs the network).
 *
 * Each set is summarised by its mean and its unbiased covariance (divides by n - 1), then
 * {@link frechetDistanceFromMoments} is applied; see there for the formula and the numerics.
 *
 * @param featuresA - `[nA, d]` features, nA >= 2: a rank-2 tensor (read, not disposed) or an array of rows.
 * @param featuresB - `[nB, d]` features, nB >= 2.
 * @returns the squared Fréchet distance, >= 0; 0 (to float error) for identical sets.
 * @example
 * ```ts
 * const value = frechetDistance(realFeatures, fakeFeatures); // tensors [n, 128]
 * ```
 */
export function frechetDistance(featuresA: FeatureMatrix, featuresB: FeatureMatrix): number {
  const a = toFloat64Matrix(featuresA, 'featuresA');
  const b = toFloat64Matrix(featuresB, 'featuresB');
  requireRows(a, 2, 'featuresA');
  requireRows(b, 2, 'featuresB');
  requireSameCols(a, b, 'featuresA', 'featuresB');
  const ma = new FeatureMoments(a.cols).updateRows(a.data, a.rows, a.cols);
  const mb = new FeatureMoments(b.cols).updateRows(b.data, b.rows, b.cols);
  return frechetDistanceFromMoments(ma, mb);
}
