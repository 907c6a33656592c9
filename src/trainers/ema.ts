import * as tf from '@tensorflow/tfjs';
import { GanKitError, InvalidArgumentError } from '../errors';
import { Random } from './random';

/** Batches (of 64) on which {@link ExponentialMovingAverage.refreshBatchNorm} recomputes batch-norm statistics. */
export const EMA_CALIBRATION_BATCHES = 4;
/** Seed of the inputs of that recomputation (fixed: sampling stays deterministic, training streams untouched). */
export const EMA_CALIBRATION_SEED = 0x5eed;

/** Options of {@link ExponentialMovingAverage} (the trainers' `ema` option). */
export interface EmaOptions {
  /**
   * Weight of the old average per update, in [0, 1): `avg ← decay·avg + (1 − decay)·weights`. Typical values:
   * 0.999 (ProGAN, StyleGAN2-ADA for small batches: half-life ≈ 693 updates), 0.9999 (BigGAN). Required.
   */
  decay: number;
  /**
   * Before this many generator updates the average just copies the generator (StudioGAN's `g_ema_start`;
   * early weights are poor and would linger in the average). Default: 0.
   */
  startStep?: number;
}

/**
 * Builds a new, independent model with the same architecture and a copy of the weights of `model`, synchronously
 * (from `model.getConfig()`). Custom layers must be registered with `tf.serialization.registerClass`.
 *
 * @throws {GanKitError} if the model's configuration cannot be rebuilt (an unregistered custom layer).
 */
export function cloneModel(model: tf.LayersModel): tf.LayersModel {
  const cls = model.constructor as unknown as {
    fromConfig(cls: unknown, config: tf.serialization.ConfigDict): tf.LayersModel;
    name: string;
  };
  let clone: tf.LayersModel;
  try {
    clone = cls.fromConfig(cls, model.getConfig() as tf.serialization.ConfigDict);
  } catch (error) {
    throw new GanKitError(
      `Cannot copy the model '${model.name}' (needed for the EMA generator): ${(error as Error).message}. ` +
        'Register custom layers with tf.serialization.registerClass, or drop the ema option.',
    );
  }
  clone.setWeights(model.getWeights());
  return clone;
}

/**
 * An exponential moving average of a model's weights (Polyak averaging; for GANs: Yazıcı et al., "The Unusual
 * Effectiveness of Averaging in GAN Training", ICLR 2019, https://arxiv.org/abs/1806.04498; used by ProGAN,
 * BigGAN and StyleGAN). Keeps its own copy of the model, `averaged`, whose trainable weights follow
 * `avg ← decay·avg + (1 − decay)·w` and whose non-trainable weights (batch-norm statistics) are copied, as in
 * StyleGAN2-ADA.
 *
 * @example
 * ```ts
 * const ema = new ExponentialMovingAverage(generator, { decay: 0.999 });
 * // after every generator update:
 * ema.update();
 * const images = ema.averaged.predict(z);
 * ```
 */
export class ExponentialMovingAverage {
  /** The averaged copy of the model: use it for sampling and evaluation. */
  readonly averaged: tf.LayersModel;
  /** See {@link EmaOptions.decay}. */
  readonly decay: number;
  /** See {@link EmaOptions.startStep}. */
  readonly startStep: number;
  /** Number of {@link ExponentialMovingAverage.update} calls so far (restored from checkpoints). */
  updates = 0;
  private readonly source: tf.LayersModel;
  /** Value of `updates` when the batch-norm statistics were last recomputed (−1: never). */
  private calibratedAt = -1;

  constructor(source: tf.LayersModel, options: EmaOptions) {
    if (options == null || !(options.decay >= 0 && options.decay < 1)) {
      throw new InvalidArgumentError('ema.decay', 'a number in [0, 1), e.g. 0.999', options?.decay);
    }
    const startStep = options.startStep ?? 0;
    if (!Number.isInteger(startStep) || startStep < 0) {
      throw new InvalidArgumentError('ema.startStep', 'an integer >= 0', startStep);
    }
    this.decay = options.decay;
    this.startStep = startStep;
    this.source = source;
    this.averaged = cloneModel(source);
  }

