/**
 * Argument checks shared by gan-kit's losses and regularizers. Each throws one of gan-kit's typed errors naming
 * the argument, what was expected and what was received. Internal: not exported from the package root.
 *
 * @internal
 * @module losses/validation
 */
import * as tf from '@tensorflow/tfjs';
import { DTypeError, InvalidArgumentError, ShapeError } from '../errors';

/** `[2, 4, 4, 1]` → `'[2, 4, 4, 1]'`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Throws an {@link InvalidArgumentError} unless `value` is a `tf.Tensor`. */
export function checkTensor(argument: string, value: unknown): tf.Tensor {
  if (!(value instanceof tf.Tensor)) throw new InvalidArgumentError(argument, 'a tf.Tensor', value);
  if (value.isDisposed) throw new InvalidArgumentError(argument, 'a tf.Tensor that is not disposed', value);
  return value;
}

/**
 * Throws unless `value` is a non-empty float32 tensor of rank >= `minRank`: {@link InvalidArgumentError} for a
 * non-tensor, {@link DTypeError} for another dtype, {@link ShapeError} for a low rank or zero elements.
 */
export function checkFloatTensor(argument: string, value: unknown, minRank = 0): tf.Tensor {
  const t = checkTensor(argument, value);
  if (t.dtype !== 'float32') throw new DTypeError(argument, 'a float32 tensor', t);
  if (t.rank < minRank) {
    throw new ShapeError(argument, `a tensor of rank >= ${minRank}${minRank >= 1 ? ' (axis 0 = batch)' : ''}`, t);
  }
  if (t.size === 0) throw new ShapeError(argument, 'a tensor with at least one element', t);
  return t;
}

/** Throws a {@link ShapeError} unless `a` and `b` have exactly the same shape. */
export function checkSameShape(argumentA: string, a: tf.Tensor, argumentB: string, b: tf.Tensor): void {
  if (!tf.util.arraysEqual(a.shape, b.shape)) {
    throw new ShapeError(argumentB, `the same shape as ${argumentA} ${formatShape(a.shape)}`, b);
  }
}

/**
 * Throws a {@link ShapeError} unless `a` and `b` have the same rank and agree on every axis but the first
 * (batch) axis: real and fake batches may differ in size, not in what one sample's output looks like.
 */
export function checkSameSampleShape(argumentA: string, a: tf.Tensor, argumentB: string, b: tf.Tensor): void {
  const same = a.rank === b.rank && a.shape.every((d, i) => i === 0 || d === b.shape[i]);
  if (!same) {
    const expected =
      a.rank === 0
        ? 'a scalar, like ' + argumentA
        : `shape [any, ${a.shape.slice(1).join(', ')}] (the per-sample shape of ${argumentA} ${formatShape(a.shape)})`;
    throw new ShapeError(argumentB, expected, b);
  }
}

/** Options of {@link checkNumber}. */
export interface NumberRange {
  /** Smallest allowed value. */
  min?: number;
  /** When true, `min` itself is not allowed. */
  minExclusive?: boolean;
  /** Largest allowed value. */
  max?: number;
  /** When true, `max` itself is not allowed. */
  maxExclusive?: boolean;
  /** Require an integer. */
  integer?: boolean;
}

/** Throws an {@link InvalidArgumentError} unless `value` is a finite number in the given range. */
export function checkNumber(argument: string, value: unknown, range: NumberRange = {}): number {
  const { min, max, minExclusive = false, maxExclusive = false, integer = false } = range;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!integer || Number.isInteger(value)) &&
    (min === undefined || (minExclusive ? value > min : value >= min)) &&
    (max === undefined || (maxExclusive ? value < max : value <= max));
  if (!ok) {
    const kind = integer ? 'an integer' : 'a finite number';
    let expected = kind;
    if (min !== undefined && max !== undefined) {
      expected = `${kind} in ${minExclusive ? '(' : '['}${min}, ${max}${maxExclusive ? ')' : ']'}`;
    } else if (min !== undefined) {
      expected = `${kind} ${minExclusive ? '>' : '>='} ${min}`;
    } else if (max !== undefined) {
      expected = `${kind} ${maxExclusive ? '<' : '<='} ${max}`;
    }
    throw new InvalidArgumentError(argument, expected, value);
  }
  return value as number;
}

/** Throws an {@link InvalidArgumentError} unless `value` is a boolean. */
export function checkBoolean(argument: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidArgumentError(argument, 'a boolean', value);
  return value;
}

/** Throws an {@link InvalidArgumentError} unless `value` is a plain options object (or undefined → `{}`). */
export function checkOptions<T extends object>(argument: string, value: T | undefined): T {
  if (value === undefined) return {} as T;
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof tf.Tensor) {
    throw new InvalidArgumentError(argument, 'an options object', value);
  }
  return value;
}
