import * as tf from '@tensorflow/tfjs';

import { checkOptionKeys, InvalidArgumentError, ShapeError } from '../errors';
import {
  CHECKPOINT_MANIFEST,
  resolveCheckpoint,
  writeCheckpoint,
  readCheckpointPointer,
  WRITE_CHECKPOINT_OPTION_KEYS,
  CheckpointOwnershipError,
  type WriteCheckpointOptions,
} from '../io/checkpoint_store';
import {
  CheckpointError,
  fileSystemHandler,
  readModelArtifacts,
  readTensorBundle,
  writeTensorBundle,
  type TensorBundleEntry,
} from '../io/model_files';
import { nodeFs, writeFileDurable } from '../io/node_fs';
import {
  flattenStats,
  type FitResult,
  type StopReason,
  type TrainerCallback,
  type TrainerData,
} from './callbacks';
import { toBatchSource } from './data_source';
import { ExponentialMovingAverage, type EmaOptions } from './ema';
import { NonFiniteLossError } from './non_finite_loss_error';
import { NonFiniteDataError } from './parts/data_guard';
import { OptimizerGroup, optimizerClassName, type OptimizerGroupOptions, type OptimizerState } from './parts/optimizer_group';
import { Random, type RandomState } from './random';

/** Every trainer's step stats have at least the step number. Other fields are plain numbers or records of them. */
export interface StepStats {
  /** `trainer.step` after this step: 1 for the first step of a fresh trainer. */
  readonly step: number;
}

/** Options every trainer accepts. */
export interface BaseTrainerOptions {
  /**
   * Seed of the trainer's random number generator ({@link Random}), which draws latent codes, gradient-penalty
   * interpolation weights and image-pool choices. The generator's state is saved in checkpoints, so a restored
   * run continues the same random stream. Default: a random seed (runs are not reproducible).
   * Note: randomness inside models (dropout, random augmentation layers) uses tfjs' own generator and is not
   * covered.
   */
  seed?: number;
  /**
   * Throw a {@link NonFiniteLossError} (and stop `fit`) when a step reports a NaN or infinite loss or penalty.
   * Default: true.
   */
  stopOnNonFinite?: boolean;
}

/** Options of `trainer.fit`. */
export interface FitOptions<TStats extends StepStats = StepStats> {
  /** Number of training steps to run in this call. Default: unlimited (see `epochs`). */
  steps?: number;
  /**
   * Stop when `trainer.step` reaches this total. Unlike `steps`, it does not depend on where a restored run
   * starts, so `await trainer.restore(dir); await trainer.fit(data, { untilStep: 10_000 })` ends at step 10 000
   * however often it was interrupted. Default: none.
   */
  untilStep?: number;
  /**
   * Number of full passes over `data`. Default: 1 when neither `steps` nor `untilStep` is given, otherwise
   * unlimited (the data is re-read as often as needed; one-shot iterators end training when they run out).
   */
  epochs?: number;
  /** Hooks called during training, in order. Default: none. */
  callbacks?: readonly TrainerCallback<TStats>[];
  /**
   * Save a checkpoint into `dir` every `every` steps, and once more when `fit` returns (unless the last step was
   * just saved). Each save is atomic; `keep` complete checkpoints are kept (default 2). Never written after a
   * non-finite step. Default: no checkpoints.
   */
  checkpoint?: {
    dir: string;
    every: number;
    keep?: number;
    /**
     * Take over a checkpoint root that another run owns (its checkpoints may then be deleted by `keep`).
     * Default: false — saving into another run's root is a `CheckpointOwnershipError`.
     */
    overwrite?: boolean;
  };
  /** Abort to stop training after the current step (early stopping). `fit` then returns normally. */
  signal?: AbortSignal;
  /**
   * Dispose each batch after its step. Default: true for tf.data Datasets and one-shot iterators (generators),
   * whose batches are fresh tensors; false for arrays and other re-iterable containers, whose tensors belong to
   * the caller and are reused every epoch.
   */
  disposeBatches?: boolean;
  /** Keep every step's stats in the returned `history`. Default: true. */
  keepHistory?: boolean;
}

/** Options of `trainer.save`. */
export interface SaveOptions extends WriteCheckpointOptions {
  /** JSON-serialisable data stored in the manifest (e.g. your run configuration). Default: none. */
  metadata?: unknown;
}

