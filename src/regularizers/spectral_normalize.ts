import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, ShapeError } from '../errors';
import { checkFloatTensor, checkNumber, checkOptions, formatShape } from '../losses/validation';
import { optionKeys } from '../option_keys';

/** Options of {@link spectralNormalize}. */
export interface SpectralNormalizeOptions {
  /** Power-iteration steps per call. Default: 1 (Miyato et al. 2018; u is carried over between calls). */
  powerIterations?: number;
  /** Lower bound on a vector's norm when normalising it, v / max(‖v‖, ε). Default: 1e-12. */
  epsilon?: number;
}

/** The keys of {@link SpectralNormalizeOptions} (checked against it by the compiler, both ways). */
const SPECTRAL_NORMALIZE_OPTION_KEYS = optionKeys<SpectralNormalizeOptions>()(['powerIterations', 'epsilon']);

/** The result of {@link spectralNormalize}. */
export interface SpectralNormalizeResult {
  /** `kernel / sigma`, same shape as the input kernel. Differentiable with respect to the input kernel. */
  kernel: tf.Tensor;
  /** σ, the estimate of the largest singular value of the reshaped kernel, a scalar. */
  sigma: tf.Scalar;
  /** The updated singular-vector estimate u' (output side), shape [outChannels]; store it for the next call. */
  u: tf.Tensor1D;
}

function normalize(v: tf.Tensor, epsilon: number): tf.Tensor {
  return tf.div(v, tf.maximum(tf.norm(v), epsilon));
}

/**
 * `powerIterations` steps from u on the [in, out] matrix W, returning concat(v, u') ([in + out]). Runs as one
 * custom-gradient op with zero gradients: v and u' are constants for differentiation (as in the paper and in
 * PyTorch), and the iteration's own ops stay off the gradient tape.
 */
function powerIterate(matrix: tf.Tensor2D, u: tf.Tensor1D, powerIterations: number, epsilon: number): tf.Tensor1D {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const w = args[0] as tf.Tensor2D;
    const u0 = args[1] as tf.Tensor1D;
    let uCol = tf.reshape(u0, [-1, 1]) as tf.Tensor2D;
    let vCol = uCol;
    for (let i = 0; i < powerIterations; i++) {
      vCol = normalize(tf.matMul(w, uCol), epsilon) as tf.Tensor2D;
      uCol = normalize(tf.matMul(w, vCol, true, false), epsilon) as tf.Tensor2D;
    }
    return {
      value: tf.concat([tf.reshape(vCol, [-1]), tf.reshape(uCol, [-1])]),
      gradFunc: () => [tf.zerosLike(w), tf.zerosLike(u0)],
    };
  });
  return op(matrix, u) as tf.Tensor1D;
}

/**
 * Spectral normalization of a weight tensor by power iteration: Miyato, Kataoka, Koyama, Yoshida, "Spectral
 * Normalization for Generative Adversarial Networks", ICLR 2018, https://arxiv.org/abs/1802.05957 (Algorithm 1).
 *
 * In tfjs layout the last axis of a kernel is its output axis (Dense [in, out], Conv2D [kh, kw, in, out]), so
 * with W = kernel reshaped to [−1, outChannels] and u of shape [outChannels], each iteration does
 *
 *   v = normalize(W·u),  u' = normalize(Wᵀ·v)
 *
 * (normalize(x) = x / max(‖x‖₂, ε)), then σ = vᵀ·W·u' and the result is kernel / σ, whose spectral norm is ≈ 1
 * (kernel / max(σ, ε) in fact, so that an all-zero kernel stays zero).
 * As in the paper, u' and v are constants for differentiation (the gradient of kernel / σ flows into the kernel
 * through W and σ(W) only), so a layer can carry u' over to its next call and one iteration per training step
 * suffices. Repeated calls converge to the largest singular value of W.
 *
 * For a Conv2DTranspose kernel ([kh, kw, outChannels, inChannels] in tfjs) move the output axis last first
 * ({@link SpectralNormalization} does this).
 *
 * @param kernel the weight, float32 of rank >= 2, last axis = output channels.
 * @param u the current estimate of the top singular vector on the output side, float32 of shape
 *   [outChannels] (from N(0, 1) at first; it need not be normalised).
 * @returns `{ kernel, sigma, u }`: normalised kernel, σ (scalar) and updated u' ([outChannels]).
 * @example
 * ```ts
 * let u = tf.randomNormal([64]);
 * const { kernel: wSn, sigma, u: uNext } = spectralNormalize(conv.getWeights()[0], u);
 * ```
 * @throws {ShapeError} if the kernel has rank < 2 or `u` is not [outChannels].
 * @throws {InvalidArgumentError} if `powerIterations` is not an integer >= 1 or `epsilon` is not > 0.
 */
export function spectralNormalize(
  kernel: tf.Tensor,
  u: tf.Tensor,
  options?: SpectralNormalizeOptions,
): SpectralNormalizeResult {
  checkOptionKeys('spectralNormalize options', options, SPECTRAL_NORMALIZE_OPTION_KEYS);
  const opts = checkOptions('options', options);
  const w = checkFloatTensor('kernel', kernel, 2);
  const outChannels = w.shape[w.rank - 1]!;
  const u0 = checkFloatTensor('u', u);
  if (u0.rank !== 1 || u0.shape[0] !== outChannels) {
    throw new ShapeError('u', `shape [${outChannels}] (the last axis of kernel ${formatShape(w.shape)})`, u0);
  }
  const powerIterations = checkNumber('options.powerIterations', opts.powerIterations ?? 1, {
    min: 1,
    integer: true,
  });
  const epsilon = checkNumber('options.epsilon', opts.epsilon ?? 1e-12, { min: 0, minExclusive: true });
  return tf.tidy(() => {
    const matrix = tf.reshape(w, [-1, outChannels]) as tf.Tensor2D;
    const inDim = matrix.shape[0];
    const vu = powerIterate(matrix, u0 as tf.Tensor1D, powerIterations, epsilon);
    const v = tf.slice(vu, [0], [inDim]);
    const uNext = tf.slice(vu, [inDim], [outChannels]) as tf.Tensor1D;
    // σ = vᵀ W u', differentiable in W only.
    const wu = tf.reshape(tf.matMul(matrix, tf.reshape(uNext, [outChannels, 1])), [inDim]);
    const sigma = tf.sum(tf.mul(v, wu)) as tf.Scalar;
    // Dividing by max(σ, ε) only matters for an all-zero kernel, which then stays zero instead of NaN.
    return { kernel: tf.div(w, tf.maximum(sigma, epsilon)), sigma, u: uNext };
  });
}
