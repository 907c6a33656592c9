import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import '../../src/index';
import { flattenStats, type TrainerCallback } from '../../src/trainers/callbacks';
import { GanTrainer } from '../../src/trainers/gan_trainer';
import { jsonlLogger } from '../../src/trainers/jsonl_logger';
import { progressBar } from '../../src/trainers/progress_bar';
import { sampleGrid } from '../../src/trainers/sample_grid';
import type { GanStepStats } from '../../src/trainers/adversarial_trainer';
import { seededModel } from '../helpers/seeded';

let root = '';
beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gan-kit-callbacks-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** G: z [3] → 2×2×1 images in [-1, 1]; D: image → logit. Weights drawn from fixed seeds. */
function trainer(): GanTrainer {
  const generator = seededModel(
    tf.sequential({
      layers: [tf.layers.dense({ inputShape: [3], units: 4, activation: 'tanh' }), tf.layers.reshape({ targetShape: [2, 2, 1] })],
    }),
    1,
  );
  const discriminator = seededModel(tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 2, 1] }), tf.layers.dense({ units: 1 })] }), 2);
  return new GanTrainer({ generator, discriminator, latentDim: 3, seed: 1, penalties: [{ name: 'zero', compute: () => tf.scalar(0) }] });
}

describe('trainer callbacks', () => {
  it('progressBar redraws one line on a terminal with steps, percent, time per step, ETA and losses', async () => {
    const writes: string[] = [];
    let now = 0;
    const tick: TrainerCallback<GanStepStats> = { onStepEnd: () => void (now += 1000) };
    const t = trainer();
    const data = [tf.randomUniform([4, 2, 2, 1], -1, 1, 'float32', 1)];
    await t.fit(data, {
      steps: 4,
      callbacks: [tick, progressBar({ stream: { write: (s) => void writes.push(s), isTTY: true }, width: 10, clock: () => now })],
    });
    expect(writes).toHaveLength(5);
    expect(writes.slice(0, 4).every((w) => w.startsWith('\r'))).toBe(true);
    expect(writes[1]).toContain('[====>     ]');
    expect(writes[1]).toContain('2/4');
    expect(writes[1]).toContain(' 50%');
    expect(writes[1]).toContain('1000.0 ms/step');
    expect(writes[1]).toContain('ETA 00:02'); // 2 steps left at 1 s each
    expect(writes[1]).toMatch(/discriminatorLoss \d+\.\d{4}/);
    expect(writes[3]).toContain('[==========]');
    expect(writes[4]).toBe('\n');
    tf.dispose(data);
    t.dispose();
  });

  it('progressBar prints a line every N steps on a non-terminal stream', async () => {
    const lines: string[] = [];
    const t = trainer();
    const data = [tf.randomUniform([4, 2, 2, 1], -1, 1, 'float32', 2)];
    await t.fit(data, { steps: 6, callbacks: [progressBar({ stream: { write: (s) => void lines.push(s) }, every: 2, keys: ['generatorLoss', 'penalties/zero'] })] });
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
    expect(lines[2]).toContain('6/6');
    expect(lines[2]).toContain('penalties/zero 0.0000');
    tf.dispose(data);
    t.dispose();
  });

  it('jsonlLogger appends one flattened JSON object per logged step', async () => {
    const file = join(root, 'logs', 'metrics.jsonl');
    const t = trainer();
    const data = [tf.randomUniform([4, 2, 2, 1], -1, 1, 'float32', 3)];
    const result = await t.fit(data, { steps: 5, callbacks: [jsonlLogger({ path: file, every: 2 })] });
    await t.fit(data, { steps: 2, callbacks: [jsonlLogger({ path: file, every: 2 })] }); // appends step 6
    const records = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(records.map((r) => r.step)).toEqual([2, 4, 6]);
    expect(records[0].discriminatorLoss).toBe(result.history[1]!.discriminatorLoss);
    expect(records[0]['penalties/zero']).toBe(0);
    expect(typeof records[0].time).toBe('string');
    await t.fit(data, { steps: 2, callbacks: [jsonlLogger({ path: file, overwrite: true })] });
    expect((await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l).step)).toEqual([8, 9]);
    tf.dispose(data);
    t.dispose();
  });

  it('sampleGrid writes a PNG grid of fixed-seed samples every N steps and after the last step', async () => {
    const dir = join(root, 'grids');
    const t = trainer();
    const data = [tf.randomUniform([4, 2, 2, 1], -1, 1, 'float32', 4)];
    await t.fit(data, { steps: 5, callbacks: [sampleGrid({ dir, every: 2, count: 4, rows: 2 })] });
    expect((await readdir(dir)).sort()).toEqual(['step-00000002.png', 'step-00000004.png', 'step-00000005.png']);
    const png = PNG.sync.read(await readFile(join(dir, 'step-00000005.png')));
    expect([png.width, png.height]).toEqual([2 * 2 + 3 * 2, 2 * 2 + 3 * 2]);
    // The top-left pixel of the first image is sample 0 (seed 0), mapped from [-1, 1] to 0..255.
    const samples = t.sample(4, { seed: 0 });
    const v = (await samples.data())[0]!;
    expect(png.data[(2 * png.width + 2) * 4]).toBe(Math.round(((v + 1) / 2) * 255));
    samples.dispose();
    tf.dispose(data);
    t.dispose();
  });

  it('flattenStats flattens nested records with "/"', () => {
    expect(flattenStats({ step: 3, loss: 1, penalties: { gp: 2, r1: 0.5 } })).toEqual({ step: 3, loss: 1, 'penalties/gp': 2, 'penalties/r1': 0.5 });
  });
});
