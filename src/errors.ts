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

/**
 * A tensor operation ran before the tfjs backend had finished starting, usually because `await setupBackend()`
 * was forgotten (the wasm backend starts asynchronously). Replaces tfjs' "backend has not yet been initialized".
 */
export class BackendNotReadyError extends BackendError {
  /** The backend tfjs was about to use (e.g. `'wasm'`). */
  readonly backend: string;

  constructor(backend: string) {
    super(
      `The tfjs backend '${backend}' has not been initialized yet: call \`await setupBackend()\` (from gan-kit) ` +
        'once, before building models or running any tensor operation. It picks and starts the backend ' +
        "(or await tf.setBackend('" +
        backend +
        "') yourself). In a CommonJS script without top-level await, put the code in an async function.",
    );
    this.backend = backend;
  }
}

/**
 * An options object held a key the function does not know (a typo such as `learningRate` for
 * `learningRates`, or an option of another function). Plain-JavaScript callers get no compiler to catch these,
 * so every public options object is checked; the message suggests the nearest valid name.
 *
 * @example
 * ```ts
 * checkOptionKeys('GanTrainer options', { discriminatorStep: 2 }, ['discriminatorSteps', 'seed']);
 * // UnknownOptionError: GanTrainer options: unknown option "discriminatorStep" (did you mean "discriminatorSteps"?).
 * //   Valid options: discriminatorSteps, seed.
 * ```
 */
export class UnknownOptionError extends InvalidArgumentError {
  /** The unknown key. */
  readonly key: string;
  /** The nearest valid key, when one is close enough to be a likely typo. */
  readonly suggestion: string | undefined;

  constructor(where: string, key: string, valid: readonly string[]) {
    const suggestion = nearestName(key, valid);
    const list = [...valid].sort().join(', ');
    super(
      `${where}.${key}`,
      `one of the options ${list}`,
      key,
      suggestion !== undefined ? `Did you mean "${suggestion}"? Rename or remove the key.` : 'Remove the key.',
    );
    this.key = key;
    this.suggestion = suggestion;
  }
}

/** Edit distance (insertions, deletions, substitutions; case-insensitive) between two names. */
function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[t.length]!;
}

/**
 * The valid name closest to `name`, if it is a likely typo: within an edit distance of a third of the longer
 * name (at least 2), or one name is a prefix of the other (`criticStep` → `criticSteps`).
 */
export function nearestName(name: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of valid) {
    const lower = name.toLowerCase();
    const c = candidate.toLowerCase();
    const d = c.startsWith(lower) || lower.startsWith(c) ? Math.min(1, editDistance(name, candidate)) : editDistance(name, candidate);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(2, Math.floor(Math.max(name.length, best.length) / 3));
  return bestDistance <= limit ? best : undefined;
}

/**
 * Throws {@link UnknownOptionError} if `options` has an own enumerable key outside `valid`. `undefined` or
 * `null` options pass (callers apply their defaults). `where` names the options object in the message, e.g.
 * `'GanTrainer options'` or `'fit options'`.
 */
export function checkOptionKeys(where: string, options: object | undefined | null, valid: readonly string[]): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError(where, 'an options object', options);
  }
  for (const key of Object.keys(options)) {
    if (!valid.includes(key)) throw new UnknownOptionError(where, key, valid);
  }
}
