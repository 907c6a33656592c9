import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import {
  ConditionalBatchNormalization,
  discriminatorResidualBlock,
  generatorResidualBlock,
  InvalidArgumentError,
  ShapeError,
  SpectralNormalization,
} from '../../src/index';
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
import { add, avgPool, batchMoments, conv2dSame, nhwc, normalize, relu, upsampleNearest, type Nhwc } from './reference';

const conv = (c: number, f: number, k: number) => k * k * c * f + f;

/** Gives every weight of the named layers seeded random values (variances positive) and returns them. */
function randomize(model: tf.LayersModel, seed: number): Map<string, number[]> {
  const values = new Map<string, number[]>();
  model.weights.forEach((w, i) => {
    let v = randomArray(w.shape.reduce((a: number, b) => a * (b as number), 1), seed + i, 0.8);
    if (w.originalName.endsWith('moving_variance')) v = v.map((t) => 0.5 + Math.abs(t));
    values.set(w.originalName, v);
  });
  model.setWeights(model.weights.map((w) => tf.tensor(values.get(w.originalName)!, w.shape as number[])));
  return values;
}

function generatorModel(cin: number, options: Parameters<typeof generatorResidualBlock>[1], conditional = false): tf.LayersModel {
  const x = tf.input({ shape: [2, 2, cin] });
  if (!conditional) return tf.model({ inputs: x, outputs: generatorResidualBlock(x, options) });
  const y = tf.input({ shape: [1], dtype: 'int32' });
  return tf.model({ inputs: [x, y], outputs: generatorResidualBlock(x, { ...options, labels: y }) });
}

