import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEachBackend } from '../helpers/backends';
import { ShapeError } from '../../src/errors';
import { CycleGanTrainer } from '../../src/trainers/cycle_gan_trainer';
import { ImagePool } from '../../src/trainers/image_pool';
import { getLearningRate } from '../../src/trainers/optimizer_utils';
import { Random } from '../../src/trainers/random';

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gan-kit-cycle-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** y = x·K + c on 2-vectors ("images" of shape [2]). */
function linear(kernel: number[], bias: number[], units = 2): tf.Sequential {
  const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units })] });
  m.setWeights([tf.tensor2d(kernel, [2, units]), tf.tensor1d(bias)]);
  return m;
}

const K_G = [0.9, 0.2, -0.1, 1.1];
const C_G = [0.05, -0.1];
const K_F = [1.2, -0.3, 0.4, 0.7];
const C_F = [0.0, 0.2];
const W_A = [0.5, -0.8];
const W_B = [-0.6, 0.3];

function models() {
  return {
    generatorAB: linear(K_G, C_G),
    generatorBA: linear(K_F, C_F),
    discriminatorA: linear(W_A, [0.1], 1),
    discriminatorB: linear(W_B, [-0.2], 1),
  };
}

type Vec = number[];
const apply = (x: Vec[], k: number[], c: number[], units: number): Vec[] =>
  x.map((v) => Array.from({ length: units }, (_, j) => v[0]! * k[j]! + v[1]! * k[units + j]! + c[j]!));
const meanAll = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const l1 = (x: Vec[], y: Vec[]): number => meanAll(x.flatMap((v, i) => v.map((e, j) => Math.abs(e - y[i]![j]!))));
const mse = (x: Vec[], target: number): number => meanAll(x.map((v) => (v[0]! - target) ** 2));

