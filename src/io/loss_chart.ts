/**
 * Loss curves as a PNG line chart, drawn in pure JS (no canvas, no native code): one line per stat against the
 * training step, raw values faint and an exponential moving average on top, with axes, grid and a legend.
 *
 * @module io/loss_chart
 */
import { checkOptionKeys, InvalidArgumentError } from '../errors';
import { flattenStats, type TrainerCallback } from '../trainers/callbacks';
import type { StepStats } from '../trainers/trainer';
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyphRows, textWidth } from './bitmap_font';
import { nodeFs, writeFileAtomic } from './node_fs';
import { encodePng } from './png';
import type { RgbaImage } from './save_image_grid';
import { optionKeys } from '../option_keys';

/** One point in time: the step and any named numbers (as written by `jsonlLogger`, or `flattenStats(stats)`). */
export type LossRecord = { step: number } & Record<string, unknown>;

/** Options of {@link lossChartPixels} and {@link saveLossChart}. */
export interface LossChartOptions {
  /** Stats to draw, by name. Default: every numeric field except `step`, at most 8. */
  keys?: readonly string[];
  /** Picture width in pixels. Default: 640. */
  width?: number;
  /** Picture height in pixels. Default: 360. */
  height?: number;
  /** Title drawn above the plot. Default: none. */
  title?: string;
  /**
   * Weight of the previous value in the moving average drawn over the raw curve (TensorBoard's smoothing):
   * 0 draws the raw values only, 0.9 averages over about 10 points. Default: 0.8.
   */
  smoothing?: number;
  /**
   * Clip the value axis to the 1st–99th percentile of the values (widened by 5 %), so that one spike does not
   * flatten every curve. Default: true.
   */
  robustRange?: boolean;
}

/** The keys of {@link LossChartOptions} (checked against it by the compiler, both ways). */
const LOSS_CHART_OPTION_KEYS = optionKeys<LossChartOptions>()(['keys', 'width', 'height', 'title', 'smoothing', 'robustRange']);

type Rgb = readonly [number, number, number];
/** Colour-blind-friendly palette (Okabe & Ito 2008). */
const PALETTE: readonly Rgb[] = [
  [0, 114, 178], [213, 94, 0], [0, 158, 115], [204, 121, 167], [230, 159, 0], [86, 180, 233], [0, 0, 0], [240, 228, 66],
];

class Canvas {
  readonly data: Uint8Array;
  constructor(readonly width: number, readonly height: number) {
    this.data = new Uint8Array(width * height * 4).fill(255);
  }

  blend(x: number, y: number, [r, g, b]: Rgb, alpha = 1): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 4;
    this.data[i] = Math.round(this.data[i]! * (1 - alpha) + r * alpha);
    this.data[i + 1] = Math.round(this.data[i + 1]! * (1 - alpha) + g * alpha);
    this.data[i + 2] = Math.round(this.data[i + 2]! * (1 - alpha) + b * alpha);
  }

  rect(x0: number, y0: number, w: number, h: number, color: Rgb): void {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) this.blend(x, y, color);
  }

  /** A line from (x0, y0) to (x1, y1), one sample per pixel along the longer axis. */
  line(x0: number, y0: number, x1: number, y1: number, color: Rgb, alpha = 1, thick = false): void {
    const n = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    for (let k = 0; k <= n; k++) {
      const x = x0 + ((x1 - x0) * k) / n;
      const y = y0 + ((y1 - y0) * k) / n;
      this.blend(x, y, color, alpha);
      if (thick) this.blend(x, y + 1, color, alpha);
    }
  }

  text(text: string, x0: number, y0: number, color: Rgb): void {
    [...text].forEach((char, c) => {
      glyphRows(char).forEach((bits, row) => {
        for (let col = 0; col < GLYPH_WIDTH; col++) {
          if (bits & (1 << (GLYPH_WIDTH - 1 - col))) this.blend(x0 + c * (GLYPH_WIDTH + 1) + col, y0 + row, color);
        }
      });
    });
  }
}

/** Tick values at 1, 2 or 5 × 10^k spacing covering [lo, hi], about `target` of them. */
function niceTicks(lo: number, hi: number, target: number): number[] {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0).replace('+', '');
  return String(Number(v.toPrecision(4)));
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function checkOptions(options: LossChartOptions): Required<Omit<LossChartOptions, 'keys' | 'title'>> {
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  if (!Number.isInteger(width) || width < 160) throw new InvalidArgumentError('options.width', 'an integer >= 160 (pixels)', width);
  if (!Number.isInteger(height) || height < 120) throw new InvalidArgumentError('options.height', 'an integer >= 120 (pixels)', height);
  const smoothing = options.smoothing ?? 0.8;
  if (!(smoothing >= 0 && smoothing < 1)) throw new InvalidArgumentError('options.smoothing', 'a number in [0, 1)', smoothing);
  return { width, height, smoothing, robustRange: options.robustRange ?? true };
}

