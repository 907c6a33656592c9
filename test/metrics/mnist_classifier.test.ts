import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors';
import { classifyDigits, loadMnistClassifier, MNIST_FEATURE_LAYER, mnistFeatureExtractor } from '../../src/index';
import { loadMnistRaw, type MnistRaw } from '../../src/data/mnist_raw';
import { MNIST_HELD_OUT, mnistSplit } from '../../src/metrics/mnist_split';
import { MNIST_CLASSIFIER_MODEL_JSON, MNIST_CLASSIFIER_WEIGHTS_BASE64 } from '../../src/metrics/mnist_classifier_weights';
import { describeEachBackend } from '../helpers/backends';

const ASSETS = resolve(__dirname, '../../assets/mnist-classifier');

/** The held-out digits as a [n, 28, 28, 1] tensor in [-1, 1], and their labels. */
function heldOut(raw: MnistRaw): { x: tf.Tensor4D; labels: Int32Array } {
  const { test } = mnistSplit(raw.count);
  const pixels = new Float32Array(test.length * 784);
  const labels = new Int32Array(test.length);
  test.forEach((idx, i) => {
    for (let p = 0; p < 784; p++) pixels[i * 784 + p] = raw.images[idx * 784 + p] * 2 - 1;
    labels[i] = raw.labels[idx];
  });
  return { x: tf.tensor4d(pixels, [test.length, 28, 28, 1]), labels };
}

describe('the raw MNIST loader and the fixed split', () => {
  it('loads the 10,000 digits of the mnist package: pixels in [0, 1], ordered by label, cached', async () => {
    const raw = await loadMnistRaw();
    expect(raw.count).toBe(10000);
    expect(raw.images.length).toBe(10000 * 784);
    let min = Infinity;
    let max = -Infinity;
    for (const v of raw.images) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect([min, max]).toEqual([0, 1]);
    const perClass = new Array(10).fill(0);
    raw.labels.forEach((l, i) => {
      perClass[l]++;
      if (i > 0) expect(l).toBeGreaterThanOrEqual(raw.labels[i - 1]);
    });
    perClass.forEach((c) => expect(c).toBeGreaterThan(800));
    expect(await loadMnistRaw()).toBe(raw);
  });

  it('splits deterministically into 8,500 training and 1,500 held-out digits, disjoint and complete', () => {
    const a = mnistSplit(10000);
    expect(mnistSplit(10000)).toEqual(a);
    expect(a.test.length).toBe(MNIST_HELD_OUT);
    expect(a.train.length).toBe(8500);
    const all = new Set([...a.test, ...a.train]);
    expect(all.size).toBe(10000);
  });
});

describe('the shipped classifier files', () => {
  it('the embedded copy equals assets/mnist-classifier byte for byte, and stays well under 1 MB', () => {
    const json = JSON.parse(readFileSync(resolve(ASSETS, 'model.json'), 'utf8'));
    expect(MNIST_CLASSIFIER_MODEL_JSON).toEqual(json);
    const bin = readFileSync(resolve(ASSETS, 'weights.bin'));
    expect(Buffer.from(MNIST_CLASSIFIER_WEIGHTS_BASE64, 'base64').equals(bin)).toBe(true);
    expect(bin.byteLength).toBeLessThan(300 * 1024);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
  });
});

/**
 * Float64 forward pass of the classifier in plain JS, from the weights tfjs decoded (dequantised):
 * 3 x (3x3 'same' conv + ReLU + 2x2 max-pool) -> flatten -> dense ReLU (features) -> dense -> softmax.
 */
