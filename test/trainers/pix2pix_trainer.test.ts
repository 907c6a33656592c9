import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/index';
import { ShapeError, UnknownOptionError } from '../../src/errors';
import { patchGanDiscriminator } from '../../src/models/patchgan_discriminator';
import { unetGenerator } from '../../src/models/unet_generator';
import { Pix2PixTrainer } from '../../src/trainers/pix2pix_trainer';
import { Random } from '../../src/trainers/random';

let root = '';
beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gan-kit-pix2pix-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A tiny U-Net and PatchGAN on 8x8x1 images, seeded, without dropout (tfjs' dropout is not seeded). */
function models(seed: number) {
  return {
    generator: unetGenerator({ inputShape: [8, 8, 1], filters: 4, numDownsampling: 2, dropout: 0, seed }),
    discriminator: patchGanDiscriminator({ inputShape: [8, 8, 2], filters: 4, numLayers: 1, seed: seed + 100 }),
  };
}

/** Seeded images in [-1, 1]: smooth blobs, and the mapping to learn: y = −x (an inverted image). */
function pairs(n: number, random: Random): { input: tf.Tensor4D; target: tf.Tensor4D } {
  const values = new Float32Array(n * 64);
  for (let i = 0; i < n; i++) {
    const [cx, cy, s] = [random.uniform() * 8, random.uniform() * 8, 1 + random.uniform() * 2];
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) values[i * 64 + y * 8 + x] = 2 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s)) - 1;
  }
  const input = tf.tensor4d(values, [n, 8, 8, 1]);
  return { input, target: tf.neg(input) as tf.Tensor4D };
}

