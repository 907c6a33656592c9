// Public API of src/regularizers: re-exported from the package root by src/index.ts.
export type { CriticFn } from './critic';
export { gradientPenalty } from './gradient_penalty';
export type { GradientPenaltyOptions } from './gradient_penalty';
export { r1Penalty, r2Penalty } from './r1_penalty';
export type { ZeroCenteredPenaltyOptions } from './r1_penalty';
export { draganPenalty } from './dragan_penalty';
export type { DraganPenaltyOptions } from './dragan_penalty';
export { clipWeights } from './clip_weights';
export type { ClippableWeight } from './clip_weights';
export { spectralNormalize } from './spectral_normalize';
export type { SpectralNormalizeOptions, SpectralNormalizeResult } from './spectral_normalize';
// The layer lives in src/layers (it is a layer); exported from here so that it ships with the other
// regularizers.
export { SpectralNormalization, spectralNormalization } from '../layers/spectral_normalization';
export type { SpectralNormalizationArgs } from '../layers/spectral_normalization';