/** The manifest of a checkpoint (`manifest.json`). */
export interface CheckpointManifest {
  /** Always `'gan-kit/checkpoint'`. */
  format: 'gan-kit/checkpoint';
  /** Manifest format version: 1. */
  version: 1;
  /** The trainer class that wrote it, e.g. `'GanTrainer'`. */
  trainer: string;
  /** `trainer.step` when saved. */
  step: number;
  /** ISO 8601 time of the save. */
  createdAt: string;
  /** State of the training random stream. */
  random: RandomState;
  /** State of the sampling random stream. */
  samplingRandom: RandomState;
  /** Model names; each is a subdirectory holding tfjs `model.json` + `weights.bin`. */
  models: string[];
  /** Each optimizer's state, by group name (`'generator'`, `'discriminator'`). */
  optimizers: Record<
    string,
    {
      /** tfjs class name, e.g. `'Adam'`; checked on restore. */
      className: string;
      /** The optimizer's `getConfig()` (learning rate, betas…), for reference. */
      config: unknown;
      /** Bundle file holding `getWeights()` (iterations and slots). */
      file: string;
      /** Entries of that bundle. */
      weights: TensorBundleEntry[];
      /** Scalar state tfjs keeps outside `getWeights()` (Adam's β-power accumulators), for an exact resume. */
      scalars: Record<string, number>;
    }
  >;
  /** Trainer-specific state (EMA update count, image pools…): JSON plus a tensor bundle. */
  state: { json: unknown; file: string; tensors: TensorBundleEntry[] };
  /** The `metadata` given to `save`. */
  metadata?: unknown;
}

/**
 * A trainer's complete state as plain data and tensors, apart from any storage: what {@link Trainer.getState}
 * gives, {@link Trainer.setState} takes, and a checkpoint holds. The tensors belong to whoever holds the state
 * (dispose them with {@link disposeTrainerState}).
 */
export interface TrainerState {
  /** The trainer class that made it, e.g. `'GanTrainer'`; checked by `setState`. */
  trainer: string;
  /** `trainer.step`. */
  step: number;
  /** The training random stream. */
  random: RandomState;
  /** The sampling random stream. */
  samplingRandom: RandomState;
  /** Each model's weights in `model.weights` order, by name (EMA copies included, e.g. `generatorEma`). */
  models: Record<string, tf.Tensor[]>;
  /** Each optimizer group's state, by name (`'generator'`, `'discriminator'`). */
  optimizers: Record<string, OptimizerState>;
  /** Trainer-specific state (EMA update count, image pools…): JSON plus tensors. */
  extra: { json: unknown; tensors: tf.Tensor[] };
}

/** Disposes every tensor of a {@link TrainerState}. */
export function disposeTrainerState(state: TrainerState): void {
  tf.dispose(Object.values(state.models).flat());
  tf.dispose(Object.values(state.optimizers).flatMap((o) => o.weights.map((w) => w.tensor)));
  tf.dispose(state.extra.tensors);
}

const ARCHITECTURE_HINT = 'The state was written for a different architecture: build the same models as when it was saved.';

/** Keys of {@link BaseTrainerOptions}: every trainer accepts them. */
export const BASE_TRAINER_OPTION_KEYS: readonly string[] = ['seed', 'stopOnNonFinite'];

const FIT_OPTION_KEYS = ['steps', 'untilStep', 'epochs', 'callbacks', 'checkpoint', 'signal', 'disposeBatches', 'keepHistory'];

function checkPositiveInteger(argument: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidArgumentError(argument, `an integer >= ${min}`, value);
  }
  return value;
}


/**
 * The machinery every gan-kit trainer shares: the step counter, seeded random streams, optimizer updates with
 * learning-rate schedules and gradient clipping, the non-finite guard, `fit` (data iteration, callbacks,
 * checkpoints, early stop) and atomic `save`/`restore` of models, optimizer state, step and random state.
 *
 * Subclasses implement one training step. To write your own, see docs/writing-your-own-trainer-step.md.
 *
 * @typeParam TBatch - one element of the training data (e.g. a tensor of real images).
 * @typeParam TStats - the plain-number stats a step returns.
 */
