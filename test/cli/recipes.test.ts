/**
 * The other `gan-kit train` models on the built command: one step each, then the files they wrote, and `sample`
 * on a CycleGAN run. `npm test` builds first; run `npm run build` before running this file alone.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRunFiles, pngSize } from '../examples/run_example';
import { cli, run } from './run_cli';

const tmp = mkdtempSync(join(tmpdir(), 'gan-kit-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await tf.setBackend('cpu');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does) before this file.');
});

const GRID = [8 * 28 + 9 * 2, 8 * 28 + 9 * 2] as [number, number];

describe('gan-kit train (other models)', () => {
  it('train dcgan --clusters 0: the plain DCGAN (one generator input, no clusters file), sampled by gan-kit sample', async () => {
    const out = join(tmp, 'plain-dcgan');
    const r = await run(['train', 'dcgan', '--clusters', '0', '--steps', '1', '--batch-size', '4', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Training dcgan on MNIST \(built in\)/);
    checkRunFiles(out, 1, GRID);
    expect(existsSync(join(out, 'clusters.json'))).toBe(false);
    const model = JSON.parse(readFileSync(join(out, 'checkpoints', 'ckpt-00000001', 'generatorEma', 'model.json'), 'utf8')) as {
      modelTopology: { model_config?: { config: { input_layers: unknown[] } }; config?: { input_layers: unknown[] } };
    };
    const topology = model.modelTopology.model_config ?? model.modelTopology;
    expect(topology.config!.input_layers).toHaveLength(1);
    const grid = join(tmp, 'plain.png');
    expect((await run(['sample', out, '--n', '4', '--out', grid])).code).toBe(0);
    expect(pngSize(grid)).toEqual([2 * 28 + 3 * 2, 2 * 28 + 3 * 2]);
  });

  it('train sagan: self-conditioned on 60 clusters ([z, cluster] generator, clusters.json), sampled by gan-kit sample; --clusters 0 is unconditional', async () => {
    const out = join(tmp, 'sagan-clusters');
    const r = await run(['train', 'sagan', '--steps', '1', '--batch-size', '2', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Training sagan \(self-conditioned on 60 k-means clusters of the images; --clusters 0 for an unconditional SAGAN\)/);
    checkRunFiles(out, 1, GRID);
    expect((JSON.parse(readFileSync(join(out, 'clusters.json'), 'utf8')) as { k: number }).k).toBe(60);
    const inputs = (dir: string) => {
      const model = JSON.parse(readFileSync(join(dir, 'checkpoints', 'ckpt-00000001', 'generatorEma', 'model.json'), 'utf8')) as {
        modelTopology: { model_config?: { config: { input_layers: unknown[]; layers: { class_name: string }[] } }; config?: { input_layers: unknown[]; layers: { class_name: string }[] } };
      };
      const topology = (model.modelTopology.model_config ?? model.modelTopology).config!;
      return { inputs: topology.input_layers.length, classes: new Set(topology.layers.map((l) => l.class_name)) };
    };
    const conditioned = inputs(out);
    expect(conditioned.inputs).toBe(2);
    for (const c of ['SpectralNormalization', 'SelfAttention2D', 'ConditionalBatchNormalization']) expect(conditioned.classes.has(c), c).toBe(true);
    const grid = join(tmp, 'sagan.png');
    expect((await run(['sample', out, '--n', '4', '--out', grid])).code).toBe(0);
    expect(pngSize(grid)).toEqual([2 * 28 + 3 * 2, 2 * 28 + 3 * 2]);
    const plain = join(tmp, 'sagan-plain');
    const p = await run(['train', 'sagan', '--clusters', '0', '--steps', '1', '--batch-size', '2', '--out', plain]);
    expect(p.code).toBe(0);
    expect(existsSync(join(plain, 'clusters.json'))).toBe(false);
    expect(inputs(plain).inputs).toBe(1);
  });

  it('train wgan-gp: self-conditioned on 60 clusters by default, the critic gradient norm printed; --clusters 0 the plain WGAN-GP', async () => {
    const out = join(tmp, 'wgan-gp');
    const r = await run(['train', 'wgan-gp', '--steps', '2', '--batch-size', '2', '--eval-every', '1', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /Training wgan-gp \(self-conditioned on 60 k-means clusters of the images; --clusters 0 for a plain WGAN-GP\) on MNIST \(built in\) .* until step 2 or for 9\.5 minutes/,
    );
    // With each --eval-every check and at the end: the norm at 256 interpolates, a finite positive number.
    const norms = [...r.out.matchAll(/critic gradient norm at 256 interpolates (\d+\.\d+) ± (\d+\.\d+)/g)];
    expect(norms).toHaveLength(3);
    for (const m of norms) expect(Number(m[1])).toBeGreaterThan(0);
    checkRunFiles(out, 2, GRID);
    expect((JSON.parse(readFileSync(join(out, 'clusters.json'), 'utf8')) as { k: number }).k).toBe(60);
    const grid = join(tmp, 'wgan-gp.png');
    expect((await run(['sample', out, '--n', '4', '--out', grid])).code).toBe(0);
    expect(pngSize(grid)).toEqual([2 * 28 + 3 * 2, 2 * 28 + 3 * 2]);

    const plain = join(tmp, 'wgan-gp-plain');
    const p = await run(['train', 'wgan-gp', '--clusters', '0', '--steps', '1', '--batch-size', '2', '--out', plain]);
    expect(p.code).toBe(0);
    expect(p.out).toMatch(/Training wgan-gp on MNIST \(built in\)/);
    checkRunFiles(plain, 1, GRID);
    expect(existsSync(join(plain, 'clusters.json'))).toBe(false);
  });

  it('train cyclegan: one step writes grids, log, chart and a checkpoint; sample translates', async () => {
    const out = join(tmp, 'cyclegan');
    const r = await run(['train', 'cyclegan', '--steps', '1', '--batch-size', '2', '--out', out]);
    expect(r.code).toBe(0);
    // The first batch's 2 A images, their translations and the round trips: 3 rows of 2.
    checkRunFiles(out, 1, [2 * 28 + 3 * 2, 3 * 28 + 4 * 2]);
    const grid = join(tmp, 'translated.png');
    const s = await run(['sample', out, '--n', '4', '--out', grid]);
    expect(s.code).toBe(0);
    expect(pngSize(grid)).toEqual([4 * 28 + 5 * 2, 2 * 28 + 3 * 2]);
  });

});