describeEachBackend('CycleGanTrainer', () => {
  it('computes the reference losses (LSGAN, λ = 10, identity 0.5λ, halved D loss) of the pre-update models', async () => {
    const a: Vec[] = [[0.1, -0.4], [0.7, 0.2], [-0.5, 0.9]];
    const b: Vec[] = [[-0.2, 0.3], [0.8, -0.6], [0.0, 0.5]];
    const trainer = new CycleGanTrainer({ ...models(), seed: 1, dataRangeCheck: 'off' });
    const stats = await trainer.trainStep(tf.tensor2d(a), tf.tensor2d(b));
    const G = (x: Vec[]) => apply(x, K_G, C_G, 2);
    const F = (x: Vec[]) => apply(x, K_F, C_F, 2);
    const DA = (x: Vec[]) => apply(x, W_A, [0.1], 1);
    const DB = (x: Vec[]) => apply(x, W_B, [-0.2], 1);
    const advAB = mse(DB(G(a)), 1);
    const advBA = mse(DA(F(b)), 1);
    const cycleA = 10 * l1(F(G(a)), a);
    const cycleB = 10 * l1(G(F(b)), b);
    const idA = 5 * l1(F(a), a);
    const idB = 5 * l1(G(b), b);
    expect(stats.adversarialLossAB).toBeCloseTo(advAB, 5);
    expect(stats.adversarialLossBA).toBeCloseTo(advBA, 5);
    expect(stats.cycleLossA).toBeCloseTo(cycleA, 5);
    expect(stats.cycleLossB).toBeCloseTo(cycleB, 5);
    expect(stats.identityLossA).toBeCloseTo(idA, 5);
    expect(stats.identityLossB).toBeCloseTo(idB, 5);
    expect(stats.generatorLoss).toBeCloseTo(advAB + advBA + cycleA + cycleB + idA + idB, 5);
    // D sees the fakes of the same forward pass (the empty pool returns them): ½(MSE(D(real), 1) + MSE(D(fake), 0)).
    expect(stats.discriminatorLossA).toBeCloseTo(0.5 * (mse(DA(a), 1) + mse(DA(F(b)), 0)), 5);
    expect(stats.discriminatorLossB).toBeCloseTo(0.5 * (mse(DB(b), 1) + mse(DB(G(a)), 0)), 5);
    expect(trainer.poolA.count).toBe(3);
    trainer.dispose();
  });

  it('uses the reference defaults, updates both generators with one optimizer and leaves discriminators to theirs', async () => {
    const m = models();
    const trainer = new CycleGanTrainer({ ...m, seed: 2, dataRangeCheck: 'off', discriminatorOptimizer: tf.train.sgd(0) });
    expect([trainer.cycleWeight, trainer.identityWeight, trainer.discriminatorLossWeight, trainer.poolA.capacity, trainer.poolA.swapProbability]).toEqual([10, 0.5, 0.5, 50, 0.5]);
    expect(trainer.generatorOptimizer.getConfig()).toMatchObject({ learningRate: 2e-4, beta1: 0.5, beta2: 0.999 });
    const dA = Array.from(await m.discriminatorA.getWeights()[0]!.data());
    const gAB = Array.from(await m.generatorAB.getWeights()[0]!.data());
    const gBA = Array.from(await m.generatorBA.getWeights()[0]!.data());
    const x = tf.randomUniform([4, 2], -1, 1, 'float32', 5);
    await trainer.trainStep(x, x);
    expect(Array.from(await m.discriminatorA.getWeights()[0]!.data())).toEqual(dA);
    expect(Array.from(await m.generatorAB.getWeights()[0]!.data())).not.toEqual(gAB);
    expect(Array.from(await m.generatorBA.getWeights()[0]!.data())).not.toEqual(gBA);
    x.dispose();
    trainer.dispose();
  });

  it('decays both learning rates linearly to 0 over the second half of totalSteps', async () => {
    const trainer = new CycleGanTrainer({ ...models(), seed: 6, dataRangeCheck: 'off', learningRateDecay: { totalSteps: 6 } });
    const x = tf.randomUniform([2, 2], -1, 1, 'float32', 7);
    const rates: number[] = [];
    for (let i = 0; i < 6; i++) {
      await trainer.trainStep(x, x);
      rates.push(getLearningRate(trainer.discriminatorOptimizer)!);
      expect(getLearningRate(trainer.generatorOptimizer)).toBe(rates[i]);
    }
    [2e-4, 2e-4, 2e-4, 2e-4, (2 * 2e-4) / 3, 2e-4 / 3].forEach((r, i) => expect(rates[i]).toBeCloseTo(r, 12));
    x.dispose();
    trainer.dispose();
  });

  it('is leak-free once the pools are full, and restores pools and random state exactly', async () => {
    const trainer = new CycleGanTrainer({ ...models(), seed: 3, dataRangeCheck: 'off', poolSize: 10 });
    const data = new Random(4);
    const batch = () => tf.tensor2d(data.fillUniform(new Float32Array(8), -1, 1), [4, 2]);
    const a = batch();
    const b = batch();
    let after10 = -1;
    for (let i = 1; i <= 100; i++) {
      await trainer.trainStep(a, b);
      if (i === 10) after10 = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(after10);
    const dir = join(root, `restore-${tf.getBackend()}`);
    await trainer.save(dir);
    const continued = [];
    for (let i = 0; i < 3; i++) continued.push(await trainer.trainStep(a, b));
    const copy = new CycleGanTrainer({ ...models(), seed: 99, dataRangeCheck: 'off', poolSize: 10 });
    await copy.restore(dir);
    expect(copy.poolA.count).toBe(10);
    for (let i = 0; i < 3; i++) expect(await copy.trainStep(a, b)).toEqual(continued[i]);
    tf.dispose([a, b]);
    trainer.dispose();
    copy.dispose();
  });

  it('translates, checks shapes, and requires equal domains for the identity loss', async () => {
    const trainer = new CycleGanTrainer({ ...models(), dataRangeCheck: 'off' });
    const x = tf.tensor2d([[1, 2]]);
    const y = trainer.translate(x, 'AB');
    const expected = apply([[1, 2]], K_G, C_G, 2)[0]!;
    Array.from(await y.data()).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    await expect(trainer.trainStep(tf.zeros([2, 3]), x)).rejects.toThrow(ShapeError);
    const toThree = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 3 })] });
    const fromThree = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
    const dB3 = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 1 })] });
    const shapes = { generatorAB: toThree, generatorBA: fromThree, discriminatorA: linear(W_A, [0], 1), discriminatorB: dB3 };
    expect(() => new CycleGanTrainer(shapes)).toThrow(/identityWeight: 0/);
    expect(() => new CycleGanTrainer({ ...shapes, identityWeight: 0 })).not.toThrow();
    tf.dispose([x, y]);
    trainer.dispose();
  });
});

describe('ImagePool', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('fills up, then returns a stored image (and stores the new one) with the swap probability', async () => {
    const pool = new ImagePool({ size: 5, swapProbability: 0.5 });
    const random = new Random(1);
    const seen = new Set<number>();
    // Image k is the 1×1 "image" k.
    const first = pool.query(tf.tensor2d([[0], [1], [2], [3], [4]]), random);
    expect(Array.from(await first.data())).toEqual([0, 1, 2, 3, 4]);
    [0, 1, 2, 3, 4].forEach((k) => seen.add(k));
    let swaps = 0;
    let total = 0;
    for (let q = 0; q < 400; q++) {
      const ids = [5 + 2 * q, 6 + 2 * q];
      const input = tf.tensor2d(ids, [2, 1]);
      const out = pool.query(input, random);
      input.dispose();
      for (const v of Array.from(await out.data())) {
        total++;
        if (!ids.includes(v)) {
          swaps++;
          expect(seen.has(v)).toBe(true); // a stored image, handed out at most once
          seen.delete(v);
        }
      }
      ids.forEach((k) => seen.add(k));
      out.dispose();
    }
    expect(pool.count).toBe(5);
    expect(Math.abs(swaps / total - 0.5)).toBeLessThan(0.06);
    const input = tf.tensor2d([[1], [2]]);
    const before = tf.memory().numTensors;
    const out = pool.query(input, random);
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
    input.dispose();
    first.dispose();
    pool.dispose();
  });
});
