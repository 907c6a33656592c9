/**
 * Child process of the quality benchmark: runs one job (JSON in argv[2]) on the wasm backend with one thread and
 * prints its result as one line, `QUALITY_RESULT {...}`.
 */
import { setupBackend } from '../../src/index';
import { runMixtureJob, type MixtureJob } from './mixtures';
import { mnistReference, runMnistJob, type MnistJob } from './mnist';
import { RESULT_PREFIX } from './pool';
import { runSaganJob, type SaganJob } from './sagan';

/** A job a worker can run. */
export type QualityJob = MixtureJob | MnistJob | SaganJob | { kind: 'mnist-reference'; n: number };

export async function runJob(job: QualityJob): Promise<unknown> {
  switch (job.kind) {
    case 'mixture':
      return runMixtureJob(job);
    case 'mnist':
      return runMnistJob(job);
    case 'mnist-reference':
      return mnistReference(job.n);
    case 'sagan':
      return runSaganJob(job);
  }
}

const job = JSON.parse(process.argv[2] ?? 'null') as QualityJob | null;
if (job === null) throw new Error('usage: worker.ts <job JSON>');
await setupBackend({ backend: 'wasm', threads: false });
const result = await runJob(job);
process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
