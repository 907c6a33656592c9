// Losses state their properties as fields, so trainers never parse a loss's name: check each field against
// what the loss actually computes.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { hingeLoss, leastSquaresLoss, minimaxLoss, nonSaturatingLoss, relativisticLoss, wassersteinLoss } from '../../src/losses/index';
import { cycleGanLeastSquaresLoss } from '../../src/trainers/cycle_gan_trainer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const losses = {
  nonSaturating: nonSaturatingLoss(),
  minimax: minimaxLoss(),
  wasserstein: wassersteinLoss(),
  leastSquares: leastSquaresLoss(),
  hinge: hingeLoss(),
  cycleGanLeastSquares: cycleGanLeastSquaresLoss(),
  relativisticAverage: relativisticLoss(),
  relativisticPaired: relativisticLoss({ average: false }),
  relativisticHinge: relativisticLoss({ form: 'hinge' }),
};

describe('loss property fields', () => {
  it.each(Object.entries(losses))('%s: generatorUsesRealLogits is true exactly when the generator loss depends on D(real)', (_name, loss) => {
    const fake = tf.tensor2d([[0.3], [-1.2], [2]]);
    const a = loss.generatorLoss(tf.tensor2d([[1], [0.5], [-0.4]]), fake).dataSync()[0]!;
    const b = loss.generatorLoss(tf.tensor2d([[-2], [3], [0.9]]), fake).dataSync()[0]!;
    expect(typeof loss.generatorUsesRealLogits).toBe('boolean');
    expect(loss.generatorUsesRealLogits).toBe(a !== b);
  });

  it.each(Object.entries(losses))('%s: pairsRealAndFake is true exactly when real and fake batches must match in size', (_name, loss) => {
    const call = () => loss.discriminatorLoss(tf.tensor2d([[1], [0.5], [-0.4]]), tf.tensor2d([[0.3], [-1.2]]));
    expect(typeof loss.pairsRealAndFake).toBe('boolean');
    if (loss.pairsRealAndFake) expect(call).toThrow();
    else expect(call).not.toThrow();
  });
});