export abstract class Trainer<TBatch = unknown, TStats extends StepStats = StepStats> {
  /** Set to true (e.g. from a callback) to make `fit` return after the current step. Reset by `fit`. */
  stopTraining = false;
  /** The random stream of training (latents, penalty interpolation, pools). Saved in checkpoints. */
  readonly random: Random;
  /** The random stream of {@link GanTrainer.sample} without a seed, separate so sampling never changes training. */
  protected readonly samplingRandom: Random;
  /** See {@link BaseTrainerOptions.stopOnNonFinite}. */
  readonly stopOnNonFinite: boolean;
  /** Name written into checkpoint manifests and checked on restore. */
  protected abstract readonly trainerType: string;
  private stepCount = 0;
  private readonly groups = new Map<string, OptimizerGroup>();
  private readonly averages = new Map<string, ExponentialMovingAverage>();
  /**
   * This run's id: random for a new trainer, adopted from a restored checkpoint root. `save` records it in the
   * root's `checkpoint.json`, so another run cannot take the root (and delete this run's checkpoints) without
   * `overwrite: true`.
   */
  runId: string = Math.random().toString(36).slice(2, 10) + Date.now().toString(36);

  protected constructor(options: BaseTrainerOptions) {
    if (options.seed !== undefined && !(typeof options.seed === 'number' && Number.isFinite(options.seed))) {
      throw new InvalidArgumentError('seed', 'a finite number', options.seed);
    }
    const root = new Random(options.seed);
    this.random = root.fork();
    this.samplingRandom = root.fork();
    this.stopOnNonFinite = options.stopOnNonFinite ?? true;
  }

  /** Number of training steps completed (restored by {@link Trainer.restore}). */
  get step(): number {
    return this.stepCount;
  }

  /** Batches `fit` draws from the data for one step (e.g. `discriminatorSteps`, one per D update). */
  protected abstract batchesPerStep(): number;

  /** Runs one training step on batches drawn by `fit`. */
  protected abstract trainOnBatches(batches: TBatch[]): Promise<TStats>;

  /** The models to save, by name (directory names in the checkpoint); include averaged (EMA) copies. */
  protected abstract checkpointModels(): Record<string, tf.LayersModel>;

  /**
   * Extra state to save (JSON and new tensors, which `save` disposes after writing). Override together with
   * {@link Trainer.restoreState}.
   */
  protected checkpointState(): { json: unknown; tensors: { name: string; tensor: tf.Tensor }[] } {
    return { json: null, tensors: [] };
  }

  /** Restores what {@link Trainer.checkpointState} saved. Takes ownership of `tensors`. */
  protected restoreState(_json: unknown, tensors: tf.Tensor[]): void {
    tf.dispose(tensors);
  }

  /**
   * Keeps an exponential moving average of `source` (see {@link ExponentialMovingAverage}) under `name`
   * (e.g. `'generatorEma'`): saved and restored with the checkpoint (its model and update count), updated by
   * {@link Trainer.updateAverages}, disposed with the trainer. Returns undefined when `options` is undefined.
   */
  protected registerAverage(name: string, source: tf.LayersModel, options: EmaOptions | undefined): ExponentialMovingAverage | undefined {
    if (options === undefined) return undefined;
    checkOptionKeys('ema', options, ['decay', 'startStep']);
    const ema = new ExponentialMovingAverage(source, options);
    this.averages.set(name, ema);
    return ema;
  }

  /** Folds the current weights into every registered average; call once per step, after the updates. */
  protected updateAverages(): void {
    for (const ema of this.averages.values()) ema.update();
  }

  /** The models a checkpoint holds: the trainer's own and the registered averages. */
  private savedModels(): Record<string, tf.LayersModel> {
    const models = { ...this.checkpointModels() };
    for (const [name, ema] of this.averages) models[name] = ema.averaged;
    return models;
  }

  /**
   * The trainer's complete state (see {@link TrainerState}): copies of every model's weights, every optimizer's
   * state, the step, the random streams and the trainer's own state. Nothing is shared with the trainer: train
   * on, and the state stays as it was. Dispose it with {@link disposeTrainerState}.
   */
  async getState(): Promise<TrainerState> {
    const models: Record<string, tf.Tensor[]> = {};
    for (const [name, model] of Object.entries(this.savedModels())) models[name] = model.weights.map((w) => tf.clone(w.read()));
    const optimizers: Record<string, OptimizerState> = {};
    for (const [name, group] of this.groups) optimizers[name] = await group.getState();
    const extra = this.checkpointState();
    return {
      trainer: this.trainerType,
      step: this.stepCount,
      random: this.random.getState(),
      samplingRandom: this.samplingRandom.getState(),
      models,
      optimizers,
      extra: {
        // The averages' update count (all averages update together) joins the trainer's own state.
        json: { ...(extra.json as object | null), emaUpdates: [...this.averages.values()][0]?.updates ?? null },
        tensors: extra.tensors.map((t) => t.tensor),
      },
    };
  }

