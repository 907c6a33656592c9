/**
 * Smoke test of the quality benchmark (`npm run bench:quality`): the mixture pipeline runs end to end on tiny
 * sizes, its scoring plumbing (data scaling, mode statistics) gives the values computed here by hand, and the
 * tables and the docs section have the expected structure. The benchmark's targets are not checked here.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random, setupBackend } from '../../src/index';
import {
  GRID,
  RING,
  dataScale,
  evaluateMixture,
  mixtureClusters,
  mixtureConfig,
  modeWidth,
  runMixtureJob,
  sampleMixture,
  type MixtureResult,
} from '../../bench/quality/mixtures';
import { markers, mixtureRows, mixtureTable, replacePart, SECTION_HEADING, wganGpTable } from '../../bench/quality/report';
import type { MnistResult } from '../../bench/quality/mnist';

const root = resolve(__dirname, '../..');

beforeAll(async () => {
  await setupBackend({ backend: 'wasm', threads: false });
});

/** A sampler that returns fixed rows (as a trainer's `sample` would), ignoring the latent seed. */
function fixedSampler(rows: number[][]): { sample(n: number): tf.Tensor } {
  return { sample: (n: number) => tf.tensor2d(rows.slice(0, n)) };
}

describe('mixture data', () => {
  it('draws each mode equally often, with 98.9 % of the samples within 3 std (the 2-D Rayleigh CDF)', () => {
    const n = 20000;
    const xy = sampleMixture(GRID, n, new Random(5));
    const perMode = new Array<number>(25).fill(0);
    let within = 0;
    for (let i = 0; i < n; i++) {
      let best = Infinity;
      let mode = 0;
      GRID.centers.forEach(([cx, cy], k) => {
        const d = Math.hypot(xy[2 * i]! - cx, xy[2 * i + 1]! - cy);
        if (d < best) [best, mode] = [d, k];
      });
      perMode[mode]!++;
      if (best <= 3 * GRID.std) within++;
    }
    // Binomial standard error of a 1/25 share of 20,000 is 0.0014; of 0.989, 0.0007.
    for (const count of perMode) expect(Math.abs(count / n - 1 / 25)).toBeLessThan(0.006);
    expect(Math.abs(within / n - (1 - Math.exp(-4.5)))).toBeLessThan(0.003);
  });

  it('has a mode width of 1.00 std for the mixture itself, and of k for samples k std from the centres', () => {
    // E[r²] = 2 for a 2-D standard normal; with 20,000 samples the width's standard error is about 0.004.
    expect(modeWidth(sampleMixture(RING, 20000, new Random(8)), RING)!).toBeCloseTo(1, 1);
    expect(Math.abs(modeWidth(sampleMixture(GRID, 20000, new Random(9)), GRID)! - 1)).toBeLessThan(0.015);
    // every sample 2 std from a centre along one axis: r = 2, width sqrt(4 / 2)
    const rows = new Float32Array(GRID.centers.flatMap(([x, y]) => [x + 2 * GRID.std, y]));
    expect(modeWidth(rows, GRID)).toBeCloseTo(Math.SQRT2, 5);
    expect(modeWidth(new Float32Array([10, 10]), GRID)).toBeNull(); // nothing within 5 std
  });

  it('self-conditioning clusters never straddle two modes (k-means on the data, more clusters than modes)', async () => {
    for (const [mixture, name] of [[RING, 'ring'], [GRID, 'grid']] as const) {
      const cfg = { ...mixtureConfig(name, 'self-cond'), clusterSamples: 2000 };
      const scale = dataScale(mixture, cfg);
      const clusters = await mixtureClusters(mixture, cfg, 4);
      expect(clusters.sizes).toHaveLength(cfg.clusters);
      expect(clusters.sizes.reduce((a, b) => a + b, 0)).toBe(2000);
      // fresh samples: the mode each cluster's members come from must be the same for all of them
      const xy = sampleMixture(mixture, 5000, new Random(10));
      const labels = clusters.nearest(xy.map((v) => v / scale), 5000);
      const modeOf = new Map<number, Set<number>>();
      for (let i = 0; i < 5000; i++) {
        let best = Infinity;
        let mode = -1;
        mixture.centers.forEach(([cx, cy], k) => {
          const d = Math.hypot(xy[2 * i]! - cx, xy[2 * i + 1]! - cy);
          if (d < best) [best, mode] = [d, k];
        });
        const set = modeOf.get(labels[i]!) ?? new Set<number>();
        set.add(mode);
        modeOf.set(labels[i]!, set);
      }
      for (const modes of modeOf.values()) expect(modes.size).toBe(1);
      // and every mode has at least one cluster of its own
      expect(new Set([...modeOf.values()].flatMap((m) => [...m])).size).toBe(mixture.centers.length);
    }
  });

  it('has the PacGAN geometry: ring radius 1 and std 0.01, grid {-4..4}² and std 0.05', () => {
    expect(RING.centers).toHaveLength(8);
    for (const [x, y] of RING.centers) expect(Math.hypot(x, y)).toBeCloseTo(1, 12);
    expect(RING.std).toBe(0.01);
    expect(GRID.centers).toHaveLength(25);
    expect(new Set(GRID.centers.map(([x]) => x))).toEqual(new Set([-4, -2, 0, 2, 4]));
    expect(GRID.std).toBe(0.05);
  });
});

