import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors';
import { computeFeatureMoments, FeatureMoments, fid } from '../../src/index';
import { loadMnistRaw } from '../../src/data/mnist_raw';
import { mnistSplit } from '../../src/metrics/mnist_split';
import { describeEachBackend } from '../helpers/backends';
import { meanAndCovariance, referenceFrechet, relDiff } from './reference';

/** Rows of a tensor [n, ...] flattened to [n, features], as plain float64 numbers. */
function rowsOf(t: tf.Tensor): number[][] {
  const n = t.shape[0];
  const flat = Array.from(t.dataSync());
  const d = flat.length / n;
  return Array.from({ length: n }, (_, i) => flat.slice(i * d, (i + 1) * d));
}

function referenceFid(x: number[][], y: number[][]): number {
  const a = meanAndCovariance(x);
  const b = meanAndCovariance(y);
  return referenceFrechet(a.mean, a.cov, b.mean, b.cov, x[0].length);
}

describeEachBackend('fid (streaming)', () => {
  // A fixed "feature network": flatten and scale by 2 (FID is then 4x the FID of the raw values).
  const extractor = (x: tf.Tensor) => x.reshape([x.shape[0], -1]).mul(2);

  it('equals the float64 reference on the full sets, reading one batch at a time', async () => {
    const real = tf.randomNormal([150, 2, 3], 0, 1, 'float32', 1);
    const generatedRows: number[][] = [];
    let calls = 0;
    let largestBatch = 0;
    const sampler = (size: number) => {
      const t = tf.randomNormal([size, 2, 3], 0.3, 1.2, 'float32', 100 + calls++);
      generatedRows.push(...rowsOf(t));
      return t;
    };
    const watching = (x: tf.Tensor) => {
      largestBatch = Math.max(largestBatch, x.shape[0]);
      return extractor(x);
    };
    const before = tf.memory().numTensors;
    const value = await fid(sampler, real, { featureExtractor: watching, n: 130, batchSize: 32 });
    expect(tf.memory().numTensors).toBe(before);
    expect(real.isDisposed).toBe(false);
    expect(generatedRows.length).toBe(130);
    expect(calls).toBe(5); // 32 + 32 + 32 + 32 + 2
    expect(largestBatch).toBe(32);
    const want = 4 * referenceFid(rowsOf(real), generatedRows);
    expect(relDiff(value, want)).toBeLessThan(1e-9);
    real.dispose();
  });

  it('gives the same value for every form of real data, and disposes only what it owns', async () => {
    const real = tf.randomNormal([90, 5], 0, 1, 'float32', 2);
    const batches = [real.slice(0, 40), real.slice(40, 40), real.slice(80, 10)];
    const makeSampler = () => {
      let calls = 0;
      return (size: number) => tf.randomNormal([size, 5], 0.5, 1, 'float32', 200 + calls++);
    };
    const options = { featureExtractor: extractor, n: 60, batchSize: 25 };
    const before = tf.memory().numTensors;
    const fromTensor = await fid(makeSampler(), real, options);
    const fromArray = await fid(makeSampler(), batches, options);
    const fromDataset = await fid(makeSampler(), tf.data.array(batches), options);
    const fromGenerator = await fid(
      makeSampler(),
      (function* () {
        for (const b of batches) yield b.clone();
      })(),
      options,
    );
    const fromAsync = await fid(
      makeSampler(),
      (async function* () {
        for (const b of batches) yield b.clone();
      })(),
      options,
    );
    const stats = await computeFeatureMoments(real, { featureExtractor: extractor, batchSize: 7 });
    const fromStats = await fid(makeSampler(), stats, options);
    const fromPlain = await fid(makeSampler(), { mean: stats.mean, covariance: stats.covariance }, options);
    expect(tf.memory().numTensors).toBe(before);
    batches.forEach((b) => expect(b.isDisposed).toBe(false));
    expect(stats.count).toBe(90);
    for (const v of [fromArray, fromDataset, fromGenerator, fromAsync, fromStats, fromPlain]) {
      expect(relDiff(v, fromTensor)).toBeLessThan(1e-12);
    }
    const limited = await computeFeatureMoments(batches, { featureExtractor: extractor, maxSamples: 50 });
    expect(limited.count).toBe(50);
    tf.dispose([real, ...batches]);
  });

  it('feeds a generator model standard-normal latents, reproducibly for a seed', async () => {
    // 8 latent dimensions onto 6 outputs, so that the generated covariance has full rank (the Denman–Beavers
    // reference needs invertible matrices).
    const generator = tf.sequential({ layers: [tf.layers.dense({ inputShape: [8], units: 6, kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }) })] });
    const real = tf.randomNormal([80, 6], 0, 1, 'float32', 3);
    const before = tf.memory().numTensors;
    const a = await fid(generator, real, { featureExtractor: extractor, n: 70, batchSize: 30, seed: 9 });
    const b = await fid(generator, real, { featureExtractor: extractor, n: 70, batchSize: 30, seed: 9 });
    expect(tf.memory().numTensors).toBe(before);
    expect(b).toBe(a);
    // Reference: the same latents (batch i uses seed 9 + i), pushed through the generator by hand.
    const rows: number[][] = [];
    [30, 30, 10].forEach((size, i) => {
      const out = tf.tidy(() => generator.predict(tf.randomNormal([size, 8], 0, 1, 'float32', 9 + i)) as tf.Tensor);
      rows.push(...rowsOf(out));
      out.dispose();
    });
    expect(relDiff(a, 4 * referenceFid(rowsOf(real), rows))).toBeLessThan(1e-9);
    tf.dispose(real);
    generator.dispose();
  });

  it('rejects bad arguments with typed errors', async () => {
    const real = tf.zeros([10, 3]);
    const sampler = (size: number) => tf.zeros([size, 3]);
    await expect(fid(sampler, real, { featureExtractor: extractor, n: 1 })).rejects.toThrow(InvalidArgumentError);
    await expect(fid(sampler, real, { featureExtractor: extractor, batchSize: 0 })).rejects.toThrow(InvalidArgumentError);
    await expect(fid((n) => tf.zeros([Math.max(1, n - 1), 3]), real, { featureExtractor: extractor, n: 4 })).rejects.toThrow(
      InvalidArgumentError,
    );
    const i1 = tf.input({ shape: [2] });
    const i2 = tf.input({ shape: [2] });
    const twoInputs = tf.model({ inputs: [i1, i2], outputs: tf.layers.add().apply([i1, i2]) as tf.SymbolicTensor });
    await expect(fid(twoInputs, real, { featureExtractor: extractor, n: 4 })).rejects.toThrow(/sampler/);
    const objects = tf.data.array([{ xs: tf.zeros([2, 3]) }]) as unknown as tf.data.Dataset<tf.Tensor>;
    await expect(fid(sampler, objects, { featureExtractor: extractor, n: 4 })).rejects.toThrow(/ds\.map/);
    real.dispose();
  });
});