  /**
   * Replaces the trainer's state with `state` (from {@link Trainer.getState} or a checkpoint), all or nothing:
   * everything is checked first (trainer type, model names, every weight's shape, optimizer classes and slot
   * shapes, random states), and only then is anything changed. The state's tensors are copied, not taken.
   * @param where - names the state in error messages (e.g. the checkpoint directory). Default: `'state'`.
   * @throws {CheckpointError} / {ShapeError} naming what differs; the trainer is then exactly as it was.
   */
  async setState(state: TrainerState, where = 'state'): Promise<void> {
    this.checkState(state, where);
    for (const [name, model] of Object.entries(this.savedModels())) model.setWeights(state.models[name]!);
    for (const [name, group] of this.groups) await group.setState(state.optimizers[name]!);
    this.restoreState(state.extra.json, state.extra.tensors.map((t) => tf.clone(t)));
    const emaUpdates = (state.extra.json as { emaUpdates?: number | null } | null)?.emaUpdates;
    if (typeof emaUpdates === 'number') for (const ema of this.averages.values()) ema.updates = emaUpdates;
    this.random.setState(state.random);
    this.samplingRandom.setState(state.samplingRandom);
    this.stepCount = state.step;
  }

  /** Checks that `state` fits this trainer without changing anything (see {@link Trainer.setState}). */
  private checkState(state: TrainerState, where: string): void {
    if (state?.trainer !== this.trainerType) {
      throw new CheckpointError(
        `${where} was written by a ${state?.trainer}, not a ${this.trainerType}. Restore it with a ${state?.trainer} built from the same models.`,
      );
    }
    const models = this.savedModels();
    const expected = Object.keys(models).sort().join(', ');
    const found = Object.keys(state.models ?? {}).sort().join(', ');
    if (expected !== found) {
      throw new CheckpointError(
        `${where} holds models [${found}], this trainer has [${expected}]. Use the same trainer options (e.g. ema on or off) as when it was saved.`,
      );
    }
    for (const [name, model] of Object.entries(models)) {
      const tensors = state.models[name]!;
      const targets = model.weights;
      if (tensors.length !== targets.length) {
        throw new ShapeError(`${name} weights`, `${targets.length} weight tensors (the model's)`, `${tensors.length} in ${where}`, ARCHITECTURE_HINT);
      }
      targets.forEach((target, i) => {
        if (!tf.util.arraysEqual(target.shape as number[], tensors[i]!.shape)) {
          throw new ShapeError(`${name} weight ${i} (${target.name})`, `shape [${target.shape.join(', ')}]`, `shape [${tensors[i]!.shape.join(', ')}] in ${where}`, ARCHITECTURE_HINT);
        }
      });
    }
    const groupNames = [...this.groups.keys()].sort().join(', ');
    const savedGroups = Object.keys(state.optimizers ?? {}).sort().join(', ');
    if (groupNames !== savedGroups) throw new CheckpointError(`${where} holds optimizers [${savedGroups}], this trainer has [${groupNames}].`);
    for (const [name, group] of this.groups) {
      const saved = state.optimizers[name]!;
      const actual = optimizerClassName(group.optimizer);
      if (saved.className !== actual) {
        throw new CheckpointError(`The ${name} optimizer in ${where} is ${saved.className}, this trainer's is ${actual}. Pass the same optimizer type as when it was saved.`);
      }
      group.checkState(saved, `${where}.optimizers.${name}`);
      // Slots (after the iteration count) come in kinds of one tensor per variable, each of its variable's shape.
      const slots = saved.weights.filter((w) => w.name !== 'iter');
      const n = group.variables.length;
      slots.forEach((slot, j) => {
        const variable = group.variables[j % n];
        if (slots.length % n !== 0 || variable === undefined || !tf.util.arraysEqual(variable.shape, slot.tensor.shape)) {
          throw new ShapeError(`${where}.optimizers.${name} slot ${j} (${slot.name})`, `${n} variables' slots of their shapes`, `shape [${slot.tensor.shape.join(', ')}] of ${slots.length} slots`, ARCHITECTURE_HINT);
        }
      });
    }
    new Random(state.random); // throws on an invalid state
    new Random(state.samplingRandom);
  }

