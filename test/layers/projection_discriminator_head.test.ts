import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { InvalidArgumentError, ProjectionDiscriminatorHead, ShapeError } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import {
  expectClose,
  expectGradientsMatchFiniteDifferences,
  expectGradientToEveryWeight,
  expectNoLeak,
  expectSameOutputs,
  randomArray,
  roundTrip,
} from './helpers';
import { topSingularValue } from './reference';

function modelWith(layer: ProjectionDiscriminatorHead, channels: number): tf.LayersModel {
  const h = tf.input({ shape: [channels] });
  const y = tf.input({ shape: [1], dtype: 'int32' });
  return tf.model({ inputs: [h, y], outputs: layer.apply([h, y]) as tf.SymbolicTensor });
}

function setRandom(layer: ProjectionDiscriminatorHead, k: number, c: number, seed: number): { w: number[]; b: number; v: number[] } {
  const w = randomArray(c, seed);
  const b = randomArray(1, seed + 1)[0]!;
  const v = randomArray(k * c, seed + 2);
  // Non-trainable weights (spectral-norm vectors) keep their values.
  layer.setWeights([tf.tensor2d(w, [c, 1]), tf.tensor1d([b]), tf.tensor2d(v, [k, c]), ...layer.nonTrainableWeights.map((t) => t.read())]);
  return { w, b, v };
}

describeEachBackend('ProjectionDiscriminatorHead', () => {
  it('maps [features, labels] to logits [batch, 1] with kernel [C, 1], bias [1] and embeddings [K, C]', () => {
    const layer = new ProjectionDiscriminatorHead({ numClasses: 5 });
    const model = modelWith(layer, 8);
    expect(model.outputs[0]!.shape).toEqual([null, 1]);
    expect(layer.weights.map((w) => w.shape)).toEqual([[8, 1], [1], [5, 8]]);
    expect(model.countParams()).toBe(8 + 1 + 5 * 8);
    const noBias = new ProjectionDiscriminatorHead({ numClasses: 5, useBias: false });
    modelWith(noBias, 8);
    expect(noBias.countParams()).toBe(8 + 5 * 8);
  });

  it('computes φ·w + b + ⟨V[y], φ⟩ (Miyato & Koyama 2018)', async () => {
    const [K, C, N] = [4, 3, 5];
    const layer = new ProjectionDiscriminatorHead({ numClasses: K });
    const model = modelWith(layer, C);
    const { w, b, v } = setRandom(layer, K, C, 1);
    const hs = randomArray(N * C, 4, 2);
    const labels = [3, 0, 1, 3, 2];
    const out = model.predict([tf.tensor2d(hs, [N, C]), tf.tensor2d(labels, [N, 1], 'int32')]) as tf.Tensor;
    const expected = labels.map((y, n) => {
      let s = b;
      for (let c = 0; c < C; c++) s += hs[n * C + c]! * (w[c]! + v[y * C + c]!);
      return s;
    });
    expect(out.shape).toEqual([N, 1]);
    expectClose(await out.data(), expected, 1e-5);
    out.dispose();
  });

  it('sends a gradient to every weight, matching finite differences', () => {
    const layer = new ProjectionDiscriminatorHead({ numClasses: 3 });
    const model = modelWith(layer, 4);
    setRandom(layer, 3, 4, 5);
    const h = tf.randomNormal([4, 4], 0, 1, 'float32', 6);
    const y = tf.tensor2d([0, 1, 2, 1], [4, 1], 'int32');
    expectGradientToEveryWeight(model, [h, y]);
    expectGradientsMatchFiniteDifferences(model, [h, y]);
    tf.dispose([h, y]);
  });

  it('saves and loads, reproducing outputs exactly', async () => {
    const layer = new ProjectionDiscriminatorHead({ numClasses: 3, useBias: false });
    const model = modelWith(layer, 4);
    const loaded = await roundTrip(model);
    const copy = loaded.layers.find((l) => l instanceof ProjectionDiscriminatorHead) as ProjectionDiscriminatorHead;
    expect([copy.numClasses, copy.useBias]).toEqual([3, false]);
    const h = tf.randomNormal([3, 4], 0, 1, 'float32', 7);
    const y = tf.tensor2d([2, 0, 1], [3, 1], 'int32');
    await expectSameOutputs(model, loaded, [h, y]);
    tf.dispose([h, y]);
  });

  it('with spectral normalization divides ψ and V by their largest singular values', async () => {
    const [K, C, N] = [3, 4, 3];
    const layer = new ProjectionDiscriminatorHead({ numClasses: K, spectralNormalization: true, powerIterations: 40 });
    const model = modelWith(layer, C);
    expect(layer.nonTrainableWeights.map((w) => w.shape)).toEqual([[1], [C]]);
    const { w, b, v } = setRandom(layer, K, C, 20);
    const hs = randomArray(N * C, 21);
    const inputs = [tf.tensor2d(hs, [N, C]), tf.tensor2d([0, 2, 1], [N, 1], 'int32')];
    (model.apply(inputs, { training: true }) as tf.Tensor).dispose(); // converge u
    const out = model.predict(inputs) as tf.Tensor;
    const sw = topSingularValue(w, C, 1);
    const sv = topSingularValue(v, K, C);
    const expected = [0, 2, 1].map((y, n) => {
      let s = b;
      for (let c = 0; c < C; c++) s += hs[n * C + c]! * (w[c]! / sw + v[y * C + c]! / sv);
      return s;
    });
    expectClose(await out.data(), expected, 1e-4);
    expectGradientToEveryWeight(model, inputs);
    await expectSameOutputs(model, await roundTrip(model), inputs);
    tf.dispose([...inputs, out]);
  });

  it('rejects bad options and feature maps that were not pooled', () => {
    expect(() => new ProjectionDiscriminatorHead({ numClasses: 0 })).toThrow(InvalidArgumentError);
    const layer = new ProjectionDiscriminatorHead({ numClasses: 2 });
    expect(() => layer.apply([tf.input({ shape: [4, 4, 3] }), tf.input({ shape: [1] })])).toThrow(ShapeError);
  });

  it('leaks no tensors', () => {
    const model = modelWith(new ProjectionDiscriminatorHead({ numClasses: 3 }), 4);
    const h = tf.randomNormal([2, 4]);
    const y = tf.tensor2d([0, 2], [2, 1], 'int32');
    expectNoLeak(() => (model.predict([h, y]) as tf.Tensor).dispose());
    tf.dispose([h, y]);
  });
});