  /** Folds the source model's current weights into the average (or copies them before `startStep`). */
  update(): void {
    const copy = this.updates < this.startStep;
    this.updates++;
    const sources = this.source.weights;
    const targets = this.averaged.weights;
    tf.tidy(() => {
      sources.forEach((src, i) => {
        const target = targets[i]!.read() as tf.Variable;
        const w = src.read();
        if (copy || !src.trainable) target.assign(w);
        else target.assign(tf.add(tf.mul(target, this.decay), tf.mul(w, 1 - this.decay)));
      });
    });
  }

  /**
   * Whether the averaged model has batch-normalization layers whose moving statistics do not belong to its
   * weights yet: {@link ExponentialMovingAverage.update} copies the source's statistics, which were measured
   * with the source's weights, not the averaged ones (true again after every update until
   * {@link ExponentialMovingAverage.recalibrateBatchNorm}).
   */
  get batchNormStale(): boolean {
    return this.calibratedAt !== this.updates && batchNormLayers(this.averaged).length > 0;
  }

  /**
   * Recomputes the moving statistics of every batch-normalization layer of `averaged` for the averaged weights
   * ("standing statistics", Brock et al., BigGAN, https://arxiv.org/abs/1809.11096, Appendix C; the
   * recomputation after weight averaging of Izmailov et al., SWA, https://arxiv.org/abs/1803.05407): runs the
   * averaged model in training mode on each batch of inputs and sets each layer's moving mean and variance to
   * the average of the per-batch means and variances (momentum 1 − 1/k on the k-th batch; the layers'
   * momentum is restored afterwards). Without it, sampling in inference mode normalizes the averaged network's
   * activations with statistics of another network (the source's), which can cost much of the averaging's gain.
   *
   * @param batches - the model's inputs, one entry per batch (a tensor, or a tensor list for several inputs),
   *   e.g. 4 batches of 64 latent codes; not disposed.
   */
  recalibrateBatchNorm(batches: readonly (tf.Tensor | tf.Tensor[])[]): void {
    const layers = batchNormLayers(this.averaged);
    if (layers.length > 0 && batches.length > 0) {
      const saved = layers.map((l) => l.momentum);
      try {
        batches.forEach((inputs, k) => {
          for (const l of layers) l.momentum = 1 - 1 / (k + 1);
          tf.tidy(() => {
            this.averaged.apply(inputs, { training: true });
          });
        });
      } finally {
        layers.forEach((l, i) => (l.momentum = saved[i]!));
      }
    }
    this.calibratedAt = this.updates;
  }

  /**
   * Recomputes the batch-norm statistics of `averaged` when they are stale ({@link ExponentialMovingAverage.batchNormStale}),
   * on {@link EMA_CALIBRATION_BATCHES} batches of 64 inputs that `makeInputs` draws from a stream seeded with
   * {@link EMA_CALIBRATION_SEED}: deterministic, and no training random stream is touched. Call it before
   * sampling from or saving `averaged`.
   *
   * @param makeInputs - the model's inputs for `n` samples drawn from `random` (e.g. latent codes and labels).
   */
  refreshBatchNorm(makeInputs: (n: number, random: Random) => tf.Tensor | tf.Tensor[]): void {
    if (!this.batchNormStale) return;
    const random = new Random(EMA_CALIBRATION_SEED);
    const batches = Array.from({ length: EMA_CALIBRATION_BATCHES }, () => makeInputs(64, random));
    try {
      this.recalibrateBatchNorm(batches);
    } finally {
      tf.dispose(batches.flat());
    }
  }

  /** Releases the averaged model's weights. */
  dispose(): void {
    this.averaged.dispose();
  }
}

/** A layer with batch-norm moving statistics and a writable momentum (tfjs's and gan-kit's conditional one). */
type MomentumLayer = tf.layers.Layer & { momentum: number };

/** The batch-normalization layers of a model, nested models included. */
function batchNormLayers(model: tf.LayersModel): MomentumLayer[] {
  const found: MomentumLayer[] = [];
  const visit = (layers: tf.layers.Layer[]): void => {
    for (const layer of layers) {
      const nested = (layer as unknown as { layers?: tf.layers.Layer[] }).layers;
      if (Array.isArray(nested)) visit(nested);
      else if (/BatchNormalization$/.test(layer.getClassName()) && typeof (layer as MomentumLayer).momentum === 'number') {
        found.push(layer as MomentumLayer);
      }
    }
  };
  visit(model.layers);
  return found;
}
