import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError, ShapeError } from '../errors';
import { draganPenalty } from '../regularizers/dragan_penalty';
import { gradientPenalty } from '../regularizers/gradient_penalty';
import { r1Penalty, r2Penalty } from '../regularizers/r1_penalty';
import type { Random } from './random';

/** A discriminator as a function of a batch: `x` [batch, ...] → scores [batch, ...]. */
export type CriticFunction = (x: tf.Tensor) => tf.Tensor;

/**
 * A penalty with the signature of gan-kit's {@link gradientPenalty}: computed from the critic, the real batch
 * and the generated batch. The trainer passes `weight` and `alpha` (per-sample interpolation coefficients of
 * shape [batch], drawn from its seeded random stream so that checkpoints resume exactly) in `options`.
 */
export type PairPenaltyFunction = (
  critic: CriticFunction,
  real: tf.Tensor,
  fake: tf.Tensor,
  options: { weight?: number; alpha?: tf.Tensor } & Record<string, unknown>,
) => tf.Scalar;

/**
 * A penalty with the signature of gan-kit's {@link r1Penalty}, {@link r2Penalty} or {@link draganPenalty}:
 * computed from the critic and one batch (`on` says which).
 */
export type SingleBatchPenaltyFunction = (
  critic: CriticFunction,
  samples: tf.Tensor,
  options: Record<string, unknown>,
) => tf.Scalar;

/** What a {@link CustomPenalty} sees, inside the discriminator update (gradients flow through it). */
export interface PenaltyContext {
  /** The discriminator in training mode (for a conditional trainer, with this batch's labels bound). */
  critic: CriticFunction;
  /** The real batch of this update. */
  real: tf.Tensor;
  /** The generated batch of this update (a constant: no gradient flows to the generator). */
  fake: tf.Tensor;
  /** D(real), already computed for the adversarial loss. */
  realLogits: tf.Tensor;
  /** D(fake), already computed for the adversarial loss. */
  fakeLogits: tf.Tensor;
  /** `trainer.step` (0-based index of the step being trained). */
  step: number;
  /** The trainer's seeded random stream: draw from it (not `Math.random`) to keep runs reproducible. */
  random: Random;
}

/** Fields every penalty description shares. */
interface PenaltyBase {
  /** Name in the step stats (`stats.penalties[name]`) and logs. Default: the function's name, e.g. `'gradientPenalty'`. */
  name?: string;
  /**
   * Lazy regularization (Karras et al., "Analyzing and Improving the Image Quality of StyleGAN", CVPR 2020,
   * https://arxiv.org/abs/1912.04958, Appendix B): compute the penalty only on steps where `step % every == 0`,
   * multiplied by `every` to keep its average strength. Default: 1 (every step).
   */
  every?: number;
}

/**
 * A penalty in the shape of {@link gradientPenalty}: `{ fn: gradientPenalty, weight: 10 }`.
 * The trainer calls `fn(critic, real, fake, { ...options, weight, alpha })`.
 */
export interface PairPenaltySpec extends PenaltyBase {
  /** The penalty function, e.g. {@link gradientPenalty}. */
  fn: PairPenaltyFunction;
  /** Passed to `fn` as `options.weight` (gradientPenalty's λ). Default: none (the function's default, 10 for gradientPenalty). */
  weight?: number;
  /** More options for `fn` (e.g. `{ target: 1, oneSided: true }` for gradientPenalty). Default: none. */
  options?: Record<string, unknown>;
  /** Leave undefined: pair penalties see both batches. */
  on?: undefined;
}

/**
 * A penalty on one batch, in the shape of {@link r1Penalty} / {@link r2Penalty} / {@link draganPenalty}:
 * `{ fn: r1Penalty, on: 'real', options: { gamma: 10 } }`. The trainer calls `fn(critic, batch, options)`.
 */
