import * as tf from '@tensorflow/tfjs';
import { GanKitError, ShapeError } from '../errors';
import { ensureDirectory, nodeFs, sha256Hex, syncDirectory, writeFileDurable } from './node_fs';

/** File name of the topology + manifest JSON written by {@link fileSystemHandler}. */
export const MODEL_JSON = 'model.json';
/** File name of the binary weights written by {@link fileSystemHandler}. */
export const WEIGHTS_BIN = 'weights.bin';

/** A checkpoint or model file was missing, unreadable or did not match what was expected. */
export class CheckpointError extends GanKitError {}

/** Suffix of the file that holds a tensor bundle's SHA-256 (see {@link writeTensorBundle}). */
const CHECKSUM_SUFFIX = '.sha256';

function toArrayBuffer(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  return tf.io.CompositeArrayBuffer.join(data);
}

function toUint8(buffer: ArrayBuffer): Uint8Array {
  return new Uint8Array(buffer);
}

/**
 * What gan-kit adds to a `model.json` it writes (key `ganKit`; tfjs' loaders ignore it): the size and SHA-256 of
 * `weights.bin`, checked on load so that a truncated or corrupted file is named instead of loading garbage.
 */
export interface WeightsChecksum {
  /** Bytes of the weights file. */
  weightsBytes: number;
  /** SHA-256 of the weights file, 64 lowercase hex digits. */
  weightsSha256: string;
}

/** Bytes per element of a weight spec, or undefined when it cannot be known from the spec (strings). */
function bytesPerElement(spec: tf.io.WeightsManifestEntry): number | undefined {
  const q = spec.quantization?.dtype;
  if (q !== undefined) return q === 'uint8' ? 1 : 2; // uint8; uint16 and float16
  switch (spec.dtype) {
    case 'float32':
    case 'int32':
      return 4;
    case 'bool':
      return 1;
    case 'complex64':
      return 8;
    default:
      return undefined;
  }
}

/** Bytes the weight specs describe, or undefined when a spec's size is not fixed (string weights). */
function expectedWeightBytes(specs: readonly tf.io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const spec of specs) {
    const per = bytesPerElement(spec);
    if (per === undefined) return undefined;
    total += spec.shape.reduce((a, b) => a * b, 1) * per;
  }
  return total;
}

/** Writes tfjs model artifacts as `dir/model.json` + `dir/weights.bin` (fsynced). @internal */
export async function writeModelArtifacts(dir: string, artifacts: tf.io.ModelArtifacts): Promise<void> {
  const { path } = await nodeFs('Saving a model');
  await ensureDirectory(dir, 'dir');
  const weights = toArrayBuffer(artifacts.weightData);
  const checksum: WeightsChecksum = { weightsBytes: weights.byteLength, weightsSha256: await sha256Hex(toUint8(weights)) };
  const modelJson: tf.io.ModelJSON & { ganKit: WeightsChecksum } = {
    modelTopology: artifacts.modelTopology as {},
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
    ganKit: checksum,
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
  const checksum = (modelJson as { ganKit?: Partial<WeightsChecksum> }).ganKit;
  return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const specs: tf.io.WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    const files: string[] = [];
    for (const group of manifest) {
      specs.push(...group.weights);
      for (const file of group.paths) {
        const full = path.join(dir, file);
        files.push(full);
        let bytes: Uint8Array;
        try {
          bytes = await fs.readFile(full);
        } catch (error) {
          throw new CheckpointError(`Cannot read the weights file ${full} (listed in ${jsonPath}): ${(error as Error).message}`);
        }
        buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      }
    }
    const joined = tf.io.CompositeArrayBuffer.join(buffers);
    const named = files.length === 1 ? files[0]! : `the weight files ${files.join(', ')}`;
    const expected = expectedWeightBytes(specs);
    if (expected !== undefined && joined.byteLength !== expected) {
      throw new CheckpointError(
        `${named} holds ${joined.byteLength} bytes, but ${jsonPath} describes ${expected} bytes (${specs.length} weight ` +
          `tensors): the file is truncated or corrupted. Restore it from a copy, or use an earlier checkpoint.`,
      );
    }
    if (typeof checksum?.weightsSha256 === 'string') {
      const actual = await sha256Hex(new Uint8Array(joined));
      if (actual !== checksum.weightsSha256) {
        throw new CheckpointError(
          `${named} does not match the SHA-256 checksum saved in ${jsonPath} (expected ${checksum.weightsSha256}, got ` +
            `${actual}; ${joined.byteLength} bytes): its contents are corrupted. Restore it from a copy, or use an earlier checkpoint.`,
        );
      }
    }
    return [specs, joined];
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
 * Reads the weights saved in `dir` and checks them against an existing `model` (same number of weights, same
 * shapes, and the file's size and checksum), without changing the model: the first half of an all-or-nothing
 * restore. Weights are matched by position, so models built in another process (whose automatic layer names
 * differ) restore correctly. Apply them with `model.setWeights(tensors)`; the caller disposes the tensors.
 *
 * @throws {ShapeError} if the number of weights or any shape differs from the model's.
 * @throws {CheckpointError} if the files are missing, truncated or corrupted.
 */
export async function readWeightsForModel(model: tf.LayersModel, dir: string, label = 'model'): Promise<tf.Tensor[]> {
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
  } catch (error) {
    tf.dispose(Object.values(named));
    throw error;
  }
  const kept = new Set(tensors);
  tf.dispose(Object.values(named).filter((t) => !kept.has(t)));
  return tensors;
}

/**
 * Reads the weights saved in `dir` and writes them into an existing `model` (which must have the same
 * architecture): {@link readWeightsForModel}, then `model.setWeights`. The model is unchanged if anything fails.
 *
 * @throws {ShapeError} if the number of weights or any shape differs from the model's.
 * @throws {CheckpointError} if the files are missing, truncated or corrupted.
 */
export async function loadWeightsIntoModel(model: tf.LayersModel, dir: string, label = 'model'): Promise<void> {
  const tensors = await readWeightsForModel(model, dir, label);
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
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
  const bytes = new Uint8Array(data);
  await writeFileDurable(file, bytes);
  // The checksum, checked by readTensorBundle: a file of the right size filled with garbage is named, not loaded.
  await writeFileDurable(`${file}${CHECKSUM_SUFFIX}`, `${await sha256Hex(bytes)}\n`);
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
    throw new CheckpointError(
      `${file} holds ${bytes.byteLength} bytes, its manifest describes ${expectedBytes} (${entries.length} tensors): ` +
        'the file is truncated or corrupted. Restore it from a copy, or use an earlier checkpoint.',
    );
  }
  let saved: string | undefined;
  try {
    saved = (await fs.readFile(`${file}${CHECKSUM_SUFFIX}`, 'utf8')).trim();
  } catch {
    saved = undefined; // written before checksums: only the size is checked
  }
  if (saved !== undefined) {
    const actual = await sha256Hex(bytes);
    if (actual !== saved) {
      throw new CheckpointError(
        `${file} does not match its SHA-256 checksum in ${file}${CHECKSUM_SUFFIX} (expected ${saved}, got ${actual}; ` +
          `${bytes.byteLength} bytes): its contents are corrupted. Restore it from a copy, or use an earlier checkpoint.`,
      );
    }
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const named = tf.io.decodeWeights(buffer, specs);
  return specs.map((s) => named[s.name]!);
}