  /** Called when `fit` starts (e.g. to re-check the data range). */
  protected onFitBegin(): void {}

  /**
   * Registers an optimizer group (see {@link OptimizerGroup}) under a name (`'generator'`, `'discriminator'`…):
   * its state is saved and restored with that name, and {@link Trainer.applySchedules} sets its learning rate.
   * Takes an {@link OptimizerGroup} or the options to build one.
   * @returns the registered group.
   */
  protected registerOptimizer(name: string, group: OptimizerGroup | OptimizerGroupOptions): OptimizerGroup {
    const registered = group instanceof OptimizerGroup ? group : new OptimizerGroup(group, name);
    this.groups.set(name, registered);
    return registered;
  }

  /** The optimizer registered under `name`. */
  protected optimizerGroup(name: string): OptimizerGroup {
    const group = this.groups.get(name);
    if (group === undefined) throw new InvalidArgumentError('optimizer group', [...this.groups.keys()].join(' or '), name);
    return group;
  }

  /**
   * One update of the variables of group `name` to minimise `loss()`, with the group's gradient clipping.
   * Returns the loss value; the caller disposes it (or passes it to {@link Trainer.readScalars}).
   */
  protected update(name: string, loss: () => tf.Scalar): tf.Scalar {
    return this.optimizerGroup(name).minimize(loss);
  }

  /** Sets each scheduled optimizer's learning rate for the current step. Call at the start of a step. */
  protected applySchedules(): void {
    for (const [name, group] of this.groups) group.applySchedule(this.stepCount, name);
  }

  /**
   * Reads many scalars with a single device read (one stack, one `data()`), then disposes them. Use once per
   * step for all stats.
   */
  protected async readScalars(scalars: readonly tf.Tensor[]): Promise<number[]> {
    if (scalars.length === 0) return [];
    const stacked = tf.tidy(() => tf.stack(scalars.map((s) => tf.reshape(s, []))));
    try {
      return Array.from(await stacked.data());
    } finally {
      stacked.dispose();
      tf.dispose(scalars as tf.Tensor[]);
    }
  }

  /**
   * Counts the step as done and applies the non-finite guard: call once per step with the finished stats
   * (whose `step` must be `this.step + 1`).
   * @throws {NonFiniteLossError} if a value is NaN or infinite and `stopOnNonFinite` is on.
   */
  protected completeStep(stats: TStats): TStats {
    this.stepCount++;
    if (this.stopOnNonFinite) {
      const flat = flattenStats(stats);
      if (Object.values(flat).some((v) => !Number.isFinite(v))) throw new NonFiniteLossError(this.stepCount, flat);
    }
    return stats;
  }

