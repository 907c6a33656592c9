import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { AverageDownsample2D, InvalidArgumentError, NearestUpsample2D, ShapeError } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { expectClose, expectGradientToEveryWeight, expectNoLeak, expectSameOutputs, randomArray, roundTrip } from './helpers';
import { avgPool, nhwc, upsampleNearest } from './reference';

describeEachBackend('NearestUpsample2D and AverageDownsample2D', () => {
  it('scale height and width by the factor', () => {
    expect((new NearestUpsample2D().apply(tf.input({ shape: [3, 5, 2] })) as tf.SymbolicTensor).shape).toEqual([null, 6, 10, 2]);
    expect((new NearestUpsample2D({ factor: 3 }).apply(tf.input({ shape: [2, 1, 4] })) as tf.SymbolicTensor).shape).toEqual([null, 6, 3, 4]);
    expect((new AverageDownsample2D().apply(tf.input({ shape: [4, 6, 2] })) as tf.SymbolicTensor).shape).toEqual([null, 2, 3, 2]);
  });

  it('compute nearest upsampling and block averages, as the float64 references', async () => {
    const shape: [number, number, number, number] = [2, 2, 3, 2];
    const xs = randomArray(24, 1);
    const x = tf.tensor4d(xs, shape);
    const up = new NearestUpsample2D().apply(x) as tf.Tensor;
    expectClose(await up.data(), upsampleNearest(nhwc(xs, shape)).data, 1e-7);
    const big: [number, number, number, number] = [2, 6, 3, 2];
    const bs = randomArray(72, 2);
    const down = new AverageDownsample2D({ factor: 3 }).apply(tf.tensor4d(bs, big)) as tf.Tensor;
    expectClose(await down.data(), avgPool(nhwc(bs, big), 3).data, 1e-6);
    tf.dispose([x, up, down]);
  });

  it('have correct gradients for batch > 1 (block sums and block averages)', async () => {
    const shape: [number, number, number, number] = [3, 2, 2, 2];
    const x = tf.randomNormal(shape, 0, 1, 'float32', 3);
    const r = randomArray(3 * 4 * 4 * 2, 4);
    const gUp = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(new NearestUpsample2D().apply(t) as tf.Tensor, tf.tensor(r, [3, 4, 4, 2]))))(x);
    // d/dx of Σ r·up(x) is the sum of r over each 2x2 block, i.e. 4 × the block average.
    expectClose(await gUp.data(), avgPool(nhwc(r, [3, 4, 4, 2])).data.map((v) => 4 * v), 1e-5);
    const big = tf.randomNormal([3, 4, 4, 2], 0, 1, 'float32', 5);
    const s = randomArray(3 * 2 * 2 * 2, 6);
    const gDown = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(new AverageDownsample2D().apply(t) as tf.Tensor, tf.tensor(s, shape))))(big);
    expectClose(await gDown.data(), upsampleNearest(nhwc(s, shape)).data.map((v) => v / 4), 1e-6);
    tf.dispose([x, gUp, big, gDown]);
  });

  it('are twice differentiable: a gradient penalty through them matches finite differences', () => {
    // p(w) = Σ (∂/∂x Σ r·down(up(x)·w)²)², the shape of a gradient penalty, as a function of a weight w.
    const x = tf.randomNormal([2, 2, 2, 1], 0, 1, 'float32', 7);
    const r = tf.randomNormal([2, 2, 2, 1], 0, 1, 'float32', 8);
    const up = new NearestUpsample2D();
    const down = new AverageDownsample2D();
    const penalty = (w: tf.Tensor): tf.Scalar =>
      tf.tidy(() => {
        const inner = (t: tf.Tensor) => tf.sum(tf.mul(tf.square(down.apply(tf.mul(up.apply(t) as tf.Tensor, w)) as tf.Tensor), r));
        return tf.sum(tf.square(tf.grad(inner)(x))) as tf.Scalar;
      });
    const w0 = tf.scalar(0.7);
    const analytic = tf.grad(penalty)(w0).dataSync()[0]!;
    const h = 1e-2;
    const numeric = (penalty(tf.scalar(0.7 + h)).dataSync()[0]! - penalty(tf.scalar(0.7 - h)).dataSync()[0]!) / (2 * h);
    expect(Math.abs(analytic - numeric)).toBeLessThan(1e-2 * Math.abs(numeric) + 1e-3);
    tf.dispose([x, r, w0]);
  });

  it('save and load in a model, reproducing outputs exactly', async () => {
    const input = tf.input({ shape: [2, 2, 1] });
    let h = new NearestUpsample2D({ factor: 2 }).apply(input) as tf.SymbolicTensor;
    h = tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same' }).apply(h) as tf.SymbolicTensor;
    h = new AverageDownsample2D({ factor: 4 }).apply(h) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: h });
    expect(h.shape).toEqual([null, 1, 1, 2]);
    const x = tf.randomNormal([2, 2, 2, 1], 0, 1, 'float32', 9);
    expectGradientToEveryWeight(model, x);
    const loaded = await roundTrip(model);
    expect((loaded.layers[3] as AverageDownsample2D).factor).toBe(4);
    await expectSameOutputs(model, loaded, x);
    x.dispose();
  });

  it('reject bad factors and sizes the factor does not divide', () => {
    expect(() => new NearestUpsample2D({ factor: 0 })).toThrow(InvalidArgumentError);
    expect(() => new AverageDownsample2D().apply(tf.input({ shape: [3, 4, 1] }))).toThrow(ShapeError);
  });

  it('leak no tensors', () => {
    const x = tf.randomNormal([2, 4, 4, 2]);
    const up = new NearestUpsample2D();
    const down = new AverageDownsample2D();
    expectNoLeak(() => tf.dispose([up.apply(x) as tf.Tensor, down.apply(x) as tf.Tensor]));
    x.dispose();
  });
});
