import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError } from '../../errors';

/** What to do when real data lies outside the generator's output range. */
export type DataRangeCheck = 'error' | 'warn' | 'off';

/**
 * Real training data holds NaN or Infinity. This is bad data, not training instability: find the batch (the
 * message names it) and fix the data pipeline. The step that used it has already updated the networks, so
 * restore the last checkpoint before training on.
 */
export class NonFiniteDataError extends InvalidArgumentError {
  /** The argument or data batch that held the non-finite values, e.g. `'realBatch'` or `'data batch 12 (epoch 0)'`. */
  readonly batch: string;

  constructor(batch: string) {
    super(
      batch,
      'finite real data',
      'a batch containing NaN or Infinity',
      'This is bad data, not training instability: check the data pipeline (a division by zero in normalisation, ' +
        'an unreadable image). The step that used it has already updated the networks: restore the last checkpoint.',
    );
    this.batch = batch;
  }
}

/** Options of {@link DataGuard}. */
export interface DataGuardOptions {
  /** The range real data must lie in (the generator's output range); undefined: the range is not checked. */
  range: readonly [number, number] | undefined;
  /** `'error'` throws, `'warn'` prints with `console.warn`, `'off'` skips the range check. Default: `'error'`. */
  mode?: DataRangeCheck;
}

/**
 * Guards a trainer against bad real data, before a step changes anything ({@link DataGuard.check}, one small
 * device read per step):
 * - every step, that real data holds no NaN or Infinity, reported as a {@link NonFiniteDataError} naming the
 *   batch (bad data, not training instability);
 * - once per `fit` (and on the first `trainStep`), that real data lies in the generator's output range, with a
 *   message naming the rescaling that fixes it.
 */
export class DataGuard {
  /** The range checked, or undefined. */
  readonly range: readonly [number, number] | undefined;
  /** See {@link DataGuardOptions.mode}. */
  readonly mode: DataRangeCheck;
  private checked = false;

  constructor(options: DataGuardOptions, where = 'dataRangeCheck') {
    checkOptionKeys('DataGuard options', options, ['range', 'mode']);
    this.mode = options.mode ?? 'error';
    if (!['error', 'warn', 'off'].includes(this.mode)) {
      throw new InvalidArgumentError(where, "'error', 'warn' or 'off'", options.mode);
    }
    if (options.range !== undefined) {
      const [lo, hi] = options.range;
      if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) {
        throw new InvalidArgumentError('outputRange', '[low, high] with finite low < high', options.range);
      }
    }
    this.range = options.range;
  }

  /** Makes the next {@link DataGuard.check} check the range again (`fit` calls it when it starts). */
  reset(): void {
    this.checked = false;
  }

  /**
   * Checks the real batches of one step before it changes anything, with one small device read: that none
   * holds NaN or Infinity (every step), and, on the first call after construction or {@link DataGuard.reset},
   * that each lies in the range.
   * @throws {NonFiniteDataError} naming the batch; {@link InvalidArgumentError} naming the argument, the range
   *   found and the fix (mode `'error'`; `'warn'` prints it instead).
   */
  async check(batches: Record<string, tf.Tensor>): Promise<void> {
    const checkRange = !this.checked && this.mode !== 'off' && this.range !== undefined;
    this.checked = true;
    const names = Object.keys(batches);
    // Per batch: 0·Σx (NaN when any element is NaN or ±Infinity), then min and max when the range is checked.
    const probe = tf.tidy(() =>
      tf.stack(
        names.flatMap((name) => {
          const x = batches[name]!;
          const zero = tf.mul(tf.sum(x), 0);
          return checkRange ? [zero, tf.min(x), tf.max(x)] : [zero];
        }),
      ),
    );
    let values: number[];
    try {
      values = Array.from(await probe.data());
    } finally {
      probe.dispose();
    }
    const stride = checkRange ? 3 : 1;
    names.forEach((name, i) => {
      if (!Number.isFinite(values[i * stride]!)) throw new NonFiniteDataError(name);
    });
    if (checkRange) names.forEach((name, i) => this.rangeError(name, values[i * 3 + 1]!, values[i * 3 + 2]!, this.range!));
  }

  private rangeError(argument: string, min: number, max: number, [lo, hi]: readonly [number, number]): void {
    const tolerance = 1e-3 * (hi - lo);
    if (min >= lo - tolerance && max <= hi + tolerance) return;
    let hint: string;
    if (max > 2 && min >= 0) {
      hint =
        `The data looks like 8-bit pixels in [0, 255]: scale it with ${lo === -1 ? 'x.div(127.5).sub(1)' : 'x.div(255)'} ` +
        `to match the generator's [${lo}, ${hi}] output.`;
    } else if (lo === 0 && min < 0 && min >= -1 - tolerance) {
      hint = 'The data looks like [-1, 1]: scale it with x.add(1).div(2), or give the generator a tanh output.';
    } else {
      hint = `Rescale the data to [${lo}, ${hi}], or set outputRange (or dataRangeCheck: 'off') if the generator's range differs.`;
    }
    const error = new InvalidArgumentError(
      argument,
      `values in [${lo}, ${hi}], the range of the generator's output`,
      `values in [${min}, ${max}]`,
      hint,
    );
    if (this.mode === 'error') throw error;
    console.warn(`gan-kit: ${error.message}`);
  }
}