async function referenceForward(model: tf.LayersModel, image: Float32Array): Promise<{ features: number[]; probabilities: number[] }> {
  const w = async (layer: string, i: number) => Array.from(await model.getLayer(layer).getWeights()[i].data());
  let size = 28;
  let channels = 1;
  let act: number[] = Array.from(image);
  for (const [layer, filters] of [['conv1', 32], ['conv2', 64], ['conv3', 64]] as const) {
    const kernel = await w(layer, 0); // [3, 3, in, out]
    const bias = await w(layer, 1);
    const out = new Array(size * size * filters).fill(0);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        for (let o = 0; o < filters; o++) {
          let sum = bias[o];
          for (let ky = 0; ky < 3; ky++) {
            for (let kx = 0; kx < 3; kx++) {
              const iy = y + ky - 1;
              const ix = x + kx - 1;
              if (iy < 0 || iy >= size || ix < 0 || ix >= size) continue;
              for (let c = 0; c < channels; c++) {
                sum += act[(iy * size + ix) * channels + c] * kernel[((ky * 3 + kx) * channels + c) * filters + o];
              }
            }
          }
          out[(y * size + x) * filters + o] = Math.max(0, sum);
        }
      }
    }
    const pooled = Math.floor(size / 2);
    const next = new Array(pooled * pooled * filters);
    for (let y = 0; y < pooled; y++) {
      for (let x = 0; x < pooled; x++) {
        for (let o = 0; o < filters; o++) {
          const at = (yy: number, xx: number) => out[(yy * size + xx) * filters + o];
          next[(y * pooled + x) * filters + o] = Math.max(at(2 * y, 2 * x), at(2 * y, 2 * x + 1), at(2 * y + 1, 2 * x), at(2 * y + 1, 2 * x + 1));
        }
      }
    }
    act = next;
    size = pooled;
    channels = filters;
  }
  const dense = async (layer: string, input: number[], units: number, relu: boolean) => {
    const kernel = await w(layer, 0);
    const bias = await w(layer, 1);
    return Array.from({ length: units }, (_, j) => {
      const v = input.reduce((s, x, i) => s + x * kernel[i * units + j], bias[j]);
      return relu ? Math.max(0, v) : v;
    });
  };
  const features = await dense('features', act, 128, true);
  const logits = await dense('probabilities', features, 10, false);
  const m = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - m));
  const z = e.reduce((a, b) => a + b, 0);
  return { features, probabilities: e.map((v) => v / z) };
}

describeEachBackend('gan-kit MNIST classifier against a float64 forward pass', () => {
  it('gives the reference features and probabilities on held-out digits', async () => {
    const raw = await loadMnistRaw();
    const { x } = heldOut(raw);
    const batch = x.slice(0, 12);
    x.dispose();
    const model = await loadMnistClassifier();
    const features = (await mnistFeatureExtractor())(batch);
    const { probabilities } = await classifyDigits(batch);
    const f = (await features.array()) as number[][];
    const p = (await probabilities.array()) as number[][];
    const pixels = await batch.data();
    for (let i = 0; i < 12; i++) {
      const ref = await referenceForward(model, pixels.subarray(i * 784, (i + 1) * 784) as Float32Array);
      const scale = Math.max(...ref.features, 1);
      ref.features.forEach((v, j) => expect(Math.abs(f[i][j] - v)).toBeLessThan(1e-4 * scale));
      ref.probabilities.forEach((v, j) => expect(Math.abs(p[i][j] - v)).toBeLessThan(1e-5));
    }
    tf.dispose([batch, features, probabilities]);
    model.dispose();
  });
});

