import { expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { describeEachBackend } from '../helpers/backends';
import { InvalidArgumentError } from '../../src/errors';
import { nonSaturatingLoss } from '../../src/losses/non_saturating';
import { relativisticLoss } from '../../src/losses/relativistic';
import { GanTrainer } from '../../src/trainers/gan_trainer';
import { resolveTopK, selectTopK, topKSize } from '../../src/trainers/top_k';

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A linear model y = x·kernel + bias with the given weights. */
function linear(kernel: number, bias: number): tf.Sequential {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
  model.setWeights([tf.tensor2d([kernel], [1, 1]), tf.tensor1d([bias])]);
  return model;
}

const Z = [0.3, -1.2, 0.8, 2.1, -0.4, 1.5, -2.2, 0.05];
const REAL = [0.5, 1.1, -0.3, 0.9, 0.2, 1.7, 0.6, -0.8];
const A = 1.5; // D(x) = A·x + C, frozen (learning rate 0)
const C = 0.2;
const LR = 0.1;

/**
 * dL_G/d(w, b) for G(z) = w·z + b, D linear and frozen, with only the k samples of highest D(G(z)) in the loss,
 * in float64: non-saturating L = mean_S softplus(−f); RaSGAN L = ½[mean_j softplus(r_j − m_S) + mean_S softplus(−(f_i − m_r))].
 */
function expectedGradient(loss: 'ns' | 'rasgan', w: number, b: number, k: number): [number, number] {
  const f = Z.map((z) => A * (w * z + b) + C);
  const order = f.map((_, i) => i).sort((i, j) => f[j]! - f[i]!);
  const chosen = order.slice(0, k);
  const fS = chosen.map((i) => f[i]!);
  // dL/df_i for i in S.
  let dF: number[];
  if (loss === 'ns') {
    dF = fS.map((fi) => -sigmoid(-fi) / k);
  } else {
    const r = REAL.map((x) => A * x + C);
    const mS = mean(fS);
    const mR = mean(r);
    const fromReal = mean(r.map((rj) => sigmoid(rj - mS))) * (-1 / k); // ∂/∂f_i of mean_j softplus(r_j − m_S)
    dF = fS.map((fi) => 0.5 * (fromReal - sigmoid(-(fi - mR)) / k));
  }
  let gw = 0;
  let gb = 0;
  chosen.forEach((i, n) => {
    gw += dF[n]! * A * Z[i]!;
    gb += dF[n]! * A;
  });
  return [gw, gb];
}

describeEachBackend('Top-k training', () => {
  for (const lossName of ['ns', 'rasgan'] as const) {
    it(`${lossName}: the generator update follows the gradient of the top-k samples only, k following the schedule`, async () => {
      const generator = linear(0.7, -0.1);
      const discriminator = linear(A, C);
      const trainer = new GanTrainer({
        generator,
        discriminator,
        latentDim: 1,
        loss: lossName === 'ns' ? nonSaturatingLoss() : relativisticLoss(),
        generatorOptimizer: tf.train.sgd(LR),
        discriminatorOptimizer: tf.train.sgd(0),
        topK: { decay: 0.5, minFraction: 0.25, decayEvery: 1 },
        dataRangeCheck: 'off',
      });
      const z = tf.tensor2d(Z, [8, 1]);
      const real = tf.tensor2d(REAL, [8, 1]);
      const ks = [8, 4, 2, 2]; // ⌈8·0.5^s⌉, floored at ⌈0.25·8⌉ = 2
      let differsFromFullBatch = false;
      const before = tf.memory().numTensors;
      for (const k of ks) {
        expect(trainer.topKSize(8)).toBe(k);
        const [w0, b0] = generator.getWeights().map((t) => t.dataSync()[0]!) as [number, number];
        await trainer.trainStep(real, { z });
        const [w1, b1] = generator.getWeights().map((t) => t.dataSync()[0]!) as [number, number];
        const [gw, gb] = expectedGradient(lossName, w0, b0, k);
        expect(w1).toBeCloseTo(w0 - LR * gw, 5);
        expect(b1).toBeCloseTo(b0 - LR * gb, 5);
        const [fw] = expectedGradient(lossName, w0, b0, 8);
        if (k < 8 && Math.abs(fw - gw) > 1e-2) differsFromFullBatch = true;
        // D stays as it was (learning rate 0), so the hand computation's D is the trainer's.
        expect(discriminator.getWeights()[0]!.dataSync()[0]).toBeCloseTo(A, 6);
      }
      expect(differsFromFullBatch).toBe(true); // the test would notice a full-batch update
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([z, real]);
      trainer.dispose();
      generator.dispose();
      discriminator.dispose();
    });
  }

  it('selectTopK keeps the rows of highest mean logit (PatchGAN maps too) and passes gradient to them only', () => {
    // 4 samples, 2x1 patches: row means 0.5, 3, -1, 1.5 → top 2 are rows 1 and 3.
    const logits = tf.tensor4d([0, 1, 2, 4, -1, -1, 1, 2], [4, 2, 1, 1]);
    const chosen = selectTopK(logits, 2);
    expect(chosen.shape).toEqual([2, 2, 1, 1]);
    expect(Array.from(chosen.dataSync())).toEqual([2, 4, 1, 2]);
    const weights = tf.tensor4d([1, 2, 3, 4], [2, 2, 1, 1]);
    const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(selectTopK(x, 2), weights)))(logits);
    expect(Array.from(grad.dataSync())).toEqual([0, 0, 1, 2, 0, 0, 3, 4]);
    expect(selectTopK(logits, 4)).toBe(logits); // k = B: the logits themselves
    tf.dispose([logits, chosen, weights, grad]);
  });

  it('topKSize follows max(⌈ν·B⌉, ⌈B·γ^⌊s/every⌋⌉)', () => {
    const s = resolveTopK('topK', { decay: 0.99, minFraction: 0.75, decayEvery: 10 });
    expect(topKSize(s, 256, 0)).toBe(256);
    expect(topKSize(s, 256, 9)).toBe(256);
    expect(topKSize(s, 256, 10)).toBe(Math.ceil(256 * 0.99)); // 254
    expect(topKSize(s, 256, 200)).toBe(Math.ceil(256 * 0.99 ** 20)); // 210
    expect(topKSize(s, 256, 100_000)).toBe(192);
    expect(resolveTopK('topK', {})).toEqual({ decay: 0.99, minFraction: 0.5, decayEvery: 1 });
  });

  it('rejects bad options and a paired relativistic loss with InvalidArgumentError naming topK', () => {
    const make = (topK: object, loss = nonSaturatingLoss()): GanTrainer =>
      new GanTrainer({ generator: linear(1, 0), discriminator: linear(1, 0), latentDim: 1, loss, topK });
    for (const [bad, name] of [
      [{ decay: 0 }, 'topK.decay'],
      [{ decay: 1.2 }, 'topK.decay'],
      [{ minFraction: 0 }, 'topK.minFraction'],
      [{ minFraction: 1.5 }, 'topK.minFraction'],
      [{ decayEvery: 0.5 }, 'topK.decayEvery'],
    ] as const) {
      expect(() => make(bad)).toThrow(InvalidArgumentError);
      expect(() => make(bad)).toThrow(name);
    }
    expect(() => make({}, relativisticLoss({ average: false }))).toThrow(InvalidArgumentError);
    expect(() => make({}, relativisticLoss({ average: false }))).toThrow(/topK/);
    expect(() => make({}, relativisticLoss())).not.toThrow();
  });
});
