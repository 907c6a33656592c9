import { checkOptionKeys, InvalidArgumentError } from '../errors';
import { type FeatureMatrix, requireRows, toFloat64Matrix } from './feature_matrix';
import { optionKeys } from '../option_keys';

/** Options of {@link inceptionScore}. */
export interface InceptionScoreOptions {
  /**
   * Number of consecutive, near-equal parts the samples are split into; the score is computed on each part
   * (with that part's marginal) and averaged. Default: 10, as in Salimans et al.
   */
  splits?: number;
  /** How far a row's sum may be from 1 before it is rejected as not a probability vector. Default: 1e-3. */
  tolerance?: number;
}

/** The keys of {@link InceptionScoreOptions} (checked against it by the compiler, both ways). */
const INCEPTION_SCORE_OPTION_KEYS = optionKeys<InceptionScoreOptions>()(['splits', 'tolerance']);

/** Result of {@link inceptionScore}. */
export interface InceptionScoreResult {
  /** Mean of the per-split scores. Between 1 and the number of classes. */
  readonly mean: number;
  /** Standard deviation of the per-split scores (population form, divides by `splits`). */
  readonly std: number;
  /** The score of each split. */
  readonly scores: Float64Array;
}

/**
 * Inception Score (Salimans et al. 2016, "Improved Techniques for Training GANs",
 * https://arxiv.org/abs/1606.03498):
 *
 *   IS = exp( E_x [ KL( p(y|x) || p(y) ) ] ),  p(y) = E_x p(y|x)
 *
 * computed from a classifier's class probabilities for each generated sample (InceptionV3's 1008-way softmax
 * for the published numbers; gan-kit's `classifyDigits` for MNIST). High when each sample is confidently one
 * class and the classes are balanced: 1 for identical (e.g. uniform) predictions, k for confident one-hot
 * predictions spread evenly over k classes.
 *
 * The samples are split into `splits` consecutive parts, part i being rows floor(i n / splits) to
 * floor((i + 1) n / splits) - 1 (the original code's split); each part uses its own marginal p(y). Terms with
 * p(y|x) = 0 contribute 0 (the limit of p log p). Computed in float64.
 *
 * @param probabilities - `[n, classes]` rows of class probabilities (each row >= 0, summing to 1; apply a
 *   softmax to logits first). A rank-2 tensor (read, not disposed) or an array of rows. n >= splits.
 * @param options - see {@link InceptionScoreOptions}.
 * @example
 * ```ts
 * const { mean, std } = inceptionScore(probabilities, { splits: 10 });
 * ```
 */
export function inceptionScore(probabilities: FeatureMatrix, options: InceptionScoreOptions = {}): InceptionScoreResult {
  checkOptionKeys('inceptionScore options', options, INCEPTION_SCORE_OPTION_KEYS);
  const p = toFloat64Matrix(probabilities, 'probabilities');
  const splits = options.splits ?? 10;
  const tolerance = options.tolerance ?? 1e-3;
  if (!Number.isInteger(splits) || splits < 1) throw new InvalidArgumentError('options.splits', 'an integer >= 1', splits);
  requireRows(p, splits, 'probabilities');
  if (p.cols < 1) throw new InvalidArgumentError('probabilities', 'at least one class column', p.cols);
  const c = p.cols;
  for (let i = 0; i < p.rows; i++) {
    let sum = 0;
    for (let j = 0; j < c; j++) {
      const v = p.data[i * c + j];
      if (v < 0) throw new InvalidArgumentError('probabilities', 'non-negative values', v, `(row ${i}, column ${j})`);
      sum += v;
    }
    if (Math.abs(sum - 1) > tolerance) {
      throw new InvalidArgumentError(
        'probabilities',
        'rows that sum to 1',
        `row ${i} summing to ${sum}`,
        'Apply tf.softmax to logits first.',
      );
    }
  }
  const scores = new Float64Array(splits);
  const marginal = new Float64Array(c);
  for (let s = 0; s < splits; s++) {
    const start = Math.floor((s * p.rows) / splits);
    const end = Math.floor(((s + 1) * p.rows) / splits);
    const count = end - start;
    marginal.fill(0);
    for (let i = start; i < end; i++) for (let j = 0; j < c; j++) marginal[j] += p.data[i * c + j];
    for (let j = 0; j < c; j++) marginal[j] /= count;
    let kl = 0;
    for (let i = start; i < end; i++) {
      for (let j = 0; j < c; j++) {
        const v = p.data[i * c + j];
        if (v > 0) kl += v * (Math.log(v) - Math.log(marginal[j]));
      }
    }
    scores[s] = Math.exp(kl / count);
  }
  let mean = 0;
  for (const v of scores) mean += v;
  mean /= splits;
  let variance = 0;
  for (const v of scores) variance += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(variance / splits), scores };
}