describe('Pix2PixTrainer', () => {
  it('step losses match the paper\'s objective computed by hand on linear models', async () => {
    // G: a 1x1 convolution y = a·x + b per pixel; D: flatten [x, y] (4x4x2 = 32 values) → one logit, w·v + c.
    const generator = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 1, kernelSize: 1, activation: 'tanh' })] });
    generator.setWeights([tf.tensor4d([0.7], [1, 1, 1, 1]), tf.tensor1d([0.1])]);
    const discriminator = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 4, 2] }), tf.layers.dense({ units: 1 })] });
    const w = Array.from({ length: 32 }, (_, i) => ((i % 7) - 3) / 10);
    discriminator.setWeights([tf.tensor2d(w, [32, 1]), tf.tensor1d([0.05])]);
    const trainer = new Pix2PixTrainer({
      generator,
      discriminator,
      generatorOptimizer: tf.train.sgd(0),
      discriminatorOptimizer: tf.train.sgd(0),
      seed: 0,
    });
    const random = new Random(3);
    const x = Array.from({ length: 2 * 16 }, () => random.uniform() * 2 - 1);
    const y = Array.from({ length: 2 * 16 }, () => random.uniform() * 2 - 1);
    const stats = await trainer.trainStep({ input: tf.tensor4d(x, [2, 4, 4, 1]), target: tf.tensor4d(y, [2, 4, 4, 1]) });
    const g = x.map((v) => Math.tanh(0.7 * v + 0.1));
    // D's input per sample: channels interleaved [x, y] per pixel (NHWC concat on the last axis).
    const logit = (xs: number[], ys: number[], i: number): number => {
      let sum = 0.05;
      for (let p = 0; p < 16; p++) sum += w[2 * p]! * xs[i * 16 + p]! + w[2 * p + 1]! * ys[i * 16 + p]!;
      return sum;
    };
    const real = [0, 1].map((i) => logit(x, y, i));
    const fake = [0, 1].map((i) => logit(x, g, i));
    expect(stats.discriminatorLoss).toBeCloseTo(0.5 * (mean(real.map((r) => softplus(-r))) + mean(fake.map((f) => softplus(f)))), 5);
    expect(stats.generatorLoss).toBeCloseTo(mean(fake.map((f) => softplus(-f))), 5);
    expect(stats.l1Loss).toBeCloseTo(100 * mean(g.map((v, i) => Math.abs(v - y[i]!))), 3);
    expect(stats.realLogitMean).toBeCloseTo(mean(real), 5);
    expect(stats.fakeLogitMean).toBeCloseTo(mean(fake), 5);
    expect(stats.step).toBe(1);
  });

  it('resumes exactly: save then restore gives the same next-step losses, and steps leak nothing', async () => {
    const random = new Random(1);
    const data = Array.from({ length: 5 }, () => pairs(4, random));
    const a = new Pix2PixTrainer({ ...models(1), seed: 7, ema: { decay: 0.9 } });
    await a.trainStep(data[0]!);
    const before = tf.memory().numTensors;
    await a.trainStep(data[1]!);
    await a.trainStep(data[2]!);
    expect(tf.memory().numTensors).toBe(before);
    const dir = await a.save(join(root, 'resume'));
    expect(dir).toContain(join(root, 'resume'));
    const expected = [await a.trainStep(data[3]!), await a.trainStep(data[4]!)];

    const b = new Pix2PixTrainer({ ...models(2), seed: 99, ema: { decay: 0.9 } });
    await b.restore(join(root, 'resume'));
    expect(b.step).toBe(3);
    const resumed = [await b.trainStep(data[3]!), await b.trainStep(data[4]!)];
    expect(resumed).toEqual(expected);
    const ya = a.translate(data[0]!.input);
    const yb = b.translate(data[0]!.input);
    expect(Array.from(ya.dataSync())).toEqual(Array.from(yb.dataSync()));
    tf.dispose([ya, yb, ...data.flatMap((d) => [d.input, d.target])]);
    a.dispose();
    b.dispose();
  });

  it('learns a simple mapping (y = −x) far better than the untrained network, with fit', async () => {
    const random = new Random(5);
    const train = Array.from({ length: 8 }, () => pairs(8, random));
    const heldOut = pairs(32, random);
    const trainer = new Pix2PixTrainer({ ...models(3), seed: 3, generatorOptimizer: tf.train.adam(2e-3, 0.5), discriminatorOptimizer: tf.train.adam(2e-4, 0.5) });
    const error = (): number => {
      const y = trainer.translate(heldOut.input);
      const e = tf.mean(tf.abs(tf.sub(y, heldOut.target))).dataSync()[0]!;
      y.dispose();
      return e;
    };
    const untrained = error();
    const result = await trainer.fit(train.map((p) => [p.input, p.target] as const), { steps: 120 });
    expect(result.steps).toBe(120);
    const trained = error();
    // The seeded run (cpu): mean |error| 0.726 untrained → 0.095 after 120 steps; the bounds leave 2.5x room.
    expect(trained).toBeLessThan(0.35 * untrained);
    expect(trained).toBeLessThan(0.25);
    tf.dispose([heldOut.input, heldOut.target, ...train.flatMap((p) => [p.input, p.target])]);
    trainer.dispose();
  });

  it('validates its options and batches with typed errors', async () => {
    const m = models(4);
    expect(() => new Pix2PixTrainer({ ...m, l1weight: 10 } as never)).toThrow(UnknownOptionError);
    expect(() => new Pix2PixTrainer({ ...m, l1weight: 10 } as never)).toThrow(/l1Weight/);
    expect(() => new Pix2PixTrainer({ ...m, l1Weight: -1 })).toThrow(/l1Weight/);
    const wrongD = patchGanDiscriminator({ inputShape: [8, 8, 1], filters: 4, numLayers: 1, seed: 1 });
    expect(() => new Pix2PixTrainer({ generator: m.generator, discriminator: wrongD })).toThrow(ShapeError);
    expect(() => new Pix2PixTrainer({ generator: m.generator, discriminator: wrongD })).toThrow(/\[null, H, W, 2\]/);
    const trainer = new Pix2PixTrainer({ ...m, seed: 0 });
    const x = tf.zeros([2, 8, 8, 1]);
    await expect(trainer.trainStep({ input: x, target: tf.zeros([3, 8, 8, 1]) })).rejects.toThrow(/target/);
    await expect(trainer.trainStep({ input: x, targets: x } as never)).rejects.toThrow(UnknownOptionError);
    await expect(trainer.trainStep({ input: x, target: tf.fill([2, 8, 8, 1], 255) })).rejects.toThrow(/x\.div\(127\.5\)\.sub\(1\)/);
    x.dispose();
  });
});
