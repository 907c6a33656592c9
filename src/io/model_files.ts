import * as tf from '@tensorflow/tfjs';
import { GanKitError, ShapeError } from '../errors';
import { nodeFs, syncDirectory, writeFileDurable } from './node_fs';

/** File name of the topology + manifest JSON written by {@link fileSystemHandler}. */
export const MODEL_JSON = 'model.json';
/** File name of the binary weights written by {@link fileSystemHandler}. */
export const WEIGHTS_BIN = 'weights.bin';

/** A checkpoint or model file was missing, unreadable or did not match what was expected. */
export class CheckpointError extends GanKitError {}

function toArrayBuffer(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  return tf.io.CompositeArrayBuffer.join(data);
}

function toUint8(buffer: ArrayBuffer): Uint8Array {
  return new Uint8Array(buffer);
}

/** Writes tfjs model artifacts as `dir/model.json` + `dir/weights.bin` (fsynced). @internal */
export async function writeModelArtifacts(dir: string, artifacts: tf.io.ModelArtifacts): Promise<void> {
  const { fs, path } = await nodeFs('Saving a model');
  await fs.mkdir(dir, { recursive: true });
  const weights = toArrayBuffer(artifacts.weightData);
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as {},
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.trainingConfig != null) modelJson.trainingConfig = artifacts.trainingConfig;
  if (artifacts.signature != null) modelJson.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata != null) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.modelInitializer != null) modelJson.modelInitializer = artifacts.modelInitializer;
  // Weights first, model.json last: a directory with a model.json always has its weights complete.
  await writeFileDurable(path.join(dir, WEIGHTS_BIN), toUint8(weights));
  await writeFileDurable(path.join(dir, MODEL_JSON), JSON.stringify(modelJson));
  await syncDirectory(dir);
}

/** Reads `dir/model.json` and the weight files it lists into tfjs model artifacts. @internal */
export async function readModelArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const { fs, path } = await nodeFs('Loading a model');
  const jsonPath = path.join(dir, MODEL_JSON);
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(await fs.readFile(jsonPath, 'utf8')) as tf.io.ModelJSON;
  } catch (error) {
    throw new CheckpointError(`Cannot read the model file ${jsonPath}: ${(error as Error).message}`);
  }
  if (modelJson == null || typeof modelJson !== 'object' || !Array.isArray(modelJson.weightsManifest)) {
    throw new CheckpointError(`${jsonPath} is not a tfjs model.json (it has no weightsManifest array).`);
  }
  return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const specs: tf.io.WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      specs.push(...group.weights);
      for (const file of group.paths) {
        const bytes = await fs.readFile(path.join(dir, file));
        buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      }
    }
    return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
  });
}

/**
 * A tfjs IO handler that saves a model into a directory of the local file system as `model.json` (topology and
 * weights manifest) and `weights.bin` — the same layout as tfjs-node's `file://` handler — and loads it back.
 * For Node.js without `@tensorflow/tfjs-node`.
 *
 * @param dir - the directory to write (created if missing) or read.
 * @example
 * ```ts
 * await generator.save(fileSystemHandler('runs/exp1/generator'));
 * const g = await tf.loadLayersModel(fileSystemHandler('runs/exp1/generator'));
 * ```
 */
export function fileSystemHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      await writeModelArtifacts(dir, artifacts);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    load: () => readModelArtifacts(dir),
  };
}

/**
 * Saves a tfjs LayersModel to `dir` (model.json + weights.bin) using {@link fileSystemHandler}.
 * @returns tfjs' save result (byte sizes of topology and weights).
 */
export async function saveModelToDir(model: tf.LayersModel, dir: string): Promise<tf.io.SaveResult> {
  return model.save(fileSystemHandler(dir));
}

/**
 * Loads a tfjs LayersModel saved by {@link saveModelToDir} (or by tfjs-node's `file://` handler). Custom layers
 * must be registered (importing gan-kit registers its own).
 */
