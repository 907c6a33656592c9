import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '../errors';
import type { Random } from './random';

/** Options of {@link LatentSampler.sample}. */
export interface LatentSampleOptions {
  /**
   * Truncation threshold (in standard deviations) for the BigGAN truncation trick: values outside
   * [−truncation, truncation] are redrawn. Lower means higher fidelity and less variety. Default: undefined
   * (no truncation). Samplers that cannot truncate throw an {@link InvalidArgumentError}.
   */
  truncation?: number;
}

/**
 * Draws latent codes for a generator. Pass one as `latentDim` to a trainer to use a prior other than N(0, I).
 * Samplers draw from the trainer's seeded {@link Random}, so training and checkpoints stay reproducible.
 */
export interface LatentSampler {
  /** Shape of one latent code, without the batch dimension (e.g. `[128]`). */
  readonly shape: readonly number[];
  /** Short description for logs and checkpoint manifests, e.g. `'normal'`. */
  readonly name: string;
  /** Returns a float32 tensor of shape `[batchSize, ...shape]`. The caller owns (and disposes) it. */
  sample(batchSize: number, random: Random, options?: LatentSampleOptions): tf.Tensor;
}

function normaliseShape(dim: number | readonly number[], argument: string): number[] {
  const shape = typeof dim === 'number' ? [dim] : [...dim];
  if (shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new InvalidArgumentError(argument, 'a positive integer or a non-empty array of positive integers', dim);
  }
  return shape;
}

function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError('batchSize', 'a positive integer', batchSize);
  }
}

/**
 * The standard normal prior N(0, I) used by DCGAN, WGAN-GP, SNGAN, BigGAN and StyleGAN. Supports the truncation
 * trick (Brock et al. 2019, https://arxiv.org/abs/1809.11096).
 *
 * @param dim - latent size (e.g. `128`) or shape (e.g. `[4, 4, 32]` for a spatial latent).
 * @example
 * ```ts
 * const z = normalLatent(128).sample(16, new Random(0)); // Tensor2D [16, 128]
 * ```
 */
export function normalLatent(dim: number | readonly number[]): LatentSampler {
  const shape = normaliseShape(dim, 'dim');
  const size = shape.reduce((a, b) => a * b, 1);
  return {
    shape,
    name: 'normal',
    sample(batchSize: number, random: Random, options: LatentSampleOptions = {}): tf.Tensor {
      checkBatchSize(batchSize);
      const values = random.fillNormal(new Float32Array(batchSize * size), options.truncation);
      return tf.tensor(values, [batchSize, ...shape], 'float32');
    },
  };
}

/**
 * A uniform prior U(low, high)^d, as in the original GAN and DCGAN papers' experiments. Does not support
 * truncation.
 *
 * @param dim - latent size or shape.
 * @param options - `low` (default −1) and `high` (default 1).
 */
export function uniformLatent(
  dim: number | readonly number[],
  options: { low?: number; high?: number } = {},
): LatentSampler {
  const shape = normaliseShape(dim, 'dim');
  const size = shape.reduce((a, b) => a * b, 1);
  const low = options.low ?? -1;
  const high = options.high ?? 1;
  if (!(Number.isFinite(low) && Number.isFinite(high) && high > low)) {
    throw new InvalidArgumentError('options.high', `a finite number greater than options.low (${low})`, high);
  }
  return {
    shape,
    name: `uniform(${low}, ${high})`,
    sample(batchSize: number, random: Random, sampleOptions: LatentSampleOptions = {}): tf.Tensor {
      checkBatchSize(batchSize);
      if (sampleOptions.truncation !== undefined) {
        throw new InvalidArgumentError(
          'options.truncation',
          'undefined for a uniform latent prior',
          sampleOptions.truncation,
          'The truncation trick applies to normal priors; use normalLatent(dim) to truncate.',
        );
      }
      const values = random.fillUniform(new Float32Array(batchSize * size), low, high);
      return tf.tensor(values, [batchSize, ...shape], 'float32');
    },
  };
}

/** Turns a trainer's `latentDim` option (a size or a sampler) into a sampler. */
export function toLatentSampler(latent: number | readonly number[] | LatentSampler, argument = 'latentDim'): LatentSampler {
  if (typeof latent === 'number' || Array.isArray(latent)) {
    // Checked here so that the error names the trainer's option, not normalLatent's `dim`.
    normaliseShape(latent as number | number[], argument);
    return normalLatent(latent as number | number[]);
  }
  const sampler = latent as LatentSampler;
  if (sampler == null || typeof sampler.sample !== 'function' || !Array.isArray(sampler.shape)) {
    throw new InvalidArgumentError(
      argument,
      'a positive integer (the latent size) or a LatentSampler { shape, name, sample(batchSize, random) }',
      latent,
    );
  }
  normaliseShape(sampler.shape, `${argument}.shape`);
  return sampler;
}

/**
 * The latent codes of one update: `z` when given (checked against `[batchSize, ...sampler.shape]`, float32),
 * otherwise `batchSize` codes drawn from `random`. Dispose the result only when it is not `z`.
 * @throws {ShapeError} / {InvalidArgumentError} for a `z` of the wrong shape or dtype.
 */
export function latentCodes(
  sampler: LatentSampler,
  batchSize: number,
  random: Random,
  z?: tf.Tensor,
  argument = 'options.z',
): tf.Tensor {
  if (z === undefined) return sampler.sample(batchSize, random);
  const expected = [batchSize, ...sampler.shape];
  if (!(z instanceof tf.Tensor) || !tf.util.arraysEqual(z.shape, expected)) {
    throw new ShapeError(
      argument,
      `latent codes of shape [${expected.join(', ')}] (the real batch size × latentDim)`,
      z instanceof tf.Tensor ? `shape [${z.shape.join(', ')}]` : z,
    );
  }
  if (z.dtype !== 'float32') throw new InvalidArgumentError(argument, "dtype 'float32'", z.dtype);
  return z;
}