  /**
   * Trains on `data` until a limit is reached: `steps`, `untilStep`, `epochs`, an aborted `signal`, a callback
   * setting `stopTraining`, or the end of a one-shot iterator.
   *
   * @param data - a `tf.data.Dataset`, an array, or an (async) iterable of batches (see each trainer for the
   *   batch type).
   * @throws {InvalidArgumentError} if the data yields no batch at all, or an option is invalid.
   * @throws {NonFiniteLossError} on a NaN/Inf loss; it names the last checkpoint written, which stays intact.
   */
  async fit(data: TrainerData<TBatch>, options: FitOptions<TStats> = {}): Promise<FitResult<TStats>> {
    checkOptionKeys('fit options', options, FIT_OPTION_KEYS);
    const steps = options.steps === undefined ? undefined : checkPositiveInteger('options.steps', options.steps);
    const untilStep =
      options.untilStep === undefined ? undefined : checkPositiveInteger('options.untilStep', options.untilStep, 0);
    const epochs =
      options.epochs === undefined
        ? steps === undefined && untilStep === undefined
          ? 1
          : undefined
        : checkPositiveInteger('options.epochs', options.epochs);
    const checkpoint = options.checkpoint;
    if (checkpoint !== undefined) {
      if (checkpoint === null || typeof checkpoint.dir !== 'string' || checkpoint.dir === '') {
        throw new InvalidArgumentError('options.checkpoint.dir', 'a directory path', checkpoint?.dir);
      }
      checkOptionKeys('fit options.checkpoint', checkpoint, ['dir', 'every', 'keep', 'overwrite']);
      checkPositiveInteger('options.checkpoint.every', checkpoint.every);
      if (checkpoint.keep !== undefined) checkPositiveInteger('options.checkpoint.keep', checkpoint.keep);
      // Refuse another run's root before training, not at the first save after minutes of steps.
      if (checkpoint.overwrite !== true) {
        const owner = (await readCheckpointPointer(checkpoint.dir).catch(() => undefined))?.runId;
        if (owner !== undefined && owner !== this.runId) throw new CheckpointOwnershipError(checkpoint.dir, owner, this.runId);
      }
    }
    const callbacks = options.callbacks ?? [];
    if (!Array.isArray(callbacks)) throw new InvalidArgumentError('options.callbacks', 'an array of callbacks', callbacks);
    const source = toBatchSource(data);
    const disposeBatches = options.disposeBatches ?? source.yieldsFreshBatches;
    const keepHistory = options.keepHistory ?? true;
    const perStep = this.batchesPerStep();

    const startStep = this.stepCount;
    const targets = [steps === undefined ? undefined : startStep + steps, untilStep].filter(
      (v): v is number => v !== undefined,
    );
    const targetStep = targets.length > 0 ? Math.min(...targets) : undefined;
    const history: TStats[] = [];
    let epoch = 0;
    let stepsThisEpoch = 0;
    let batchesThisEpoch = 0;
    let lastCheckpoint: string | undefined;
    let lastSavedStep = -1;
    let stopReason: StopReason | undefined;
    this.stopTraining = false;
    this.onFitBegin();

    const saveCheckpoint = async (): Promise<void> => {
      if (checkpoint === undefined) return;
      lastCheckpoint = await this.save(checkpoint.dir, { keep: checkpoint.keep ?? 2, overwrite: checkpoint.overwrite });
      lastSavedStep = this.stepCount;
      for (const cb of callbacks) {
        await cb.onCheckpoint?.({ trainer: this, dir: checkpoint.dir, path: lastCheckpoint, step: this.stepCount });
      }
    };

    for (const cb of callbacks) await cb.onTrainBegin?.({ trainer: this, startStep, targetStep, epochs });
    let iterator = await source.open();
    const pending: TBatch[] = [];
    const pendingLabels: string[] = [];
    try {
      for (;;) {
        if (targetStep !== undefined && this.stepCount >= targetStep) {
          stopReason = 'steps';
          break;
        }
        if (options.signal?.aborted) {
          stopReason = 'aborted';
          break;
        }
        if (this.stopTraining) {
          stopReason = 'stopped';
          break;
        }
        // Draw this step's batches; an epoch may end in the middle of a step.
        while (pending.length < perStep && stopReason === undefined) {
          const next = await iterator.next();
          if (!next.done) {
            pending.push(next.value);
            pendingLabels.push(`batch ${batchesThisEpoch} of epoch ${epoch}`);
            batchesThisEpoch++;
            continue;
          }
          if (batchesThisEpoch === 0) {
            throw new InvalidArgumentError(
              'data',
              'a dataset that yields at least one batch',
              epoch === 0 ? 'an empty dataset' : `no batch in epoch ${epoch}`,
              epoch === 0
                ? 'Check the data pipeline (filters, batch size larger than the dataset with smallLastBatch false, an already consumed iterator).'
                : 'A re-iterable data source must yield batches on every pass.',
            );
          }
          await iterator.close();
          for (const cb of callbacks) await cb.onEpochEnd?.({ trainer: this, epoch, steps: stepsThisEpoch });
          epoch++;
          stepsThisEpoch = 0;
          batchesThisEpoch = 0;
          if (epochs !== undefined && epoch >= epochs) stopReason = 'epochs';
          else if (!source.reiterable) stopReason = 'data-exhausted';
          else iterator = await source.open();
        }
        if (stopReason !== undefined) break;

        const batches = pending.splice(0, perStep);
        const labels = pendingLabels.splice(0, perStep);
        let stats: TStats;
        try {
          stats = await this.trainOnBatches(batches);
        } catch (error) {
          // Name the data batch (the trainer only knows its argument name).
          if (error instanceof NonFiniteDataError) {
            throw new NonFiniteDataError(`data ${labels.join(', ')} (${error.batch} of step ${this.stepCount + 1})`);
          }
          throw error;
        } finally {
          if (disposeBatches) tf.dispose(batches as unknown as tf.TensorContainer);
        }
        stepsThisEpoch++;
        if (keepHistory) history.push(stats);
        for (const cb of callbacks) await cb.onStepEnd?.(stats, this);
        if (checkpoint !== undefined && this.stepCount % checkpoint.every === 0) await saveCheckpoint();
      }
    } catch (error) {
      if (disposeBatches) tf.dispose(pending as unknown as tf.TensorContainer);
      if (error instanceof NonFiniteLossError && lastCheckpoint !== error.lastCheckpoint) {
        throw new NonFiniteLossError(error.step, { ...error.values }, lastCheckpoint ?? error.lastCheckpoint);
      }
      throw error;
    } finally {
      await iterator.close().catch(() => undefined);
    }
    if (disposeBatches) tf.dispose(pending as unknown as tf.TensorContainer);
    if (checkpoint !== undefined && lastSavedStep !== this.stepCount && this.stepCount > startStep) {
      await saveCheckpoint();
    }
    const result: FitResult<TStats> = {
      history,
      steps: this.stepCount - startStep,
      epochs: epoch,
      stopReason,
      lastCheckpoint,
    };
    for (const cb of callbacks) await cb.onTrainEnd?.(result);
    return result;
  }

