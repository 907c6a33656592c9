import { expect, it } from 'vitest';
import { wassersteinLoss } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { lossContractTests, mean64 } from './reference';

describeEachBackend('wassersteinLoss', () => {
  // Arjovsky et al. 2017: the critic maximises mean(r) − mean(f); G maximises mean(f).
  lossContractTests(() => wassersteinLoss(), {
    discriminator: (r, f) => mean64(f) - mean64(r),
    generator: (_r, f) => -mean64(f),
  });

  it('is named', () => {
    expect(wassersteinLoss().name).toBe('wasserstein');
  });
});
