import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { StatsRecorder } from '../../../src/trainers/parts/stats_recorder';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('StatsRecorder', () => {
  it('averages `mean` stats, keeps the last of `last` stats, groups dotted names, with one device read', async () => {
    const before = tf.memory().numTensors;
    const stats = new StatsRecorder();
    stats.mean('loss', tf.scalar(1));
    stats.mean('loss', tf.scalar(4));
    stats.last('logit', tf.scalar(-1));
    stats.last('logit', tf.scalar(7));
    stats.meanAll('penalties', { gp: tf.scalar(2), r1: tf.scalar(3) });
    stats.meanAll('penalties', { gp: tf.scalar(6) });
    stats.mean('count', tf.scalar(5, 'int32'));
    const reads = vi.spyOn(tf.Tensor.prototype, 'data');
    const syncReads = vi.spyOn(tf.Tensor.prototype, 'dataSync');
    const v = await stats.read();
    expect(reads).toHaveBeenCalledTimes(1);
    expect(syncReads).not.toHaveBeenCalled();
    reads.mockRestore();
    syncReads.mockRestore();
    expect(v).toEqual({ loss: 2.5, logit: 7, 'penalties.gp': 4, 'penalties.r1': 3, count: 5 });
    expect(StatsRecorder.group(v, 'penalties')).toEqual({ gp: 4, r1: 3 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a non-scalar and a name recorded with two reductions; dispose frees without reading', () => {
    const before = tf.memory().numTensors;
    const stats = new StatsRecorder();
    expect(() => stats.mean('x', tf.ones([2]))).toThrow(/stat 'x'/);
    stats.mean('y', tf.scalar(1));
    expect(() => stats.last('y', tf.scalar(2))).toThrow(/'mean'/);
    stats.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
