import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, leastSquaresLoss } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { lossContractTests, mean64 } from './reference';

// Mao et al. 2017, Eq. 2: D: ½E[(D(x) − b)²] + ½E[(D(G(z)) − a)²]; G: ½E[(D(G(z)) − c)²].
const reference = (a: number, b: number, c: number) => ({
  discriminator: (r: readonly number[], f: readonly number[]) =>
    0.5 * mean64(r.map((x) => (x - b) ** 2)) + 0.5 * mean64(f.map((x) => (x - a) ** 2)),
  generator: (_r: readonly number[], f: readonly number[]) => 0.5 * mean64(f.map((x) => (x - c) ** 2)),
});

describeEachBackend('leastSquaresLoss', () => {
  describe('default targets a = 0, b = 1, c = 1', () => {
    lossContractTests(() => leastSquaresLoss(), reference(0, 1, 1));
  });
  describe('χ² targets a = −1, b = 1, c = 0', () => {
    lossContractTests(
      () => leastSquaresLoss({ fakeTarget: -1, realTarget: 1, generatorTarget: 0 }),
      reference(-1, 1, 0),
    );
  });

  it('is named and rejects non-finite targets', () => {
    expect(leastSquaresLoss().name).toBe('least-squares');
    expect(() => leastSquaresLoss({ realTarget: Number.POSITIVE_INFINITY })).toThrow(InvalidArgumentError);
    expect(() => leastSquaresLoss({ generatorTarget: '1' as never })).toThrow(/options\.generatorTarget/);
  });
});