/** The stat names to draw: the given ones, or every numeric field but `step` (at most 8). */
function pickKeys(records: readonly LossRecord[], keys: readonly string[] | undefined): string[] {
  if (keys !== undefined) {
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
      throw new InvalidArgumentError('options.keys', 'an array of stat names', keys);
    }
    return [...keys];
  }
  const found: string[] = [];
  for (const r of records) {
    for (const [k, v] of Object.entries(r)) if (k !== 'step' && typeof v === 'number' && !found.includes(k)) found.push(k);
  }
  return found.slice(0, PALETTE.length);
}

/**
 * Draws loss curves into an RGBA picture (no file I/O; works in browsers too).
 *
 * @param records - one record per logged step, e.g. the lines of a `jsonlLogger` file or `flattenStats(stats)`
 *   of each step; records are sorted by step, non-finite values (NaN, null) are skipped.
 * @param options - see {@link LossChartOptions}.
 * @returns the picture, `width × height` RGBA pixels.
 * @throws {InvalidArgumentError} for invalid options or records without a numeric `step`.
 */
export function lossChartPixels(records: readonly LossRecord[], options: LossChartOptions = {}): RgbaImage {
  checkOptionKeys('lossChartPixels options', options, LOSS_CHART_OPTION_KEYS);
  if (!Array.isArray(records)) throw new InvalidArgumentError('records', 'an array of { step, ...values } records', records);
  const bad = records.findIndex((r) => r == null || typeof r.step !== 'number' || !Number.isFinite(r.step));
  if (bad >= 0) throw new InvalidArgumentError(`records[${bad}].step`, 'a finite number', records[bad]?.step);
  const { width, height, smoothing, robustRange } = checkOptions(options);
  const sorted = [...records].sort((a, b) => a.step - b.step);
  const keys = pickKeys(sorted, options.keys);
  const canvas = new Canvas(width, height);

  // Legend lines above the plot (wrapped), then the plot frame.
  const lineHeight = GLYPH_HEIGHT + 5;
  let y = 6;
  if (options.title) {
    canvas.text(options.title, Math.max(4, Math.round((width - textWidth(options.title)) / 2)), y, [0, 0, 0]);
    y += lineHeight;
  }
  let x = 60;
  keys.forEach((key, i) => {
    const w = 14 + textWidth(key) + 12;
    if (x + w > width - 8 && x > 60) {
      x = 60;
      y += lineHeight;
    }
    canvas.rect(x, y + 2, 10, 3, PALETTE[i % PALETTE.length]!);
    canvas.text(key, x + 14, y, [40, 40, 40]);
    x += w;
  });
  const top = y + lineHeight + 4;
  const left = 60;
  const right = width - 12;
  const bottom = height - 22;
  if (bottom - top < 40) throw new InvalidArgumentError('options.height', `more room for ${keys.length} legend entries`, height);

  const series = keys.map((key) =>
    sorted.flatMap((r) => (typeof r[key] === 'number' && Number.isFinite(r[key]) ? [{ step: r.step, value: r[key] as number }] : [])),
  );
  const values = series.flat().map((p) => p.value).sort((a, b) => a - b);
  const steps = series.flat().map((p) => p.step);
  let [vLo, vHi] = values.length === 0 ? [0, 1] : robustRange ? [quantile(values, 0.01), quantile(values, 0.99)] : [values[0]!, values[values.length - 1]!];
  const pad = (vHi - vLo) * 0.05 || Math.max(Math.abs(vHi) * 0.1, 1e-3);
  vLo -= pad;
  vHi += pad;
  const sLo = steps.length === 0 ? 0 : Math.min(...steps);
  let sHi = steps.length === 0 ? 1 : Math.max(...steps);
  if (sHi === sLo) sHi = sLo + 1;
  const px = (s: number): number => left + ((s - sLo) / (sHi - sLo)) * (right - left);
  const py = (v: number): number => bottom - ((Math.min(vHi, Math.max(vLo, v)) - vLo) / (vHi - vLo)) * (bottom - top);

  const grid: Rgb = [225, 225, 225];
  const ink: Rgb = [90, 90, 90];
  for (const v of niceTicks(vLo, vHi, 6)) {
    canvas.line(left, py(v), right, py(v), grid);
    const label = formatTick(v);
    canvas.text(label, left - 5 - textWidth(label), Math.round(py(v)) - 3, ink);
  }
  for (const s of niceTicks(sLo, sHi, 8).filter((s) => Number.isInteger(s))) {
    canvas.line(px(s), top, px(s), bottom, grid);
    const label = formatTick(s);
    canvas.text(label, Math.round(px(s) - textWidth(label) / 2), bottom + 5, ink);
  }
  canvas.line(left, top, left, bottom, ink);
  canvas.line(left, bottom, right, bottom, ink);
  const stepLabel = 'step';
  canvas.text(stepLabel, right - textWidth(stepLabel), bottom + 13, ink);

  series.forEach((points, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    let avg: number | undefined;
    const smoothed: { step: number; value: number }[] = [];
    for (const p of points) {
      avg = avg === undefined ? p.value : smoothing * avg + (1 - smoothing) * p.value;
      smoothed.push({ step: p.step, value: avg });
    }
    const draw = (pts: { step: number; value: number }[], alpha: number, thick: boolean): void => {
      if (pts.length === 1) canvas.rect(Math.round(px(pts[0]!.step)) - 1, Math.round(py(pts[0]!.value)) - 1, 3, 3, color);
      for (let k = 1; k < pts.length; k++) {
        canvas.line(px(pts[k - 1]!.step), py(pts[k - 1]!.value), px(pts[k]!.step), py(pts[k]!.value), color, alpha, thick);
      }
    };
    if (smoothing > 0) {
      draw(points, 0.25, false);
      draw(smoothed, 1, true);
    } else draw(points, 1, false);
  });
  return { width, height, data: canvas.data };
}