export async function loadModelFromDir(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileSystemHandler(dir));
}

/**
 * Reads the weights saved in `dir` and writes them into an existing `model` (which must have the same
 * architecture). Weights are matched by position and checked by shape, so models built in another process
 * (whose automatic layer names differ) restore correctly.
 *
 * @throws {ShapeError} if the number of weights or any shape differs from the model's.
 * @throws {CheckpointError} if the files are missing or unreadable.
 */
export async function loadWeightsIntoModel(model: tf.LayersModel, dir: string, label = 'model'): Promise<void> {
  const artifacts = await readModelArtifacts(dir);
  const specs = artifacts.weightSpecs ?? [];
  const named = tf.io.decodeWeights(toArrayBuffer(artifacts.weightData), specs);
  const tensors = specs.map((s) => named[s.name]).filter((t): t is tf.Tensor => t != null);
  try {
    const targets = model.weights;
    if (tensors.length !== specs.length || targets.length !== tensors.length) {
      throw new ShapeError(
        `${label} weights`,
        `${targets.length} weight tensors (the model's)`,
        `${specs.length} in ${dir}`,
        'The checkpoint was written for a different architecture: build the same models as when it was saved.',
      );
    }
    targets.forEach((target, i) => {
      const t = tensors[i]!;
      if (!tf.util.arraysEqual(target.shape as number[], t.shape)) {
        throw new ShapeError(
          `${label} weight ${i} (${target.name})`,
          `shape [${target.shape.join(', ')}]`,
          `shape [${t.shape.join(', ')}] in ${dir}`,
          'The checkpoint was written for a different architecture: build the same models as when it was saved.',
        );
      }
    });
    model.setWeights(tensors);
  } finally {
    tf.dispose(Object.values(named));
  }
}

/** Spec of one tensor in a tensor bundle. */
export interface TensorBundleEntry {
  /** Caller's name for the tensor (kept for humans; tensors are restored by position). */
  name: string;
  /** The tensor's shape. */
  shape: number[];
  /** The tensor's dtype. */
  dtype: tf.DataType;
}

/**
 * Writes `tensors` into one binary file (tfjs weight encoding, little-endian) and returns the entries to keep
 * in a manifest. Used for optimizer state and other trainer state in checkpoints. @internal
 */
export async function writeTensorBundle(
  file: string,
  tensors: readonly { name: string; tensor: tf.Tensor }[],
): Promise<TensorBundleEntry[]> {
  const { data } = await tf.io.encodeWeights(tensors.map((t, i) => ({ name: `t${i}`, tensor: t.tensor })));
  await writeFileDurable(file, new Uint8Array(data));
  return tensors.map((t) => ({ name: t.name, shape: [...t.tensor.shape], dtype: t.tensor.dtype }));
}

/** Reads a bundle written by {@link writeTensorBundle}; returns new tensors in the written order. @internal */
export async function readTensorBundle(file: string, entries: readonly TensorBundleEntry[]): Promise<tf.Tensor[]> {
  const { fs } = await nodeFs('Reading a checkpoint');
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    throw new CheckpointError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  const specs: tf.io.WeightsManifestEntry[] = entries.map((e, i) => ({
    name: `t${i}`,
    shape: e.shape,
    dtype: e.dtype as tf.io.WeightsManifestEntry['dtype'],
  }));
  const expectedBytes = entries.reduce(
    (sum, e) => sum + e.shape.reduce((a, b) => a * b, 1) * (e.dtype === 'bool' ? 1 : 4),
    0,
  );
  if (bytes.byteLength !== expectedBytes) {
    throw new CheckpointError(`${file} holds ${bytes.byteLength} bytes, its manifest describes ${expectedBytes}.`);
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const named = tf.io.decodeWeights(buffer, specs);
  return specs.map((s) => named[s.name]!);
}
