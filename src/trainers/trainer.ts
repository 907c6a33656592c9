import * as tf from '@tensorflow/tfjs';

import { InvalidArgumentError } from '../errors';
import {
  CHECKPOINT_MANIFEST,
  resolveCheckpoint,
  writeCheckpoint,
  type WriteCheckpointOptions,
} from '../io/checkpoint_store';
import {
  CheckpointError,
  fileSystemHandler,
  loadWeightsIntoModel,
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
import type { LearningRateSchedule } from './learning_rate_schedules';
import { NonFiniteLossError } from './non_finite_loss_error';
import { applyUpdate, setLearningRate } from './optimizer_utils';
import { Random, type RandomState } from './random';

type NamedTensor = { name: string; tensor: tf.Tensor };

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
  checkpoint?: { dir: string; every: number; keep?: number };
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
 * An optimizer with the variables it updates and how: one per model (or per group of models updated together,
 * like CycleGAN's two generators). Registered by trainers with `registerOptimizer`.
 */
export interface OptimizerGroup {
  /** The optimizer (one per group: optimizers keep per-variable state by position). */
  optimizer: tf.Optimizer;
  /** The variables it updates, in a fixed order (e.g. `trainableVariables(model)`). */
  variables: tf.Variable[];
  /** Learning rate per step, set by `applySchedules`. Default: the optimizer's constant rate. */
  schedule?: LearningRateSchedule;
  /** Clip this group's gradients to this global L2 norm. Default: no clipping. */
  clipNorm?: number;
  /** True when the trainer created the optimizer (and so disposes it). */
  owned: boolean;
}

function checkPositiveInteger(argument: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidArgumentError(argument, `an integer >= ${min}`, value);
  }
  return value;
}

function optimizerClassName(optimizer: tf.Optimizer): string {
  return (optimizer.constructor as unknown as { className?: string }).className ?? optimizer.getClassName();
}

/** tfjs optimizers keep a few scalars outside getWeights(); those named here are saved for an exact resume. */
const PRIVATE_SCALARS = ['accBeta1', 'accBeta2'] as const;

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

  /** Called when `fit` starts (e.g. to re-check the data range). */
  protected onFitBegin(): void {}

  /**
   * Registers an optimizer and the variables it updates under a name (`'generator'`, `'discriminator'`…).
   * Its state is saved and restored with that name.
   */
  protected registerOptimizer(name: string, group: OptimizerGroup): void {
    if (group.clipNorm !== undefined && !(group.clipNorm > 0 && Number.isFinite(group.clipNorm))) {
      throw new InvalidArgumentError(`gradientClipNorm (${name})`, 'a positive finite number', group.clipNorm);
    }
    if (group.schedule !== undefined && typeof group.schedule !== 'function') {
      throw new InvalidArgumentError(`learningRateSchedules.${name}`, 'a function (step) => learning rate', group.schedule);
    }
    this.groups.set(name, group);
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
    const group = this.optimizerGroup(name);
    return applyUpdate(group.optimizer, loss, group.variables, { clipNorm: group.clipNorm });
  }

  /** Sets each scheduled optimizer's learning rate for the current step. Call at the start of a step. */
  protected applySchedules(): void {
    for (const [name, group] of this.groups) {
      if (group.schedule === undefined) continue;
      const lr = group.schedule(this.stepCount);
      if (!(lr >= 0 && Number.isFinite(lr))) {
        throw new InvalidArgumentError(`learning-rate schedule of ${name} at step ${this.stepCount}`, 'a finite number >= 0', lr);
      }
      setLearningRate(group.optimizer, lr);
    }
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
      checkPositiveInteger('options.checkpoint.every', checkpoint.every);
      if (checkpoint.keep !== undefined) checkPositiveInteger('options.checkpoint.keep', checkpoint.keep);
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
      lastCheckpoint = await this.save(checkpoint.dir, { keep: checkpoint.keep ?? 2 });
      lastSavedStep = this.stepCount;
      for (const cb of callbacks) {
        await cb.onCheckpoint?.({ trainer: this, dir: checkpoint.dir, path: lastCheckpoint, step: this.stepCount });
      }
    };

    for (const cb of callbacks) await cb.onTrainBegin?.({ trainer: this, startStep, targetStep, epochs });
    let iterator = await source.open();
    const pending: TBatch[] = [];
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
        let stats: TStats;
        try {
          stats = await this.trainOnBatches(batches);
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
    if (typeof dir !== 'string' || dir === '') throw new InvalidArgumentError('dir', 'a directory path', dir);
    const { path } = await nodeFs('trainer.save');
    const models = this.checkpointModels();
    return writeCheckpoint(
      dir,
      this.stepCount,
      async (staging) => {
        for (const [name, model] of Object.entries(models)) {
          await model.save(fileSystemHandler(path.join(staging, name)));
        }
        const optimizers: CheckpointManifest['optimizers'] = {};
        for (const [name, group] of this.groups) {
          let weights: NamedTensor[];
          try {
            weights = await group.optimizer.getWeights();
          } catch (error) {
            throw new CheckpointError(
              `Cannot save the ${name} optimizer (${optimizerClassName(group.optimizer)}): ${(error as Error).message} ` +
                'Use an optimizer whose state tfjs can export (Adam, SGD, momentum, RMSProp, Adagrad, Adadelta).',
            );
          }
          const file = `optimizer-${name}.bin`;
          try {
            const entries = await writeTensorBundle(path.join(staging, file), weights);
            const scalars: Record<string, number> = {};
            for (const key of PRIVATE_SCALARS) {
              const v = (group.optimizer as unknown as Record<string, unknown>)[key];
              if (v instanceof tf.Tensor && v.size === 1) scalars[key] = (await v.data())[0]!;
            }
            optimizers[name] = {
              className: optimizerClassName(group.optimizer),
              config: group.optimizer.getConfig(),
              file,
              weights: entries,
              scalars,
            };
          } finally {
            // getWeights() returns the iteration count as a new tensor; the rest are the optimizer's own variables.
            if (weights[0]?.name === 'iter') weights[0].tensor.dispose();
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
          state: { json: state.json, file: 'state.bin', tensors: stateEntries },
        };
        if (options.metadata !== undefined) manifest.metadata = options.metadata;
        // The manifest goes last: its presence marks the checkpoint complete.
        await writeFileDurable(path.join(staging, CHECKPOINT_MANIFEST), JSON.stringify(manifest, null, 2));
      },
      options,
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
    const models = this.checkpointModels();
    const expected = Object.keys(models).sort().join(', ');
    const found = [...manifest.models].sort().join(', ');
    if (expected !== found) {
      throw new CheckpointError(
        `${checkpointDir} holds models [${found}], this trainer has [${expected}]. Use the same trainer options ` +
          '(e.g. ema on or off) as when it was saved.',
      );
    }
    const groupNames = [...this.groups.keys()].sort().join(', ');
    const savedGroups = Object.keys(manifest.optimizers).sort().join(', ');
    if (groupNames !== savedGroups) {
      throw new CheckpointError(`${checkpointDir} holds optimizers [${savedGroups}], this trainer has [${groupNames}].`);
    }
    for (const [name, group] of this.groups) {
      const saved = manifest.optimizers[name]!;
      const actual = optimizerClassName(group.optimizer);
      if (saved.className !== actual) {
        throw new CheckpointError(
          `The ${name} optimizer in ${checkpointDir} is ${saved.className}, this trainer's is ${actual}. ` +
            'Pass the same optimizer type as when the checkpoint was saved.',
        );
      }
    }

    for (const [name, model] of Object.entries(models)) {
      await loadWeightsIntoModel(model, path.join(checkpointDir, name), name);
    }
    for (const [name, group] of this.groups) {
      const saved = manifest.optimizers[name]!;
      const tensors = await readTensorBundle(path.join(checkpointDir, saved.file), saved.weights);
      const old = await group.optimizer.getWeights();
      try {
        await group.optimizer.setWeights(saved.weights.map((e, i) => ({ name: e.name, tensor: tensors[i]! })));
      } finally {
        // setWeights makes its own variables; the old state and the decoded tensors are no longer used.
        tf.dispose(old.map((w) => w.tensor));
        tf.dispose(tensors);
      }
      for (const [key, value] of Object.entries(saved.scalars ?? {})) {
        const v = (group.optimizer as unknown as Record<string, unknown>)[key];
        if (v instanceof tf.Variable) tf.tidy(() => v.assign(tf.scalar(value, v.dtype)));
      }
    }
    const stateTensors = await readTensorBundle(path.join(checkpointDir, manifest.state.file), manifest.state.tensors);
    this.restoreState(manifest.state.json, stateTensors);
    this.random.setState(manifest.random);
    this.samplingRandom.setState(manifest.samplingRandom);
    this.stepCount = manifest.step;
    return manifest;
  }

  /**
   * Releases what the trainer created: default optimizers, averaged models, pools. The models passed in (and
   * optimizers you created) stay yours.
   */
  dispose(): void {
    for (const group of this.groups.values()) if (group.owned) group.optimizer.dispose();
  }
}
