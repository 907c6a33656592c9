import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError } from '../../errors';
import type { LearningRateSchedule } from '../learning_rate_schedules';
import { applyUpdate, setLearningRate } from '../optimizer_utils';

type NamedTensor = { name: string; tensor: tf.Tensor };

/** Options of {@link OptimizerGroup}. */
export interface OptimizerGroupOptions {
  /** The optimizer. Use one per group: tfjs optimizers keep per-variable state by position. */
  optimizer: tf.Optimizer;
  /** The variables it updates (e.g. `trainableVariables(model)`); no other variable is ever changed. */
  variables: readonly tf.Variable[];
  /** Learning rate per step, set by {@link OptimizerGroup.applySchedule}. Default: the optimizer's own constant rate. */
  schedule?: LearningRateSchedule;
  /** Clip each update's gradients to this global L2 norm. Default: no clipping. */
  clipNorm?: number;
  /** True when the trainer created the optimizer, so {@link OptimizerGroup.dispose} disposes it. Default: false. */
  owned?: boolean;
}

const OPTION_KEYS = ['optimizer', 'variables', 'schedule', 'clipNorm', 'owned'];

/**
 * The complete state of an optimizer, as plain data and tensors: what a checkpoint stores. The tensors are
 * copies owned by whoever holds the state (dispose them with `tf.dispose(state.weights.map((w) => w.tensor))`).
 */
export interface OptimizerState {
  /** tfjs class name, e.g. `'Adam'`; checked by {@link OptimizerGroup.setState}. */
  className: string;
  /** The optimizer's `getConfig()` (learning rate, betas…), for reference. */
  config: unknown;
  /** `optimizer.getWeights()`: the iteration count then the slots (Adam's moments), named `<variable>/<slot>`. */
  weights: NamedTensor[];
  /** Scalars tfjs keeps outside `getWeights()` (Adam's β-power accumulators), for an exact resume. */
  scalars: Record<string, number>;
}

/** tfjs optimizers keep a few scalars outside getWeights(); those named here are part of the state. */
const PRIVATE_SCALARS = ['accBeta1', 'accBeta2'] as const;

/** The tfjs class name of an optimizer (e.g. `'Adam'`). */
export function optimizerClassName(optimizer: tf.Optimizer): string {
  return (optimizer.constructor as unknown as { className?: string }).className ?? optimizer.getClassName();
}

/**
 * An optimizer with the explicit list of variables it updates: one per network (or per set of networks
 * updated together, like CycleGAN's two generators). A trainer step calls {@link OptimizerGroup.minimize}; a
 * growing network (progressive growing) calls {@link OptimizerGroup.setVariables} with its new list, which
 * keeps the optimizer state of the variables it already had.
 *
 * @example
 * ```ts
 * const d = new OptimizerGroup({ optimizer: tf.train.adam(2e-4, 0.5), variables: trainableVariables(discriminator) });
 * const loss = d.minimize(() => lossOf(discriminator)); // one update of exactly those variables
 * loss.dispose();
 * ```
 */
export class OptimizerGroup {
  /** The optimizer. */
  readonly optimizer: tf.Optimizer;
  /** See {@link OptimizerGroupOptions.schedule}. */
  readonly schedule: LearningRateSchedule | undefined;
  /** See {@link OptimizerGroupOptions.clipNorm}. */
  readonly clipNorm: number | undefined;
  /** See {@link OptimizerGroupOptions.owned}. */
  readonly owned: boolean;
  private vars: tf.Variable[];

  /**
   * @param where - names the group in error messages, e.g. `'generator'`.
   * @throws {InvalidArgumentError} for an unknown option, a non-optimizer, a bad variable list, clip norm or schedule.
   */
  constructor(options: OptimizerGroupOptions, where = 'optimizer group') {
    checkOptionKeys(where, options, OPTION_KEYS);
    if (options == null || typeof (options.optimizer as { applyGradients?: unknown })?.applyGradients !== 'function') {
      throw new InvalidArgumentError(`${where}.optimizer`, 'a tfjs optimizer, e.g. tf.train.adam(2e-4, 0.5)', options?.optimizer);
    }
    if (options.clipNorm !== undefined && !(options.clipNorm > 0 && Number.isFinite(options.clipNorm))) {
      throw new InvalidArgumentError(`gradientClipNorm (${where})`, 'a positive finite number', options.clipNorm);
    }
    if (options.schedule !== undefined && typeof options.schedule !== 'function') {
      throw new InvalidArgumentError(`learningRateSchedules.${where}`, 'a function (step) => learning rate', options.schedule);
    }
    this.optimizer = options.optimizer;
    this.schedule = options.schedule;
    this.clipNorm = options.clipNorm;
    this.owned = options.owned ?? false;
    this.vars = checkVariables(where, options.variables);
  }

  /** The variables this group updates, in the order the optimizer keeps their state. */
  get variables(): readonly tf.Variable[] {
    return this.vars;
  }

  /**
   * Sets the learning rate for `step` from the schedule (nothing without one).
   * @throws {InvalidArgumentError} if the schedule returns a negative or non-finite rate.
   */
  applySchedule(step: number, where = 'optimizer'): void {
    if (this.schedule === undefined) return;
    const lr = this.schedule(step);
    if (!(typeof lr === 'number' && lr >= 0 && Number.isFinite(lr))) {
      throw new InvalidArgumentError(`learning-rate schedule of ${where} at step ${step}`, 'a finite number >= 0', lr);
    }
    setLearningRate(this.optimizer, lr);
  }