describeEachBackend('generatorResidualBlock', () => {
  it('doubles H and W, sets the channels, and has the hand-counted parameters', () => {
    const model = generatorModel(3, { filters: 5 });
    expect(model.outputs[0]!.shape).toEqual([null, 4, 4, 5]);
    // BN(3) + conv3x3 3→5 + BN(5) + conv3x3 5→5 + shortcut conv1x1 3→5.
    expect(model.countParams()).toBe(4 * 3 + conv(3, 5, 3) + 4 * 5 + conv(5, 5, 3) + conv(3, 5, 1));
    const same = generatorModel(4, { filters: 4, upsample: false, normalization: 'none' });
    expect(same.outputs[0]!.shape).toEqual([null, 2, 2, 4]);
    expect(same.countParams()).toBe(2 * conv(4, 4, 3)); // identity shortcut
    const cbn = generatorModel(3, { filters: 2, normalization: 'conditional-batch', numClasses: 7 }, true);
    expect(cbn.countParams()).toBe(7 * 3 * 2 + 2 * 3 + conv(3, 2, 3) + 7 * 2 * 2 + 2 * 2 + conv(2, 2, 3) + conv(3, 2, 1));
    expect(cbn.layers.filter((l) => l instanceof ConditionalBatchNormalization)).toHaveLength(2);
  });

  it('matches a float64 reference: BN → ReLU → up → conv → BN → ReLU → conv, plus up → conv1x1', async () => {
    const [N, C, F] = [2, 3, 2];
    const eps = 1e-5;
    const model = generatorModel(C, { filters: F, name: 'g', epsilon: eps });
    const w = randomize(model, 10);
    const get = (name: string) => w.get(name)!;
    const xs = randomArray(N * 2 * 2 * C, 1, 2);
    const x: Nhwc = nhwc(xs, [N, 2, 2, C]);
    let h = normalize(x, get('g_norm1/moving_mean'), get('g_norm1/moving_variance'), get('g_norm1/gamma'), get('g_norm1/beta'), eps);
    h = conv2dSame(upsampleNearest(relu(h)), get('g_conv1/kernel'), 3, F, get('g_conv1/bias'));
    h = normalize(h, get('g_norm2/moving_mean'), get('g_norm2/moving_variance'), get('g_norm2/gamma'), get('g_norm2/beta'), eps);
    h = conv2dSame(relu(h), get('g_conv2/kernel'), 3, F, get('g_conv2/bias'));
    const shortcut = conv2dSame(upsampleNearest(x), get('g_shortcut_conv/kernel'), 1, F, get('g_shortcut_conv/bias'));
    const out = model.predict(tf.tensor4d(xs, [N, 2, 2, C])) as tf.Tensor;
    expectClose(await out.data(), add(h, shortcut).data, 1e-4);
    out.dispose();
  });

  it('with conditional batch norm in training matches a reference using batch statistics and per-class gains', async () => {
    const [N, C, F, K] = [3, 2, 2, 4];
    const eps = 1e-5;
    const model = generatorModel(C, { filters: F, name: 'c', normalization: 'conditional-batch', numClasses: K, upsample: false }, true);
    const w = randomize(model, 30);
    const get = (name: string) => w.get(name)!;
    const labels = [3, 0, 3];
    const cbn = (t: Nhwc, layer: string): Nhwc => {
      const { mean, variance } = batchMoments(t);
      const [, H, W, Ch] = t.shape;
      const g = get(`${layer}/gamma`);
      const b = get(`${layer}/beta`);
      return nhwc(
        t.data.map((v, i) => {
          const c = i % Ch;
          const n = Math.floor(i / (H * W * Ch));
          return ((v - mean[c]!) / Math.sqrt(variance[c]! + eps)) * g[labels[n]! * Ch + c]! + b[labels[n]! * Ch + c]!;
        }),
        t.shape,
      );
    };
    const xs = randomArray(N * 2 * 2 * C, 2, 2);
    const x = nhwc(xs, [N, 2, 2, C]);
    let h = conv2dSame(relu(cbn(x, 'c_norm1')), get('c_conv1/kernel'), 3, F, get('c_conv1/bias'));
    h = conv2dSame(relu(cbn(h, 'c_norm2')), get('c_conv2/kernel'), 3, F, get('c_conv2/bias'));
    const out = model.apply([tf.tensor4d(xs, [N, 2, 2, C]), tf.tensor2d(labels, [N, 1], 'int32')], { training: true }) as tf.Tensor;
    expectClose(await out.data(), add(h, x).data, 1e-4); // C = F and no upsampling: identity shortcut
    out.dispose();
  });

  it('sends a gradient to every trainable weight, matching finite differences', () => {
    const model = generatorModel(2, { filters: 2, normalization: 'conditional-batch', numClasses: 3 }, true);
    randomize(model, 57);
    const x = tf.randomNormal([2, 2, 2, 2], 0, 1, 'float32', 3);
    const y = tf.tensor2d([0, 2], [2, 1], 'int32');
    expectGradientToEveryWeight(model, [x, y]);
    expectGradientsMatchFiniteDifferences(model, [x, y], { entries: 2, step: 1e-3, absTol: 5e-3 });
    tf.dispose([x, y]);
  });

  it('saves and loads inside a model, reproducing outputs exactly', async () => {
    const model = generatorModel(3, { filters: 2, normalization: 'conditional-batch', numClasses: 3, name: 'blk' }, true);
    randomize(model, 70);
    const loaded = await roundTrip(model);
    expect(loaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    const x = tf.randomNormal([2, 2, 2, 3], 0, 1, 'float32', 4);
    const y = tf.tensor2d([1, 2], [2, 1], 'int32');
    await expectSameOutputs(model, loaded, [x, y]);
    tf.dispose([x, y]);
  });

  it('rejects conditional batch norm without labels, and bad filters', () => {
    const x = tf.input({ shape: [2, 2, 3] });
    expect(() => generatorResidualBlock(x, { filters: 2, normalization: 'conditional-batch', numClasses: 2 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => generatorResidualBlock(x, { filters: 0 })).toThrow(/filters/);
    expect(() => generatorResidualBlock(tf.input({ shape: [4] }), { filters: 2 })).toThrow(ShapeError);
  });
});

function discriminatorModel(cin: number, size: number, options: Parameters<typeof discriminatorResidualBlock>[1]): tf.LayersModel {
  const x = tf.input({ shape: [size, size, cin] });
  return tf.model({ inputs: x, outputs: discriminatorResidualBlock(x, options) });
}

describeEachBackend('discriminatorResidualBlock', () => {
  it('halves H and W, sets the channels, and has the hand-counted parameters', () => {
    const model = discriminatorModel(3, 4, { filters: 6 });
    expect(model.outputs[0]!.shape).toEqual([null, 2, 2, 6]);
    expect(model.countParams()).toBe(conv(3, 6, 3) + conv(6, 6, 3) + conv(3, 6, 1));
    const keep = discriminatorModel(6, 4, { filters: 6, downsample: false });
    expect(keep.outputs[0]!.shape).toEqual([null, 4, 4, 6]);
    expect(keep.countParams()).toBe(2 * conv(6, 6, 3)); // identity shortcut
    const first = discriminatorModel(3, 4, { filters: 6, preactivation: false });
    expect(first.countParams()).toBe(conv(3, 6, 3) + conv(6, 6, 3) + conv(3, 6, 1));
  });

  for (const preactivation of [true, false]) {
    it(`matches a float64 reference (${preactivation ? 'pre-activation' : 'first, "optimized"'} block)`, async () => {
      const [N, C, F, S] = [2, 2, 3, 4];
      const model = discriminatorModel(C, S, { filters: F, preactivation, name: 'd' });
      const w = randomize(model, preactivation ? 90 : 110);
      const get = (name: string) => w.get(name)!;
      const xs = randomArray(N * S * S * C, 5, 2);
      const x = nhwc(xs, [N, S, S, C]);
      let h = conv2dSame(preactivation ? relu(x) : x, get('d_conv1/kernel'), 3, F, get('d_conv1/bias'));
      h = avgPool(conv2dSame(relu(h), get('d_conv2/kernel'), 3, F, get('d_conv2/bias')));
      const shortcut = preactivation
        ? avgPool(conv2dSame(x, get('d_shortcut_conv/kernel'), 1, F, get('d_shortcut_conv/bias')))
        : conv2dSame(avgPool(x), get('d_shortcut_conv/kernel'), 1, F, get('d_shortcut_conv/bias'));
      const out = model.predict(tf.tensor4d(xs, [N, S, S, C])) as tf.Tensor;
      expectClose(await out.data(), add(h, shortcut).data, 1e-4);
      out.dispose();
    });
  }

  it('sends a gradient to every trainable weight, matching finite differences', () => {
    const model = discriminatorModel(2, 4, { filters: 2 });
    randomize(model, 130);
    const x = tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 6);
    expectGradientToEveryWeight(model, x);
    expectGradientsMatchFiniteDifferences(model, x, { entries: 2, step: 1e-3, absTol: 5e-3 });
    x.dispose();
  });

  it('saves and loads inside a model, reproducing outputs exactly', async () => {
    const model = discriminatorModel(2, 4, { filters: 3, preactivation: false });
    randomize(model, 150);
    const loaded = await roundTrip(model);
    const x = tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 7);
    await expectSameOutputs(model, loaded, x);
    x.dispose();
  });

  it('with spectral normalization wraps every conv (one u of F entries each), trains and saves/loads exactly', async () => {
    const model = discriminatorModel(2, 4, { filters: 3, spectralNormalization: true });
    expect(model.layers.filter((l) => l instanceof SpectralNormalization)).toHaveLength(3);
    expect(model.countParams()).toBe(conv(2, 3, 3) + conv(3, 3, 3) + conv(2, 3, 1) + 3 * 3);
    const g = generatorModel(2, { filters: 3, spectralNormalization: true });
    expect(g.countParams()).toBe(4 * 2 + conv(2, 3, 3) + 4 * 3 + conv(3, 3, 3) + conv(2, 3, 1) + 3 * 3);
    const x = tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 8);
    expectGradientToEveryWeight(model, x);
    await expectSameOutputs(model, await roundTrip(model), x);
    x.dispose();
  });

  it('rejects odd sizes when downsampling', () => {
    expect(() => discriminatorModel(2, 3, { filters: 2 })).toThrow(/even height and width/);
  });

  it('leaks no tensors', () => {
    const model = discriminatorModel(2, 4, { filters: 2 });
    const x = tf.randomNormal([2, 4, 4, 2]);
    expectNoLeak(() => (model.predict(x) as tf.Tensor).dispose());
    x.dispose();
  });
});
