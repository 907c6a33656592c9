import { InvalidArgumentError } from '../errors';
import { nodeFs } from '../io/node_fs';
import { flattenStats, type TrainerCallback } from './callbacks';
import type { StepStats } from './trainer';

/** Options of {@link jsonlLogger}. */
export interface JsonlLoggerOptions {
  /** File to append to (created with its directories). Required. */
  path: string;
  /** Log every this many steps. Default: 1. */
  every?: number;
  /** Start a new file at the beginning of `fit` instead of appending. Default: false (append, for resumed runs). */
  overwrite?: boolean;
}

/**
 * Writes step stats as JSON Lines (one JSON object per line) for plotting and analysis (Node.js), as StyleGAN2-ADA's
 * `stats.jsonl`: `{"step":100,"time":"2025-…","discriminatorLoss":1.2,"generatorLoss":0.8,"penalties/gradientPenalty":0.1}`.
 * Nested stats are flattened with `/`; NaN and infinities are written as `null` (JSON has no such numbers).
 * Lines are written after each logged step, so a crash loses nothing already logged.
 *
 * @example
 * ```ts
 * await trainer.fit(data, { steps: 1000, callbacks: [jsonlLogger({ path: 'runs/exp1/metrics.jsonl', every: 10 })] });
 * ```
 */
export function jsonlLogger<TStats extends StepStats = StepStats>(options: JsonlLoggerOptions): TrainerCallback<TStats> {
  if (options == null || typeof options.path !== 'string' || options.path === '') {
    throw new InvalidArgumentError('options.path', 'a file path', options?.path);
  }
  const every = options.every ?? 1;
  if (!Number.isInteger(every) || every < 1) throw new InvalidArgumentError('options.every', 'a positive integer', every);
  let pending: Promise<void> = Promise.resolve();
  const append = (text: string): Promise<void> => {
    pending = pending.then(async () => {
      const { fs, path } = await nodeFs('jsonlLogger');
      await fs.mkdir(path.dirname(options.path), { recursive: true });
      await fs.appendFile(options.path, text);
    });
    return pending;
  };
  return {
    async onTrainBegin() {
      if (options.overwrite) {
        const { fs, path } = await nodeFs('jsonlLogger');
        await fs.mkdir(path.dirname(options.path), { recursive: true });
        await fs.writeFile(options.path, '');
      }
    },
    async onStepEnd(stats) {
      if (stats.step % every !== 0) return;
      const record = { step: stats.step, time: new Date().toISOString(), ...flattenStats(stats) };
      await append(`${JSON.stringify(record)}\n`);
    },
    async onTrainEnd() {
      await pending;
    },
  };
}
