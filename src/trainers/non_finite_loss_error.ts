import { GanKitError } from '../errors';

/**
 * Training produced a non-finite (NaN or ±Infinity) loss or penalty. Training stops at that step; checkpoints
 * written before it are left intact (no checkpoint is written with the bad weights), so the run can be restored
 * from {@link NonFiniteLossError.lastCheckpoint} with a lower learning rate, gradient clipping, or a penalty.
 */
export class NonFiniteLossError extends GanKitError {
  /** The training step (1-based count, as `trainer.step` would have become) whose values were not finite. */
  readonly step: number;
  /** All values reported for that step, finite or not. */
  readonly values: Readonly<Record<string, number>>;
  /** Names of the values that were not finite. */
  readonly nonFinite: readonly string[];
  /** Directory of the last checkpoint written by `fit` before the failure, if any. */
  readonly lastCheckpoint: string | undefined;

  constructor(step: number, values: Record<string, number>, lastCheckpoint?: string) {
    const nonFinite = Object.keys(values).filter((k) => !Number.isFinite(values[k]));
    const list = Object.entries(values)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    super(
      `Non-finite training values at step ${step}: ${nonFinite.join(', ')} (${list}). Training stopped; earlier ` +
        'checkpoints are intact. Restore the last one and lower the learning rates, clip gradients ' +
        '(gradientClipNorm), or add a penalty (e.g. a gradient penalty) to stabilise the discriminator.' +
        (lastCheckpoint ? ` Last good checkpoint: ${lastCheckpoint}.` : ''),
    );
    this.step = step;
    this.values = values;
    this.nonFinite = nonFinite;
    this.lastCheckpoint = lastCheckpoint;
  }
}