  /**
   * One update of this group's variables to minimise `objective()` (with the group's gradient clipping).
   * Variables outside the group never change, whatever `objective` touches.
   * @returns the objective's value; the caller disposes it.
   */
  minimize(objective: () => tf.Scalar): tf.Scalar {
    return applyUpdate(this.optimizer, objective, this.vars, { clipNorm: this.clipNorm });
  }

  /**
   * Re-makes the group over a new variable list (e.g. after a network grew a block), keeping the optimizer
   * state (Adam's moments…) of every variable that was already in the group; new variables start fresh, and
   * state of variables no longer listed is dropped. The iteration count is kept.
   */
  async setVariables(variables: readonly tf.Variable[]): Promise<void> {
    const next = checkVariables('variables', variables);
    const weights = await this.optimizer.getWeights();
    const iter = weights[0]?.name === 'iter' ? weights[0] : undefined;
    const slots = iter === undefined ? weights : weights.slice(1);
    // Slots are named `<variable>/<slot>`, grouped by slot kind in state order.
    const kinds = new Map<string, Map<string, tf.Tensor>>();
    for (const { name, tensor } of slots) {
      const cut = name.lastIndexOf('/');
      const kind = name.slice(cut + 1);
      if (!kinds.has(kind)) kinds.set(kind, new Map());
      kinds.get(kind)!.set(name.slice(0, cut), tensor);
    }
    const firstKind = [...kinds.values()][0];
    // Variables with state keep the front positions (in the old order); everything else follows.
    const withState = this.vars.filter((v) => next.includes(v) && firstKind?.has(v.name));
    const rest = next.filter((v) => !withState.includes(v));
    if (firstKind !== undefined) {
      const kept: NamedTensor[] = [];
      for (const [kind, byVar] of kinds) {
        for (const v of withState) kept.push({ name: `${v.name}/${kind}`, tensor: byVar.get(v.name)! });
      }
      const scalars = this.readPrivateScalars();
      await this.optimizer.setWeights([...(iter ? [iter] : []), ...kept]);
      this.writePrivateScalars(scalars);
      tf.dispose(slots.map((s) => s.tensor)); // setWeights made new variables from them
    }
    iter?.tensor.dispose();
    this.vars = [...withState, ...rest];
  }

  /** A copy of the optimizer's complete state (see {@link OptimizerState}); the caller owns its tensors. */
  async getState(): Promise<OptimizerState> {
    const weights = await this.optimizer.getWeights();
    // getWeights() returns the iteration count as a new tensor and the optimizer's own variables: copy those.
    const copies = weights.map((w, i) => ({ name: w.name, tensor: i === 0 && w.name === 'iter' ? w.tensor : tf.clone(w.tensor) }));
    return {
      className: optimizerClassName(this.optimizer),
      config: this.optimizer.getConfig(),
      weights: copies,
      scalars: this.readPrivateScalars(),
    };
  }

  /**
   * Replaces the optimizer's state with `state` (tensors are copied, not taken).
   * @throws {InvalidArgumentError} if the state belongs to another optimizer class.
   */
  async setState(state: OptimizerState): Promise<void> {
    this.checkState(state);
    const old = await this.optimizer.getWeights();
    await this.optimizer.setWeights(state.weights.map((w) => ({ name: w.name, tensor: w.tensor })));
    // setWeights made its own variables; the old state is no longer used.
    tf.dispose(old.map((w) => w.tensor));
    this.writePrivateScalars(state.scalars);
  }

  /**
   * Checks that `state` can be loaded into this group (same optimizer class, slot count a multiple of the
   * variable count), without changing anything.
   * @throws {InvalidArgumentError} naming what differs.
   */
  checkState(state: OptimizerState, where = 'state'): void {
    const actual = optimizerClassName(this.optimizer);
    if (state?.className !== actual) {
      throw new InvalidArgumentError(
        `${where}.className`,
        `'${actual}' (this group's optimizer)`,
        state?.className,
        'Pass the same optimizer type as when the state was taken.',
      );
    }
    if (!Array.isArray(state.weights) || !state.weights.every((w) => typeof w?.name === 'string' && w.tensor instanceof tf.Tensor)) {
      throw new InvalidArgumentError(`${where}.weights`, 'an array of { name, tensor }', state.weights);
    }
  }

  /** Disposes the optimizer if the group owns it. */
  dispose(): void {
    if (this.owned) this.optimizer.dispose();
  }

  private readPrivateScalars(): Record<string, number> {
    const scalars: Record<string, number> = {};
    for (const key of PRIVATE_SCALARS) {
      const v = (this.optimizer as unknown as Record<string, unknown>)[key];
      if (v instanceof tf.Tensor && v.size === 1) scalars[key] = v.dataSync()[0]!;
    }
    return scalars;
  }

  private writePrivateScalars(scalars: Record<string, number> | undefined): void {
    for (const [key, value] of Object.entries(scalars ?? {})) {
      const v = (this.optimizer as unknown as Record<string, unknown>)[key];
      if (v instanceof tf.Variable) tf.tidy(() => v.assign(tf.scalar(value, v.dtype)));
    }
  }
}

function checkVariables(where: string, variables: unknown): tf.Variable[] {
  if (!Array.isArray(variables) || !variables.every((v) => v instanceof tf.Variable)) {
    throw new InvalidArgumentError(`${where}.variables`, 'an array of tf.Variable, e.g. trainableVariables(model)', variables);
  }
  return [...(variables as tf.Variable[])];
}
