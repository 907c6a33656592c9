/**
 * Tables of the quality benchmark (Markdown, printed and written to docs/benchmarks.md) and the replacement of
 * the benchmark's own section of that file.
 */
import type { MixtureName, MixtureResult, VariantName } from './mixtures';
import { VARIANT_LABELS } from './mixtures';
import type { MnistModel, MnistReference, MnistResult } from './mnist';
import { MNIST_MODEL_LABELS } from './mnist';

/** The issue's targets for the 2-D mixtures: all modes, and this high-quality fraction, in every seed. */
export const MIXTURE_TARGETS: Record<MixtureName, { modes: number; highQuality: number }> = {
  ring: { modes: 8, highQuality: 0.97 },
  grid: { modes: 25, highQuality: 0.95 },
};

/** The issue's target for the conditional GAN's conditional accuracy. */
export const CONDITIONAL_ACCURACY_TARGET = 0.95;

/** The issue's target for `gan-kit train wgan-gp`: this share of recognisable samples, and all 10 digits, in every seed. */
export const WGAN_GP_TARGET = { recognisable: 0.8, digits: 10 };

/** Published results for comparison (mean over their runs). */
export const PUBLISHED: { method: string; ring: string; grid: string }[] = [
  { method: 'PacGAN (Lin et al. 2018, Table 1, best packing)', ring: '7.9 modes, 95.6 %', grid: '24.8 modes, 93.6 %' },
  { method: 'VEEGAN (Srivastava et al. 2017)', ring: '8 modes, 52.9 %', grid: '24.6 modes, 40 %' },
];

/** Results of one (mixture, variant) over its seeds. */
export interface MixtureRow {
  mixture: MixtureName;
  variant: VariantName;
  runs: MixtureResult[];
  /** Every seed covers all modes with at least the target high-quality fraction. */
  targetMet: boolean;
}

/** Groups results by mixture and variant (in first-seen order) and checks the targets. */
export function mixtureRows(results: readonly MixtureResult[]): MixtureRow[] {
  const rows = new Map<string, MixtureRow>();
  for (const r of results) {
    const key = `${r.mixture}/${r.variant}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = { mixture: r.mixture, variant: r.variant, runs: [], targetMet: true };
      rows.set(key, row);
    }
    row.runs.push(r);
    const target = MIXTURE_TARGETS[r.mixture];
    if (!(r.modesCovered >= target.modes && r.highQualityFraction >= target.highQuality)) row.targetMet = false;
  }
  return [...rows.values()];
}

const pct = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)}`;
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Mean reverse KL of the runs that have one ("—" if none; "n/a" marks runs without high-quality samples). */
function klText(runs: readonly MixtureResult[]): string {
  const defined = runs.map((r) => r.reverseKL).filter((k): k is number => k !== null);
  if (defined.length === 0) return '—';
  const missing = runs.length - defined.length;
  return `${mean(defined).toFixed(3)}${missing > 0 ? ` (${missing} run${missing > 1 ? 's' : ''} n/a)` : ''}`;
}

/** Formats seconds as `m:ss` (or `s.s s` under a minute). */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - 60 * m);
  return `${m}:${String(s).padStart(2, '0')}`;
}

/** Markdown table of the mixture results: one row per (mixture, variant), the seeds' values side by side. */
export function mixtureTable(results: readonly MixtureResult[]): string {
  const lines = [
    '| data | variant | seeds | modes covered (per seed) | high quality % (per seed) | mean high quality % | reverse KL (mean) | mode width, std (per seed; data 1.00) | steps | time per run (mean) | target met |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of mixtureRows(results)) {
    const t = MIXTURE_TARGETS[row.mixture];
    const runs = row.runs;
    lines.push(
      `| ${row.mixture} | ${VARIANT_LABELS[row.variant]} | ${runs.map((r) => r.seed).join(', ')} | ` +
        `${runs.map((r) => `${r.modesCovered}/${r.modes}`).join(', ')} | ${runs.map((r) => pct(r.highQualityFraction)).join(', ')} | ` +
        `${pct(mean(runs.map((r) => r.highQualityFraction)))} | ${klText(runs)} | ` +
        `${runs.map((r) => (r.modeWidth === null || r.modeWidth === undefined ? '—' : r.modeWidth.toFixed(2))).join(', ')} | ` +
        `${runs[0]!.steps} | ${duration(mean(runs.map((r) => r.seconds)))} | ` +
        `${row.targetMet ? 'yes' : 'no'} (${t.modes}/${t.modes}, ≥ ${pct(t.highQuality, 0)} %) |`,
    );
  }
  return lines.join('\n');
}

