import { GanKitError, InvalidArgumentError } from '../errors';

type FsPromises = typeof import('node:fs/promises');
type PathModule = typeof import('node:path');

/** Node's `fs/promises` and `path`, loaded on first use so that browser bundles never need them. */
export interface NodeFs {
  /** `node:fs/promises`. */
  fs: FsPromises;
  /** `node:path`. */
  path: PathModule;
}

let cached: Promise<NodeFs> | undefined;

/**
 * Imports a Node built-in by a name held in a variable. Bundlers only follow `import()` of a string literal, so a
 * browser bundle of gan-kit (src/index.browser.ts) never tries to resolve or include `node:fs`; the call only
 * runs in Node, after {@link nodeFs} has checked the platform.
 */
async function importBuiltin<T>(name: string): Promise<T> {
  return (await import(/* @vite-ignore */ /* webpackIgnore: true */ name)) as T;
}

function isNode(): boolean {
  return typeof process !== 'undefined' && process.versions != null && process.versions.node != null;
}

/**
 * Loads Node's file-system modules lazily.
 * @throws {GanKitError} outside Node.js, naming the feature that needs a file system.
 * @internal
 */
export function nodeFs(feature: string): Promise<NodeFs> {
  if (!isNode()) {
    return Promise.reject(
      new GanKitError(
        `${feature} uses the local file system, which needs Node.js (model and checkpoint directories are ` +
          "Node-only). In a browser, save models with model.save('indexeddb://…') or 'downloads://…' and load " +
          'them with tf.loadLayersModel.',
      ),
    );
  }
  cached ??= Promise.all([importBuiltin<FsPromises>('node:fs/promises'), importBuiltin<PathModule>('node:path')]).then(
    ([fs, path]) => ({ fs, path }),
  );
  return cached;
}

/**
 * Writes `data` to `file` and flushes it to disk (fsync) before returning, so a later rename that publishes it
 * never exposes a partly written file, even after a power loss.
 * @internal
 */
export async function writeFileDurable(file: string, data: string | Uint8Array): Promise<void> {
  const { fs } = await nodeFs('Writing files');
  const handle = await fs.open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a directory's entries (new names, renames) to disk. Best effort: some platforms cannot fsync directories. @internal */
export async function syncDirectory(dir: string): Promise<void> {
  const { fs } = await nodeFs('Writing files');
  let handle: Awaited<ReturnType<FsPromises['open']>> | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open directories; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}

/**
 * Replaces `file` atomically: writes a temporary sibling, flushes it, then renames it over `file`. Readers
 * (and a process that is killed half-way) see either the old content or the new one, never a mix.
 *
 * @example
 * ```ts
 * await writeFileAtomic('runs/exp1/checkpoint.json', JSON.stringify(pointer));
 * ```
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const { fs, path } = await nodeFs('writeFileAtomic');
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
  );
  try {
    await writeFileDurable(tmp, data);
    await fs.rename(tmp, file);
  } catch (error) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(path.dirname(file));
}

/** True if `p` exists. @internal */
export async function pathExists(p: string): Promise<boolean> {
  const { fs } = await nodeFs('Reading files');
  try {
    await fs.stat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * SHA-256 of `data` as 64 lowercase hex digits, by Node's `node:crypto` (loaded on first use, like `node:fs`).
 * @internal
 */
export async function sha256Hex(data: Uint8Array): Promise<string> {
  await nodeFs('Checksums');
  const crypto = await importBuiltin<typeof import('node:crypto')>('node:crypto');
  return crypto.createHash('sha256').update(data).digest('hex');
}

/**
 * Creates `dir` (and its parents) unless it exists; a path that is a regular file, or that runs through one, is an
 * {@link InvalidArgumentError} naming it instead of Node's EEXIST / ENOTDIR.
 * @internal
 */
export async function ensureDirectory(dir: string, argument: string): Promise<void> {
  const { fs } = await nodeFs('Saving files');
  const stat = await fs.stat(dir).catch(() => undefined);
  if (stat !== undefined && !stat.isDirectory()) {
    throw new InvalidArgumentError(argument, 'a directory path (existing, or one to create)', dir, `${dir} is a regular file, not a directory: choose another path.`);
  }
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' || code === 'EEXIST') {
      throw new InvalidArgumentError(argument, 'a directory path (existing, or one to create)', dir, `A part of ${dir} is a regular file, not a directory: choose another path.`);
    }
    throw new GanKitError(`Cannot create the directory ${dir}: ${(error as Error).message}`);
  }
}
