import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../../errors';

type Reduction = 'mean' | 'last';

/**
 * Collects a step's named scalar stats as tensors and reads them all with a single device read. A name
 * recorded several times in one step (one per discriminator update) is averaged (`mean`) or keeps its latest
 * value (`last`). Dotted names (`'penalties.gradientPenalty'`) are grouped by {@link StatsRecorder.group}.
 *
 * @example
 * ```ts
 * const stats = new StatsRecorder();
 * stats.mean('discriminatorLoss', dLoss);        // takes ownership of the tensor
 * stats.last('realLogitMean', realMean);
 * const values = await stats.read();            // { discriminatorLoss: 1.38, realLogitMean: 0.02 }
 * ```
 */
export class StatsRecorder {
  private readonly entries = new Map<string, { reduction: Reduction; tensors: tf.Tensor[] }>();

  /** Records `value` (a scalar, whose ownership passes to the recorder) under `name`, averaged over the step. */
  mean(name: string, value: tf.Tensor): void {
    this.add(name, value, 'mean');
  }

  /** Records `value` under `name`, keeping only the last value recorded in the step. */
  last(name: string, value: tf.Tensor): void {
    this.add(name, value, 'last');
  }

  /** Records every entry of `values` as `${prefix}.${name}`, averaged. */
  meanAll(prefix: string, values: Record<string, tf.Tensor>): void {
    for (const [name, value] of Object.entries(values)) this.mean(`${prefix}.${name}`, value);
  }

  /**
   * Reads every recorded scalar with one device read (one stack, one `data()`), disposes them, and returns
   * the reduced values by name.
   */
  async read(): Promise<Record<string, number>> {
    const flat: tf.Tensor[] = [];
    for (const { tensors } of this.entries.values()) flat.push(...tensors);
    let values: Float32Array | Int32Array | Uint8Array = new Float32Array(0);
    if (flat.length > 0) {
      const stacked = tf.tidy(() => tf.stack(flat.map((s) => tf.cast(tf.reshape(s, []), 'float32'))));
      try {
        values = await stacked.data();
      } finally {
        stacked.dispose();
        this.dispose();
      }
    }
    const result: Record<string, number> = {};
    let k = 0;
    for (const [name, { reduction, tensors }] of this.entries) {
      const slice = Array.from(values.subarray(k, k + tensors.length));
      k += tensors.length;
      result[name] = reduction === 'last' ? slice[slice.length - 1]! : slice.reduce((a, b) => a + b, 0) / slice.length;
    }
    this.entries.clear();
    return result;
  }

  /** The values under `prefix.` of a {@link StatsRecorder.read} result, keyed by the rest of their names. */
  static group(values: Record<string, number>, prefix: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, value] of Object.entries(values)) {
      if (name.startsWith(`${prefix}.`)) out[name.slice(prefix.length + 1)] = value;
    }
    return out;
  }

  /** Disposes every recorded tensor without reading (on an error in the middle of a step). */
  dispose(): void {
    for (const { tensors } of this.entries.values()) tf.dispose(tensors);
  }

  private add(name: string, value: tf.Tensor, reduction: Reduction): void {
    if (!(value instanceof tf.Tensor) || value.size !== 1) {
      tf.dispose(value);
      throw new InvalidArgumentError(`stat '${name}'`, 'a scalar tensor', value);
    }
    const entry = this.entries.get(name);
    if (entry === undefined) this.entries.set(name, { reduction, tensors: [value] });
    else if (entry.reduction !== reduction) {
      value.dispose();
      throw new InvalidArgumentError(`stat '${name}'`, `recorded with '${entry.reduction}' as before`, reduction);
    } else entry.tensors.push(value);
  }
}
