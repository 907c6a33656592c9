import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { InvalidArgumentError, MinibatchStdDev, ShapeError } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { expectClose, expectNoLeak, expectSameOutputs, randomArray, roundTrip } from './helpers';

/**
 * Float64 minibatch stddev for x [B, S, C] (S spatial positions): groups are {m, m + M, m + 2M, …} with
 * M = B / G; F new features, each averaging the std over the spatial positions and one channel group.
 */
function reference(x: number[], B: number, S: number, C: number, G: number, F: number, eps: number): number[] {
  const M = B / G;
  const perGroup: number[][] = [];
  for (let m = 0; m < M; m++) {
    const members = Array.from({ length: G }, (_, g) => g * M + m);
    const feats: number[] = [];
    for (let f = 0; f < F; f++) {
      let total = 0;
      const width = C / F;
      for (let s = 0; s < S; s++) {
        for (let c = f * width; c < (f + 1) * width; c++) {
          const values = members.map((b) => x[(b * S + s) * C + c]!);
          const mean = values.reduce((a, v) => a + v, 0) / G;
          const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / G;
          total += Math.sqrt(variance + eps);
        }
      }
      feats.push(total / (S * width));
    }
    perGroup.push(feats);
  }
  const y: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      for (let c = 0; c < C; c++) y.push(x[(b * S + s) * C + c]!);
      y.push(...perGroup[b % M]!);
    }
  }
  return y;
}

describeEachBackend('MinibatchStdDev', () => {
  it('appends numNewFeatures channels, for images and for flat features', () => {
    const shape = (args: ConstructorParameters<typeof MinibatchStdDev>[0], input: number[]) =>
      (new MinibatchStdDev(args).apply(tf.input({ shape: input })) as tf.SymbolicTensor).shape;
    expect(shape({}, [4, 4, 8])).toEqual([null, 4, 4, 9]);
    expect(shape({ numNewFeatures: 2 }, [4, 4, 8])).toEqual([null, 4, 4, 10]);
    expect(shape({}, [5])).toEqual([null, 6]);
  });

  it('appends the group standard deviation: [[1], [3]] becomes [[1, 1], [3, 1]]', async () => {
    const y = new MinibatchStdDev({ groupSize: 2, epsilon: 1e-8 }).apply(tf.tensor2d([[1], [3]])) as tf.Tensor;
    expectClose(await y.data(), [1, 1, 3, 1], 1e-6);
    y.dispose();
  });

  for (const [B, G, F] of [
    [4, 2, 1],
    [6, 3, 2],
    [3, 4, 1], // group clipped to the batch size
  ] as const) {
    it(`matches a float64 reference (batch ${B}, groupSize ${G}, ${F} new features)`, async () => {
      const [H, W, C] = [2, 3, 4];
      const xs = randomArray(B * H * W * C, B * 10 + G, 2);
      const x = tf.tensor4d(xs, [B, H, W, C]);
      const y = new MinibatchStdDev({ groupSize: G, numNewFeatures: F }).apply(x) as tf.Tensor;
      expect(y.shape).toEqual([B, H, W, C + F]);
      expectClose(await y.data(), reference(xs, B, H * W, C, Math.min(G, B), F, 1e-8), 1e-5);
      tf.dispose([x, y]);
    });
  }

  it('has an input gradient that matches finite differences', async () => {
    const layer = new MinibatchStdDev({ groupSize: 2, numNewFeatures: 2 });
    const shape = [4, 1, 2, 2];
    const xs = randomArray(16, 4);
    const r = tf.tensor(randomArray(4 * 2 * 4, 5), [4, 1, 2, 4]);
    const f = (t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t) as tf.Tensor, r));
    const grad = await tf.grad(f)(tf.tensor(xs, shape)).data();
    const h = 1e-2;
    for (let k = 0; k < xs.length; k += 3) {
      const plus = xs.slice();
      plus[k] += h;
      const minus = xs.slice();
      minus[k] -= h;
      const numeric = (f(tf.tensor(plus, shape)).dataSync()[0]! - f(tf.tensor(minus, shape)).dataSync()[0]!) / (2 * h);
      expect(Math.abs(grad[k]! - numeric)).toBeLessThan(3e-3 + 2e-2 * Math.abs(numeric));
    }
    r.dispose();
  });

  it('saves and loads with its options, reproducing outputs exactly', async () => {
    const input = tf.input({ shape: [2, 2, 4] });
    const out = new MinibatchStdDev({ groupSize: 2, numNewFeatures: 2, epsilon: 1e-6 }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(tf.layers.flatten().apply(out)) as tf.SymbolicTensor });
    const loaded = await roundTrip(model);
    const copy = loaded.layers[1] as MinibatchStdDev;
    expect([copy.groupSize, copy.numNewFeatures, copy.epsilon]).toEqual([2, 2, 1e-6]);
    const x = tf.randomNormal([4, 2, 2, 4], 0, 1, 'float32', 6);
    await expectSameOutputs(model, loaded, x);
    x.dispose();
  });

  it('rejects a batch the group size does not divide, and channel groups that do not divide C', () => {
    const layer = new MinibatchStdDev({ groupSize: 4 });
    const x = tf.zeros([6, 2, 2, 3]);
    expect(() => layer.apply(x)).toThrow(ShapeError);
    expect(() => layer.apply(x)).toThrow(/divisible by the group size 4/);
    expect(() => new MinibatchStdDev({ numNewFeatures: 2 }).apply(tf.input({ shape: [2, 2, 3] }))).toThrow(InvalidArgumentError);
    expect(() => new MinibatchStdDev({ groupSize: 0 })).toThrow(/groupSize/);
    x.dispose();
  });

  it('leaks no tensors', () => {
    const layer = new MinibatchStdDev();
    const x = tf.randomNormal([8, 2, 2, 3]);
    expectNoLeak(() => (layer.apply(x) as tf.Tensor).dispose());
    x.dispose();
  });
});
