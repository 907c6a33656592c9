import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '../errors';
import type { Random } from './random';

/** Options of {@link ImagePool}. */
export interface ImagePoolOptions {
  /** Maximum number of stored images. 0 disables the pool (query returns its input). Default: 50 (CycleGAN). */
  size?: number;
  /** Once full, the probability that a query returns a stored image (and stores the new one instead). Default: 0.5. */
  swapProbability?: number;
}

/**
 * A history of generated images for discriminator updates (Shrivastava et al., "Learning from Simulated and
 * Unsupervised Images through Adversarial Training", CVPR 2017, https://arxiv.org/abs/1612.07828, Section 2.3;
 * used by CycleGAN with 50 images). D then sees older fakes too, which damps oscillation.
 *
 * Per image of a query batch: while the pool is not full, the image is stored and returned; once full, with
 * probability `swapProbability` a random stored image is returned and replaced by the new one, otherwise the
 * new image is returned. Decisions come from the caller's seeded {@link Random}; the stored images are saved in
 * trainer checkpoints.
 */
export class ImagePool {
  /** See {@link ImagePoolOptions.size}. */
  readonly capacity: number;
  /** See {@link ImagePoolOptions.swapProbability}. */
  readonly swapProbability: number;
  private images: tf.Tensor[] = [];

  constructor(options: ImagePoolOptions = {}) {
    const size = options.size ?? 50;
    if (!Number.isInteger(size) || size < 0) throw new InvalidArgumentError('poolSize', 'an integer >= 0', size);
    const p = options.swapProbability ?? 0.5;
    if (!(p >= 0 && p <= 1)) throw new InvalidArgumentError('swapProbability', 'a number in [0, 1]', p);
    this.capacity = size;
    this.swapProbability = p;
  }

  /** Number of images stored. */
  get count(): number {
    return this.images.length;
  }

  /**
   * Returns a batch of the same shape as `images` mixing new and stored images (see the class description).
   * `images` is not disposed; the result is a new tensor.
   */
  query(images: tf.Tensor, random: Random): tf.Tensor {
    if (this.capacity === 0) return tf.clone(images);
    const stored = this.images[0];
    if (stored !== undefined && !tf.util.arraysEqual(stored.shape, images.shape.slice(1))) {
      throw new ShapeError('images', `samples of shape [${stored.shape.join(', ')}] (the pool's)`, `shape [${images.shape.join(', ')}]`);
    }
    const incoming = tf.unstack(images);
    const out: tf.Tensor[] = [];
    const toDispose: tf.Tensor[] = [];
    for (const image of incoming) {
      if (this.images.length < this.capacity) {
        this.images.push(image);
        out.push(image);
      } else if (random.uniform() < this.swapProbability) {
        const i = random.int(this.capacity);
        out.push(this.images[i]!);
        toDispose.push(this.images[i]!);
        this.images[i] = image;
      } else {
        out.push(image);
        toDispose.push(image);
      }
    }
    const result = tf.stack(out);
    tf.dispose(toDispose);
    return result;
  }

  /** The stored images stacked into one new tensor `[count, ...]` (undefined when empty), for checkpoints. */
  snapshot(): tf.Tensor | undefined {
    return this.images.length === 0 ? undefined : tf.stack(this.images);
  }

  /** Replaces the stored images with the rows of `stacked` (taken over: disposed here). */
  load(stacked: tf.Tensor | undefined): void {
    tf.dispose(this.images);
    this.images = [];
    if (stacked === undefined) return;
    if (stacked.shape[0]! > this.capacity) {
      stacked.dispose();
      throw new InvalidArgumentError('pool state', `at most ${this.capacity} images`, `${stacked.shape[0]} images`);
    }
    this.images = tf.unstack(stacked);
    stacked.dispose();
  }

  /** Frees the stored images. */
  dispose(): void {
    tf.dispose(this.images);
    this.images = [];
  }
}
