import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { loadMnist, mnistDataset } from '../../src/data/mnist';
import { loadMnistRaw } from '../../src/data/mnist_raw';
import { mnistSplit } from '../../src/metrics/mnist_split';
import { InvalidArgumentError } from '../../src/errors';

async function firstBatches<T extends tf.TensorContainer>(data: tf.data.Dataset<T>, n: number): Promise<T[]> {
  return data.take(n).toArray();
}

describe('mnistDataset', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('yields shuffled [64, 28, 28, 1] batches of the package digits mapped to [-1, 1]', async () => {
    const raw = await loadMnistRaw();
    const before = tf.memory().numTensors;
    const data = await mnistDataset({ batchSize: 64, seed: 3 });
    const [batch] = await firstBatches(data, 1);
    expect(batch!.shape).toEqual([64, 28, 28, 1]);
    expect(batch!.dtype).toBe('float32');
    const values = await batch!.data();
    // Every image of the batch is one of the raw digits, scaled 2x − 1 (find it by its pixels).
    const rows = new Set<number>();
    for (let k = 0; k < 64; k++) {
      const img = values.subarray(k * 784, (k + 1) * 784);
      let found = -1;
      for (let r = 0; r < raw.count && found < 0; r++) {
        let same = true;
        for (let p = 0; p < 784 && same; p++) same = Math.abs(raw.images[r * 784 + p]! * 2 - 1 - img[p]!) < 1e-6;
        if (same) found = r;
      }
      expect(found).toBeGreaterThanOrEqual(0);
      rows.add(found);
    }
    // Shuffled: the 64 digits are not the package's first 64 (all zeros), and come from several classes.
    expect(new Set([...rows].map((r) => raw.labels[r])).size).toBeGreaterThan(5);
    tf.dispose(batch);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives the same batches for the same seed, a new order every epoch, and drops the partial batch', async () => {
    const a = await mnistDataset({ batchSize: 400, seed: 7, digits: [1], labels: true });
    const b = await mnistDataset({ batchSize: 400, seed: 7, digits: [1], labels: true });
    const epochA1 = await a.toArray();
    const epochA2 = await a.toArray();
    const epochB1 = await b.toArray();
    // 1,127 ones: two full batches of 400 per epoch, the 327 left over are dropped.
    expect(epochA1.length).toBe(2);
    expect(epochA1.every((x) => x.images.shape[0] === 400 && x.labels.shape[0] === 400)).toBe(true);
    const sum = async (t: tf.Tensor): Promise<number[]> => Array.from(await t.sum([1, 2, 3]).data());
    expect(await sum(epochA1[0]!.images)).toEqual(await sum(epochB1[0]!.images));
    expect(await sum(epochA1[0]!.images)).not.toEqual(await sum(epochA2[0]!.images));
    tf.dispose([epochA1, epochA2, epochB1] as unknown as tf.TensorContainer);
  });

  it('keeps only the requested digits and labels them as int32 class ids', async () => {
    const data = await mnistDataset({ batchSize: 50, seed: 1, digits: [3, 7], labels: true });
    const batches = await data.toArray();
    const labels = new Set<number>();
    for (const { labels: l } of batches) {
      expect(l.dtype).toBe('int32');
      (await l.data()).forEach((v) => labels.add(v));
    }
    expect([...labels].sort()).toEqual([3, 7]);
    tf.dispose(batches as unknown as tf.TensorContainer);
  });

  it('loads the held-out split (the classifier\'s 1,500 test digits) with their labels', async () => {
    const raw = await loadMnistRaw();
    const { images, labels } = await loadMnist({ split: 'test', range: [0, 1] });
    expect(images.shape).toEqual([1500, 28, 28, 1]);
    const expected = Array.from(mnistSplit(raw.count).test).sort((x, y) => x - y);
    const l = await labels.data();
    expect(Array.from(l)).toEqual(expected.map((i) => raw.labels[i]));
    const v = await images.data();
    expect(Array.from(v.subarray(0, 784))).toEqual(Array.from(raw.images.subarray(expected[0]! * 784, expected[0]! * 784 + 784)));
    tf.dispose([images, labels]);
  });

  it('rejects bad options with the argument named', async () => {
    await expect(mnistDataset({ batchSize: 0 })).rejects.toThrow(InvalidArgumentError);
    await expect(mnistDataset({ digits: [10] })).rejects.toThrow(/options\.digits/);
    await expect(mnistDataset({ digits: [5], batchSize: 5000 })).rejects.toThrow(/options\.batchSize/);
    await expect(loadMnist({ split: 'valid' as 'test' })).rejects.toThrow(/options\.split/);
  });
});
