import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../helpers/backends';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointOwnershipError, UnknownOptionError } from '../../src/index';
import { GanTrainer } from '../../src/trainers/gan_trainer';
import { seededModel } from '../helpers/seeded';

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gan-kit-ownership-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function trainer(seed: number): GanTrainer {
  const generator = seededModel(tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 3 })] }), seed);
  const discriminator = seededModel(tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 1 })] }), seed + 1);
  return new GanTrainer({ generator, discriminator, latentDim: 2, seed });
}

const ckpts = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((n) => n.startsWith('ckpt-')).sort();

describeEachBackend('checkpoint roots belong to one run (trainer API)', () => {
  it('a second trainer cannot take a root without overwrite, and never deletes the first run\'s checkpoints', async () => {
    const dir = join(root, `shared-${tf.getBackend()}`);
    const data = [tf.randomUniform([4, 3], -1, 1, 'float32', 1)];
    const first = trainer(1);
    await first.fit(data, { steps: 2, checkpoint: { dir, every: 1, keep: 2 } });
    const firstRun = await ckpts(dir);
    expect(firstRun).toEqual(['ckpt-00000001', 'ckpt-00000002']);
    const pointer = JSON.parse(await readFile(join(dir, 'checkpoint.json'), 'utf8')) as { runId: string };
    expect(pointer.runId).toBe(first.runId);

    // Another run, through save and through fit: refused, nothing written.
    const second = trainer(5);
    await expect(second.save(dir)).rejects.toBeInstanceOf(CheckpointOwnershipError);
    await expect(second.fit(data, { steps: 1, checkpoint: { dir, every: 1 } })).rejects.toBeInstanceOf(CheckpointOwnershipError);
    expect(second.step).toBe(0); // refused before training, not at the first save
    expect(await ckpts(dir)).toEqual(firstRun);

    // With overwrite it may save there, but keep only ever deletes its own checkpoints.
    await second.fit(data, { steps: 3, checkpoint: { dir, every: 1, keep: 1, overwrite: true } });
    const after = await ckpts(dir);
    for (const c of firstRun) expect(after).toContain(c);

    // A restored trainer continues the root's run: its saves are accepted without overwrite.
    const resumed = trainer(9);
    await resumed.restore(dir);
    expect(resumed.runId).toBe(second.runId);
    await expect(resumed.save(dir)).resolves.toContain('ckpt-');
    tf.dispose(data);
    for (const t of [first, second, resumed]) t.dispose();
  });

  it('save and fit checkpoint options refuse unknown keys', async () => {
    const t = trainer(2);
    await expect(t.save(join(root, 'x'), { kep: 3 } as never)).rejects.toBeInstanceOf(UnknownOptionError);
    await expect(t.fit([tf.zeros([2, 3])], { steps: 1, checkpoint: { dir: join(root, 'y'), every: 1, overwrit: true } as never })).rejects.toBeInstanceOf(
      UnknownOptionError,
    );
    t.dispose();
  });
});
