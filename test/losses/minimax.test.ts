import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, minimaxLoss } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { bce64, expectClose, lossContractTests, mean64, softplus64 } from './reference';

// Goodfellow et al. 2014: D minimises BCE(r, 1 − s) + BCE(f, 0); G minimises log(1 − σ(f)) = −softplus(f).
const reference = (s: number) => ({
  discriminator: (r: readonly number[], f: readonly number[]) =>
    mean64(r.map((x) => bce64(x, 1 - s))) + mean64(f.map((x) => bce64(x, 0))),
  generator: (_r: readonly number[], f: readonly number[]) => mean64(f.map((x) => Math.log(1 - 1 / (1 + Math.exp(-x))))),
});

describeEachBackend('minimaxLoss', () => {
  describe('no label smoothing', () => {
    lossContractTests(() => minimaxLoss(), {
      ...reference(0),
      // log(1 − σ(x)) underflows to −Infinity in double precision for x = 100; −softplus(x) is the same value.
      generator: (_r, f) => -mean64(f.map(softplus64)),
    });
  });
  describe('labelSmoothing 0.1 (one-sided)', () => {
    lossContractTests(() => minimaxLoss({ labelSmoothing: 0.1 }), {
      ...reference(0.1),
      generator: (_r, f) => -mean64(f.map(softplus64)),
    });
  });

  it('uses the saturating generator loss log(1 − D(G(z))) (checked where it is representable)', () => {
    const f = [-3, -0.5, 0.25, 2];
    const t = tf.tensor1d(f);
    const g = minimaxLoss().generatorLoss(t, t);
    expectClose(g.dataSync()[0]!, reference(0).generator([], f));
    tf.dispose([t, g]);
  });

  it('is named and rejects label smoothing outside [0, 1)', () => {
    expect(minimaxLoss().name).toBe('minimax');
    expect(() => minimaxLoss({ labelSmoothing: 1 })).toThrow(InvalidArgumentError);
    expect(() => minimaxLoss({ labelSmoothing: -0.1 })).toThrow(/options\.labelSmoothing: expected a finite number in \[0, 1\)/);
    expect(() => minimaxLoss({ labelSmoothing: Number.NaN })).toThrow(InvalidArgumentError);
  });
});
