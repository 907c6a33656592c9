import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../src/errors';
import {
  listCheckpoints,
  resolveCheckpoint,
  writeCheckpoint,
  type CheckpointPhase,
} from '../../src/io/checkpoint_store';
import { CheckpointError } from '../../src/io/model_files';

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gan-kit-ckpt-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const writer = (content: string) => async (staging: string) => {
  await writeFile(join(staging, 'data.txt'), content);
  await writeFile(join(staging, 'manifest.json'), JSON.stringify({ content }));
};

describe('writeCheckpoint / resolveCheckpoint', () => {
  it('commits through a pointer, keeps the newest `keep` checkpoints and reports each phase', async () => {
    const dir = join(root, 'keep');
    const phases: CheckpointPhase[] = [];
    for (let step = 1; step <= 4; step++) {
      const path = await writeCheckpoint(dir, step * 10, writer(`step ${step}`), {
        keep: 2,
        onPhase: (phase) => {
          phases.push(phase);
        },
      });
      expect(path).toBe(join(dir, `ckpt-${String(step * 10).padStart(8, '0')}`));
    }
    expect(phases.slice(0, 4)).toEqual(['writing', 'written', 'renamed', 'committed']);
    expect((await readdir(dir)).sort()).toEqual(['checkpoint.json', 'ckpt-00000030', 'ckpt-00000040']);
    const latest = await resolveCheckpoint(dir);
    expect(await readFile(join(latest, 'data.txt'), 'utf8')).toBe('step 4');
    expect(await listCheckpoints(dir)).toEqual([join(dir, 'ckpt-00000030'), join(dir, 'ckpt-00000040')]);
    // A checkpoint directory itself resolves to itself.
    expect(await resolveCheckpoint(latest)).toBe(latest);
  });

  it('gives a second save at the same step its own directory', async () => {
    const dir = join(root, 'same-step');
    const first = await writeCheckpoint(dir, 5, writer('a'));
    const second = await writeCheckpoint(dir, 5, writer('b'));
    expect(second).not.toBe(first);
    expect(await readFile(join(await resolveCheckpoint(dir), 'data.txt'), 'utf8')).toBe('b');
  });

  it('leaves the previous checkpoint current when the writer fails, and cleans staging leftovers', async () => {
    const dir = join(root, 'failing');
    await writeCheckpoint(dir, 1, writer('good'));
    await expect(
      writeCheckpoint(dir, 2, async (staging) => {
        await writeFile(join(staging, 'data.txt'), 'half');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    await expect(writeCheckpoint(dir, 3, async () => undefined)).rejects.toThrow(/manifest/);
    expect(await readFile(join(await resolveCheckpoint(dir), 'data.txt'), 'utf8')).toBe('good');
    // What a killed process leaves: a staging directory and an uncommitted checkpoint directory.
    await mkdir(join(dir, '.tmp-00000009-1-abc'));
    await mkdir(join(dir, 'ckpt-00000009'));
    await writeCheckpoint(dir, 10, writer('next'));
    expect((await readdir(dir)).sort()).toEqual(['checkpoint.json', 'ckpt-00000001', 'ckpt-00000010']);
  });

  it('throws typed errors for a missing checkpoint and a bad keep', async () => {
    await expect(resolveCheckpoint(join(root, 'nothing-here'))).rejects.toThrow(CheckpointError);
    await expect(writeCheckpoint(join(root, 'k'), 1, writer('x'), { keep: 0 })).rejects.toThrow(InvalidArgumentError);
  });
});