// Inference on the 1,500 held-out digits takes about a second on wasm and minutes on the pure-JS cpu backend,
// so the API and accuracy checks run on wasm; the float64 comparison above covers both backends.
describe('gan-kit MNIST classifier [wasm]', () => {
  let raw: MnistRaw;
  let data: { x: tf.Tensor4D; labels: Int32Array };

  beforeAll(async () => {
    await tf.setBackend('wasm');
    await tf.ready();
    raw = await loadMnistRaw();
    data = heldOut(raw);
    // Load the shared model once, so that leak checks below do not count its weights.
    (await classifyDigits(data.x.slice(0, 1))).probabilities.dispose();
  });

  it('classifies the 1,500 held-out digits with >= 98% accuracy, as its metadata records', async () => {
    const before = tf.memory().numTensors;
    const { labels, probabilities } = await classifyDigits(data.x);
    expect(probabilities.shape).toEqual([MNIST_HELD_OUT, 10]);
    const correct = labels.reduce((n, l, i) => n + (l === data.labels[i] ? 1 : 0), 0);
    const accuracy = correct / MNIST_HELD_OUT;
    expect(accuracy).toBeGreaterThanOrEqual(0.98);
    const recorded = (MNIST_CLASSIFIER_MODEL_JSON.userDefinedMetadata as { ganKit: { heldOutAccuracy: number } }).ganKit.heldOutAccuracy;
    expect(Math.abs(accuracy - recorded)).toBeLessThanOrEqual(1 / MNIST_HELD_OUT); // the script measured it on wasm too
    // Labels are the argmax of probabilities, and each row is a distribution.
    const p = (await probabilities.array()) as number[][];
    p.forEach((row, i) => {
      expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
      expect(row[labels[i]]).toBe(Math.max(...row));
    });
    probabilities.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('extracts [n, 128] non-negative penultimate features, equal to the loaded model\'s "features" layer', async () => {
    const extract = await mnistFeatureExtractor();
    const x = data.x.slice(0, 64);
    const before = tf.memory().numTensors;
    const features = extract(x);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(features.shape).toEqual([64, 128]);
    expect((await features.min().data())[0]).toBeGreaterThanOrEqual(0);
    const model = await loadMnistClassifier();
    const sub = tf.model({ inputs: model.inputs, outputs: model.getLayer(MNIST_FEATURE_LAYER).output });
    const want = sub.predict(x) as tf.Tensor;
    expect(Array.from(await features.data())).toEqual(Array.from(await want.data()));
    tf.dispose([x, features, want]);
    model.dispose();
  });

  it('maps other input ranges and shapes onto [-1, 1] x [n, 28, 28, 1]', async () => {
    const x = data.x.slice(0, 32);
    const unit = tf.tidy(() => x.add(1).div(2).reshape([32, 784]));
    const bytes = tf.tidy(() => x.add(1).mul(127.5).reshape([32, 28, 28]));
    const base = (await mnistFeatureExtractor())(x);
    const fromUnit = (await mnistFeatureExtractor({ inputRange: [0, 1] }))(unit);
    const fromBytes = (await mnistFeatureExtractor({ inputRange: [0, 255] }))(bytes);
    const b = await base.data();
    for (const t of [fromUnit, fromBytes]) {
      const v = await t.data();
      b.forEach((w, i) => expect(Math.abs(v[i] - w)).toBeLessThan(1e-4 * (1 + Math.abs(w))));
    }
    const { labels } = await classifyDigits(unit, { inputRange: [0, 1], batchSize: 10 });
    const direct = await classifyDigits(x);
    expect(Array.from(labels)).toEqual(Array.from(direct.labels));
    const wrong = tf.zeros([2, 32, 32, 1]);
    await expect(classifyDigits(wrong)).rejects.toThrow(ShapeError);
    const extract = await mnistFeatureExtractor();
    expect(() => tf.tidy(() => extract(wrong.reshape([2, -1])))).toThrow(ShapeError);
    tf.dispose([x, unit, bytes, base, fromUnit, fromBytes, direct.probabilities, wrong]);
  });

  it('loads the committed assets from disk with node:fs (no tfjs-node): the same predictions', async () => {
    const fromDisk = await loadMnistClassifier({ directory: ASSETS });
    const embedded = await loadMnistClassifier();
    const x = data.x.slice(0, 100);
    const a = fromDisk.predict(x) as tf.Tensor;
    const b = embedded.predict(x) as tf.Tensor;
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    tf.dispose([x, a, b]);
    fromDisk.dispose();
    embedded.dispose();
    await expect(loadMnistClassifier({ directory: resolve(ASSETS, 'missing') })).rejects.toThrow(/model\.json/);
  });
});
