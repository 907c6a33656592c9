import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../src/errors';
import {
  CheckpointOwnershipError,
  listCheckpoints,
  readCheckpointPointer,
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

describe('checkpoint roots belong to one run', () => {
  it('refuses a second run (typed error) unless overwrite, and never deletes the other run\'s checkpoints', async () => {
    const dir = join(root, 'owned');
    await writeCheckpoint(dir, 1, writer('a1'), { runId: 'run-a' });
    await writeCheckpoint(dir, 2, writer('a2'), { runId: 'run-a' });
    expect((await readCheckpointPointer(dir))!.runId).toBe('run-a');
    const refused = writeCheckpoint(dir, 7, writer('b7'), { runId: 'run-b' });
    await expect(refused).rejects.toThrow(CheckpointOwnershipError);
    await expect(writeCheckpoint(dir, 7, writer('b7'), { runId: 'run-b' })).rejects.toThrow(/run id "run-a".*overwrite: true/);
    // A save without a run id is another run too.
    await expect(writeCheckpoint(dir, 7, writer('x'))).rejects.toThrow(CheckpointError);
    expect(await readFile(join(await resolveCheckpoint(dir), 'data.txt'), 'utf8')).toBe('a2');

    // overwrite: run-b takes the root; keep: 1 deletes only run-b's own older checkpoints.
    for (const step of [7, 8, 9]) await writeCheckpoint(dir, step, writer(`b${step}`), { runId: 'run-b', overwrite: true, keep: 1 });
    const pointer = (await readCheckpointPointer(dir))!;
    expect(pointer.runId).toBe('run-b');
    expect(pointer.checkpoints).toEqual(['ckpt-00000001', 'ckpt-00000002', 'ckpt-00000009']);
    expect(pointer.writers).toEqual({ 'ckpt-00000001': 'run-a', 'ckpt-00000002': 'run-a', 'ckpt-00000009': 'run-b' });
    expect((await readdir(dir)).sort()).toEqual(['checkpoint.json', 'ckpt-00000001', 'ckpt-00000002', 'ckpt-00000009']);
    expect(await readFile(join(await resolveCheckpoint(dir), 'data.txt'), 'utf8')).toBe('b9');
    // run-a may not come back without overwrite.
    await expect(writeCheckpoint(dir, 3, writer('a3'), { runId: 'run-a' })).rejects.toThrow(CheckpointOwnershipError);
  });

  it('the same run id resuming in a new process keeps its retention; old pointers without run ids stay readable', async () => {
    const dir = join(root, 'legacy');
    await mkdir(join(dir, 'ckpt-00000005'), { recursive: true });
    await writeFile(join(dir, 'ckpt-00000005', 'manifest.json'), '{}');
    await writeFile(join(dir, 'ckpt-00000005', 'data.txt'), 'old');
    // A pointer as gan-kit wrote it before run ids.
    await writeFile(
      join(dir, 'checkpoint.json'),
      JSON.stringify({ format: 'gan-kit/checkpoint-pointer', version: 1, latest: 'ckpt-00000005', checkpoints: ['ckpt-00000005'] }),
    );
    expect(await readFile(join(await resolveCheckpoint(dir), 'data.txt'), 'utf8')).toBe('old');
    expect(await listCheckpoints(dir)).toEqual([join(dir, 'ckpt-00000005')]);
    for (const step of [6, 7, 8]) await writeCheckpoint(dir, step, writer(`r${step}`), { runId: 'run-r', keep: 2 });
    // The unowned old checkpoint is never deleted by run-r; run-r keeps its newest 2.
    expect((await readCheckpointPointer(dir))!.checkpoints).toEqual(['ckpt-00000005', 'ckpt-00000007', 'ckpt-00000008']);
  });

  it('cleans a half-written pointer temp file left by a kill', async () => {
    const dir = join(root, 'pointer-temp');
    await writeCheckpoint(dir, 1, writer('one'));
    await writeFile(join(dir, '.checkpoint.json.tmp-12345-abcdefgh'), '{"format":"gan-kit/checkpoint-poi');
    await writeCheckpoint(dir, 2, writer('two'));
    expect((await readdir(dir)).sort()).toEqual(['checkpoint.json', 'ckpt-00000001', 'ckpt-00000002']);
  });

  it('a checkpoint root that is a regular file, and bad runId / overwrite values, are typed errors', async () => {
    const file = join(root, 'plain-file');
    await writeFile(file, 'not a directory');
    await expect(writeCheckpoint(file, 1, writer('x'))).rejects.toThrow(InvalidArgumentError);
    await expect(writeCheckpoint(file, 1, writer('x'))).rejects.toThrow(/plain-file is a regular file, not a directory/);
    await expect(writeCheckpoint(join(root, 'r'), 1, writer('x'), { runId: '' })).rejects.toThrow(/options\.runId/);
    await expect(writeCheckpoint(join(root, 'r'), 1, writer('x'), { overwrite: 'yes' as never })).rejects.toThrow(/options\.overwrite/);
  });
});
