import { checkOptionKeys, InvalidArgumentError } from '../errors';
import { type FeatureMatrix, requireRows, requireSameCols, toFloat64Matrix } from './feature_matrix';
import { optionKeys } from '../option_keys';

/** Options of {@link mixtureModeStats}. */
export interface MixtureModeStatsOptions {
  /** A sample is high quality if it lies within `threshold * std` of its nearest centre. Default: 3. */
  threshold?: number;
}

/** The keys of {@link MixtureModeStatsOptions} (checked against it by the compiler, both ways). */
const MIXTURE_MODE_STATS_OPTION_KEYS = optionKeys<MixtureModeStatsOptions>()(['threshold']);

/** Result of {@link mixtureModeStats}. */
export interface MixtureModeStats {
  /** Number of modes with at least one high-quality sample assigned to them, 0..K. */
  readonly modesCovered: number;
  /** Fraction of all samples that are high quality, in [0, 1]. */
  readonly highQualityFraction: number;
  /**
   * KL(q || u): q is the distribution of the high-quality samples over the modes (each assigned to its
   * nearest centre), u the uniform distribution over the K modes. In nats, in [0, log K]. NaN when no sample
   * is high quality (q is undefined).
   */
  readonly reverseKL: number;
  /** Number of high-quality samples assigned to each mode, length K. */
  readonly counts: Int32Array;
}

/**
 * Mode-collapse statistics for a GAN trained on a mixture of K isotropic Gaussians (the 2-D ring of 8 and
 * grid of 25 benchmarks), with the definitions of VEEGAN (Srivastava et al. 2017,
 * https://arxiv.org/abs/1705.07761) and PacGAN (Lin et al. 2018, https://arxiv.org/abs/1712.04086):
 *
 * - each sample is assigned to its nearest centre (Euclidean);
 * - it is *high quality* if its distance to that centre is <= `threshold * std` (3 standard deviations);
 * - a mode is *covered* if at least one high-quality sample is assigned to it;
 * - `reverseKL` = KL(q || u) = sum_k q_k log(K q_k), where q_k is the fraction of the high-quality samples
 *   assigned to mode k and u is uniform over the modes (the true mixture has equal weights). "Reverse" because
 *   the expectation is under the generator's distribution, KL(P_G || P_data), as in PacGAN's tables.
 *
 * Empty modes (q_k = 0) contribute exactly 0 to this direction of the KL, by the limit q log q -> 0, so no
 * smoothing epsilon is needed or added: a generator that covers only one mode gets log K (about 2.08 nats for
 * 8 modes, 3.22 for 25), one that spreads evenly gets 0. Only the forward direction KL(u || q) would be
 * infinite for an empty mode. When no sample at all is high quality q is undefined and `reverseKL` is NaN;
 * `modesCovered` and `highQualityFraction` are then 0.
 *
 * @param samples - `[n, d]` generated samples (d = 2 for the usual benchmarks), n >= 1.
 * @param centers - `[K, d]` the mixture's component means, K >= 1.
 * @param std - the components' standard deviation (same in every direction), > 0.
 * @param options - see {@link MixtureModeStatsOptions}.
 * @example
 * ```ts
 * const stats = mixtureModeStats(samples, ringCenters, 0.02);
 * // { modesCovered: 8, highQualityFraction: 0.97, reverseKL: 0.003, counts: Int32Array [...] }
 * ```
 */
export function mixtureModeStats(
  samples: FeatureMatrix,
  centers: FeatureMatrix,
  std: number,
  options: MixtureModeStatsOptions = {},
): MixtureModeStats {
  checkOptionKeys('mixtureModeStats options', options, MIXTURE_MODE_STATS_OPTION_KEYS);
  if (typeof std !== 'number' || !(std > 0) || !Number.isFinite(std)) {
    throw new InvalidArgumentError('std', 'a finite number > 0', std);
  }
  const threshold = options.threshold ?? 3;
  if (typeof threshold !== 'number' || !(threshold > 0) || !Number.isFinite(threshold)) {
    throw new InvalidArgumentError('options.threshold', 'a finite number > 0', threshold);
  }
  const x = toFloat64Matrix(samples, 'samples');
  const c = toFloat64Matrix(centers, 'centers');
  requireRows(x, 1, 'samples');
  requireRows(c, 1, 'centers');
  requireSameCols(c, x, 'centers', 'samples');
  const d = x.cols;
  const modes = c.rows;
  const radius2 = (threshold * std) ** 2;
  const counts = new Int32Array(modes);
  let highQuality = 0;
  for (let i = 0; i < x.rows; i++) {
    let nearest = 0;
    let best = Infinity;
    for (let k = 0; k < modes; k++) {
      let dist = 0;
      for (let j = 0; j < d; j++) {
        const diff = x.data[i * d + j] - c.data[k * d + j];
        dist += diff * diff;
      }
      if (dist < best) {
        best = dist;
        nearest = k;
      }
    }
    if (best <= radius2) {
      counts[nearest]++;
      highQuality++;
    }
  }
  let modesCovered = 0;
  let reverseKL = highQuality > 0 ? 0 : NaN;
  for (let k = 0; k < modes; k++) {
    if (counts[k] === 0) continue;
    modesCovered++;
    const q = counts[k] / highQuality;
    reverseKL += q * Math.log(modes * q);
  }
  return { modesCovered, highQualityFraction: highQuality / x.rows, reverseKL, counts };
}
