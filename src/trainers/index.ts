// Public API of src/trainers: re-exported from the package root by src/index.ts.
export { disposeTrainerState, Trainer } from './trainer';
export type { BaseTrainerOptions, CheckpointManifest, FitOptions, SaveOptions, StepStats, TrainerState } from './trainer';
// The parts every step is built from (optimizer groups, penalties, stats, data guard, update functions).
export * from './parts/index';
export { AdversarialTrainer } from './adversarial_trainer';
export type {
  AdversarialTrainerOptions,
  GanStepStats,
  UpdateLabels,
} from './adversarial_trainer';
export { resolveTopK, selectTopK, topKSize } from './top_k';
export type { TopKOptions, TopKSchedule } from './top_k';
export { GanTrainer } from './gan_trainer';
export type { GanTrainerOptions, GanTrainStepOptions, SampleOptions } from './gan_trainer';
export { WganGpTrainer } from './wgan_gp_trainer';
export type { GeneratorCriticPair, WganGpTrainerOptions } from './wgan_gp_trainer';
export { ConditionalGanTrainer } from './conditional_gan_trainer';
export type {
  AuxiliaryClassifierOptions,
  ConditionalGanStepStats,
  ConditionalGanTrainerOptions,
  ConditionalSampleOptions,
  ConditionalTrainStepOptions,
  LabeledBatch,
} from './conditional_gan_trainer';
export { CycleGanTrainer, cycleGanLeastSquaresLoss } from './cycle_gan_trainer';
export { Pix2PixTrainer } from './pix2pix_trainer';
export type { PairedBatch, Pix2PixStepStats, Pix2PixTrainerOptions } from './pix2pix_trainer';
export type { CycleGanStepStats, CycleGanTrainerOptions, UnpairedBatch } from './cycle_gan_trainer';
export { flattenStats } from './callbacks';
export type {
  CheckpointInfo,
  EpochEndInfo,
  FitResult,
  StopReason,
  TrainBeginInfo,
  TrainerCallback,
  TrainerData,
} from './callbacks';
export { progressBar } from './progress_bar';
export type { ProgressBarOptions, ProgressStream } from './progress_bar';
export { sampleGrid } from './sample_grid';
export type { SampleGridOptions } from './sample_grid';
export { jsonlLogger } from './jsonl_logger';
export type { JsonlLoggerOptions } from './jsonl_logger';
export { NonFiniteLossError } from './non_finite_loss_error';
export { Random } from './random';
export type { RandomState } from './random';
export { latentCodes, normalLatent, uniformLatent } from './latent';
export type { LatentSampleOptions, LatentSampler } from './latent';
export { ExponentialMovingAverage, cloneModel } from './ema';
export type { EmaOptions } from './ema';
export { ImagePool } from './image_pool';
export type { ImagePoolOptions } from './image_pool';
export { constantLearningRate, cosineDecay, linearDecay, stepDecay } from './learning_rate_schedules';
export type {
  CosineDecayOptions,
  LearningRateSchedule,
  LinearDecayOptions,
  StepDecayOptions,
} from './learning_rate_schedules';
export { applyUpdate, clipByGlobalNorm, getLearningRate, setLearningRate, trainableVariables } from './optimizer_utils';
export type { UpdateOptions } from './optimizer_utils';
export type {
  CriticFunction,
  CustomPenalty,
  DiscriminatorPenalty,
  PairPenaltyFunction,
  PairPenaltySpec,
  PenaltyContext,
  ResolvedPenalty,
  SingleBatchPenaltyFunction,
  SingleBatchPenaltySpec,
} from './penalties';
