import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '../../../src/index';
import { ShapeError } from '../../../src/errors';
import type { AdversarialLoss } from '../../../src/losses/adversarial_loss';
import { nonSaturatingLoss } from '../../../src/losses/non_saturating';
import { relativisticLoss } from '../../../src/losses/relativistic';
import { OptimizerGroup } from '../../../src/trainers/parts/optimizer_group';
import { PenaltyRunner } from '../../../src/trainers/parts/penalty_runner';
import { discriminatorUpdate, generatorUpdate } from '../../../src/trainers/parts/updates';
import { Random } from '../../../src/trainers/random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** D(x) = w·x + c on 1-D data, G(z) = a·z: small enough to write every gradient by hand. */
function setup() {
  const w = tf.variable(tf.scalar(0.5));
  const c = tf.variable(tf.scalar(-0.2));
  const a = tf.variable(tf.scalar(1.5));
  const D = (x: tf.Tensor): tf.Tensor => tf.add(tf.mul(x, w), c);
  const G = (z: tf.Tensor): tf.Tensor => tf.mul(z, a);
  const dGroup = new OptimizerGroup({ optimizer: tf.train.sgd(0.1), variables: [w, c], owned: true });
  const gGroup = new OptimizerGroup({ optimizer: tf.train.sgd(0.1), variables: [a], owned: true });
  return { w, c, a, D, G, dGroup, gGroup };
}