/**
 * Writes loss curves as a PNG file (Node.js; atomically, parent directories created). See {@link lossChartPixels}.
 *
 * @example
 * ```ts
 * await saveLossChart(result.history.map((s) => flattenStats(s) as LossRecord), 'runs/exp1/losses.png');
 * ```
 */
export async function saveLossChart(records: readonly LossRecord[], file: string, options: LossChartOptions = {}): Promise<void> {
  checkOptionKeys('saveLossChart options', options, LOSS_CHART_OPTION_KEYS);
  const picture = lossChartPixels(records, options);
  const { fs, path } = await nodeFs('saveLossChart');
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, await encodePng(picture));
}

/**
 * Reads a JSON Lines log (one JSON object per line, as written by `jsonlLogger`) into records; blank and
 * unparsable lines (e.g. a line cut short by a crash) are skipped. Returns [] for a missing file. Node.js.
 */
export async function readJsonl(file: string): Promise<LossRecord[]> {
  const { fs } = await nodeFs('readJsonl');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const out: LossRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const record = JSON.parse(line) as LossRecord;
      if (record != null && typeof record.step === 'number') out.push(record);
    } catch {
      // A partly written last line: skip it.
    }
  }
  return out;
}

/** Options of {@link lossChart}. */
export interface LossChartCallbackOptions extends LossChartOptions {
  /** PNG file to (re)write. Required. */
  path: string;
  /** Redraw every this many steps (and when `fit` returns). Default: 100. */
  every?: number;
  /**
   * Draw from this JSON Lines log (a `jsonlLogger`'s `path`; put the logger before this callback) instead of
   * the steps seen by this `fit` call, so that a resumed run's chart shows the whole run. Default: none.
   */
  logFile?: string;
}

/** The keys of {@link LossChartCallbackOptions} (checked against it by the compiler, both ways). */
const LOSS_CHART_CALLBACK_OPTION_KEYS = optionKeys<LossChartCallbackOptions>()(['path', 'every', 'logFile', 'keys', 'width', 'height', 'title', 'smoothing', 'robustRange']);

/**
 * A `fit` callback that redraws a loss-curve chart (PNG) every `every` steps and at the end (Node.js).
 *
 * @example
 * ```ts
 * await trainer.fit(data, { steps: 5000, callbacks: [
 *   jsonlLogger({ path: 'runs/exp1/log.jsonl' }),
 *   lossChart({ path: 'runs/exp1/losses.png', logFile: 'runs/exp1/log.jsonl', keys: ['discriminatorLoss', 'generatorLoss'] }),
 * ] });
 * ```
 */
export function lossChart<TStats extends StepStats = StepStats>(options: LossChartCallbackOptions): TrainerCallback<TStats> {
  checkOptionKeys('lossChart options', options, LOSS_CHART_CALLBACK_OPTION_KEYS);
  if (options == null || typeof options.path !== 'string' || options.path === '') {
    throw new InvalidArgumentError('options.path', 'a file path', options?.path);
  }
  const every = options.every ?? 100;
  if (!Number.isInteger(every) || every < 1) throw new InvalidArgumentError('options.every', 'a positive integer', every);
  checkOptions(options);
  const seen: LossRecord[] = [];
  let lastDrawn = -1;
  let lastStep = -1;
  const draw = async (step: number): Promise<void> => {
    const records = options.logFile !== undefined ? await readJsonl(options.logFile) : seen;
    const { path, every: _every, logFile: _logFile, ...chart } = options;
    await saveLossChart(records, path, chart);
    lastDrawn = step;
  };
  return {
    onTrainBegin() {
      seen.length = 0;
    },
    async onStepEnd(stats) {
      lastStep = stats.step;
      if (options.logFile === undefined) seen.push({ ...flattenStats(stats), step: stats.step });
      if (stats.step % every === 0) await draw(stats.step);
    },
    async onTrainEnd(result) {
      if (result.steps > 0 && lastStep !== lastDrawn) await draw(lastStep);
    },
  };
}
