import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { clipWeights, InvalidArgumentError } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { normalArray } from '../losses/reference';

describeEachBackend('clipWeights', () => {
  it('clips tf.Variables and a model’s LayerVariables to [−c, c] in place, leaving the rest unchanged', () => {
    const values = normalArray(12, 101, 0.05);
    const v = tf.variable(tf.tensor2d(values, [3, 4]));
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], biasInitializer: 'ones' })] });
    const kernelBefore = model.getWeights()[0]!.dataSync().slice();
    const before = tf.memory().numTensors;
    clipWeights([v], 0.01);
    clipWeights(model.trainableWeights, 0.5);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(v.dataSync())).toEqual(
      values.map((x) => Math.fround(Math.min(0.01, Math.max(-0.01, Math.fround(x))))),
    );
    const [kernel, bias] = model.getWeights();
    expect(Array.from(kernel!.dataSync())).toEqual(Array.from(kernelBefore).map((x) => Math.min(0.5, Math.max(-0.5, x))));
    expect(Array.from(bias!.dataSync())).toEqual([0.5, 0.5]);
    v.dispose();
    model.dispose(); // also frees kernel and bias (getWeights returns the variables themselves)
  });

  it('rejects a non-positive limit and non-variables with typed errors', () => {
    const v = tf.variable(tf.zeros([2]));
    const t = tf.zeros([2]);
    expect(() => clipWeights([v], 0)).toThrow(InvalidArgumentError);
    expect(() => clipWeights([v], -0.01)).toThrow(/limit: expected a finite number > 0/);
    expect(() => clipWeights([t as never], 0.01)).toThrow(/variables\[0\]: expected a tf.Variable or LayerVariable/);
    expect(() => clipWeights(v as never, 0.01)).toThrow(/variables: expected an array/);
    tf.dispose([v, t]);
  });
});
