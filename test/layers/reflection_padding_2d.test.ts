import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { InvalidArgumentError, ReflectionPadding2D, ShapeError } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { expectClose, expectGradientToEveryWeight, expectNoLeak, expectSameOutputs, randomArray, roundTrip } from './helpers';

/** Index of the source row for padded position `p` (may be out of range) in a dimension of size n. */
function reflect(p: number, n: number): number {
  if (p < 0) return -p;
  if (p >= n) return 2 * (n - 1) - p;
  return p;
}

describeEachBackend('ReflectionPadding2D', () => {
  it('grows height and width by the padding, for all three padding forms', () => {
    const shapeOf = (padding: ConstructorParameters<typeof ReflectionPadding2D>[0]) =>
      (new ReflectionPadding2D(padding).apply(tf.input({ shape: [4, 5, 2] })) as tf.SymbolicTensor).shape;
    expect(shapeOf({})).toEqual([null, 6, 7, 2]);
    expect(shapeOf({ padding: 3 })).toEqual([null, 10, 11, 2]);
    expect(shapeOf({ padding: [1, 2] })).toEqual([null, 6, 9, 2]);
    expect(shapeOf({ padding: [[1, 2], [3, 0]] })).toEqual([null, 7, 8, 2]);
  });

  it('reflects without repeating the edge: row [1, 2, 3] padded by 2 is [3, 2, 1, 2, 3, 2, 1]', async () => {
    const x = tf.tensor4d([1, 2, 3, 1, 2, 3, 1, 2, 3], [1, 3, 3, 1]);
    const y = new ReflectionPadding2D({ padding: [0, 2] }).apply(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 3, 7, 1]);
    expect(Array.from(await y.data()).slice(0, 7)).toEqual([3, 2, 1, 2, 3, 2, 1]);
    tf.dispose([x, y]);
  });

  it('matches the reflection formula on every element for asymmetric padding', async () => {
    const [N, H, W, C] = [2, 4, 3, 2];
    const [[top, bottom], [left, right]] = [
      [3, 1],
      [2, 1],
    ];
    const xs = randomArray(N * H * W * C, 1);
    const x = tf.tensor4d(xs, [N, H, W, C]);
    const y = new ReflectionPadding2D({ padding: [[top, bottom], [left, right]] }).apply(x) as tf.Tensor;
    const Ho = H + top + bottom;
    const Wo = W + left + right;
    const expected: number[] = [];
    for (let n = 0; n < N; n++)
      for (let i = 0; i < Ho; i++)
        for (let j = 0; j < Wo; j++)
          for (let c = 0; c < C; c++) expected.push(xs[((n * H + reflect(i - top, H)) * W + reflect(j - left, W)) * C + c]!);
    expect(y.shape).toEqual([N, Ho, Wo, C]);
    expectClose(await y.data(), expected.map(Math.fround), 0);
    tf.dispose([x, y]);
  });

  it('passes back to each input pixel the sum of the gradients of its reflected copies', async () => {
    const [N, H, W, C] = [2, 3, 4, 1];
    const pad = 2;
    const x = tf.randomNormal([N, H, W, C], 0, 1, 'float32', 2);
    const r = randomArray(N * (H + 2 * pad) * (W + 2 * pad) * C, 3);
    const layer = new ReflectionPadding2D({ padding: pad });
    const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t) as tf.Tensor, tf.tensor(r, [N, H + 2 * pad, W + 2 * pad, C]))))(x);
    const expected = Array.from({ length: N * H * W * C }, () => 0);
    for (let n = 0; n < N; n++)
      for (let i = 0; i < H + 2 * pad; i++)
        for (let j = 0; j < W + 2 * pad; j++) {
          const src = (n * H + reflect(i - pad, H)) * W + reflect(j - pad, W);
          expected[src] += r[(n * (H + 2 * pad) + i) * (W + 2 * pad) + j]!;
        }
    expectClose(await grad.data(), expected, 1e-5);
    tf.dispose([x, grad]);
  });

  it('trains the convolution after it, and saves and loads with its padding, reproducing outputs exactly', async () => {
    const input = tf.input({ shape: [4, 4, 2] });
    const padded = new ReflectionPadding2D({ padding: [[1, 2], [2, 1]] }).apply(input) as tf.SymbolicTensor;
    const out = tf.layers.conv2d({ filters: 3, kernelSize: 3 }).apply(padded) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    expect(out.shape).toEqual([null, 5, 5, 3]);
    const x = tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 4);
    expectGradientToEveryWeight(model, x);
    const loaded = await roundTrip(model);
    expect((loaded.layers[1] as ReflectionPadding2D).padding).toEqual([
      [1, 2],
      [2, 1],
    ]);
    await expectSameOutputs(model, loaded, x);
    x.dispose();
  });

  it('rejects bad padding and padding as large as the input', () => {
    expect(() => new ReflectionPadding2D({ padding: -1 })).toThrow(InvalidArgumentError);
    expect(() => new ReflectionPadding2D({ padding: [1, 2, 3] as never })).toThrow(/padding/);
    expect(() => new ReflectionPadding2D({ padding: 3 }).apply(tf.input({ shape: [3, 8, 1] }))).toThrow(ShapeError);
    const layer = new ReflectionPadding2D({ padding: 2 });
    const x = tf.zeros([1, 2, 5, 1]);
    expect(() => layer.apply(x)).toThrow(/height > 2/);
    x.dispose();
  });

  it('leaks no tensors', () => {
    const layer = new ReflectionPadding2D();
    const x = tf.randomNormal([1, 3, 3, 2]);
    expectNoLeak(() => (layer.apply(x) as tf.Tensor).dispose());
    x.dispose();
  });
});
