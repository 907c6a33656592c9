import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, UnknownOptionError } from '../../../src/errors';
import { OptimizerGroup } from '../../../src/trainers/parts/optimizer_group';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const values = (v: tf.Tensor): number[] => Array.from(v.dataSync());
/** loss = Σ c·w² for each variable, so ∂loss/∂w = 2·c·w. */
const quadratic = (vars: tf.Variable[], c = 1) => (): tf.Scalar => tf.addN(vars.map((v) => tf.sum(tf.mul(c, tf.square(v))))) as tf.Scalar;

/** Adam's update of one element at iteration t from zero moments, written out (Kingma & Ba 2015, Algorithm 1). */
function adamFromZero(g: number, t: number, lr: number, b1: number, b2: number, eps: number): number {
  const m = (1 - b1) * g;
  const v = (1 - b2) * g * g;
  const mHat = m / (1 - b1 ** t);
  const vHat = v / (1 - b2 ** t);
  return -lr * mHat / (Math.sqrt(vHat) + eps);
}

describe('OptimizerGroup', () => {
  it('minimize updates exactly its variables (w ← w − lr·∇) and returns the loss', () => {
    const a = tf.variable(tf.tensor1d([1, -2]));
    const b = tf.variable(tf.tensor1d([3]));
    const group = new OptimizerGroup({ optimizer: tf.train.sgd(0.1), variables: [a] });
    const loss = group.minimize(quadratic([a, b]));
    expect(loss.dataSync()[0]).toBeCloseTo(1 + 4 + 9, 5);
    loss.dispose();
    expect(values(a)).toEqual([1 - 0.1 * 2, -2 - 0.1 * -4].map((x) => Math.fround(x)));
    expect(values(b)).toEqual([3]); // not in the group: untouched although the loss depends on it
    group.dispose();
    tf.dispose([a, b]);
  });

  it('setVariables keeps the Adam state of old variables and starts new ones from zero moments', async () => {
    const [lr, b1, b2, eps] = [0.01, 0.9, 0.999, 1e-7];
    const a = tf.variable(tf.tensor1d([1, 2]));
    const aRef = tf.variable(tf.tensor1d([1, 2]));
    const group = new OptimizerGroup({ optimizer: tf.train.adam(lr, b1, b2, eps), variables: [a], owned: true });
    const reference = new OptimizerGroup({ optimizer: tf.train.adam(lr, b1, b2, eps), variables: [aRef], owned: true });
    for (let i = 0; i < 2; i++) {
      group.minimize(quadratic([a])).dispose();
      reference.minimize(quadratic([aRef])).dispose();
    }
    // The network grows: a new variable b, listed first.
    const b = tf.variable(tf.tensor1d([0.5]));
    await group.setVariables([b, a]);
    expect(group.variables.map((v) => v.name)).toEqual([a.name, b.name]); // state order: a keeps its slot
    const before = values(b)[0]!;
    group.minimize(quadratic([a, b])).dispose();
    reference.minimize(quadratic([aRef])).dispose();
    expect(values(a)).toEqual(values(aRef)); // exactly the uninterrupted run
    // b: first moments from zero at the group's third iteration.
    expect(values(b)[0]).toBeCloseTo(before + adamFromZero(2 * before, 3, lr, b1, b2, eps), 6);
    group.dispose();
    reference.dispose();
    tf.dispose([a, aRef, b]);
  });

  it('setVariables drops the state of variables no longer listed', async () => {
    const a = tf.variable(tf.tensor1d([1]));
    const b = tf.variable(tf.tensor1d([2]));
    const group = new OptimizerGroup({ optimizer: tf.train.adam(0.01), variables: [a, b], owned: true });
    group.minimize(quadratic([a, b])).dispose();
    await group.setVariables([b]);
    const state = await group.getState();
    expect(state.weights.map((w) => w.name)).toEqual(['iter', `${b.name}/m`, `${b.name}/v`]);
    tf.dispose(state.weights.map((w) => w.tensor));
    group.dispose();
    tf.dispose([a, b]);
  });

  it('getState / setState: restoring a state replays the same next update, bit for bit', async () => {
    const w = tf.variable(tf.tensor1d([0.3, -0.7, 1.1]));
    const group = new OptimizerGroup({ optimizer: tf.train.adam(0.05, 0.5, 0.9), variables: [w], owned: true });
    for (let i = 0; i < 3; i++) group.minimize(quadratic([w])).dispose();
    const w0 = tf.clone(w);
    const state = await group.getState();
    expect(state.className).toBe('Adam');
    group.minimize(quadratic([w])).dispose();
    const w1 = values(w);
    group.minimize(quadratic([w])).dispose(); // move on, then go back
    w.assign(w0);
    await group.setState(state);
    group.minimize(quadratic([w])).dispose();
    expect(values(w)).toEqual(w1);
    tf.dispose([...state.weights.map((x) => x.tensor), w0, w]);
    group.dispose();
  });

  it('setState refuses another optimizer class; leaks nothing', async () => {
    const w = tf.variable(tf.tensor1d([1]));
    const adam = new OptimizerGroup({ optimizer: tf.train.adam(0.1), variables: [w], owned: true });
    const sgd = new OptimizerGroup({ optimizer: tf.train.sgd(0.1), variables: [w], owned: true });
    adam.minimize(quadratic([w])).dispose();
    const state = await adam.getState();
    await expect(sgd.setState(state)).rejects.toThrow(/'SGD'.*got "Adam"/);
    tf.dispose(state.weights.map((x) => x.tensor));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) adam.minimize(quadratic([w])).dispose();
    const s = await adam.getState();
    await adam.setState(s);
    tf.dispose(s.weights.map((x) => x.tensor));
    expect(tf.memory().numTensors).toBe(before);
    adam.dispose();
    sgd.dispose();
    w.dispose();
  });

  it('validates its options: unknown keys, clip norm, schedule and the rates it returns', () => {
    const w = tf.variable(tf.tensor1d([1]));
    const sgd = tf.train.sgd(0.1);
    expect(() => new OptimizerGroup({ optimizer: sgd, variables: [w], learningRate: 1 } as never)).toThrow(UnknownOptionError);
    expect(() => new OptimizerGroup({ optimizer: sgd, variables: [w], clipNorm: 0 })).toThrow(InvalidArgumentError);
    expect(() => new OptimizerGroup({ optimizer: sgd, variables: [tf.scalar(1) as never] })).toThrow(/variables/);
    const scheduled = new OptimizerGroup({ optimizer: sgd, variables: [w], schedule: (s) => (s < 2 ? 0.1 : -1) }, 'generator');
    scheduled.applySchedule(0, 'generator');
    expect(() => scheduled.applySchedule(2, 'generator')).toThrow(/schedule of generator at step 2/);
    w.dispose();
  });
});
