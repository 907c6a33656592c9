import { InvalidArgumentError } from '../errors';

/**
 * A learning-rate schedule: the learning rate to use for the update made at training step `step` (0-based: the
 * first step of training is step 0). Trainers set it on their optimizers before every step, so a schedule
 * depends on the step only and resumes exactly from a checkpoint.
 */
export type LearningRateSchedule = (step: number) => number;

function checkRate(argument: string, value: number): number {
  if (!(value >= 0 && Number.isFinite(value))) throw new InvalidArgumentError(argument, 'a finite number >= 0', value);
  return value;
}

function checkSteps(argument: string, value: number, min = 0): number {
  if (!Number.isInteger(value) || value < min) throw new InvalidArgumentError(argument, `an integer >= ${min}`, value);
  return value;
}

/** A constant learning rate. */
export function constantLearningRate(learningRate: number): LearningRateSchedule {
  checkRate('learningRate', learningRate);
  return () => learningRate;
}

/** Options of {@link linearDecay}. */
export interface LinearDecayOptions {
  /** Learning rate before the decay starts. Required. */
  initial: number;
  /** Step at which the rate reaches `final` and stays there. Required. */
  totalSteps: number;
  /** Length of the decay, ending at `totalSteps`. Default: `totalSteps / 2` (rounded down), CycleGAN's schedule. */
  decaySteps?: number;
  /** Learning rate at and after `totalSteps`. Default: 0. */
  final?: number;
}

/**
 * Constant, then linear decay to `final` over the last `decaySteps` of `totalSteps`: the CycleGAN / pix2pix
 * schedule (Zhu et al. 2017, https://arxiv.org/abs/1703.10593, Section 7.1: "keep the same learning rate for the
 * first 100 epochs and linearly decay the rate to zero over the next 100 epochs"), per step instead of per epoch.
 *
 * `lr(step) = initial` for `step < totalSteps − decaySteps`, then
 * `initial + (final − initial) · (step − (totalSteps − decaySteps)) / decaySteps`, and `final` from `totalSteps`.
 */
export function linearDecay(options: LinearDecayOptions): LearningRateSchedule {
  const initial = checkRate('options.initial', options.initial);
  const totalSteps = checkSteps('options.totalSteps', options.totalSteps, 1);
  const decaySteps = checkSteps('options.decaySteps', options.decaySteps ?? Math.floor(totalSteps / 2), 1);
  if (decaySteps > totalSteps) {
    throw new InvalidArgumentError('options.decaySteps', `an integer <= totalSteps (${totalSteps})`, decaySteps);
  }
  const final = checkRate('options.final', options.final ?? 0);
  const start = totalSteps - decaySteps;
  return (step) => {
    if (step < start) return initial;
    if (step >= totalSteps) return final;
    return initial + ((final - initial) * (step - start)) / decaySteps;
  };
}

/** Options of {@link cosineDecay}. */
export interface CosineDecayOptions {
  /** Learning rate at step 0 (after warm-up). Required. */
  initial: number;
  /** Step at which the rate reaches `final`. Required. */
  totalSteps: number;
  /** Learning rate at and after `totalSteps`. Default: 0. */
  final?: number;
  /** Linear warm-up from 0 over this many steps before the cosine starts. Default: 0. */
  warmupSteps?: number;
}

/**
 * Cosine decay with optional linear warm-up (Loshchilov & Hutter, "SGDR", ICLR 2017,
 * https://arxiv.org/abs/1608.03983, without restarts): `final + (initial − final)·(1 + cos(π·t))/2` with
 * `t = (step − warmupSteps) / (totalSteps − warmupSteps)` clipped to [0, 1].
 */
export function cosineDecay(options: CosineDecayOptions): LearningRateSchedule {
  const initial = checkRate('options.initial', options.initial);
  const totalSteps = checkSteps('options.totalSteps', options.totalSteps, 1);
  const final = checkRate('options.final', options.final ?? 0);
  const warmup = checkSteps('options.warmupSteps', options.warmupSteps ?? 0);
  if (warmup >= totalSteps) {
    throw new InvalidArgumentError('options.warmupSteps', `an integer < totalSteps (${totalSteps})`, warmup);
  }
  return (step) => {
    if (step < warmup) return (initial * (step + 1)) / (warmup + 1);
    const t = Math.min(1, Math.max(0, (step - warmup) / (totalSteps - warmup)));
    return final + ((initial - final) * (1 + Math.cos(Math.PI * t))) / 2;
  };
}

/** Options of {@link stepDecay}. */
export interface StepDecayOptions {
  /** Learning rate at step 0. Required. */
  initial: number;
  /** Multiply the rate by `factor` every `every` steps. Required. */
  every: number;
  /** Multiplier applied every `every` steps, in (0, 1]. Default: 0.5. */
  factor?: number;
}

/** Piecewise-constant decay: `initial · factor^floor(step / every)`. */
export function stepDecay(options: StepDecayOptions): LearningRateSchedule {
  const initial = checkRate('options.initial', options.initial);
  const every = checkSteps('options.every', options.every, 1);
  const factor = options.factor ?? 0.5;
  if (!(factor > 0 && factor <= 1)) throw new InvalidArgumentError('options.factor', 'a number in (0, 1]', factor);
  return (step) => initial * Math.pow(factor, Math.floor(step / every));
}
