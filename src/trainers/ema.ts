import * as tf from '@tensorflow/tfjs';
import { GanKitError, InvalidArgumentError } from '../errors';

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

  /** Releases the averaged model's weights. */
  dispose(): void {
    this.averaged.dispose();
  }
}