describe('discriminatorUpdate / generatorUpdate', () => {
  it('one D update: the non-saturating loss and SGD step match the formulas, G is untouched', () => {
    const { w, c, a, D, dGroup } = setup();
    const real = tf.tensor1d([1, 2]);
    const fake = tf.tensor1d([-1, 0.5]);
    const before = tf.memory().numTensors;
    const d = discriminatorUpdate({ optimizer: dGroup, loss: nonSaturatingLoss(), discriminate: D, real, fake, step: 0, random: new Random(0) });
    // L_D = mean softplus(−D(r)) + mean softplus(D(f)), D(x) = 0.5x − 0.2
    const r = [1, 2].map((x) => 0.5 * x - 0.2);
    const f = [-1, 0.5].map((x) => 0.5 * x - 0.2);
    const expected = (softplus(-r[0]!) + softplus(-r[1]!)) / 2 + (softplus(f[0]!) + softplus(f[1]!)) / 2;
    expect(d.loss.dataSync()[0]).toBeCloseTo(expected, 5);
    expect(d.realLogitMean.dataSync()[0]).toBeCloseTo((r[0]! + r[1]!) / 2, 6);
    expect(d.fakeLogitMean.dataSync()[0]).toBeCloseTo((f[0]! + f[1]!) / 2, 6);
    // ∂L/∂w = mean(−σ(−r)·x_r) + mean(σ(f)·x_f); ∂L/∂c = mean(−σ(−r)) + mean(σ(f))
    const gw = (-sigmoid(-r[0]!) * 1 - sigmoid(-r[1]!) * 2) / 2 + (sigmoid(f[0]!) * -1 + sigmoid(f[1]!) * 0.5) / 2;
    const gc = (-sigmoid(-r[0]!) - sigmoid(-r[1]!)) / 2 + (sigmoid(f[0]!) + sigmoid(f[1]!)) / 2;
    expect(w.dataSync()[0]).toBeCloseTo(0.5 - 0.1 * gw, 6);
    expect(c.dataSync()[0]).toBeCloseTo(-0.2 - 0.1 * gc, 6);
    expect(a.dataSync()[0]).toBe(1.5);
    tf.dispose([d.loss, d.realLogitMean, d.fakeLogitMean]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([real, fake, w, c, a]);
  });

  it('penalties and extra terms enter the gradient and come back by name', () => {
    const { w, c, D, dGroup } = setup();
    const real = tf.tensor1d([1]);
    const fake = tf.tensor1d([0]);
    // Penalty k·w² (custom), extra term m·c: the update adds 2kw and m to the gradients.
    const penalties = new PenaltyRunner([{ name: 'wSquared', compute: () => tf.square(w) as tf.Scalar, weight: 2 }]);
    const plain = setup();
    const p = discriminatorUpdate({ optimizer: plain.dGroup, loss: nonSaturatingLoss(), discriminate: plain.D, real, fake, step: 0, random: new Random(0) });
    const d = discriminatorUpdate({
      optimizer: dGroup,
      loss: nonSaturatingLoss(),
      discriminate: D,
      real,
      fake,
      penalties,
      step: 0,
      random: new Random(0),
      extraTerms: () => ({ cTerm: tf.mul(c, 3) as tf.Scalar }),
    });
    expect(d.penalties['wSquared']!.dataSync()[0]).toBeCloseTo(2 * 0.25, 6);
    expect(d.terms['cTerm']!.dataSync()[0]).toBeCloseTo(-0.6, 6);
    expect(w.dataSync()[0]! - plain.w.dataSync()[0]!).toBeCloseTo(-0.1 * (2 * 2 * 0.5), 6);
    expect(c.dataSync()[0]! - plain.c.dataSync()[0]!).toBeCloseTo(-0.1 * 3, 6);
    tf.dispose([p.loss, p.realLogitMean, p.fakeLogitMean, d.loss, d.realLogitMean, d.fakeLogitMean, d.penalties['wSquared']!, d.terms['cTerm']!]);
  });

  it('one G update moves only G; D(real) is computed only for a loss that reads it', () => {
    for (const [loss, readsReal] of [[nonSaturatingLoss(), false], [relativisticLoss(), true]] as const) {
      const { w, a, D, G, gGroup } = setup();
      const z = tf.tensor1d([1, -1]);
      const real = tf.tensor1d([2, 2]);
      const discriminateReal = vi.fn(() => D(real));
      const g = generatorUpdate({ optimizer: gGroup, loss, generate: () => G(z), discriminate: D, discriminateReal });
      expect(discriminateReal).toHaveBeenCalledTimes(readsReal ? 1 : 0);
      expect(w.dataSync()[0]).toBe(0.5);
      if (!readsReal) {
        // L_G = mean softplus(−(w·a·z + c)); ∂/∂a = mean(−σ(−f)·w·z)
        const f = [1, -1].map((zz) => 0.5 * 1.5 * zz - 0.2);
        expect(g.loss.dataSync()[0]).toBeCloseTo((softplus(-f[0]!) + softplus(-f[1]!)) / 2, 5);
        const ga = (-sigmoid(-f[0]!) * 0.5 * 1 - sigmoid(-f[1]!) * 0.5 * -1) / 2;
        expect(a.dataSync()[0]).toBeCloseTo(1.5 - 0.1 * ga, 6);
      } else {
        expect(a.dataSync()[0]).not.toBe(1.5);
      }
      g.loss.dispose();
    }
  });

  it('a custom loss returning a non-scalar is a ShapeError, and nothing leaks or moves', () => {
    const { w, D, dGroup, gGroup, G } = setup();
    const perSample: AdversarialLoss = {
      name: 'per-sample',
      generatorUsesRealLogits: false,
      discriminatorLoss: (r, f) => tf.sub(f, r) as tf.Scalar,
      generatorLoss: (_r, f) => tf.neg(f) as tf.Scalar,
    };
    const real = tf.tensor1d([1, 2]);
    const fake = tf.tensor1d([0, 0]);
    const before = tf.memory().numTensors;
    expect(() => discriminatorUpdate({ optimizer: dGroup, loss: perSample, discriminate: D, real, fake, step: 0, random: new Random(0) })).toThrow(ShapeError);
    expect(() => discriminatorUpdate({ optimizer: dGroup, loss: perSample, discriminate: D, real, fake, step: 0, random: new Random(0) })).toThrow(/loss\.discriminatorLoss: expected a scalar/);
    expect(() => generatorUpdate({ optimizer: gGroup, loss: perSample, generate: () => G(fake), discriminate: D })).toThrow(/loss\.generatorLoss/);
    expect(w.dataSync()[0]).toBe(0.5);
    expect(tf.memory().numTensors).toBe(before);
  });
});
