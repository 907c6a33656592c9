/**
 * Runs benchmark jobs in child processes, `jobs` at a time: each process trains one model on one wasm thread, so
 * two processes use both cores of a 2-core machine (one XNNPACK thread per process is faster than two threads
 * in one process for these small models, and independent runs need no synchronisation).
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The line prefix a worker prints its result JSON after. */
export const RESULT_PREFIX = 'QUALITY_RESULT ';

/** Runs one job in a new Node process (`worker.ts`) and returns the JSON result it prints. */
export function runInWorker<TJob, TResult>(job: TJob): Promise<TResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'worker.ts'), JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GAN_KIT_WASM_THREADS: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (code !== 0 || line === undefined) {
        const tail = (stderr || stdout).trim().split('\n').slice(-8).join('\n');
        reject(new Error(`worker for ${JSON.stringify(job)} exited with code ${code}:\n${tail}`));
        return;
      }
      resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as TResult);
    });
  });
}

/**
 * Runs `jobs` with at most `concurrency` at a time (in the order given), calling `onResult` as each finishes.
 * Results are returned in the order of `jobs`.
 */
export async function runPool<TJob, TResult>(
  jobs: readonly TJob[],
  concurrency: number,
  run: (job: TJob) => Promise<TResult>,
  onResult?: (result: TResult, job: TJob, done: number) => void,
): Promise<TResult[]> {
  const results: TResult[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await run(jobs[i]!);
      done++;
      onResult?.(results[i]!, jobs[i]!, done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, jobs.length)) }, lane));
  return results;
}
