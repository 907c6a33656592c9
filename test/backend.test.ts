import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BackendError, InvalidArgumentError, setupBackend } from '../src/index';

describe('setupBackend', () => {
  it('chooses wasm here (no tfjs-node installed) and makes it active', async () => {
    const name = await setupBackend();
    expect(name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('starts the backend it is told to', async () => {
    expect(await setupBackend({ backend: 'cpu' })).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(await setupBackend({ backend: 'wasm' })).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('rejects an unknown backend name with a typed error naming the argument', async () => {
    await expect(setupBackend({ backend: 'tpu' as never })).rejects.toThrow(InvalidArgumentError);
    await expect(setupBackend({ backend: 'tpu' as never })).rejects.toThrow(/options\.backend/);
  });

  it('explains how to get the native backend when tfjs-node is missing', async () => {
    await expect(setupBackend({ backend: 'tensorflow' })).rejects.toThrow(BackendError);
    await expect(setupBackend({ backend: 'tensorflow' })).rejects.toThrow(/npm install @tensorflow\/tfjs-node/);
  });
});