describe('mixture scoring plumbing', () => {
  it('multiplies normalised samples back before scoring them', () => {
    const scale = dataScale(GRID, mixtureConfig('grid', 'ns'));
    expect(scale).toBe(4);
    // Samples at the centres in training units (divided by 4): perfect once scaled back.
    const perfect = GRID.centers.flatMap(([x, y]) => Array.from({ length: 4 }, () => [x / scale, y / scale]));
    const before = tf.memory().numTensors;
    const good = evaluateMixture(fixedSampler(perfect), GRID, perfect.length, { scale });
    expect(good).toEqual({ modesCovered: 25, highQualityFraction: 1, reverseKL: 0, modeWidth: 0 });
    // Unscaled, the same samples crowd the centre: only (0, 0) and its neighbours' shrunken copies are near modes.
    const unscaled = evaluateMixture(fixedSampler(perfect), GRID, perfect.length, { scale: 1 });
    expect(unscaled.highQualityFraction).toBeCloseTo(4 / 100, 12); // the 4 copies of (0, 0)
    expect(unscaled.modesCovered).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('counts a sample 2.9 std from a ring mode as high quality and one 3.1 std away as not', () => {
    const [c0, c1] = RING.centers as [readonly [number, number], readonly [number, number]];
    const rows = [
      [c0[0] + 2.9 * RING.std, c0[1]],
      [c1[0], c1[1] - 3.1 * RING.std],
    ];
    const r = evaluateMixture(fixedSampler(rows), RING, 2);
    expect(r.modesCovered).toBe(1);
    expect(r.highQualityFraction).toBe(0.5);
    expect(r.reverseKL).toBeCloseTo(Math.log(8), 12); // all high-quality samples in one of 8 modes
  });
});

describe('mixture pipeline', () => {
  it('trains every variant for a few steps on tiny networks, scores 2,500 samples and frees its tensors', async () => {
    const before = tf.memory().numTensors;
    const tiny = { steps: 4, hiddenUnits: [8, 8], batchSize: 32 };
    for (const variant of ['ns', 'ns-r1', 'rasgan', 'wgan-gp', 'self-cond'] as const) {
      const config = { ...tiny, dSteps: variant === 'wgan-gp' ? 2 : 1, clusters: 5, clusterSamples: 200 };
      const r = await runMixtureJob({ kind: 'mixture', mixture: 'ring', variant, seed: 1, config, evalEvery: 2 });
      expect(r).toMatchObject({ kind: 'mixture', mixture: 'ring', variant, seed: 1, steps: 4, modes: 8 });
      expect(r.modesCovered).toBeGreaterThanOrEqual(0);
      expect(r.modesCovered).toBeLessThanOrEqual(8);
      expect(r.highQualityFraction).toBeGreaterThanOrEqual(0);
      expect(r.highQualityFraction).toBeLessThanOrEqual(1);
      // 2,500 samples: the fraction is a multiple of 1/2500.
      expect(Math.abs(r.highQualityFraction * 2500 - Math.round(r.highQualityFraction * 2500))).toBeLessThan(1e-9);
      expect(r.trace?.map((t) => t.step)).toEqual([2]);
      expect(r.seconds).toBeGreaterThan(0);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is reproducible: the same seed gives the same scores', async () => {
    const job = { kind: 'mixture' as const, mixture: 'grid' as const, variant: 'ns' as const, seed: 3, config: { steps: 3, hiddenUnits: [8], batchSize: 16 } };
    const a = await runMixtureJob(job);
    const b = await runMixtureJob(job);
    expect([b.modesCovered, b.highQualityFraction, b.reverseKL]).toEqual([a.modesCovered, a.highQualityFraction, a.reverseKL]);
  });
});

function result(mixture: 'ring' | 'grid', variant: 'ns' | 'rasgan', seed: number, modesCovered: number, hq: number): MixtureResult {
  return {
    kind: 'mixture', mixture, variant, seed, steps: 100, modesCovered, modes: mixture === 'ring' ? 8 : 25,
    highQualityFraction: hq, reverseKL: 0.01, modeWidth: 0.9, seconds: 12,
  };
}

describe('report', () => {
  const results = [
    result('ring', 'ns', 1, 8, 0.975),
    result('ring', 'ns', 2, 8, 0.98),
    result('ring', 'rasgan', 1, 8, 0.99),
    result('ring', 'rasgan', 2, 7, 0.99), // a missed mode fails the row
    result('grid', 'ns', 1, 25, 0.95),
    result('grid', 'ns', 2, 25, 0.949), // just under 95 %
  ];

  it('groups seeds per row and checks the targets in every seed', () => {
    const rows = mixtureRows(results);
    expect(rows.map((r) => [r.mixture, r.variant, r.runs.length, r.targetMet])).toEqual([
      ['ring', 'ns', 2, true],
      ['ring', 'rasgan', 2, false],
      ['grid', 'ns', 2, false],
    ]);
  });

  it('prints one Markdown row per (data, variant) with as many cells as the header', () => {
    const lines = mixtureTable(results).split('\n');
    expect(lines).toHaveLength(2 + 3);
    const cells = (line: string) => line.split('|').length;
    for (const line of lines) expect(cells(line)).toBe(cells(lines[0]!));
    expect(lines[2]).toContain('| 8/8, 8/8 | 97.5, 98.0 | 97.8 |');
    expect(lines[2]).toMatch(/\| yes \(8\/8, ≥ 97 %\) \|$/);
    expect(lines[4]).toContain('| 95.0, 94.9 |');
    expect(lines[4]).toMatch(/\| no \(25\/25, ≥ 95 %\) \|$/);
  });

  it('WGAN-GP table: one row per seed, and the target met only when every seed has ≥ 80 % and all 10 digits', () => {
    const run = (seed: number, recognisable: number, digits: number): MnistResult => ({
      kind: 'mnist', model: 'wgan-gp', seed, steps: 100, discriminatorUpdates: 200, batchSize: 32, fid: 20 + seed,
      recognisable, digitCounts: Array.from({ length: 10 }, (_, d) => (d < digits ? 5 : 0)),
      gradientNorm: { mean: 1 + seed / 100, std: 0.05 }, lastPenalty: 0.1, evalSamples: 500, trainSeconds: 75, evalSeconds: 5,
    });
    const met = wganGpTable([run(0, 0.85, 10), run(1, 0.8, 10)]).split('\n');
    expect(met).toHaveLength(2 + 2 + 1);
    const cells = (line: string) => line.split('|').length;
    for (const line of met) expect(cells(line)).toBe(cells(met[0]!));
    expect(met[2]).toBe('| 0 | 100 | 200 | 32 | 85.0 | 10 | 20.00 | 1.000 ± 0.050 | 0.100 | 1:15 |');
    expect(met[4]).toContain('| 82.5 | 10 (fewest) | 20.50 | 1.005 |');
    expect(met[4]).toContain('**met**');
    expect(wganGpTable([run(0, 0.95, 10), run(1, 0.79, 10)])).toContain('**not met**');
    expect(wganGpTable([run(0, 0.95, 10), run(1, 0.95, 9)])).toContain('**not met**');
  });

  it('replaces only its own part of docs/benchmarks.md', () => {
    const doc = '# Benchmarks\n\n## Examples\n\ntext of another section\n';
    const once = replacePart(doc, 'mixtures', 'TABLE 1', 'intro');
    expect(once.startsWith(doc.trimEnd())).toBe(true);
    expect(once).toContain(`${SECTION_HEADING}\n\nintro\n\n${markers('mixtures').start}\nTABLE 1\n${markers('mixtures').end}\n`);
    const twice = replacePart(once, 'mixtures', 'TABLE 2');
    expect(twice).toBe(once.replace('TABLE 1', 'TABLE 2'));
    // A second part goes into the same section, before any later section.
    const withLater = `${twice}\n## Later section\n\nlater text\n`;
    const both = replacePart(withLater, 'mnist', 'MNIST TABLE');
    expect(both.indexOf(markers('mnist').start)).toBeGreaterThan(both.indexOf(markers('mixtures').end));
    expect(both.indexOf(markers('mnist').end)).toBeLessThan(both.indexOf('## Later section'));
    expect(both.replace(/\n{2,}/g, '\n')).toContain('later text');
    expect(both.match(new RegExp(SECTION_HEADING, 'g'))).toHaveLength(1);
  });
});

describe('npm run bench:quality (command line)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gan-kit-quality-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the mixture part end to end in worker processes, prints the table and writes JSON, not the docs', () => {
    const json = join(dir, 'results.json');
    const docs = join(dir, 'benchmarks.md');
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bench/quality.ts', '--only', 'mixtures', '--quick', '--seeds', '1', '--variants', 'ns', '--steps', '2', '--json', json, '--docs', docs],
      // 8 s at a load average of 10 on 2 cores; the limits leave room for a machine several times busier.
      { cwd: root, encoding: 'utf8', timeout: 240_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('| data | variant | seeds |');
    expect(r.stdout).toMatch(/\| ring \| non-saturating GAN \| 1 \| \d\/8 \|/);
    expect(r.stdout).toMatch(/\| grid \| non-saturating GAN \| 1 \| \d+\/25 \|/);
    const saved = JSON.parse(readFileSync(json, 'utf8')) as { mixtures: MixtureResult[] };
    expect(saved.mixtures.map((m) => [m.mixture, m.variant, m.seed, m.steps])).toEqual([
      ['ring', 'ns', 1, 2],
      ['grid', 'ns', 1, 2],
    ]);
    expect(() => readFileSync(docs)).toThrow(); // --quick never writes the docs
  }, 300_000);

  it('--only wgan-gp trains the wgan-gp recipe per --wgan-seeds seed and reports recognisable digits and the gradient norm', () => {
    const json = join(dir, 'wgan.json');
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bench/quality.ts', '--only', 'wgan-gp', '--quick', '--wgan-seeds', '1', '--steps', '2', '--json', json],
      { cwd: root, encoding: 'utf8', timeout: 300_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wgan-gp seed 1: \d+\.\d % recognisable, \d+ digits, critic gradient norm \d+\.\d{3} ± \d+\.\d{3}, FID \d+\.\d{2}/);
    expect(r.stdout).toContain('| seed | steps (G) | critic updates | batch |');
    const saved = JSON.parse(readFileSync(json, 'utf8')) as { mnist: MnistResult[]; mixtures?: unknown };
    expect(saved.mixtures).toBeUndefined();
    expect(saved.mnist.map((m) => [m.model, m.seed, m.steps, m.discriminatorUpdates, m.batchSize])).toEqual([['wgan-gp', 1, 2, 4, 32]]);
    expect(saved.mnist[0]!.gradientNorm!.mean).toBeGreaterThan(0);
    expect(saved.mnist[0]!.digitCounts).toHaveLength(10);
  }, 300_000);
});
