import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { FadeIn, InvalidArgumentError, NearestUpsample2D, ShapeError, initializeWeights, toRgb } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { expectClose, expectGradientsMatchFiniteDifferences, expectNoLeak, expectSameOutputs, randomArray, roundTrip } from './helpers';

/** A toy PGGAN output stage: old 2×2 toRGB upsampled to 4×4, blended with the new 4×4 toRGB. */
function fadeModel(alpha: number): { model: tf.LayersModel; fade: FadeIn } {
  const oldFeatures = tf.input({ shape: [2, 2, 3] });
  const newFeatures = tf.input({ shape: [4, 4, 2] });
  const oldRgb = new NearestUpsample2D().apply(toRgb({ channels: 1 }).apply(oldFeatures)) as tf.SymbolicTensor;
  const newRgb = toRgb({ channels: 1 }).apply(newFeatures) as tf.SymbolicTensor;
  const fade = new FadeIn({ alpha });
  const out = fade.apply([oldRgb, newRgb]) as tf.SymbolicTensor;
  return { model: tf.model({ inputs: [oldFeatures, newFeatures], outputs: out }), fade };
}

describeEachBackend('FadeIn', () => {
  it('has one non-trainable scalar weight alpha and keeps the shape', () => {
    const layer = new FadeIn({ alpha: 0.25 });
    const out = layer.apply([tf.input({ shape: [4, 4, 3] }), tf.input({ shape: [4, 4, 3] })]) as tf.SymbolicTensor;
    expect(out.shape).toEqual([null, 4, 4, 3]);
    expect(layer.trainableWeights).toHaveLength(0);
    expect(layer.nonTrainableWeights.map((w) => [w.originalName.split('/').pop(), w.shape])).toEqual([['alpha', []]]);
    expect(layer.countParams()).toBe(1);
    expect(layer.alpha).toBe(0.25);
  });

  it('computes (1 − α)·old + α·new; α = 0 and α = 1 give exactly old and exactly new', async () => {
    const a = randomArray(2 * 2 * 2 * 3, 1, 3);
    const b = randomArray(2 * 2 * 2 * 3, 2, 3);
    const [oldT, newT] = [tf.tensor4d(a, [2, 2, 2, 3]), tf.tensor4d(b, [2, 2, 2, 3])];
    const layer = new FadeIn();
    for (const alpha of [0, 0.3, 0.875, 1]) {
      if (layer.built) layer.setAlpha(alpha);
      else layer.build([[null, 2, 2, 3], [null, 2, 2, 3]]), layer.setAlpha(alpha);
      expect(layer.alpha).toBeCloseTo(alpha, 7);
      const y = layer.apply([oldT, newT]) as tf.Tensor;
      const data = await y.data();
      if (alpha === 0) expect(Array.from(data)).toEqual(Array.from(await oldT.data()));
      else if (alpha === 1) expect(Array.from(data)).toEqual(Array.from(await newT.data()));
      else expectClose(data, a.map((v, i) => (1 - alpha) * v + alpha * b[i]!), 1e-6);
      y.dispose();
    }
    tf.dispose([oldT, newT]);
  });

  it('passes gradients to both paths in proportion 1 − α and α (finite differences through a fading output stage)', async () => {
    const { model } = fadeModel(0.3);
    initializeWeights(model, { seed: 2 });
    const x = [tf.randomNormal([2, 2, 2, 3], 0, 1, 'float32', 3), tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 4)];
    expectGradientsMatchFiniteDifferences(model, x, { entries: 3 });
    const gIn = tf.grads((o: tf.Tensor, n: tf.Tensor) => tf.sum(new FadeIn({ alpha: 0.3 }).apply([o, n]) as tf.Tensor));
    const other = tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 7);
    const [go, gn] = gIn([x[1]!, other]) as [tf.Tensor, tf.Tensor];
    expectClose(await go.data(), Array.from({ length: go.size }, () => 0.7), 1e-6);
    expectClose(await gn.data(), Array.from({ length: gn.size }, () => 0.3), 1e-6);
    tf.dispose([...x, other, go, gn]);
  });

  it('a mid-fade checkpoint restores α exactly (weights and config), and outputs match bit for bit', async () => {
    const { model, fade } = fadeModel(0);
    initializeWeights(model, { seed: 1 });
    fade.setAlpha(0.3716);
    const loaded = await roundTrip(model);
    const copy = loaded.layers.find((l) => l instanceof FadeIn) as FadeIn;
    expect(copy.alpha).toBe(fade.alpha);
    expect(copy.getConfig()['alpha']).toBe(fade.alpha);
    const x = [tf.randomNormal([2, 2, 2, 3], 0, 1, 'float32', 5), tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 6)];
    await expectSameOutputs(model, loaded, x);
    // An optimizer step over the trainable weights leaves α alone.
    const optimizer = tf.train.sgd(0.1);
    const cost = optimizer.minimize(() => tf.sum(model.apply(x) as tf.Tensor) as tf.Scalar, true, model.trainableWeights.map((w) => w.read() as tf.Variable));
    cost?.dispose();
    expect(fade.alpha).toBe(Math.fround(0.3716));
    optimizer.dispose();
    tf.dispose(x);
  });

  it('rejects α outside [0, 1], mismatched inputs, and setAlpha before build', () => {
    expect(() => new FadeIn({ alpha: 1.5 })).toThrow(/FadeIn\.alpha/);
    expect(() => new FadeIn().setAlpha(0.5)).toThrow(InvalidArgumentError);
    const layer = new FadeIn();
    expect(() => layer.apply([tf.input({ shape: [2, 2, 1] }), tf.input({ shape: [4, 4, 1] })])).toThrow(ShapeError);
    expect(() => layer.apply(tf.input({ shape: [2, 2, 1] }))).toThrow(/list of 2 inputs/);
    const ok = new FadeIn();
    ok.apply([tf.input({ shape: [2] }), tf.input({ shape: [2] })]);
    expect(() => ok.setAlpha(-0.1)).toThrow(/setAlpha/);
    expect(() => ok.setAlpha(Number.NaN)).toThrow(InvalidArgumentError);
  });

  it('leaks no tensors, setting α included', () => {
    const layer = new FadeIn();
    const [a, b] = [tf.randomNormal([2, 3]), tf.randomNormal([2, 3])];
    layer.apply([a, b]);
    expectNoLeak(() => {
      layer.setAlpha(0.5);
      (layer.apply([a, b]) as tf.Tensor).dispose();
    });
    tf.dispose([a, b]);
  });
});