export interface SingleBatchPenaltySpec extends PenaltyBase {
  /** The penalty function, e.g. {@link r1Penalty}. */
  fn: SingleBatchPenaltyFunction;
  /** Which batch the penalty is computed on: `'real'` (R1, DRAGAN) or `'fake'` (R2). Required. */
  on: 'real' | 'fake';
  /**
   * Passed to `fn` as `options.weight` (draganPenalty's λ). R1/R2 have no weight: set `options.gamma` instead.
   * Default: none.
   */
  weight?: number;
  /** Options for `fn`, e.g. `{ gamma: 10 }` for R1. Default: none. */
  options?: Record<string, unknown>;
}

/**
 * A penalty you compute yourself from the {@link PenaltyContext}: `{ name: 'myPenalty', compute: (ctx) => … }`.
 * The result is multiplied by `weight`.
 */
export interface CustomPenalty extends PenaltyBase {
  /** Name in the step stats. Required. */
  name: string;
  /** Returns the penalty (a scalar, differentiable with respect to D's weights) for one D update. */
  compute(context: PenaltyContext): tf.Scalar;
  /** Multiplies the result of `compute`. Default: 1. */
  weight?: number;
}

/** One entry of a trainer's `penalties` option: a regularizer added to the discriminator's loss. */
export type DiscriminatorPenalty = PairPenaltySpec | SingleBatchPenaltySpec | CustomPenalty;

/** A validated penalty, ready to run (see {@link PenaltyRunner}). */
export interface ResolvedPenalty {
  /** Name in the step stats. */
  name: string;
  /** Computed on steps where `step % every == 0`. */
  every: number;
  /** Returns the penalty as it is added to the discriminator's loss (weights and lazy factor applied). */
  compute(context: PenaltyContext): tf.Scalar;
}

const SPEC_KEYS = ['fn', 'on', 'weight', 'options', 'name', 'every'];
const CUSTOM_KEYS = ['name', 'compute', 'weight', 'every'];

/** The batch each of gan-kit's single-batch penalties belongs on, and the function to use for the other. */
const SINGLE_BATCH: ReadonlyMap<unknown, { on: 'real' | 'fake'; other?: string }> = new Map<unknown, { on: 'real' | 'fake'; other?: string }>([
  [r1Penalty, { on: 'real', other: 'r2Penalty' }],
  [r2Penalty, { on: 'fake', other: 'r1Penalty' }],
  [draganPenalty, { on: 'real' }],
]);

/** Throws a {@link ShapeError} unless a penalty's (or loss's) result is a scalar. */
export function requireScalar(what: string, value: unknown): tf.Scalar {
  if (!(value instanceof tf.Tensor)) {
    throw new InvalidArgumentError(what, 'a scalar tf.Tensor', value, 'Return a tensor such as tf.mean(…).');
  }
  if (value.rank !== 0) {
    const shape = `shape [${value.shape.join(', ')}]`;
    value.dispose();
    throw new ShapeError(what, 'a scalar (rank 0)', shape, 'Reduce it to one number, e.g. with tf.mean(…).');
  }
  return value as tf.Scalar;
}

