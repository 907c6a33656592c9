import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { ConstantInput, ModulatedConv2D, initializeWeights } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { expectClose, expectGradientsMatchFiniteDifferences, expectNoLeak, expectSameOutputs, randomArray, roundTrip } from './helpers';

describeEachBackend('ConstantInput', () => {
  it('has one weight [size, size, C] (size²·C parameters) and outputs [batch, size, size, C]', () => {
    const layer = new ConstantInput({ channels: 8 });
    expect((layer.apply(tf.input({ shape: [16] })) as tf.SymbolicTensor).shape).toEqual([null, 4, 4, 8]);
    expect(layer.weights.map((w) => [w.originalName.split('/').pop(), w.shape])).toEqual([['constant', [4, 4, 8]]]);
    expect(layer.countParams()).toBe(4 * 4 * 8);
    const small = new ConstantInput({ channels: 3, size: 7 });
    small.apply(tf.input({ shape: [2] }));
    expect(small.countParams()).toBe(7 * 7 * 3);
  });

  it('gives every example the same learned constant, whatever the input values', async () => {
    const layer = new ConstantInput({ channels: 2, size: 2 });
    const c = randomArray(8, 1).map(Math.fround);
    const w = tf.randomNormal([3, 5], 0, 1, 'float32', 2);
    layer.apply(w);
    layer.setWeights([tf.tensor3d(c, [2, 2, 2])]);
    const y = layer.apply(w) as tf.Tensor;
    expect(y.shape).toEqual([3, 2, 2, 2]);
    expectClose(await y.data(), [...c, ...c, ...c], 0);
    tf.dispose([w, y]);
  });

  it('its gradient (the sum over the batch) matches finite differences inside a synthesis layer', () => {
    const w = tf.input({ shape: [3] });
    const start = new ConstantInput({ channels: 2, size: 2 }).apply(w) as tf.SymbolicTensor;
    const out = new ModulatedConv2D({ filters: 2 }).apply([start, w]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: w, outputs: out });
    initializeWeights(model, { seed: 3 });
    const wv = tf.randomNormal([3, 3], 0, 1, 'float32', 4);
    expectGradientsMatchFiniteDifferences(model, wv, { entries: 4 });
    wv.dispose();
  });

  it('saves and loads with its options, reproducing outputs exactly', async () => {
    const input = tf.input({ shape: [4] });
    const model = tf.model({ inputs: input, outputs: new ConstantInput({ channels: 3, size: 5 }).apply(input) as tf.SymbolicTensor });
    const loaded = await roundTrip(model);
    const copy = loaded.layers[1] as ConstantInput;
    expect([copy.channels, copy.size]).toEqual([3, 5]);
    const x = tf.randomNormal([2, 4], 0, 1, 'float32', 5);
    await expectSameOutputs(model, loaded, x);
    x.dispose();
  });

  it('rejects bad options', () => {
    expect(() => new ConstantInput({ channels: 0 })).toThrow(/ConstantInput\.channels/);
    expect(() => new ConstantInput({ channels: 2, size: 2.5 })).toThrow(/ConstantInput\.size/);
    expect(() => new ConstantInput(undefined as never)).toThrow(/ConstantInput\.channels/);
  });

  it('leaks no tensors', () => {
    const layer = new ConstantInput({ channels: 4 });
    const w = tf.randomNormal([2, 3]);
    expectNoLeak(() => (layer.apply(w) as tf.Tensor).dispose());
    w.dispose();
  });
});
