import type * as tf from '@tensorflow/tfjs';
import type { StepStats, Trainer } from './trainer';

/** What {@link TrainerCallback.onTrainBegin} receives. */
export interface TrainBeginInfo {
  /** The trainer being fitted (set `stopTraining` on it to stop early). */
  trainer: Trainer;
  /** `trainer.step` when `fit` started (non-zero after a restore). */
  startStep: number;
  /** The step `fit` will stop at, when known from `steps`/`untilStep` (for progress bars and ETAs). */
  targetStep: number | undefined;
  /** The `epochs` limit, when one was given. */
  epochs: number | undefined;
}

/** What {@link TrainerCallback.onEpochEnd} receives. */
export interface EpochEndInfo {
  /** The trainer being fitted. */
  trainer: Trainer;
  /** 0-based index of the epoch that just ended (a full pass over the data). */
  epoch: number;
  /** Training steps completed during that epoch. */
  steps: number;
}

/** What {@link TrainerCallback.onCheckpoint} receives. */
export interface CheckpointInfo {
  /** The trainer being fitted. */
  trainer: Trainer;
  /** The checkpoint root directory given to `fit` (`checkpoint.dir`). */
  dir: string;
  /** The directory of the checkpoint just written (inside `dir`). */
  path: string;
  /** `trainer.step` saved in it. */
  step: number;
}

/** Why `fit` returned. */
export type StopReason =
  /** `steps` or `untilStep` was reached. */
  | 'steps'
  /** `epochs` full passes over the data were made. */
  | 'epochs'
  /** The `signal` was aborted. */
  | 'aborted'
  /** A callback set `trainer.stopTraining = true`. */
  | 'stopped'
  /** A one-shot iterator ran out of data before another limit was reached. */
  | 'data-exhausted';

/** What `fit` returns (and {@link TrainerCallback.onTrainEnd} receives). */
export interface FitResult<TStats extends StepStats = StepStats> {
  /** The stats of every step run by this call, in order (empty when `keepHistory` is false). */
  history: TStats[];
  /** Steps run by this call. */
  steps: number;
  /** Full passes over the data completed by this call. */
  epochs: number;
  /** Why training stopped. */
  stopReason: StopReason;
  /** Directory of the last checkpoint written, if `checkpoint` was given. */
  lastCheckpoint: string | undefined;
}

/**
 * Hooks into `trainer.fit`. Every hook is optional and may be async (it is awaited). Plain objects work:
 * `{ onStepEnd: (stats) => console.log(stats.generatorLoss) }`. To stop early from a hook, set
 * `info.trainer.stopTraining = true`, or abort the `signal` given to `fit`.
 */
export interface TrainerCallback<TStats extends StepStats = StepStats> {
  /** Before the first step of `fit`. */
  onTrainBegin?(info: TrainBeginInfo): void | Promise<void>;
  /** After every step, with that step's stats (plain numbers). */
  onStepEnd?(stats: TStats, trainer: Trainer): void | Promise<void>;
  /** After every full pass over the data. */
  onEpochEnd?(info: EpochEndInfo): void | Promise<void>;
  /** After every checkpoint `fit` writes. */
  onCheckpoint?(info: CheckpointInfo): void | Promise<void>;
  /** When `fit` returns normally (not when it throws). */
  onTrainEnd?(result: FitResult<TStats>): void | Promise<void>;
}

/**
 * A training data source: a tf.data.Dataset (of any element type: elements are checked at run time, as tfjs
 * types `dataset.batch(n)` as `Dataset<TensorContainer>`), an array, or any (async) iterable of batches.
 */
export type TrainerData<T> = tf.data.Dataset<tf.TensorContainer> | Iterable<T> | AsyncIterable<T>;

/** Flattens step stats into `name → number` (nested records become `parent/child`), for logs. */
export function flattenStats(stats: object, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(stats)) {
    const name = prefix ? `${prefix}/${key}` : key;
    if (typeof value === 'number') out[name] = value;
    else if (value != null && typeof value === 'object') Object.assign(out, flattenStats(value as object, name));
  }
  return out;
}
