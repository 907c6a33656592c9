import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { InvalidArgumentError, PixelNormalization, ShapeError } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { expectClose, expectNoLeak, expectSameOutputs, randomArray, roundTrip } from './helpers';

describeEachBackend('PixelNormalization', () => {
  it('keeps the shape and has no weights', () => {
    const layer = new PixelNormalization();
    expect((layer.apply(tf.input({ shape: [4, 4, 8] })) as tf.SymbolicTensor).shape).toEqual([null, 4, 4, 8]);
    expect((new PixelNormalization().apply(tf.input({ shape: [16] })) as tf.SymbolicTensor).shape).toEqual([null, 16]);
    expect(layer.weights).toHaveLength(0);
  });

  it('scales [3, 4] to [3, 4]/√12.5 and every feature vector to unit mean square', async () => {
    const y = new PixelNormalization().apply(tf.tensor2d([[3, 4]])) as tf.Tensor;
    expectClose(await y.data(), [3 / Math.sqrt(12.5), 4 / Math.sqrt(12.5)], 1e-6);
    const xs = randomArray(2 * 3 * 2 * 5, 1, 4);
    const x = tf.tensor4d(xs, [2, 3, 2, 5]);
    const z = new PixelNormalization({ epsilon: 1e-8 }).apply(x) as tf.Tensor;
    const expected: number[] = [];
    for (let p = 0; p < 12; p++) {
      const v = xs.slice(p * 5, p * 5 + 5);
      const rms = Math.sqrt(v.reduce((s, t) => s + t * t, 0) / 5 + 1e-8);
      expected.push(...v.map((t) => t / rms));
    }
    expectClose(await z.data(), expected, 1e-5);
    expectClose(await tf.mean(tf.square(z), -1).data(), Array.from({ length: 12 }, () => 1), 1e-5);
    tf.dispose([x, y, z]);
  });

  it('has an input gradient that matches finite differences', async () => {
    const layer = new PixelNormalization();
    const xs = randomArray(2 * 3, 2);
    const r = tf.tensor2d(randomArray(6, 3), [2, 3]);
    const f = (t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t) as tf.Tensor, r));
    const grad = await tf.grad(f)(tf.tensor2d(xs, [2, 3])).data();
    const h = 1e-2;
    for (let k = 0; k < xs.length; k++) {
      const plus = xs.slice();
      plus[k] += h;
      const minus = xs.slice();
      minus[k] -= h;
      const numeric = (f(tf.tensor2d(plus, [2, 3])).dataSync()[0]! - f(tf.tensor2d(minus, [2, 3])).dataSync()[0]!) / (2 * h);
      expect(Math.abs(grad[k]! - numeric)).toBeLessThan(3e-3 + 2e-2 * Math.abs(numeric));
    }
    r.dispose();
  });

  it('saves and loads with its epsilon, reproducing outputs exactly', async () => {
    const input = tf.input({ shape: [2, 2, 3] });
    const model = tf.model({ inputs: input, outputs: new PixelNormalization({ epsilon: 1e-4 }).apply(input) as tf.SymbolicTensor });
    const loaded = await roundTrip(model);
    expect((loaded.layers[1] as PixelNormalization).epsilon).toBe(1e-4);
    const x = tf.randomNormal([2, 2, 2, 3], 0, 1, 'float32', 5);
    await expectSameOutputs(model, loaded, x);
    x.dispose();
  });

  it('rejects a bad epsilon and rank-1 input', () => {
    expect(() => new PixelNormalization({ epsilon: -1 })).toThrow(InvalidArgumentError);
    expect(() => new PixelNormalization().build([4])).toThrow(ShapeError);
  });

  it('leaks no tensors', () => {
    const layer = new PixelNormalization();
    const x = tf.randomNormal([2, 2, 2, 3]);
    expectNoLeak(() => (layer.apply(x) as tf.Tensor).dispose());
    x.dispose();
  });
});
