import { InvalidArgumentError } from '../errors';
import { flattenStats, type TrainerCallback } from './callbacks';
import type { StepStats } from './trainer';

/** Where {@link progressBar} writes: `process.stderr` or anything with `write`. */
export interface ProgressStream {
  write(text: string): unknown;
  /** True for a terminal: the bar is redrawn in place with `\r`. Otherwise one line is printed every `every` steps. */
  isTTY?: boolean;
}

/** Options of {@link progressBar}. */
export interface ProgressBarOptions {
  /** Output stream. Default: `process.stderr` in Node (the callback does nothing where there is none). */
  stream?: ProgressStream;
  /** Width of the bar in characters. Default: 30. */
  width?: number;
  /**
   * Stats to show, by (flattened) name, e.g. `['discriminatorLoss', 'generatorLoss', 'penalties/gradientPenalty']`.
   * Default: every top-level number except `step`, at most 4.
   */
  keys?: readonly string[];
  /** On a non-terminal stream, print a line every this many steps. Default: 5 % of the run (at least 1), or 100. */
  every?: number;
  /** Clock in milliseconds, for tests. Default: `Date.now`. */
  clock?: () => number;
}

function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '--:--';
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : v.toFixed(4);
}

/**
 * A console progress bar for `fit` (Node.js): steps done, percentage, time per step, ETA (from the mean step
 * time of this `fit`), and the latest losses. On a terminal it redraws one line; elsewhere (CI logs, files) it
 * prints a line every `every` steps.
 *
 * @example
 * ```ts
 * await trainer.fit(data, { steps: 5000, callbacks: [progressBar()] });
 * // [=========>                    ]  1510/5000  30%  12.1 ms/step  ETA 00:42  discriminatorLoss 1.2981  generatorLoss 0.8312
 * ```
 */
export function progressBar<TStats extends StepStats = StepStats>(options: ProgressBarOptions = {}): TrainerCallback<TStats> {
  const width = options.width ?? 30;
  if (!Number.isInteger(width) || width < 1) throw new InvalidArgumentError('options.width', 'a positive integer', width);
  if (options.every !== undefined && (!Number.isInteger(options.every) || options.every < 1)) {
    throw new InvalidArgumentError('options.every', 'a positive integer', options.every);
  }
  const clock = options.clock ?? Date.now;
  const stream: ProgressStream | undefined =
    options.stream ?? (typeof process !== 'undefined' && process.stderr ? (process.stderr as ProgressStream) : undefined);
  let startTime = 0;
  let startStep = 0;
  let target: number | undefined;
  let every = 1;
  let lastLine = '';

  const render = (stats: TStats): string => {
    const done = stats.step - startStep;
    const elapsed = clock() - startTime;
    const perStep = done > 0 ? elapsed / done : NaN;
    const parts: string[] = [];
    if (target !== undefined && target > startStep) {
      const fraction = Math.min(1, done / (target - startStep));
      const filled = Math.round(fraction * width);
      const bar = '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? (fraction >= 1 ? '=' : '>') : '') + ' '.repeat(width - filled);
      const digits = String(target).length;
      parts.push(`[${bar}]`, `${String(stats.step).padStart(digits)}/${target}`, `${String(Math.floor(fraction * 100)).padStart(3)}%`);
      parts.push(`${perStep.toFixed(1)} ms/step`, `ETA ${formatDuration((target - stats.step) * perStep)}`);
    } else {
      parts.push(`step ${stats.step}`, `${perStep.toFixed(1)} ms/step`, `elapsed ${formatDuration(elapsed)}`);
    }
    const flat = flattenStats(stats);
    const keys = options.keys ?? Object.keys(stats).filter((k) => k !== 'step' && typeof (stats as Record<string, unknown>)[k] === 'number').slice(0, 4);
    for (const key of keys) if (key in flat) parts.push(`${key} ${formatNumber(flat[key]!)}`);
    return parts.join('  ');
  };

  return {
    onTrainBegin(info) {
      startTime = clock();
      startStep = info.startStep;
      target = info.targetStep;
      every = options.every ?? (target !== undefined ? Math.max(1, Math.floor((target - startStep) / 20)) : 100);
      lastLine = '';
    },
    onStepEnd(stats) {
      if (!stream) return;
      const line = render(stats);
      if (stream.isTTY) {
        stream.write(`\r${line}${' '.repeat(Math.max(0, lastLine.length - line.length))}`);
        lastLine = line;
      } else if ((stats.step - startStep) % every === 0 || stats.step === target) {
        stream.write(`${line}\n`);
      }
    },
    onTrainEnd() {
      if (stream?.isTTY && lastLine !== '') stream.write('\n');
    },
  };
}
