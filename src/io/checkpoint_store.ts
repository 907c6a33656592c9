import { InvalidArgumentError } from '../errors';
import { CheckpointError } from './model_files';
import { ensureDirectory, nodeFs, pathExists, syncDirectory, writeFileAtomic } from './node_fs';

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
  /** Pointer format version: 1 (the fields below marked optional were added later; older pointers lack them). */
  version: 1;
  /** Directory name (inside the root) of the newest complete checkpoint. */
  latest: string;
  /** All complete checkpoints still kept, oldest first. */
  checkpoints: string[];
  /**
   * The run that owns the root: the `runId` of the last {@link writeCheckpoint} that passed one. Absent in
   * pointers written without a run id (and by gan-kit versions before run ids).
   */
  runId?: string;
  /**
   * Which run wrote each checkpoint (directory name → run id). Checkpoints missing here were written without a
   * run id. Retention only ever deletes checkpoints written by the same run id as the save that deletes them.
   */
  writers?: Record<string, string>;
}

/**
 * A save into a checkpoint root that belongs to another run: its `checkpoint.json` records a different run id.
 * Saving there would move the pointer away from that run's checkpoints. Pass `overwrite: true` to take the root
 * over (its checkpoints are still never deleted by this run), or save into another directory.
 */
export class CheckpointOwnershipError extends CheckpointError {
  /** The checkpoint root. */
  readonly root: string;
  /** The run id recorded in the root's pointer. */
  readonly ownerRunId: string;
  /** The run id of the refused save (undefined: the save passed none). */
  readonly runId: string | undefined;

  constructor(root: string, ownerRunId: string, runId: string | undefined) {
    super(
      `${root} holds the checkpoints of another run (run id ${JSON.stringify(ownerRunId)} in its ${CHECKPOINT_POINTER}; ` +
        `this save's run id is ${runId === undefined ? 'not set' : JSON.stringify(runId)}). Saving there would take the ` +
        "root from that run: save into another directory, restore that run first to continue it, or pass overwrite: true " +
        "to take the root over (the other run's checkpoints are kept, never deleted).",
    );
    this.root = root;
    this.ownerRunId = ownerRunId;
    this.runId = runId;
  }
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
  /**
   * Identifies the run that saves (any non-empty string, e.g. a random id made when training starts and kept in
   * the checkpoints, so a resumed run saves under the same id). It is recorded in `checkpoint.json`; a root whose
   * pointer records another run id is refused with a {@link CheckpointOwnershipError} unless `overwrite` is true,
   * and `keep` deletes only checkpoints written under this run id. Default: undefined (the pointer's owner is not
   * changed, only checkpoints written without a run id are deleted by `keep`, and a root owned by a run id is
   * refused unless `overwrite` is true).
   */
  runId?: string;
  /**
   * Save even into a root owned by another run id; this run becomes its owner. The other run's checkpoints are
   * kept (listed in the pointer, never deleted by this run). Default: false.
   */
  overwrite?: boolean;
}

/**
 * The option keys of {@link writeCheckpoint}, kept next to the interface so that they cannot drift from it. Not
 * checked by writeCheckpoint itself, which receives the trainers' save options (a superset); callers that take
 * these options from users check them (e.g. `[...WRITE_CHECKPOINT_OPTION_KEYS, 'metadata']`).
 */
export const WRITE_CHECKPOINT_OPTION_KEYS = ['keep', 'onPhase', 'runId', 'overwrite'] as const satisfies readonly (keyof WriteCheckpointOptions)[];
type MissingWriteCheckpointKeys = Exclude<keyof WriteCheckpointOptions, (typeof WRITE_CHECKPOINT_OPTION_KEYS)[number]>;
// Fails to compile when WriteCheckpointOptions gains a key that the list lacks.
const writeCheckpointKeysComplete: [MissingWriteCheckpointKeys] extends [never] ? true : never = true;
void writeCheckpointKeysComplete;

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
    if (parsed.runId !== undefined && typeof parsed.runId !== 'string') throw new Error('runId is not a string');
    if (parsed.writers !== undefined && (typeof parsed.writers !== 'object' || parsed.writers === null)) {
      throw new Error('writers is not an object');
    }
    return parsed;
  } catch (error) {
    throw new CheckpointError(`${file} is not a gan-kit checkpoint pointer: ${(error as Error).message}`);
  }
}

