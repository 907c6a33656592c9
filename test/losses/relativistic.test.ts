import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, relativisticLoss } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { bce64, lossContractTests, mean64, relu64 } from './reference';

// Written from Jolicoeur-Martineau's reference code (AlexiaJM/RelativisticGAN, GAN_losses_iter.py) and the
// paper's general form L_D = E[f1(C(x_r) − C(x_f))], L_G = E[f1(C(x_f) − C(x_r))] for the paired variants.
const sub = (a: readonly number[], b: readonly number[]) => a.map((x, i) => x - b[i]!);
const shift = (a: readonly number[], c: number) => a.map((x) => x - c);

const rsgan = {
  discriminator: (r: readonly number[], f: readonly number[]) => mean64(sub(r, f).map((x) => bce64(x, 1))),
  generator: (r: readonly number[], f: readonly number[]) => mean64(sub(f, r).map((x) => bce64(x, 1))),
};
const rasgan = {
  discriminator: (r: readonly number[], f: readonly number[]) =>
    (mean64(shift(r, mean64(f)).map((x) => bce64(x, 1))) + mean64(shift(f, mean64(r)).map((x) => bce64(x, 0)))) / 2,
  generator: (r: readonly number[], f: readonly number[]) =>
    (mean64(shift(r, mean64(f)).map((x) => bce64(x, 0))) + mean64(shift(f, mean64(r)).map((x) => bce64(x, 1)))) / 2,
};
const ralsgan = {
  discriminator: (r: readonly number[], f: readonly number[]) =>
    (mean64(r.map((x) => (x - mean64(f) - 1) ** 2)) + mean64(f.map((x) => (x - mean64(r) + 1) ** 2))) / 2,
  generator: (r: readonly number[], f: readonly number[]) =>
    (mean64(r.map((x) => (x - mean64(f) + 1) ** 2)) + mean64(f.map((x) => (x - mean64(r) - 1) ** 2))) / 2,
};
const rahinge = {
  discriminator: (r: readonly number[], f: readonly number[]) =>
    (mean64(r.map((x) => relu64(1 - (x - mean64(f))))) + mean64(f.map((x) => relu64(1 + (x - mean64(r)))))) / 2,
  generator: (r: readonly number[], f: readonly number[]) =>
    (mean64(r.map((x) => relu64(1 + (x - mean64(f))))) + mean64(f.map((x) => relu64(1 - (x - mean64(r)))))) / 2,
};
const rlsgan = {
  discriminator: (r: readonly number[], f: readonly number[]) => mean64(sub(r, f).map((x) => (x - 1) ** 2)),
  generator: (r: readonly number[], f: readonly number[]) => mean64(sub(f, r).map((x) => (x - 1) ** 2)),
};
const rhinge = {
  discriminator: (r: readonly number[], f: readonly number[]) => mean64(sub(r, f).map((x) => relu64(1 - x))),
  generator: (r: readonly number[], f: readonly number[]) => mean64(sub(f, r).map((x) => relu64(1 - x))),
};

describeEachBackend('relativisticLoss', () => {
  describe('RaSGAN (defaults)', () => {
    lossContractTests(() => relativisticLoss(), rasgan, { generatorUsesReal: true });
  });
  describe('RaLSGAN', () => {
    lossContractTests(() => relativisticLoss({ form: 'leastSquares' }), ralsgan, { generatorUsesReal: true });
  });
  describe('RaHingeGAN', () => {
    lossContractTests(() => relativisticLoss({ form: 'hinge' }), rahinge, { generatorUsesReal: true });
  });
  describe('RSGAN (paired)', () => {
    lossContractTests(() => relativisticLoss({ average: false }), rsgan, { paired: true, generatorUsesReal: true });
  });
  describe('paired least squares', () => {
    lossContractTests(() => relativisticLoss({ average: false, form: 'leastSquares' }), rlsgan, {
      paired: true,
      generatorUsesReal: true,
    });
  });
  describe('paired hinge', () => {
    lossContractTests(() => relativisticLoss({ average: false, form: 'hinge' }), rhinge, {
      paired: true,
      generatorUsesReal: true,
    });
  });

  it('names each variant and rejects unknown options', () => {
    expect(relativisticLoss().name).toBe('relativistic-average-standard');
    expect(relativisticLoss({ average: false }).name).toBe('relativistic-standard');
    expect(relativisticLoss({ form: 'leastSquares' }).name).toBe('relativistic-average-least-squares');
    expect(relativisticLoss({ average: false, form: 'hinge' }).name).toBe('relativistic-hinge');
    expect(() => relativisticLoss({ form: 'wasserstein' as never })).toThrow(InvalidArgumentError);
    expect(() => relativisticLoss({ form: 'wasserstein' as never })).toThrow(/options\.form: expected one of/);
    expect(() => relativisticLoss({ average: 1 as never })).toThrow(/options\.average: expected a boolean/);
  });
});