/** Validates a `penalties` option and turns each entry into a {@link ResolvedPenalty}. @internal */
export function resolvePenalties(penalties: readonly DiscriminatorPenalty[] | undefined, argument = 'penalties'): ResolvedPenalty[] {
  if (penalties === undefined) return [];
  if (!Array.isArray(penalties)) {
    throw new InvalidArgumentError(argument, 'an array such as [{ fn: gradientPenalty, weight: 10 }]', penalties);
  }
  const names = new Set<string>();
  return penalties.map((p, i) => {
    const where = `${argument}[${i}]`;
    if (p == null || typeof p !== 'object') {
      throw new InvalidArgumentError(where, '{ fn, weight } or { name, compute(context) }', p);
    }
    const custom = 'compute' in p && typeof p.compute === 'function';
    checkOptionKeys(where, p, custom ? CUSTOM_KEYS : SPEC_KEYS);
    const every = p.every ?? 1;
    if (!Number.isInteger(every) || every < 1) throw new InvalidArgumentError(`${where}.every`, 'an integer >= 1', every);
    if (p.weight !== undefined && !(typeof p.weight === 'number' && p.weight >= 0 && Number.isFinite(p.weight))) {
      throw new InvalidArgumentError(`${where}.weight`, 'a finite number >= 0', p.weight);
    }
    let resolved: ResolvedPenalty;
    if (custom) {
      const weight = p.weight ?? 1;
      const name = p.name;
      if (typeof name !== 'string' || name === '') throw new InvalidArgumentError(`${where}.name`, 'a non-empty string', name);
      const what = `${where} (${name}).compute`;
      resolved = {
        name,
        every,
        compute: (ctx) => tf.tidy(() => tf.mul(requireScalar(what, (p as CustomPenalty).compute(ctx)), weight * every) as tf.Scalar),
      };
    } else if ('fn' in p && typeof p.fn === 'function') {
      const name = p.name ?? (p.fn.name || `penalty${i}`);
      const options = p.options ?? {};
      if (typeof options !== 'object') throw new InvalidArgumentError(`${where}.options`, 'an options object', options);
      const what = `${where} (${name})`;
      const known = SINGLE_BATCH.get(p.fn);
      if (p.on === undefined && known !== undefined) {
        throw new InvalidArgumentError(
          `${where}.on`,
          `'real' or 'fake' (the batch ${p.fn.name} is computed on)`,
          undefined,
          `${p.fn.name} sees one batch: write { fn: ${p.fn.name}, on: '${known.on}', … }.`,
        );
      }
      if (p.on !== undefined && p.fn === (gradientPenalty as unknown)) {
        throw new InvalidArgumentError(
          `${where}.on`,
          'undefined for gradientPenalty (it sees both batches, interpolated)',
          p.on,
          'Remove on: gradientPenalty is computed on random interpolates of the real and the generated batch.',
        );
      }
      if (p.on === undefined) {
        const fn = p.fn as PairPenaltyFunction;
        resolved = {
          name,
          every,
          compute: (ctx) =>
            tf.tidy(() => {
              const batch = ctx.real.shape[0]!;
              const alpha = tf.tensor1d(ctx.random.fillUniform(new Float32Array(batch)), 'float32');
              const opts: Record<string, unknown> = { ...options, alpha };
              if (p.weight !== undefined) opts['weight'] = p.weight;
              return tf.mul(requireScalar(what, fn(ctx.critic, ctx.real, ctx.fake, opts)), every) as tf.Scalar;
            }),
        };
      } else {
        if (p.on !== 'real' && p.on !== 'fake') throw new InvalidArgumentError(`${where}.on`, "'real' or 'fake'", p.on);
        if (known !== undefined && known.on !== p.on) {
          throw new InvalidArgumentError(
            `${where}.on`,
            `'${known.on}' for ${p.fn.name}`,
            p.on,
            known.other !== undefined
              ? `${p.fn.name} is meant for the ${known.on} batch; for the ${p.on} batch use ${known.other}.`
              : `${p.fn.name} is computed on the ${known.on} batch.`,
          );
        }
        if (p.weight !== undefined && (p.fn === (r1Penalty as unknown) || p.fn === (r2Penalty as unknown))) {
          throw new InvalidArgumentError(
            `${where}.weight`,
            'undefined for r1Penalty / r2Penalty',
            p.weight,
            `R1 and R2 are scaled by γ: write { fn: ${p.fn.name}, on: '${p.on}', options: { gamma: ${p.weight} } }.`,
          );
        }
        const fn = p.fn as SingleBatchPenaltyFunction;
        const on = p.on;
        resolved = {
          name,
          every,
          compute: (ctx) =>
            tf.tidy(() => {
              const opts: Record<string, unknown> = { ...options };
              if (p.weight !== undefined) opts['weight'] = p.weight;
              return tf.mul(requireScalar(what, fn(ctx.critic, on === 'real' ? ctx.real : ctx.fake, opts)), every) as tf.Scalar;
            }),
        };
      }
    } else {
      throw new InvalidArgumentError(
        where,
        '{ fn: gradientPenalty, weight }, { fn: r1Penalty, on: "real", options }, or { name, compute(context) }',
        p,
      );
    }
    if (names.has(resolved.name)) {
      throw new InvalidArgumentError(`${where}.name`, 'a name not used by another penalty', resolved.name);
    }
    names.add(resolved.name);
    return resolved;
  });
}
