import { InvalidArgumentError } from '../errors';
import { CheckpointError } from './model_files';
import { nodeFs, pathExists, syncDirectory, writeFileAtomic } from './node_fs';

/** Name of the pointer file, in a checkpoint root directory, that names the latest complete checkpoint. */
export const CHECKPOINT_POINTER = 'checkpoint.json';
/** Name of the manifest inside each checkpoint directory; written last, so its presence marks completeness. */
export const CHECKPOINT_MANIFEST = 'manifest.json';

const TMP_PREFIX = '.tmp-';
const CKPT_PREFIX = 'ckpt-';

/** Contents of `checkpoint.json`: the complete checkpoints in a root directory, oldest first. */
export interface CheckpointPointer {
  /** Always `'gan-kit/checkpoint-pointer'`. */
  format: 'gan-kit/checkpoint-pointer';
  /** Pointer format version: 1. */
  version: 1;
  /** Directory name (inside the root) of the newest complete checkpoint. */
  latest: string;
  /** All complete checkpoints still kept, oldest first. */
  checkpoints: string[];
}

/** Stages of a checkpoint write, reported to {@link WriteCheckpointOptions.onPhase}. */
export type CheckpointPhase =
  /** The staging directory exists; files are about to be written into it. */
  | 'writing'
  /** All files are written and flushed in the staging directory; not yet visible. */
  | 'written'
  /** The staging directory was renamed to its final name; the pointer still names the previous checkpoint. */
  | 'renamed'
  /** The pointer names the new checkpoint: the save is complete. */
  | 'committed';

/** Options of {@link writeCheckpoint}. */
export interface WriteCheckpointOptions {
  /**
   * How many complete checkpoints to keep in the root directory; older ones are deleted after the new one is
   * committed (never before). Default: 2.
   */
  keep?: number;
  /**
   * Called at each stage of the write with the path involved; awaited. For progress reporting and for tests
   * that interrupt a save at a given stage. Default: none.
   */
  onPhase?: (phase: CheckpointPhase, path: string) => void | Promise<void>;
}

function pad(step: number): string {
  return String(step).padStart(8, '0');
}

async function readPointer(root: string): Promise<CheckpointPointer | undefined> {
  const { fs, path } = await nodeFs('Reading a checkpoint');
  const file = path.join(root, CHECKPOINT_POINTER);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as CheckpointPointer;
    if (typeof parsed.latest !== 'string' || !Array.isArray(parsed.checkpoints)) throw new Error('bad shape');
    return parsed;
  } catch (error) {
    throw new CheckpointError(`${file} is not a gan-kit checkpoint pointer: ${(error as Error).message}`);
  }
}

/**
 * Writes a checkpoint atomically into the root directory `root`.
 *
 * 1. `write(staging)` fills a fresh hidden staging directory `root/.tmp-…` (it must write
 *    {@link CHECKPOINT_MANIFEST} last);
 * 2. the staging directory is renamed to `root/ckpt-<step>`;
 * 3. `root/checkpoint.json` is replaced atomically (temp file + rename) to name the new checkpoint;
 * 4. checkpoints beyond `keep` are deleted, oldest first.
 *
 * A process killed at any point leaves `checkpoint.json` naming a complete checkpoint (the previous one until
 * step 3 finishes). Leftover staging directories are removed by the next write. One process should write a
 * given root at a time.
 *
 * @returns the path of the new checkpoint directory.
 */
export async function writeCheckpoint(
  root: string,
  step: number,
  write: (staging: string) => Promise<void>,
  options: WriteCheckpointOptions = {},
): Promise<string> {
  const keep = options.keep ?? 2;
  if (!Number.isInteger(keep) || keep < 1) {
    throw new InvalidArgumentError('keep', 'an integer >= 1 (number of checkpoints to keep)', keep);
  }
  const { fs, path } = await nodeFs('Saving a checkpoint');
  await fs.mkdir(root, { recursive: true });
  const pointer = await readPointer(root);
  const kept = pointer ? pointer.checkpoints.filter((c) => c !== '') : [];

  // Clear what a killed save left behind: staging directories, and checkpoints renamed but never committed.
  for (const entry of await fs.readdir(root)) {
    // Without a pointer nothing is known to be ours for sure, so only staging directories are removed then.
    const orphanCheckpoint = pointer !== undefined && entry.startsWith(CKPT_PREFIX) && !kept.includes(entry);
    if (entry.startsWith(TMP_PREFIX) || orphanCheckpoint) {
      await fs.rm(path.join(root, entry), { recursive: true, force: true });
    }
  }

  const staging = path.join(root, `${TMP_PREFIX}${pad(step)}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  await fs.mkdir(staging);
  await options.onPhase?.('writing', staging);
  try {
    await write(staging);
    if (!(await pathExists(path.join(staging, CHECKPOINT_MANIFEST)))) {
      throw new CheckpointError(`The checkpoint writer did not write ${CHECKPOINT_MANIFEST}.`);
    }
    await syncDirectory(staging);
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
  await options.onPhase?.('written', staging);

  let name = `${CKPT_PREFIX}${pad(step)}`;
  for (let n = 1; kept.includes(name) || (await pathExists(path.join(root, name))); n++) {
    name = `${CKPT_PREFIX}${pad(step)}-${n}`;
  }
  const final = path.join(root, name);
  await fs.rename(staging, final);
  await syncDirectory(root);
  await options.onPhase?.('renamed', final);

  const all = [...kept, name];
  const survivors = all.slice(Math.max(0, all.length - keep));
  const next: CheckpointPointer = {
    format: 'gan-kit/checkpoint-pointer',
    version: 1,
    latest: name,
    checkpoints: survivors,
  };
  await writeFileAtomic(path.join(root, CHECKPOINT_POINTER), JSON.stringify(next, null, 2));
  await options.onPhase?.('committed', final);

  for (const old of all) {
    if (!survivors.includes(old)) await fs.rm(path.join(root, old), { recursive: true, force: true });
  }
  return final;
}

/**
 * Finds the checkpoint to load for `dir`: the latest complete checkpoint named by `dir/checkpoint.json`, or
 * `dir` itself when it is a single checkpoint directory (holds a manifest).
 *
 * @throws {CheckpointError} if neither exists.
 */
export async function resolveCheckpoint(dir: string): Promise<string> {
  const { path } = await nodeFs('Reading a checkpoint');
  const pointer = await readPointer(dir);
  if (pointer) {
    const latest = path.join(dir, pointer.latest);
    if (await pathExists(path.join(latest, CHECKPOINT_MANIFEST))) return latest;
    throw new CheckpointError(
      `${path.join(dir, CHECKPOINT_POINTER)} names ${pointer.latest}, but ${latest} has no ${CHECKPOINT_MANIFEST}. ` +
        'The directory was modified outside gan-kit.',
    );
  }
  if (await pathExists(path.join(dir, CHECKPOINT_MANIFEST))) return dir;
  throw new CheckpointError(
    `No checkpoint in ${dir}: expected ${CHECKPOINT_POINTER} (a checkpoint root written by trainer.save) or ` +
      `${CHECKPOINT_MANIFEST} (one checkpoint directory). Check the path, or save first.`,
  );
}

/** Lists the complete checkpoints kept in a root directory, oldest first (absolute paths). */
export async function listCheckpoints(root: string): Promise<string[]> {
  const { path } = await nodeFs('Reading a checkpoint');
  const pointer = await readPointer(root);
  return pointer ? pointer.checkpoints.map((c) => path.join(root, c)) : [];
}
