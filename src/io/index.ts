// Public API of src/io (Node.js file I/O for models, checkpoints and images). Until src/index.ts re-exports this
// barrel, src/trainers/index.ts re-exports it.
export {
  CheckpointError,
  fileSystemHandler,
  loadModelFromDir,
  loadWeightsIntoModel,
  MODEL_JSON,
  readWeightsForModel,
  saveModelToDir,
  WEIGHTS_BIN,
} from './model_files';
export type { TensorBundleEntry, WeightsChecksum } from './model_files';
export {
  CHECKPOINT_MANIFEST,
  CHECKPOINT_POINTER,
  CheckpointOwnershipError,
  listCheckpoints,
  readCheckpointPointer,
  resolveCheckpoint,
  writeCheckpoint,
  WRITE_CHECKPOINT_OPTION_KEYS,
} from './checkpoint_store';
export type { CheckpointPhase, CheckpointPointer, WriteCheckpointOptions } from './checkpoint_store';
export { writeFileAtomic } from './node_fs';
export { imageGridPixels, saveImageGrid } from './save_image_grid';
export type { ImageGridOptions, RgbaImage } from './save_image_grid';
// Latent interpolation and loss charts (src/io/public.ts).
export * from './public';
