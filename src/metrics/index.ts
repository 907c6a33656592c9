/**
 * Metrics of sample quality and diversity: FID (streaming), KID, Inception Score, improved precision/recall,
 * mixture-of-Gaussians mode statistics, and gan-kit's MNIST classifier as the default feature extractor and
 * classifier for 28x28 digits. See docs/metrics.md.
 *
 * @module metrics
 */
export type { FeatureMatrix } from './feature_matrix';
export { FeatureMoments } from './feature_moments';
export type { GaussianStatistics } from './feature_moments';
export { frechetDistance, frechetDistanceFromMoments } from './frechet_distance';
export { kernelInceptionDistance } from './kernel_inception_distance';
export type { KernelInceptionDistanceOptions, KernelInceptionDistanceResult } from './kernel_inception_distance';
export { inceptionScore } from './inception_score';
export type { InceptionScoreOptions, InceptionScoreResult } from './inception_score';
export { precisionRecall } from './precision_recall';
export type { PrecisionRecallOptions, PrecisionRecallResult } from './precision_recall';
export { mixtureModeStats } from './mixture_mode_stats';
export type { MixtureModeStats, MixtureModeStatsOptions } from './mixture_mode_stats';
export { computeFeatureMoments, fid } from './fid';
export type { FeatureExtractor, FeatureMomentsOptions, FidOptions, SampleBatches, SampleSource } from './fid';
export {
  classifyDigits,
  loadMnistClassifier,
  mnistFeatureExtractor,
  MNIST_FEATURE_LAYER,
  MNIST_OUTPUT_LAYER,
} from './mnist_classifier';
export type {
  ClassifiedDigits,
  ClassifyDigitsOptions,
  LoadMnistClassifierOptions,
  MnistInputOptions,
} from './mnist_classifier';
