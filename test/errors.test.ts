import { describe, expect, it } from 'vitest';
import { checkOptionKeys, GanKitError, InvalidArgumentError, nearestName, UnknownOptionError } from '../src/errors';

describe('checkOptionKeys', () => {
  const valid = ['discriminatorSteps', 'learningRates', 'seed', 'gamma'];

  it('accepts known keys, undefined and null options', () => {
    expect(() => checkOptionKeys('opts', { seed: 1, gamma: 2 }, valid)).not.toThrow();
    expect(() => checkOptionKeys('opts', {}, valid)).not.toThrow();
    expect(() => checkOptionKeys('opts', undefined, valid)).not.toThrow();
    expect(() => checkOptionKeys('opts', null, valid)).not.toThrow();
  });

  it('names the unknown key, the valid ones and the nearest one', () => {
    let error: unknown;
    try {
      checkOptionKeys('GanTrainer options', { discriminatorStep: 2 }, valid);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnknownOptionError);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toBeInstanceOf(GanKitError);
    const u = error as UnknownOptionError;
    expect(u.key).toBe('discriminatorStep');
    expect(u.suggestion).toBe('discriminatorSteps');
    expect(u.argument).toBe('GanTrainer options.discriminatorStep');
    expect(u.message).toContain('Did you mean "discriminatorSteps"');
    expect(u.message).toContain('discriminatorSteps, gamma, learningRates, seed');
  });

  it('suggests typos and plural slips but not unrelated names', () => {
    expect(nearestName('gama', valid)).toBe('gamma');
    expect(nearestName('learningRate', valid)).toBe('learningRates');
    expect(nearestName('Seed', valid)).toBe('seed');
    expect(nearestName('batchSize', valid)).toBeUndefined();
    const e = (() => {
      try {
        checkOptionKeys('fit options', { step: 3 }, ['steps', 'callbacks']);
      } catch (x) {
        return x as UnknownOptionError;
      }
      return undefined;
    })();
    expect(e?.suggestion).toBe('steps');
  });

  it('rejects options that are not an object', () => {
    expect(() => checkOptionKeys('opts', 3 as never, valid)).toThrow(InvalidArgumentError);
    expect(() => checkOptionKeys('opts', [] as never, valid)).toThrow(/an options object/);
  });
});
