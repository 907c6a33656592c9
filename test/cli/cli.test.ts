/**
 * The built `gan-kit` command (dist/cli.js, as `npx gan-kit` runs it): train for a few steps, resume, stop on
 * SIGINT with a checkpoint, sample (plain, truncated, interpolated), and one-line errors for bad input.
 * `npm test` builds first; run `npm run build` before running this file alone.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRunFiles, pngSize, root } from '../examples/run_example';
import { cli, run } from './run_cli';

const tmp = mkdtempSync(join(tmpdir(), 'gan-kit-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(async () => {
  await tf.setBackend('cpu');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does) before this file.');
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  expect(manifest.bin['gan-kit']).toBe('./dist/cli.js');
  expect(readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  expect(statSync(cli).mode & 0o111).not.toBe(0);
});

const GRID = [8 * 28 + 9 * 2, 8 * 28 + 9 * 2] as [number, number];

describe('gan-kit command', () => {
  it('train dcgan: progress, files, the digit check, then --resume to a later step', async () => {
    const out = join(tmp, 'dcgan');
    const first = await run(['train', 'dcgan', '--steps', '2', '--batch-size', '8', '--out', out, '--sample-every', '1', '--eval-every', '2']);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(
      /Training dcgan \(self-conditioned on 60 k-means clusters of the images; --clusters 0 for a plain DCGAN\) on MNIST \(built in\) with the wasm backend \(1 thread\) until step 2 or for 9\.5 minutes/,
    );
    expect(first.out).toMatch(/step 2 at \d+:\d\d: [\d.]+% of 256 samples recognisable \(confidence > 0\.9\), \d+ digits present/);
    expect(first.out).toMatch(/2\/2\s+100%\s+[\d.]+ ms\/step\s+ETA 00:00\s+discriminatorLoss/);
    expect(first.out).toMatch(/Recognisable digits: [\d.]+% of 256 samples/);
    expect(first.out).toContain(join(out, 'samples'));
    checkRunFiles(out, 2, GRID);
    expect(pngSize(join(out, 'samples', 'final-256.png'))).toEqual([16 * 28 + 17 * 2, 16 * 28 + 17 * 2]);
    // The clusters of the 10,000 digits are kept with the run: sizes that match the assignments.
    const clusterFile = join(out, 'clusters.json');
    const clusters = JSON.parse(readFileSync(clusterFile, 'utf8')) as { k: number; count: number; sizes: number[]; assignments: number[] };
    expect([clusters.k, clusters.count, clusters.assignments.length]).toEqual([60, 10000, 10000]);
    const counted = new Array<number>(60).fill(0);
    clusters.assignments.forEach((a) => counted[a]!++);
    expect(clusters.sizes).toEqual(counted);
    expect(counted.every((c) => c > 0)).toBe(true);
    expect((JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { clusters: number }).clusters).toBe(60);
    // Without --resume an existing run is refused; with it, training continues from step 2.
    const refused = await run(['train', 'dcgan', '--steps', '3', '--out', out]);
    expect(refused.code).toBe(2);
    expect(refused.out).toMatch(/already holds a run.*--resume/);
    const resumed = await run(['train', 'dcgan', '--steps', '3', '--out', out, '--resume']);
    expect(resumed.code).toBe(0);
    expect(resumed.out).toContain('Resumed dcgan from step 2');
    checkRunFiles(out, 3, GRID);
    // The resumed run trained on the same clusters (read back, not recomputed).
    expect(readFileSync(clusterFile, 'utf8')).toBe(JSON.stringify(clusters));
    // A self-conditioned run cannot resume without its clusters.
    renameSync(clusterFile, `${clusterFile}.away`);
    const lost = await run(['train', 'dcgan', '--steps', '4', '--out', out, '--resume']);
    renameSync(`${clusterFile}.away`, clusterFile);
    expect(lost.code).toBe(2);
    expect(lost.out).toMatch(/clusters\.json is missing or unreadable/);
  });

  it('Ctrl-C (SIGINT) stops after the current step and saves a checkpoint', async () => {
    const out = join(tmp, 'interrupted');
    const logFile = join(out, 'log.jsonl');
    let sent = false;
    let poll: ReturnType<typeof setInterval> | undefined;
    // Interrupt once the first step has been logged: training is under way however slow the machine is (a fixed
    // delay after the first line could land before the first step on a busy machine, leaving nothing to save).
    const result = await run(['train', 'cgan', '--steps', '100000', '--batch-size', '8', '--out', out], (text, child) => {
      if (poll === undefined && text.includes('Training cgan')) {
        poll = setInterval(() => {
          if (!sent && existsSync(logFile) && readFileSync(logFile, 'utf8').includes('"step"')) {
            sent = true;
            clearInterval(poll);
            child.kill('SIGINT');
            setTimeout(() => child.kill('SIGKILL'), 240_000).unref();
          }
        }, 100);
      }
    });
    clearInterval(poll);
    expect(sent).toBe(true);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/saving a checkpoint/);
    const pointer = JSON.parse(readFileSync(join(out, 'checkpoints', 'checkpoint.json'), 'utf8')) as { latest: string };
    const manifest = JSON.parse(readFileSync(join(out, 'checkpoints', pointer.latest, 'manifest.json'), 'utf8')) as { step: number };
    expect(manifest.step).toBeGreaterThanOrEqual(1);
    expect(manifest.step).toBeLessThan(100000);
  });

  it('sample: a grid of n, truncated codes, and latent walks', async () => {
    const runDir = join(tmp, 'dcgan');
    const grid = join(tmp, 'grid.png');
    expect((await run(['sample', runDir, '--n', '16', '--out', grid, '--truncation', '0.5'])).code).toBe(0);
    expect(pngSize(grid)).toEqual([4 * 28 + 5 * 2, 4 * 28 + 5 * 2]);
    const walks = join(tmp, 'walks.png');
    const r = await run(['sample', runDir, '--n', '24', '--out', walks, '--interpolate']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('3 latent walks of 8');
    expect(pngSize(walks)).toEqual([8 * 28 + 9 * 2, 3 * 28 + 4 * 2]);
  });

  it('answers bad input with one line and exit code 2', async () => {
    const unknown = await run(['train', 'stylegan9']);
    expect(unknown.code).toBe(2);
    expect(unknown.out.trim()).toBe('gan-kit: model: expected one of dcgan, wgan-gp, sagan, cyclegan, cgan, got "stylegan9".');
    const missing = await run(['sample', join(tmp, 'nothing-here')]);
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/not a gan-kit run directory/);
    const noEval = await run(['train', 'cyclegan', '--eval-every', '10', '--out', join(tmp, 'y')]);
    expect(noEval.code).toBe(2);
    expect(noEval.out).toMatch(/--eval-every: expected only for models trained on the built-in MNIST digits/);
    const badFolder = await run(['train', 'dcgan', '--data', join(tmp, 'no-such-folder'), '--out', join(tmp, 'x')]);
    expect(badFolder.code).toBe(2);
    expect(badFolder.out).toMatch(/Cannot read the image folder/);
    const clustersForCgan = await run(['train', 'cgan', '--clusters', '10', '--out', join(tmp, 'z')]);
    expect(clustersForCgan.code).toBe(2);
    expect(clustersForCgan.out).toMatch(/--clusters: expected no --clusters except for dcgan, sagan and wgan-gp, got 10/);
    const negative = await run(['train', 'dcgan', '--clusters=2.5', '--out', join(tmp, 'z')]);
    expect(negative.code).toBe(2);
    expect(negative.out).toMatch(/--clusters: expected an integer >= 0 \(0: a plain DCGAN\), got 2\.5/);
  });

  it('prints its usage for --help anywhere on the line, and trains nothing', async () => {
    for (const args of [['--help'], ['train', 'dcgan', '--help'], ['sample', '-h']]) {
      const help = await run(args);
      expect(help.code).toBe(0);
      expect(help.out).toMatch(/^Usage:/m);
      expect(help.out).toMatch(/gan-kit train <dcgan\|wgan-gp\|sagan\|cyclegan\|cgan>/);
      expect(help.out).not.toMatch(/Training dcgan/);
    }
  });
});