/** Markdown table of the MNIST results: one row per model, the seeds' values side by side. */
export function mnistTable(results: readonly MnistResult[], reference?: MnistReference): string {
  const lines = [
    '| model | seeds | steps (G) | D / critic updates | batch | score (per seed) | mean | samples scored | train time per run (mean) | target |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const byModel = new Map<MnistModel, MnistResult[]>();
  for (const r of results) byModel.set(r.model, [...(byModel.get(r.model) ?? []), r]);
  for (const [model, runs] of byModel) {
    const first = runs[0]!;
    const conditional = model === 'cgan';
    const values = runs.map((r) => (conditional ? r.conditionalAccuracy! : r.fid!));
    const shown = values.map((v) => (conditional ? `${pct(v)} %` : v.toFixed(2)));
    const avg = mean(values);
    const target = conditional
      ? `${values.every((v) => v >= CONDITIONAL_ACCURACY_TARGET) ? 'met' : 'not met'} (≥ ${pct(CONDITIONAL_ACCURACY_TARGET, 0)} %)`
      : '—';
    lines.push(
      `| ${MNIST_MODEL_LABELS[model]} | ${runs.map((r) => r.seed).join(', ')} | ${first.steps} | ${first.discriminatorUpdates} | ` +
        `${first.batchSize} | ${conditional ? 'conditional accuracy ' : 'FID '}${shown.join(', ')} | ` +
        `${conditional ? `${pct(avg)} %` : avg.toFixed(2)} | ${first.evalSamples} | ${duration(mean(runs.map((r) => r.trainSeconds)))} | ${target} |`,
    );
  }
  if (reference !== undefined) {
    lines.push(
      `| real training digits (floor) | — | — | — | — | FID ${reference.fid.toFixed(2)} | ${reference.fid.toFixed(2)} | ${reference.n} | — | — |`,
    );
  }
  return lines.join('\n');
}

/**
 * Markdown table of the WGAN-GP recipe's runs: one row per seed (recognisable share and digits present as
 * `gan-kit train wgan-gp` reports them, FID, the critic's gradient norm at interpolates), and a last row with the
 * means and whether the target is met in every seed.
 */
export function wganGpTable(results: readonly MnistResult[]): string {
  const runs = results.filter((r) => r.model === 'wgan-gp');
  const lines = [
    '| seed | steps (G) | critic updates | batch | recognisable % (256 samples, confidence > 0.9) | digits present | FID | critic gradient norm at interpolates (mean ± std) | last penalty λ·E[(‖∇‖ − 1)²] | train time |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const present = (r: MnistResult): number => r.digitCounts?.filter((c) => c > 0).length ?? 0;
  for (const r of runs) {
    lines.push(
      `| ${r.seed} | ${r.steps} | ${r.discriminatorUpdates} | ${r.batchSize} | ${pct(r.recognisable ?? 0)} | ${present(r)} | ${r.fid?.toFixed(2) ?? '—'} | ` +
        `${r.gradientNorm ? `${r.gradientNorm.mean.toFixed(3)} ± ${r.gradientNorm.std.toFixed(3)}` : '—'} | ${r.lastPenalty?.toFixed(3) ?? '—'} | ${duration(r.trainSeconds)} |`,
    );
  }
  if (runs.length > 0) {
    const met = runs.every((r) => (r.recognisable ?? 0) >= WGAN_GP_TARGET.recognisable && present(r) >= WGAN_GP_TARGET.digits);
    lines.push(
      `| mean | | | | ${pct(mean(runs.map((r) => r.recognisable ?? 0)))} | ${Math.min(...runs.map(present))} (fewest) | ` +
        `${mean(runs.map((r) => r.fid ?? NaN)).toFixed(2)} | ${mean(runs.map((r) => r.gradientNorm?.mean ?? NaN)).toFixed(3)} | | ` +
        `target ≥ ${pct(WGAN_GP_TARGET.recognisable, 0)} % and all ${WGAN_GP_TARGET.digits} digits in every seed: **${met ? 'met' : 'not met'}** |`,
    );
  }
  return lines.join('\n');
}

/** Markers around each part of the benchmark's section in docs/benchmarks.md. */
export function markers(part: string): { start: string; end: string } {
  return { start: `<!-- quality-benchmark:${part}:start -->`, end: `<!-- quality-benchmark:${part}:end -->` };
}

/** Heading of the benchmark's section. */
export const SECTION_HEADING = '## Quality benchmark';

/**
 * Returns `doc` with the text between the markers of `part` replaced by `body`. When the markers are missing,
 * the part is appended to the "Quality benchmark" section (which is created at the end of the file if needed);
 * text outside the markers is never changed.
 */
export function replacePart(doc: string, part: string, body: string, sectionIntro = ''): string {
  const { start, end } = markers(part);
  const block = `${start}\n${body.trim()}\n${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i >= 0 && j > i) return doc.slice(0, i) + block + doc.slice(j + end.length);
  let out = doc.replace(/\s*$/, '\n');
  const h = out.indexOf(`\n${SECTION_HEADING}\n`);
  if (h < 0) return `${out}\n${SECTION_HEADING}\n\n${sectionIntro ? `${sectionIntro.trim()}\n\n` : ''}${block}\n`;
  // Insert at the end of the section: before the next "## " heading, or at the end of the file.
  const next = out.indexOf('\n## ', h + 1);
  if (next < 0) return `${out}\n${block}\n`;
  out = `${out.slice(0, next).replace(/\s*$/, '\n')}\n${block}\n${out.slice(next)}`;
  return out;
}
