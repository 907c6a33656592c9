import { expect, it } from 'vitest';
import { hingeLoss } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { lossContractTests, mean64, relu64 } from './reference';

describeEachBackend('hingeLoss', () => {
  // Lim & Ye 2017 (as in SNGAN/SAGAN): D: E[max(0, 1 − r)] + E[max(0, 1 + f)]; G: −E[f].
  lossContractTests(() => hingeLoss(), {
    discriminator: (r, f) => mean64(r.map((x) => relu64(1 - x))) + mean64(f.map((x) => relu64(1 + x))),
    generator: (_r, f) => -mean64(f),
  });

  it('is named', () => {
    expect(hingeLoss().name).toBe('hinge');
  });
});