// The MNIST classifier's convolutions take minutes for a few thousand digits on the pure-JS cpu backend: this
// end-to-end check runs on wasm (the streaming maths above runs on both backends).
describe('fid with the default MNIST feature extractor [wasm]', () => {
  let heldOut: tf.Tensor4D;
  let train: tf.Tensor4D;

  beforeAll(async () => {
    await tf.setBackend('wasm');
    await tf.ready();
    const raw = await loadMnistRaw();
    const split = mnistSplit(raw.count);
    const take = (indices: Int32Array, n: number) => {
      const px = new Float32Array(n * 784);
      for (let i = 0; i < n; i++) for (let p = 0; p < 784; p++) px[i * 784 + p] = raw.images[indices[i] * 784 + p] * 2 - 1;
      return tf.tensor4d(px, [n, 28, 28, 1]);
    };
    heldOut = take(split.test, 400);
    train = take(split.train, 400);
  });

  it('ranks real digits << digits of only two classes < noise', async () => {
    const realStats = await computeFeatureMoments(heldOut);
    expect(realStats.dimension).toBe(128);
    let offset = 0;
    const realSampler = (size: number) => {
      const t = train.slice(offset, size);
      offset += size;
      return t;
    };
    const realVsReal = await fid(realSampler, realStats, { n: 400 });
    const ones = await (async () => {
      const raw = await loadMnistRaw();
      const idx = Int32Array.from(mnistSplit(raw.count).train.filter((i) => raw.labels[i] === 1 || raw.labels[i] === 7).slice(0, 400));
      const px = new Float32Array(idx.length * 784);
      idx.forEach((src, i) => {
        for (let p = 0; p < 784; p++) px[i * 784 + p] = raw.images[src * 784 + p] * 2 - 1;
      });
      return tf.tensor4d(px, [idx.length, 28, 28, 1]);
    })();
    let o2 = 0;
    const unbalanced = await fid(
      (size) => {
        const t = ones.slice(o2, size);
        o2 += size;
        return t;
      },
      realStats,
      { n: 400 },
    );
    let seed = 0;
    const noise = await fid((size) => tf.randomUniform([size, 28, 28, 1], -1, 1, 'float32', seed++), heldOut, { n: 400 });
    expect(realVsReal).toBeGreaterThan(0);
    // Measured with the shipped classifier: about 7, 240 and 300.
    expect(unbalanced).toBeGreaterThan(10 * realVsReal);
    expect(noise).toBeGreaterThan(unbalanced);
    ones.dispose();
  });
});
