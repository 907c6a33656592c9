/**
 * Typed errors thrown by gan-kit. Every error names what was wrong, what was expected and what was
 * received, so that the message alone tells the user how to fix the call.
 *
 * @module errors
 */

/** Base class of every error gan-kit throws on purpose. Catch this to handle any gan-kit error. */
export class GanKitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Formats a value for an error message: short, unambiguous, never throws. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) {
    const head = value.slice(0, 8).map(describeValue).join(', ');
    return `[${head}${value.length > 8 ? ', …' : ''}]`;
  }
  if (typeof value === 'object' && value !== null && 'shape' in value && 'dtype' in value) {
    const t = value as { shape: number[]; dtype: string };
    return `Tensor(shape [${t.shape.join(', ')}], dtype ${t.dtype})`;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * An argument had the wrong value: the message names the argument, the expected value and the actual one.
 *
 * @example
 * ```ts
 * throw new InvalidArgumentError('discriminatorSteps', 'an integer >= 1', 0);
 * // InvalidArgumentError: discriminatorSteps: expected an integer >= 1, got 0.
 * ```
 */
export class InvalidArgumentError extends GanKitError {
  /** Name of the offending argument (dotted path for options, e.g. `options.weight`). */
  readonly argument: string;
  /** Human description of what was expected. */
  readonly expected: string;
  /** The value that was received. */
  readonly actual: unknown;

  constructor(argument: string, expected: string, actual: unknown, hint?: string) {
    super(`${argument}: expected ${expected}, got ${describeValue(actual)}.${hint ? ' ' + hint : ''}`);
    this.argument = argument;
    this.expected = expected;
    this.actual = actual;
  }
}

/** A tensor had the wrong shape (or rank) for the operation. */
export class ShapeError extends InvalidArgumentError {}

/** A tensor had the wrong dtype for the operation. */
export class DTypeError extends InvalidArgumentError {}

/** A requested backend could not be initialised, or an operation is unsupported on the active backend. */
export class BackendError extends GanKitError {}
