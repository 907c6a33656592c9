/** gan-kit's wasm UnsortedSegmentSum against the cpu backend, and an Embedding layer trained on wasm. */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';

async function on<T>(backend: string, fn: () => T): Promise<T> {
  await tf.setBackend(backend);
  return fn();
}

describe('wasm UnsortedSegmentSum', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    await tf.ready();
  });

  it.each([
    { xShape: [6], ids: [0, 2, 2, 1, 0, 4], numSegments: 5 },
    { xShape: [5, 3], ids: [3, 0, 3, 1, 3], numSegments: 4 },
    { xShape: [4, 2, 3], ids: [1, 1, 0, 1], numSegments: 2 },
    { xShape: [6, 2], ids: [0, 1, 5, 2, -1, 0], numSegments: 3 }, // 5 and -1 are out of range: dropped
    { xShape: [0, 3], ids: [], numSegments: 2 },
  ])('matches a float64 reference and the cpu backend for x %j', async ({ xShape, ids, numSegments }) => {
    const size = xShape.reduce((a, b) => a * b, 1);
    const xs = Float32Array.from({ length: size }, (_, i) => Math.sin(i + 1) * 3);
    const flatIds = ids as number[];
    // Float64 reference: out[s] = Σ_{i: ids[i] = s} x[i], out-of-range ids dropped.
    const inner = xShape.slice(1).reduce((a, b) => a * b, 1);
    const reference = new Float64Array(numSegments * inner);
    flatIds.forEach((s, i) => {
      if (s < 0 || s >= numSegments) return;
      for (let j = 0; j < inner; j++) reference[s * inner + j] += xs[i * inner + j];
    });
    const run = () =>
      tf.tidy(() =>
        (tf.unsortedSegmentSum(tf.tensor(xs, xShape), tf.tensor1d(flatIds, 'int32'), numSegments) as tf.Tensor).dataSync().slice(),
      );
    const cpu = await on('cpu', run);
    const wasm = await on('wasm', run);
    expect(wasm.length).toBe(reference.length);
    reference.forEach((v, i) => {
      expect(wasm[i]).toBeCloseTo(v, 5);
      expect(cpu[i]).toBeCloseTo(v, 5);
    });
  });

  it('sums int32 values exactly', async () => {
    const out = await on('wasm', () =>
      tf.tidy(() => tf.unsortedSegmentSum(tf.tensor1d([5, 7, 11, 13], 'int32'), tf.tensor1d([1, 1, 0, 1], 'int32'), 2).arraySync()),
    );
    expect(out).toEqual([11, 25]);
  });

  it('lets an Embedding layer train on wasm with the same gradients as on cpu', async () => {
    const grads = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const table = tf.variable(tf.tensor2d([[1, 2], [3, 4], [5, 6]]));
        const ids = tf.tensor1d([2, 0, 2, 1], 'int32');
        const { grads: g } = tf.variableGrads(() => tf.sum(tf.square(tf.gather(table, ids))) as tf.Scalar, [table]);
        const out = g[table.name].arraySync();
        table.dispose();
        return out;
      });
    };
    const cpu = await grads('cpu');
    expect(cpu).toEqual([[2, 4], [6, 8], [20, 24]]); // 2·row, summed over the rows' occurrences
    expect(await grads('wasm')).toEqual(cpu);
  });
});