  /**
   * Saves a complete, atomic checkpoint into the root directory `dir` (Node.js): every model (tfjs
   * `model.json` + `weights.bin`, loadable on its own with `loadModelFromDir`), every optimizer's state, the
   * step, the random streams, and trainer state such as the EMA generator or image pools. Files go to a staging
   * directory first; `dir/checkpoint.json` is switched to the new checkpoint only when it is complete, and
   * older checkpoints beyond `options.keep` (default 2) are deleted only after that.
   *
   * @returns the directory of the new checkpoint (inside `dir`).
   * @throws {CheckpointError} if an optimizer's state cannot be read (tfjs' Adamax has no `getWeights`).
   */
  async save(dir: string, options: SaveOptions = {}): Promise<string> {
    checkOptionKeys('save options', options, [...WRITE_CHECKPOINT_OPTION_KEYS, 'metadata']);
    if (typeof dir !== 'string' || dir === '') throw new InvalidArgumentError('dir', 'a directory path', dir);
    const { path } = await nodeFs('trainer.save');
    const models = this.savedModels();
    return writeCheckpoint(
      dir,
      this.stepCount,
      async (staging) => {
        for (const [name, model] of Object.entries(models)) {
          await model.save(fileSystemHandler(path.join(staging, name)));
        }
        const optimizers: CheckpointManifest['optimizers'] = {};
        for (const [name, group] of this.groups) {
          let state: OptimizerState;
          try {
            state = await group.getState();
          } catch (error) {
            throw new CheckpointError(
              `Cannot save the ${name} optimizer (${optimizerClassName(group.optimizer)}): ${(error as Error).message} ` +
                'Use an optimizer whose state tfjs can export (Adam, SGD, momentum, RMSProp, Adagrad, Adadelta).',
            );
          }
          const file = `optimizer-${name}.bin`;
          try {
            const entries = await writeTensorBundle(path.join(staging, file), state.weights);
            optimizers[name] = { className: state.className, config: state.config, file, weights: entries, scalars: state.scalars };
          } finally {
            tf.dispose(state.weights.map((w) => w.tensor));
          }
        }
        const state = this.checkpointState();
        let stateEntries: TensorBundleEntry[];
        try {
          stateEntries = await writeTensorBundle(path.join(staging, 'state.bin'), state.tensors);
        } finally {
          tf.dispose(state.tensors.map((t) => t.tensor));
        }
        const manifest: CheckpointManifest = {
          format: 'gan-kit/checkpoint',
          version: 1,
          trainer: this.trainerType,
          step: this.stepCount,
          createdAt: new Date().toISOString(),
          random: this.random.getState(),
          samplingRandom: this.samplingRandom.getState(),
          models: Object.keys(models),
          optimizers,
          // The averages' update count (all averages update together) joins the trainer's own state.
          state: {
            json: { ...(state.json as object | null), emaUpdates: [...this.averages.values()][0]?.updates ?? null },
            file: 'state.bin',
            tensors: stateEntries,
          },
        };
        if (options.metadata !== undefined) manifest.metadata = options.metadata;
        // The manifest goes last: its presence marks the checkpoint complete.
        await writeFileDurable(path.join(staging, CHECKPOINT_MANIFEST), JSON.stringify(manifest, null, 2));
      },
      { keep: options.keep, onPhase: options.onPhase, overwrite: options.overwrite, runId: options.runId ?? this.runId },
    );
  }