/**
 * Reads the pointer file (`checkpoint.json`) of a checkpoint root: its newest checkpoint, the checkpoints kept,
 * and, when saves passed one, the owning run id and the writer of each checkpoint. Resolves undefined when the
 * root has no pointer.
 *
 * @throws {CheckpointError} if the pointer exists but is not a gan-kit checkpoint pointer.
 */
export async function readCheckpointPointer(root: string): Promise<CheckpointPointer | undefined> {
  return readPointer(root);
}

/** Temporary files that {@link writeFileAtomic} leaves behind when killed while replacing `checkpoint.json`. */
function isPointerTemp(entry: string): boolean {
  return entry.startsWith(`.${CHECKPOINT_POINTER}.tmp-`);
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
  if (typeof root !== 'string' || root === '') throw new InvalidArgumentError('root', 'a directory path', root);
  const keep = options.keep ?? 2;
  if (!Number.isInteger(keep) || keep < 1) {
    throw new InvalidArgumentError('keep', 'an integer >= 1 (number of checkpoints to keep)', keep);
  }
  const runId = options.runId;
  if (runId !== undefined && (typeof runId !== 'string' || runId === '')) {
    throw new InvalidArgumentError('options.runId', 'a non-empty string identifying the run', runId);
  }
  if (options.overwrite !== undefined && typeof options.overwrite !== 'boolean') {
    throw new InvalidArgumentError('options.overwrite', 'a boolean', options.overwrite);
  }
  const { fs, path } = await nodeFs('Saving a checkpoint');
  await ensureDirectory(root, 'checkpoint directory');
  const pointer = await readPointer(root);
  if (pointer?.runId !== undefined && pointer.runId !== runId && options.overwrite !== true) {
    throw new CheckpointOwnershipError(root, pointer.runId, runId);
  }
  const kept = pointer ? pointer.checkpoints.filter((c) => c !== '') : [];
  const writers: Record<string, string> = {};
  for (const [name, writer] of Object.entries(pointer?.writers ?? {})) {
    if (kept.includes(name) && typeof writer === 'string') writers[name] = writer;
  }

  // Clear what a killed save left behind: staging directories, checkpoints renamed but never committed, and
  // temporary pointer files of an interrupted pointer replacement.
  for (const entry of await fs.readdir(root)) {
    // Without a pointer nothing is known to be ours for sure, so only staging directories are removed then.
    const orphanCheckpoint = pointer !== undefined && entry.startsWith(CKPT_PREFIX) && !kept.includes(entry);
    if (entry.startsWith(TMP_PREFIX) || orphanCheckpoint || isPointerTemp(entry)) {
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
  if (runId !== undefined) writers[name] = runId;
  // Retention: the newest `keep` of this run's checkpoints stay; another run's (or, for a save without a run id,
  // any run's) checkpoints are never deleted.
  const ours = all.filter((c) => writers[c] === runId);
  const deleted = ours.slice(0, Math.max(0, ours.length - keep));
  const survivors = all.filter((c) => !deleted.includes(c));
  const next: CheckpointPointer = {
    format: 'gan-kit/checkpoint-pointer',
    version: 1,
    latest: name,
    checkpoints: survivors,
  };
  // A save without a run id that overwrites leaves the root without an owner; otherwise the owner stays.
  const owner = runId ?? (options.overwrite === true ? undefined : pointer?.runId);
  if (owner !== undefined) next.runId = owner;
  const survivingWriters = Object.fromEntries(Object.entries(writers).filter(([c]) => survivors.includes(c)));
  if (Object.keys(survivingWriters).length > 0) next.writers = survivingWriters;
  await writeFileAtomic(path.join(root, CHECKPOINT_POINTER), JSON.stringify(next, null, 2));
  await options.onPhase?.('committed', final);

  for (const old of deleted) await fs.rm(path.join(root, old), { recursive: true, force: true });
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
