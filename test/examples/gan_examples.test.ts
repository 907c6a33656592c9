/**
 * Smoke tests of the unconditional examples: each runs for 2 steps on tiny batches, then the files it wrote are
 * checked (PNG sizes, JSONL lines, a checkpoint that loads and, for DCGAN, resumes).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

/** 8x8 grid of 28x28 images with 2-pixel gaps. */
const GRID_64 = [8 * 28 + 9 * 2, 8 * 28 + 9 * 2] as [number, number];

async function loadsAndGenerates(checkpoint: string): Promise<void> {
  const generator = await loadModelFromDir(join(checkpoint, 'generator'));
  const images = generator.predict(tf.randomNormal([2, 100])) as tf.Tensor;
  expect(images.shape).toEqual([2, 28, 28, 1]);
  tf.dispose(images);
  generator.dispose();
}

describe('examples (2 steps each)', () => {
  it('dcgan-mnist trains, writes its files, reports the classifier check, and resumes', async () => {
    const out = join(tmp, 'dcgan');
    const stdout = await runNode('examples/dcgan-mnist.ts', ['--steps', '2', '--batch-size', '8', '--out', out]);
    expect(stdout).toMatch(/% of 256 samples are digits the classifier reads/);
    await loadsAndGenerates(checkRunFiles(out, 2, GRID_64));
    await runNode('examples/dcgan-mnist.ts', ['--steps', '3', '--batch-size', '8', '--out', out, '--resume']);
    checkRunFiles(out, 3, GRID_64);
  });

  it('wgan-gp-mnist trains the self-conditioned recipe, logs the gradient penalty and prints the critic gradient norm', async () => {
    const out = join(tmp, 'wgan');
    const stdout = await runNode('examples/wgan-gp-mnist.ts', ['--steps', '2', '--batch-size', '4', '--out', out]);
    expect(stdout).toMatch(/60 clusters of 10000 digits/);
    expect(stdout).toMatch(/Recognisable: \d+(\.\d)?% of 256 samples \(confidence > 0\.9\); digits present: \d+/);
    expect(stdout).toMatch(/critic gradient norm at 256 interpolates \d+\.\d{3} ± \d+\.\d{3}/);
    const checkpoint = checkRunFiles(out, 2, GRID_64);
    const log = readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    for (const line of log) expect(line['penalties/gradientPenalty']).toBeGreaterThan(0);
    // The generator takes a cluster id in [0, 60) beside the latent code.
    const generator = await loadModelFromDir(join(checkpoint, 'generatorEma'));
    const images = generator.predict([tf.randomNormal([2, 100]), tf.tensor2d([[0], [59]], [2, 1], 'int32')]) as tf.Tensor;
    expect(images.shape).toEqual([2, 28, 28, 1]);
    tf.dispose(images);
    generator.dispose();
  });

  it('sagan trains spectral-normalised, self-attention networks with the hinge loss, self-conditioned on clusters', async () => {
    const out = join(tmp, 'sagan');
    await runNode('examples/sagan.ts', ['--steps', '2', '--batch-size', '4', '--clusters', '5', '--out', out]);
    const generator = await loadModelFromDir(join(checkRunFiles(out, 2, GRID_64), 'generator'));
    // [z (128), cluster] → images; the layers of SAGAN are there.
    expect(generator.inputs.map((i) => i.shape)).toEqual([[null, 128], [null, 1]]);
    const names = generator.layers.map((l) => l.getClassName());
    expect(names).toContain('SelfAttention2D');
    expect(names).toContain('SpectralNormalization');
    expect(names).toContain('ConditionalBatchNormalization');
    const images = generator.predict([tf.randomNormal([2, 128]), tf.tensor2d([[0], [4]], [2, 1], 'int32')]) as tf.Tensor;
    expect(images.shape).toEqual([2, 28, 28, 1]);
    tf.dispose(images);
    generator.dispose();
  });
});
