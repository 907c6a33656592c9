// Public API of src/losses: re-exported from the package root by src/index.ts.
//
// Convention for every adversarial loss: arguments are (realLogits, fakeLogits) = (D(real), D(G(z))), raw
// scores where higher means "more real"; each loss averages over all elements (PatchGAN outputs work) and
// returns a float32 scalar to minimise.
export { minimaxLoss } from './minimax';
export type { MinimaxLossOptions } from './minimax';
export { nonSaturatingLoss } from './non_saturating';
export type { NonSaturatingLossOptions } from './non_saturating';
export { wassersteinLoss } from './wasserstein';
export { leastSquaresLoss } from './least_squares';
export type { LeastSquaresLossOptions } from './least_squares';
export { hingeLoss } from './hinge';
export { relativisticLoss } from './relativistic';
export type { RelativisticForm, RelativisticLossOptions } from './relativistic';
export { auxiliaryClassifierLoss } from './auxiliary_classifier';
export type { AuxiliaryClassifierLoss, AuxiliaryClassifierLossOptions } from './auxiliary_classifier';
export { cycleConsistencyLoss } from './cycle_consistency';
export type { CycleConsistencyLossOptions } from './cycle_consistency';
