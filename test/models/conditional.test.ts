import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ClassEmbedding,
  ConditionalBatchNormalization,
  conditionalDiscriminator,
  conditionalGenerator,
  GlobalSumPooling2D,
  InvalidArgumentError,
  ProjectionDiscriminatorHead,
} from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { expectClose, expectGradientToEveryWeight, expectSameOutputs, roundTrip } from '../layers/helpers';
import { bn, conv, convNoBias, dense, denseNoBias } from './counts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const labels = (ids: number[]) => tf.tensor2d(ids, [ids.length, 1], 'int32');

describe('conditionalGenerator', () => {
  it("with 'concat' embeds the label (K → K) and feeds [z, embedding] to the DCGAN-28 generator", () => {
    const g = conditionalGenerator();
    expect(g.inputs.map((i) => i.shape)).toEqual([
      [null, 100],
      [null, 1],
    ]);
    expect(g.outputs[0]!.shape).toEqual([null, 28, 28, 1]);
    expect(g.layers.filter((l) => l instanceof ClassEmbedding)).toHaveLength(1);
    const expected = 10 * 10 + denseNoBias(110, 7 * 7 * 256) + bn(7 * 7 * 256) + convNoBias(256, 128, 4) + bn(128) + conv(128, 1, 4);
    expect(g.countParams()).toBe(expected);
    const e = conditionalGenerator({ numClasses: 3, embeddingDim: 5, latentDim: 7, outputShape: [8, 8, 3], baseFilters: 4 });
    expect(e.countParams()).toBe(3 * 5 + denseNoBias(12, 4 * 4 * 4) + bn(4 * 4 * 4) + conv(4, 3, 4));
  });

  it("with 'batch-norm' uses per-class gains and biases in every norm instead of a label input to the dense layer", () => {
    const g = conditionalGenerator({ conditioning: 'batch-norm', numClasses: 4, outputShape: [16, 16, 1], latentDim: 8, baseFilters: 4 });
    expect(g.layers.filter((l) => l instanceof ConditionalBatchNormalization)).toHaveLength(2);
    // CBN over F channels: 2·K·F trainable + 2·F moving statistics.
    const cbn = (f: number) => 2 * 4 * f + 2 * f;
    expect(g.countParams()).toBe(denseNoBias(8, 4 * 4 * 8) + cbn(4 * 4 * 8) + convNoBias(8, 4, 4) + cbn(4) + conv(4, 1, 4));
    expect(() => conditionalGenerator({ conditioning: 'batch-norm', normalization: 'none' })).toThrow(InvalidArgumentError);
  });
});

describe('conditionalDiscriminator', () => {
  it("with 'projection' (default) scores global-sum-pooled DCGAN-28 features with a projection head", () => {
    const d = conditionalDiscriminator();
    expect(d.inputs.map((i) => i.shape)).toEqual([
      [null, 28, 28, 1],
      [null, 1],
    ]);
    expect(d.outputs[0]!.shape).toEqual([null, 1]);
    expect(d.layers.some((l) => l instanceof GlobalSumPooling2D)).toBe(true);
    expect(d.countParams()).toBe(conv(1, 64, 4) + convNoBias(64, 128, 4) + bn(128) + (128 + 1 + 10 * 128));
  });

  it("with 'concat' adds the label's learned H×W plane as an extra input channel", () => {
    const d = conditionalDiscriminator({ conditioning: 'concat', numClasses: 5 });
    expect(d.countParams()).toBe(5 * 28 * 28 + conv(2, 64, 4) + convNoBias(64, 128, 4) + bn(128) + dense(7 * 7 * 128, 1));
  });

  it('rejects an unknown conditioning', () => {
    expect(() => conditionalDiscriminator({ conditioning: 'film' as never })).toThrow(/conditioning/);
  });
});

describeEachBackend('conditional models (tiny)', () => {
  it('generator: the label changes the image, every weight gets a gradient, save/load is exact', async () => {
    for (const conditioning of ['concat', 'batch-norm'] as const) {
      const g = conditionalGenerator({ conditioning, numClasses: 3, latentDim: 4, outputShape: [8, 8, 1], baseFilters: 4, seed: 1 });
      // Nonzero per-class parameters, so that classes differ from the start.
      g.layers
        .filter((l) => l instanceof ConditionalBatchNormalization)
        .forEach((l) => l.setWeights(l.getWeights().map((w, i) => (i < 2 ? tf.randomUniform(w.shape, 0.5, 1.5, 'float32', i + 1) : w))));
      g.layers
        .filter((l) => l instanceof ClassEmbedding)
        .forEach((l) => l.setWeights([tf.randomUniform(l.getWeights()[0]!.shape, -1, 1, 'float32', 5)]));
      const z = tf.randomNormal([2, 4], 0, 1, 'float32', 1);
      const a = g.predict([z, labels([0, 0])]) as tf.Tensor;
      const b = g.predict([z, labels([1, 2])]) as tf.Tensor;
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeGreaterThan(1e-4);
      expectGradientToEveryWeight(g, [z, labels([0, 2])]);
      await expectSameOutputs(g, await roundTrip(g), [z, labels([2, 1])]);
      tf.dispose([z, a, b]);
    }
  });

  it('projection discriminator: logits are φ·w + b + ⟨V[y], φ⟩ of its pooled features', async () => {
    const d = conditionalDiscriminator({ numClasses: 3, inputShape: [8, 8, 1], baseFilters: 2, seed: 2 });
    const pool = d.layers.find((l) => l instanceof GlobalSumPooling2D)!;
    const head = d.layers.find((l) => l instanceof ProjectionDiscriminatorHead)!;
    const features = tf.model({ inputs: d.inputs[0]!, outputs: pool.output as tf.SymbolicTensor });
    const x = tf.randomNormal([3, 8, 8, 1], 0, 1, 'float32', 2);
    const y = [2, 0, 1];
    const phi = (features.predict(x) as tf.Tensor).arraySync() as number[][];
    const [w, b, v] = head.getWeights().map((t) => Array.from(t.dataSync()));
    const expected = phi.map((f, n) => b![0]! + f.reduce((s, fc, c) => s + fc * (w![c]! + v![y[n]! * f.length + c]!), 0));
    const out = d.predict([x, labels(y)]) as tf.Tensor;
    expectClose(await out.data(), expected, 1e-5);
    tf.dispose([x, out]);
  });

  it('discriminators: every weight gets a gradient and save/load is exact', async () => {
    for (const conditioning of ['projection', 'concat'] as const) {
      const d = conditionalDiscriminator({ conditioning, numClasses: 3, inputShape: [8, 8, 1], baseFilters: 2, seed: 3 });
      const x = tf.randomNormal([3, 8, 8, 1], 0, 1, 'float32', 3);
      expectGradientToEveryWeight(d, [x, labels([0, 1, 2])]);
      (d.apply([x, labels([0, 1, 2])], { training: true }) as tf.Tensor).dispose();
      await expectSameOutputs(d, await roundTrip(d), [x, labels([1, 1, 0])]);
      x.dispose();
    }
  });
});