  /**
   * Restores the latest checkpoint saved in `dir` by {@link Trainer.save} (or `dir` itself when it is one
   * checkpoint directory) into this trainer: model weights, optimizer state, step, random streams and trainer
   * state. Build the trainer with the same models and options first. Training then continues exactly as if it
   * had never stopped (bit-for-bit on the cpu backend).
   *
   * @returns the manifest of the restored checkpoint.
   * @throws {CheckpointError} if there is no checkpoint, it was written by another trainer type, or a part is
   *   missing. {@link ShapeError} if a model's weights do not match.
   */
  async restore(dir: string): Promise<CheckpointManifest> {
    if (typeof dir !== 'string' || dir === '') throw new InvalidArgumentError('dir', 'a directory path', dir);
    const { fs, path } = await nodeFs('trainer.restore');
    const checkpointDir = await resolveCheckpoint(dir);
    const manifestPath = path.join(checkpointDir, CHECKPOINT_MANIFEST);
    let manifest: CheckpointManifest;
    try {
      manifest = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as CheckpointManifest;
    } catch (error) {
      throw new CheckpointError(`Cannot read ${manifestPath}: ${(error as Error).message}`);
    }
    if (manifest?.format !== 'gan-kit/checkpoint' || manifest.version !== 1) {
      throw new CheckpointError(`${manifestPath} is not a gan-kit checkpoint manifest (version 1).`);
    }
    if (manifest.trainer !== this.trainerType) {
      throw new CheckpointError(
        `${checkpointDir} was written by a ${manifest.trainer}, not a ${this.trainerType}. Restore it with a ` +
          `${manifest.trainer} built from the same models.`,
      );
    }
    if (!Array.isArray(manifest.models) || typeof manifest.optimizers !== 'object' || manifest.state == null) {
      throw new CheckpointError(`${manifestPath} lacks models, optimizers or state: it is incomplete.`);
    }
    // Read every file first; setState then checks everything before changing anything (all or nothing).
    const state: TrainerState = {
      trainer: manifest.trainer,
      step: manifest.step,
      random: manifest.random,
      samplingRandom: manifest.samplingRandom,
      models: {},
      optimizers: {},
      extra: { json: manifest.state?.json ?? null, tensors: [] },
    };
    try {
      for (const name of manifest.models) state.models[name] = await readModelWeights(path.join(checkpointDir, name));
      for (const [name, saved] of Object.entries(manifest.optimizers)) {
        const tensors = await readTensorBundle(path.join(checkpointDir, saved.file), saved.weights);
        state.optimizers[name] = {
          className: saved.className,
          config: saved.config,
          weights: saved.weights.map((e, i) => ({ name: e.name, tensor: tensors[i]! })),
          scalars: saved.scalars ?? {},
        };
      }
      state.extra.tensors = await readTensorBundle(path.join(checkpointDir, manifest.state.file), manifest.state.tensors);
      await this.setState(state, checkpointDir);
      // Continue the restored run: its root's owner (when the root records one) becomes this trainer's run id.
      const owner = (await readCheckpointPointer(path.dirname(checkpointDir)).catch(() => undefined))?.runId;
      if (owner !== undefined) this.runId = owner;
    } finally {
      disposeTrainerState(state);
    }
    return manifest;
  }

  /**
   * Releases what the trainer created: default optimizers, averaged models, pools. The models passed in (and
   * optimizers you created) stay yours.
   */
  dispose(): void {
    for (const group of this.groups.values()) group.dispose();
    for (const ema of this.averages.values()) ema.dispose();
  }
}

/** Reads the weights of a model saved in `dir` (model.json + weights.bin), in the saved order, without a model. */
async function readModelWeights(dir: string): Promise<tf.Tensor[]> {
  const artifacts = await readModelArtifacts(dir);
  const specs = artifacts.weightSpecs ?? [];
  const bytes = specs.reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1) * (s.dtype === 'bool' ? 1 : 4), 0);
  const data = tf.io.CompositeArrayBuffer.join(artifacts.weightData as ArrayBuffer | ArrayBuffer[]);
  if (data.byteLength !== bytes) {
    throw new CheckpointError(`The weights in ${dir} hold ${data.byteLength} bytes, its model.json describes ${bytes}: the file is truncated or corrupt.`);
  }
  const named = tf.io.decodeWeights(data, specs);
  return specs.map((s) => named[s.name]!);
}
