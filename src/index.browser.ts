/**
 * gan-kit for browsers: the entry that bundlers pick through the `"browser"` condition of package.json
 * `"exports"` (Vite, webpack 5, esbuild and Rollup's node-resolve all honour it).
 *
 * It exports everything that works in a page — backends, losses, regularizers, layers, builders, trainers
 * (`trainStep`, `sample`, `fit` with in-memory data), image grids as pixels and latent interpolation — and leaves
 * out what reads or writes the local file system: model directories and checkpoints (`saveModelToDir`,
 * `writeCheckpoint`, …), PNG files (`saveImageGrid`, the `sampleGrid` callback), the `jsonlLogger` callback and
 * the Node-only data loaders. No module of this entry imports a Node built-in (`node:fs`, `path`,
 * `worker_threads`, …) or a Node-only package (`pngjs`): test/browser/entry.test.ts bundles it for the browser
 * and fails if one appears. Trainers' `save`/`restore` stay callable but throw a {@link GanKitError} saying that
 * checkpoint directories need Node.js; save models in a page with `model.save('indexeddb://…')` or
 * `'downloads://…'`.
 *
 * Importing it registers gan-kit's wasm training kernels and second-order-correct gradients with the page's
 * `@tensorflow/tfjs` instance, as the Node entry does. See docs/browser.md.
 *
 * @packageDocumentation
 */
import { registerGanKitKernels } from './backend/register';

registerGanKitKernels();

export { registerGanKitKernels } from './backend/register';
export { setupBackend } from './backend/setup_backend';
export type { BackendName, SetupBackendOptions } from './backend/setup_backend';
// In a page, enableWasmThreads only sets the stock loader's thread count and tells whether threads are possible
// (the page must be cross-origin isolated); its Node-only thread loader is never reached.
export { enableWasmThreads, getWasmThreadCount, getWasmThreadsFallbackReason } from './backend/wasm_threads';
export type { WasmThreadsOptions } from './backend/wasm_threads';
export * from './errors';
export type { AdversarialLoss } from './losses/adversarial_loss';
export * from './losses/index';
export * from './regularizers/index';
export * from './layers/index';
export * from './models/index';

// Trainers: everything in src/trainers/index.ts except the callbacks that write files (sampleGrid, jsonlLogger).
export { disposeTrainerState, Trainer } from './trainers/trainer';
export type {
  BaseTrainerOptions,
  CheckpointManifest,
  FitOptions,
  SaveOptions,
  StepStats,
  TrainerState,
} from './trainers/trainer';
export * from './trainers/parts/index';
export { AdversarialTrainer } from './trainers/adversarial_trainer';
export type {
  AdversarialTrainerOptions,
  GanStepStats,
  UpdateLabels,
} from './trainers/adversarial_trainer';
export { resolveTopK, selectTopK, topKSize } from './trainers/top_k';
export type { TopKOptions, TopKSchedule } from './trainers/top_k';
export { GanTrainer } from './trainers/gan_trainer';
export type { GanTrainerOptions, GanTrainStepOptions, SampleOptions } from './trainers/gan_trainer';
export { WganGpTrainer } from './trainers/wgan_gp_trainer';
export type { GeneratorCriticPair, WganGpTrainerOptions } from './trainers/wgan_gp_trainer';
export { ConditionalGanTrainer } from './trainers/conditional_gan_trainer';
export type {
  AuxiliaryClassifierOptions,
  ConditionalGanStepStats,
  ConditionalGanTrainerOptions,
  ConditionalSampleOptions,
  ConditionalTrainStepOptions,
  LabeledBatch,
} from './trainers/conditional_gan_trainer';
export { CycleGanTrainer, cycleGanLeastSquaresLoss } from './trainers/cycle_gan_trainer';
export { Pix2PixTrainer } from './trainers/pix2pix_trainer';
export type { PairedBatch, Pix2PixStepStats, Pix2PixTrainerOptions } from './trainers/pix2pix_trainer';
export type { CycleGanStepStats, CycleGanTrainerOptions, UnpairedBatch } from './trainers/cycle_gan_trainer';
export { flattenStats } from './trainers/callbacks';
export type {
  CheckpointInfo,
  EpochEndInfo,
  FitResult,
  StopReason,
  TrainBeginInfo,
  TrainerCallback,
  TrainerData,
} from './trainers/callbacks';
export { progressBar } from './trainers/progress_bar';
export type { ProgressBarOptions, ProgressStream } from './trainers/progress_bar';
export { NonFiniteLossError } from './trainers/non_finite_loss_error';
export { Random } from './trainers/random';
export type { RandomState } from './trainers/random';
export { latentCodes, normalLatent, uniformLatent } from './trainers/latent';
export type { LatentSampleOptions, LatentSampler } from './trainers/latent';
export { ExponentialMovingAverage, cloneModel } from './trainers/ema';
export type { EmaOptions } from './trainers/ema';
export { ImagePool } from './trainers/image_pool';
export type { ImagePoolOptions } from './trainers/image_pool';
export { constantLearningRate, cosineDecay, linearDecay, stepDecay } from './trainers/learning_rate_schedules';
export type {
  CosineDecayOptions,
  LearningRateSchedule,
  LinearDecayOptions,
  StepDecayOptions,
} from './trainers/learning_rate_schedules';
export {
  applyUpdate,
  clipByGlobalNorm,
  getLearningRate,
  setLearningRate,
  trainableVariables,
} from './trainers/optimizer_utils';
export type { UpdateOptions } from './trainers/optimizer_utils';
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
} from './trainers/penalties';

// io: the parts that do not touch files. `imageGridPixels` gives the RGBA pixels of a grid, ready for a canvas's
// ImageData; latent interpolation walks a generator's latent space.
export { imageGridPixels } from './io/save_image_grid';
export type { ImageGridOptions, RgbaImage } from './io/save_image_grid';
export { interpolateLatents, lerp, slerp } from './io/latent_interpolation';
export type { InterpolateLatentsOptions } from './io/latent_interpolation';

// data: in-memory images (canvas pixels, tensors) as tf.data pipelines, and k-means clustering. The MNIST and
// image-folder loaders read files (and the MNIST JSON of the `mnist` package) and are Node-only.
export type { BatchingOptions } from './data/array_batches';
export type { ImagePreprocessOptions, RgbaPixels } from './data/image_preprocess';
export { imagesFromPixels, tensorDataset } from './data/image_sources';
export type { LabeledImageBatch, TensorDatasetOptions } from './data/image_sources';
export type { ImageSource } from './data/image_sources';
export { kMeans } from './data/kmeans';
export type { KMeansOptions, KMeansResult } from './data/kmeans';

// metrics: FID/KID/IS, precision/recall, mode coverage, and the shipped MNIST classifier (embedded in the bundle;
// `loadMnistClassifier({ directory })` alone reads files and is Node-only).
export * from './metrics/index';
