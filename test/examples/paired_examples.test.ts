/** Smoke tests of the conditional GAN and CycleGAN examples: 2 steps on tiny batches, then their files. */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { loadModelFromDir } from '../../src/io/model_files';
import { checkRunFiles, runNode } from './run_example';

const tmp = mkdtempSync(join(tmpdir(), 'gan-kit-examples-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('examples (2 steps each)', () => {
  it('conditional-gan-mnist writes a 10x10 grid (one row per digit) and reports conditional accuracy', async () => {
    const out = join(tmp, 'cgan');
    const stdout = await runNode('examples/conditional-gan-mnist.ts', ['--steps', '2', '--batch-size', '8', '--out', out]);
    expect(stdout).toMatch(/Conditional accuracy: \d+(\.\d)?%/);
    const checkpoint = checkRunFiles(out, 2, [10 * 28 + 11 * 2, 10 * 28 + 11 * 2]);
    const generator = await loadModelFromDir(join(checkpoint, 'generator'));
    const images = generator.predict([tf.randomNormal([3, 100]), tf.tensor2d([[0], [5], [9]], [3, 1], 'int32')]) as tf.Tensor;
    expect(images.shape).toEqual([3, 28, 28, 1]);
    tf.dispose(images);
  });

  it('self-conditioned-gan-mnist clusters the digits, trains on the clusters and reports recognisable digits', async () => {
    const out = join(tmp, 'self-conditioned');
    const stdout = await runNode('examples/self-conditioned-gan-mnist.ts', ['--clusters', '12', '--steps', '2', '--batch-size', '8', '--out', out]);
    expect(stdout).toMatch(/12 clusters of 10000 digits, \d+–\d+ digits each/);
    expect(stdout).toMatch(/Recognisable: \d+(\.\d)?% of 256 samples \(confidence > 0\.9\); digits present: \d+/);
    const checkpoint = checkRunFiles(out, 2, [8 * 28 + 9 * 2, 8 * 28 + 9 * 2]);
    // The generator takes a cluster id in [0, 12) beside the latent code.
    const generator = await loadModelFromDir(join(checkpoint, 'generatorEma'));
    const images = generator.predict([tf.randomNormal([2, 100]), tf.tensor2d([[0], [11]], [2, 1], 'int32')]) as tf.Tensor;
    expect(images.shape).toEqual([2, 28, 28, 1]);
    tf.dispose(images);
  });

  it('cyclegan trains on the MNIST domains and reports the domain and identity checks', async () => {
    const out = join(tmp, 'cyclegan');
    const stdout = await runNode('examples/cyclegan.ts', ['--steps', '2', '--batch-size', '2', '--eval-digits', '50', '--out', out]);
    expect(stdout).toMatch(/A→B judged domain B: \d+(\.\d)?%/);
    expect(stdout).toMatch(/Digit identity kept: \d+(\.\d)?%/);
    // Grid: the first batch's A images (2 here), their translations, and the round trips: 3 rows of 2.
    const checkpoint = checkRunFiles(out, 2, [2 * 28 + 3 * 2, 3 * 28 + 4 * 2]);
    const g = await loadModelFromDir(join(checkpoint, 'generatorAB'));
    const y = g.predict(tf.zeros([1, 28, 28, 1])) as tf.Tensor;
    expect(y.shape).toEqual([1, 28, 28, 1]);
    tf.dispose(y);
  });
});
