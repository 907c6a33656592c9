import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, nonSaturatingLoss } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { bce64, expectClose, lossContractTests, mean64 } from './reference';

// D as the minimax GAN with a one-sided smoothed real target 1 − s (Salimans et al. 2016); G: −log σ(f).
const reference = (s: number) => ({
  discriminator: (r: readonly number[], f: readonly number[]) =>
    mean64(r.map((x) => bce64(x, 1 - s))) + mean64(f.map((x) => bce64(x, 0))),
  generator: (_r: readonly number[], f: readonly number[]) => mean64(f.map((x) => bce64(x, 1))),
});

describeEachBackend('nonSaturatingLoss', () => {
  describe('no label smoothing', () => {
    lossContractTests(() => nonSaturatingLoss(), reference(0));
  });
  describe('labelSmoothing 0.2 (one-sided)', () => {
    lossContractTests(() => nonSaturatingLoss({ labelSmoothing: 0.2 }), reference(0.2));
  });

  it('moves only the real target when smoothing (fake logits contribute the same)', () => {
    const r = tf.tensor1d([0.5, -1, 2]);
    const f = tf.tensor1d([-0.7, 0.3, 1.1]);
    const plain = nonSaturatingLoss().discriminatorLoss(r, f).dataSync()[0]!;
    const smooth = nonSaturatingLoss({ labelSmoothing: 0.1 }).discriminatorLoss(r, f).dataSync()[0]!;
    // BCE(x, 0.9) − BCE(x, 1) = 0.1·x, so the difference is 0.1·mean(r), independent of f.
    expectClose(smooth - plain, 0.1 * mean64([0.5, -1, 2]), 1e-4, 1e-6);
    tf.dispose([r, f]);
  });

  it('is named and validates its options', () => {
    expect(nonSaturatingLoss().name).toBe('non-saturating');
    expect(() => nonSaturatingLoss({ labelSmoothing: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => nonSaturatingLoss('x' as never)).toThrow(/options: expected an options object/);
  });
});
