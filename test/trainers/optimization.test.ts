import { expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { describeEachBackend } from '../helpers/backends';
import { InvalidArgumentError } from '../../src/errors';
import { constantLearningRate, cosineDecay, linearDecay, stepDecay } from '../../src/trainers/learning_rate_schedules';
import { applyUpdate, clipByGlobalNorm, getLearningRate, setLearningRate } from '../../src/trainers/optimizer_utils';

describeEachBackend('optimizer utilities', () => {
  it('clipByGlobalNorm scales by min(1, maxNorm / ‖g‖) over all tensors', async () => {
    const g = [tf.tensor1d([3, 0]), tf.tensor2d([[0, 4]])]; // global norm 5
    const { gradients, globalNorm } = clipByGlobalNorm(g, 1);
    expect((await globalNorm.data())[0]).toBeCloseTo(5, 6);
    expect(Array.from(await gradients[0]!.data())).toEqual([0.6000000238418579, 0]);
    expect(Array.from(await gradients[1]!.data())).toEqual([0, 0.800000011920929]);
    const loose = clipByGlobalNorm(g, 10);
    expect(Array.from(await loose.gradients[0]!.data())).toEqual([3, 0]);
    expect(() => clipByGlobalNorm(g, 0)).toThrow(InvalidArgumentError);
    tf.dispose([...g, ...gradients, globalNorm, ...loose.gradients, loose.globalNorm]);
  });

  it('applyUpdate changes only the listed variables, keeps positions when a variable gets no gradient', async () => {
    const a = tf.variable(tf.tensor1d([1, 2]));
    const b = tf.variable(tf.tensor1d([3]));
    const outside = tf.variable(tf.tensor1d([5]));
    const sgd = tf.train.sgd(0.5);
    // loss = Σa² + outside²: b gets no gradient, outside is not listed.
    const loss = applyUpdate(sgd, () => tf.add(tf.sum(tf.square(a)), tf.sum(tf.square(outside))) as tf.Scalar, [a, b]);
    expect((await loss.data())[0]).toBe(30);
    expect(Array.from(await a.data())).toEqual([0, 0]); // a − 0.5·2a
    expect(Array.from(await b.data())).toEqual([3]);
    expect(Array.from(await outside.data())).toEqual([5]);
    tf.dispose([a, b, outside, loss]);
  });

  it('getLearningRate / setLearningRate read and change tfjs optimizers in place', async () => {
    const adam = tf.train.adam(1e-3);
    setLearningRate(adam, 5e-4);
    expect(getLearningRate(adam)).toBe(5e-4);
    const sgd = tf.train.sgd(1);
    setLearningRate(sgd, 0.25);
    const v = tf.variable(tf.scalar(2));
    sgd.minimize(() => tf.square(v) as tf.Scalar, false, [v]);
    expect((await v.data())[0]).toBe(1); // 2 − 0.25·4
    expect(() => setLearningRate(sgd, -1)).toThrow(InvalidArgumentError);
    v.dispose();
  });
});

describeEachBackend('learning-rate schedules', () => {
  it('follow their formulas', () => {
    expect(constantLearningRate(0.1)(1000)).toBe(0.1);
    const lin = linearDecay({ initial: 1, totalSteps: 10, decaySteps: 4, final: 0.2 });
    expect([0, 5, 6, 7, 8, 9, 10, 50].map(lin)).toEqual([1, 1, 1, 0.8, 0.6, 0.4, 0.2, 0.2].map((v) => expect.closeTo(v, 12)));
    const cos = cosineDecay({ initial: 1, totalSteps: 11, warmupSteps: 1 });
    expect(cos(0)).toBeCloseTo(0.5, 12);
    expect(cos(1)).toBeCloseTo(1, 12);
    expect(cos(6)).toBeCloseTo(0.5, 12);
    expect(cos(11)).toBeCloseTo(0, 12);
    const st = stepDecay({ initial: 0.8, every: 3, factor: 0.5 });
    expect([0, 2, 3, 6, 9].map(st)).toEqual([0.8, 0.8, 0.4, 0.2, 0.1]);
  });

  it('reject invalid options', () => {
    expect(() => linearDecay({ initial: 1, totalSteps: 4, decaySteps: 5 })).toThrow(InvalidArgumentError);
    expect(() => cosineDecay({ initial: 1, totalSteps: 4, warmupSteps: 4 })).toThrow(InvalidArgumentError);
    expect(() => stepDecay({ initial: 1, every: 0 })).toThrow(InvalidArgumentError);
    expect(() => constantLearningRate(-1)).toThrow(InvalidArgumentError);
  });
});
