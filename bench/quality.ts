/**
 * `npm run bench:quality`: measured sample quality of gan-kit's trainers (not part of `npm test`).
 *
 * - 2-D mixtures, PacGAN protocol: ring of 8 and 5x5 grid, modes covered and % high-quality samples out of 2,500,
 *   for the non-saturating GAN, the non-saturating GAN with R1, the relativistic average GAN and the
 *   self-conditioned GAN (and WGAN-GP with `--variants`), several seeds each.
 * - MNIST: FID (gan-kit's classifier features, against the 1,500 held-out digits) of DCGAN after a fixed number
 *   of steps, the conditional accuracy of a conditional GAN (ACGAN), and the WGAN-GP recipe of
 *   `gan-kit train wgan-gp` over several seeds (`--wgan-seeds`, default 3): recognisable digits and digits present
 *   as the command reports them, FID, and the critic's gradient norm at interpolates. `--only wgan-gp` runs just
 *   those and writes just their table.
 * - SAGAN: `gan-kit train sagan` (its recipe, default step count) for --sagan-seeds seeds: % of samples the
 *   MNIST classifier recognises, digits present, classifier-feature FID (bench/quality/sagan.ts).
 *
 * Every run is its own child process on one wasm thread, `--jobs` at a time. Prints Markdown tables and writes
 * them, with the date, machine, load average and command, into the "Quality benchmark" section of
 * docs/benchmarks.md (not with `--quick` or `--no-docs`).
 *
 *   npm run bench:quality -- [--only mixtures|mnist|wgan-gp|sagan] [--seeds 3 | --seeds 1,2,3] [--mnist-seeds 1]
 *                            [--wgan-seeds 3 | --wgan-seeds 0,1,2] [--sagan-seeds 3] [--quick] [--jobs 2]
 *                            [--variants ns,ns-r1,rasgan,self-cond,wgan-gp] [--steps N] [--no-docs] [--docs FILE]
 *                            [--json FILE]
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  VARIANT_LABELS,
  mixtureConfig,
  type MixtureJob,
  type MixtureName,
  type MixtureResult,
  type VariantName,
} from './quality/mixtures';
import { DEFAULT_MNIST_CONFIG, type MnistJob, type MnistModel, type MnistReference, type MnistResult } from './quality/mnist';
import { runInWorker, runPool } from './quality/pool';
import {
  CONDITIONAL_ACCURACY_TARGET,
  MIXTURE_TARGETS,
  PUBLISHED,
  duration,
  mixtureRows,
  mixtureTable,
  mnistTable,
  replacePart,
  WGAN_GP_TARGET,
  wganGpTable,
} from './quality/report';
import type { SaganJob, SaganResult } from './quality/sagan';
import type { QualityJob } from './quality/worker';
import { RECIPE_DEFAULTS, SAGAN_RECIPE } from '../src/cli/recipes';

const here = dirname(fileURLToPath(import.meta.url));
const ALL_VARIANTS: VariantName[] = ['ns', 'ns-r1', 'rasgan', 'wgan-gp', 'self-cond'];
const DEFAULT_VARIANTS: VariantName[] = ['ns', 'ns-r1', 'rasgan', 'self-cond'];
const MNIST_MODELS: MnistModel[] = ['dcgan', 'wgan-gp', 'cgan'];

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    seeds: { type: 'string', default: '3' },
    'mnist-seeds': { type: 'string', default: '1' },
    'sagan-seeds': { type: 'string', default: '3' },
    'wgan-seeds': { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    jobs: { type: 'string', default: '2' },
    variants: { type: 'string' },
    steps: { type: 'string' },
    'no-docs': { type: 'boolean', default: false },
    docs: { type: 'string', default: resolve(here, '../docs/benchmarks.md') },
    json: { type: 'string' },
  },
});

function fail(message: string): never {
  console.error(`bench:quality: ${message}`);
  process.exit(2);
}

const only = values.only;
if (only !== undefined && only !== 'mixtures' && only !== 'mnist' && only !== 'wgan-gp' && only !== 'sagan') {
  fail(`--only must be 'mixtures', 'mnist', 'wgan-gp' or 'sagan', got '${only}'`);
}
function parseSeeds(option: string, text: string): number[] {
  const list = text.includes(',') ? text.split(',').map((s) => Number(s.trim())) : Array.from({ length: Number(text) }, (_, i) => i + 1);
  if (list.length === 0 || !list.every((s) => Number.isInteger(s) && s >= 0)) fail(`--${option} must be a count or a list of integers, got '${text}'`);
  return list;
}
const seeds = parseSeeds('seeds', values.seeds!);
const mnistSeeds = parseSeeds('mnist-seeds', values['mnist-seeds']!);
const saganSeeds = parseSeeds('sagan-seeds', values['sagan-seeds']!);
const wganSeeds = parseSeeds('wgan-seeds', values['wgan-seeds']!);
const jobs = Number(values.jobs);
if (!Number.isInteger(jobs) || jobs < 1) fail(`--jobs must be an integer >= 1, got '${values.jobs}'`);
const variants = (values.variants?.split(',').map((v) => v.trim()) ?? DEFAULT_VARIANTS) as VariantName[];
for (const v of variants) if (!ALL_VARIANTS.includes(v)) fail(`unknown variant '${v}' (known: ${ALL_VARIANTS.join(', ')})`);
const steps = values.steps === undefined ? undefined : Number(values.steps);
if (steps !== undefined && !(Number.isInteger(steps) && steps >= 1)) fail(`--steps must be an integer >= 1, got '${values.steps}'`);
const quick = values.quick!;
const writeDocs = !quick && !values['no-docs'];

const loadText = (): string => loadavg().map((l) => l.toFixed(2)).join(', ');
const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, tfjs 4.22 wasm backend (one thread per run)`;
const command = `npm run bench:quality${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;

interface PartTiming {
  startedAt: Date;
  endedAt: Date;
  loadStart: string;
  loadEnd: string;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; timing: PartTiming }> {
  const startedAt = new Date();
  const loadStart = loadText();
  const value = await fn();
  return { value, timing: { startedAt, endedAt: new Date(), loadStart, loadEnd: loadText() } };
}

function utc(d: Date): string {
  return d.toISOString().slice(11, 16);
}

function measuredLine(t: PartTiming, runs: number): string {
  const wall = (t.endedAt.getTime() - t.startedAt.getTime()) / 1000;
  return (
    `Measured ${t.startedAt.toISOString().slice(0, 10)}, ${utc(t.startedAt)}–${utc(t.endedAt)} UTC: **${duration(wall)} wall clock** ` +
    `for ${runs} runs, ${Math.min(jobs, runs)} at a time. Load average (1, 5, 15 min) ${t.loadStart} at the start, ` +
    `${t.loadEnd} at the end. Machine: ${machine}.`
  );
}

// ---------------------------------------------------------------------------------------------------------------
// 2-D mixtures

async function mixturesPart(): Promise<{ results: MixtureResult[]; timing: PartTiming }> {
  const list: MixtureJob[] = [];
  for (const mixture of ['ring', 'grid'] as MixtureName[]) {
    for (const variant of variants) {
      for (const seed of seeds) {
        const config = quick ? { steps: steps ?? 200, evalSamples: 2500 } : steps !== undefined ? { steps } : undefined;
        list.push({ kind: 'mixture', mixture, variant, seed, ...(config ? { config } : {}) });
      }
    }
  }
  // Longest runs first (by steps, R1's and WGAN-GP's extra passes counted), so that the lanes finish together
  // instead of one lane running a long grid run alone at the end; results are reported in the table's order.
  const cost = (job: MixtureJob): number => {
    const c = mixtureConfig(job.mixture, job.variant, job.config);
    return c.steps * (job.variant === 'ns-r1' ? 1 + 0.5 / c.r1Every : job.variant === 'wgan-gp' ? 2 : 1);
  };
  const order = list.map((_, i) => i).sort((a, b) => cost(list[b]!) - cost(list[a]!) || a - b);
  console.log(`\n2-D mixtures: ${list.length} runs (${variants.join(', ')}; seeds ${seeds.join(', ')}), ${jobs} at a time, longest first`);
  const { value, timing } = await timed(() =>
    runPool(order.map((i) => list[i]!), jobs, (job) => runInWorker<QualityJob, MixtureResult>(job), (r, _job, done) => {
      console.log(
        `  [${done}/${list.length}] ${r.mixture} ${r.variant} seed ${r.seed}: ${r.modesCovered}/${r.modes} modes, ` +
          `${(100 * r.highQualityFraction).toFixed(1)} % high quality, reverse KL ${r.reverseKL === null ? 'n/a' : r.reverseKL.toFixed(3)} (${duration(r.seconds)}, load ${loadText()})`,
      );
    }),
  );
  const results: MixtureResult[] = new Array(list.length);
  order.forEach((i, k) => (results[i] = value[k]!));
  return { results, timing };
}

function mixturesDoc(results: MixtureResult[], timing: PartTiming): string {
  const settings = (['ring', 'grid'] as MixtureName[])
    .map((m) => {
      const c = mixtureConfig(m, 'ns', results.find((r) => r.mixture === m)?.steps);
      return (
        `| ${m} | ${c.hiddenUnits.join('-')} / ${c.hiddenUnits.join('-')} | ${c.latentDim} | ` +
        `${c.batchSize} | ${c.steps} | Adam(${c.learningRate}, β1 ${c.beta1}, β2 ${c.beta2}), cosine decay to ${c.finalLearningRateFactor}× | ` +
        `${c.emaDecay} |`
      );
    })
    .join('\n');
  const rows = mixtureRows(results);
  const met = rows.filter((r) => r.targetMet).map((r) => `${r.mixture} / ${VARIANT_LABELS[r.variant]}`);
  return [
    `### 2-D mixtures (PacGAN protocol)${values.variants === undefined ? '' : `: ${variants.map((v) => VARIANT_LABELS[v]).join(', ')}`}`,
    '',
    measuredLine(timing, results.length),
    '',
    '```sh',
    command,
    '```',
    '',
    mixtureTable(results),
    '',
    `Targets (from the issue): ring ${MIXTURE_TARGETS.ring.modes}/${MIXTURE_TARGETS.ring.modes} modes with ≥ ${100 * MIXTURE_TARGETS.ring.highQuality} % ` +
      `high quality and grid ${MIXTURE_TARGETS.grid.modes}/${MIXTURE_TARGETS.grid.modes} with ≥ ${100 * MIXTURE_TARGETS.grid.highQuality} %, in every seed, ` +
      `within 10 minutes in all. Met by: ${met.length > 0 ? met.join('; ') : 'none'}.`,
    '',
    'Settings (`bench/quality/mixtures.ts`), the same for every variant: `GanTrainer` with the non-saturating loss, ' +
      `the same plus R1 (γ = ${mixtureConfig('ring', 'ns-r1').r1Gamma} on real samples, every ${mixtureConfig('ring', 'ns-r1').r1Every} D update(s) on the ring and every ${mixtureConfig('grid', 'ns-r1').r1Every} D updates, scaled by ${mixtureConfig('grid', 'ns-r1').r1Every}, on the grid: lazy R1), or \`relativisticLoss()\`; ` +
      `WGAN-GP: \`WganGpTrainer\` with λ = ${mixtureConfig('ring', 'wgan-gp').gradientPenaltyWeight} and ${mixtureConfig('ring', 'wgan-gp').dSteps} critic steps per generator step. ` +
      `The self-conditioned GAN (Liu et al. 2020, https://arxiv.org/abs/2006.10728, with the clusters computed once on the data as in gan-kit's MNIST recipe) ` +
      `splits ${mixtureConfig('ring', 'self-cond').clusterSamples.toLocaleString('en-US')} real samples into k = ${mixtureConfig('ring', 'self-cond').clusters} clusters with \`kMeans\` ` +
      `(the same k for both mixtures, more than either has modes; no centre or mode count is used), labels each real batch by its nearest centroid, ` +
      `and trains \`mlpGenerator\` / \`mlpDiscriminator\` with \`numClasses\` (one-hot cluster concatenated to the input) in \`ConditionalGanTrainer\` ` +
      `with the non-saturating loss, each fake paired with its real sample's cluster; samples draw a cluster with its size, so the model stays unconditional in use. ` +
      `The mode width column is the RMS distance, per axis and in std, of the samples within 5 std of their nearest centre: below 1.00 the generated modes ` +
      `are narrower than the data's, which the high-quality fraction rewards (real samples score 98.9 %).`,
    '',
    '| data | G / D hidden units (MLP, ReLU / LeakyReLU 0.2) | latent (normal) | batch | steps (self-conditioned: see the table above) | optimizers | EMA of G |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    settings,
    '',
    'The data is divided by its largest centre coordinate for training (the ring is unchanged, the grid becomes ' +
      '[-1, 1]²), and the EMA generator\'s 2,500 samples (fixed latent seed) are multiplied back before they are ' +
      'scored with `mixtureModeStats(samples, centres, std)`: a sample is high quality within 3 std of its nearest ' +
      'centre, a mode is covered when it has at least one high-quality sample. Real samples of the ring score 98.9 %.',
    '',
    'Published, for comparison:',
    '',
    '| method | ring | grid |',
    '| --- | --- | --- |',
    ...PUBLISHED.map((p) => `| ${p.method} | ${p.ring} | ${p.grid} |`),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// MNIST

async function mnistPart(models: readonly MnistModel[]): Promise<{ results: MnistResult[]; reference?: MnistReference; timing: PartTiming }> {
  const list: QualityJob[] = [];
  for (const model of models) {
    for (const seed of model === 'wgan-gp' ? wganSeeds : mnistSeeds) {
      const config = quick ? { steps: steps ?? 20, evalSamples: model === 'cgan' ? 200 : 500 } : steps !== undefined ? { steps } : undefined;
      list.push({ kind: 'mnist', model, seed, ...(config ? { config } : {}) } as MnistJob);
    }
  }
  const withReference = models.length > 1;
  const referenceN = quick ? 500 : DEFAULT_MNIST_CONFIG.dcgan.evalSamples;
  if (withReference) list.push({ kind: 'mnist-reference', n: referenceN });
  console.log(
    `\nMNIST: ${list.length} runs (${models.join(', ')}; seeds ${models.includes('dcgan') ? mnistSeeds.join(', ') : '—'}` +
      `${models.includes('wgan-gp') ? `, WGAN-GP seeds ${wganSeeds.join(', ')}` : ''}${withReference ? '; and the real-data floor' : ''}), ${jobs} at a time`,
  );
  const { value, timing } = await timed(() =>
    runPool(list, jobs, (job) => runInWorker<QualityJob, MnistResult | MnistReference>(job), (r, _job, done) => {
      if (r.kind === 'mnist-reference') {
        console.log(`  [${done}/${list.length}] real training digits: FID ${r.fid.toFixed(2)} (n ${r.n})`);
        return;
      }
      const score =
        (r.recognisable !== undefined ? `${(100 * r.recognisable).toFixed(1)} % recognisable, ${r.digitCounts!.filter((c) => c > 0).length} digits, ` : '') +
        (r.gradientNorm !== undefined ? `critic gradient norm ${r.gradientNorm.mean.toFixed(3)} ± ${r.gradientNorm.std.toFixed(3)}, ` : '') +
        (r.fid !== undefined ? `FID ${r.fid.toFixed(2)}` : `conditional accuracy ${(100 * r.conditionalAccuracy!).toFixed(1)} %`);
      console.log(`  [${done}/${list.length}] ${r.model} seed ${r.seed}: ${score} after ${r.steps} steps (${duration(r.trainSeconds)} training, load ${loadText()})`);
    }),
  );
  const reference = value.find((r): r is MnistReference => r.kind === 'mnist-reference');
  return { results: value.filter((r): r is MnistResult => r.kind === 'mnist'), reference, timing };
}

function wganGpDoc(results: MnistResult[], timing: PartTiming): string {
  const runs = results.filter((r) => r.model === 'wgan-gp');
  return [
    '### WGAN-GP recipe on MNIST (`gan-kit train wgan-gp`)',
    '',
    measuredLine(timing, runs.length),
    '',
    '```sh',
    command,
    '```',
    '',
    wganGpTable(runs),
    '',
    'Each seed is `gan-kit train wgan-gp --seed <seed>` (`WGAN_GP_RECIPE` in src/cli/recipes.ts: the same 10,000 digits, ' +
      'k-means clusters, batches, initial weights and latent codes), so the recognisable share and digits present are what ' +
      'the command prints at the end of that run. Recognisable: 256 samples of the EMA generator (seed 1) that gan-kit\'s ' +
      'MNIST classifier labels with confidence > 0.9. FID: 5,000 samples against the 1,500 held-out digits, which this recipe ' +
      'trains on (as the command does), so it is not comparable with the DCGAN row of the MNIST table. Gradient norm: ' +
      '‖∇ₓ D(x̂)‖₂ of the critic\'s score at 256 interpolates of real digits and samples of the raw generator, which the ' +
      'two-sided penalty pushes towards 1. Train time is wall clock on this machine at the load stated above; the idle ' +
      'figure is in "WGAN-GP on MNIST".',
  ].join('\n');
}

function mnistDoc(results: MnistResult[], reference: MnistReference, timing: PartTiming): string {
  const cgan = results.filter((r) => r.model === 'cgan');
  const perDigit =
    cgan.length > 0
      ? [
          '',
          'Conditional accuracy per requested digit (mean over seeds):',
          '',
          `| digit | ${Array.from({ length: 10 }, (_, d) => d).join(' | ')} |`,
          `| --- |${' --- |'.repeat(10)}`,
          `| accuracy % | ${Array.from({ length: 10 }, (_, d) =>
            ((100 * cgan.reduce((a, r) => a + r.perDigitAccuracy![d]!, 0)) / cgan.length).toFixed(1),
          ).join(' | ')} |`,
        ]
      : [];
  return [
    '### MNIST',
    '',
    measuredLine(timing, results.length + 1),
    '',
    '```sh',
    command,
    '```',
    '',
    mnistTable(results, reference),
    ...perDigit,
    '',
    'FID: gan-kit\'s MNIST classifier features (128-d, `fid()` defaults) of the EMA generator\'s samples against the ' +
      '1,500 held-out digits (the classifier\'s test split; the GANs train on the other 8,500), so it is an "MNIST ' +
      'FID", not comparable with Inception FIDs. The floor row is the FID of real training digits at the same n. ' +
      `Conditional accuracy: samples asked for each digit in turn (1/10 of them per digit), read by \`classifyDigits\`; target ≥ ${100 * CONDITIONAL_ACCURACY_TARGET} %.`,
    '',
    'Networks (`bench/quality/mnist.ts`): G = `dcganGenerator({ outputShape: [28, 28, 1], baseFilters: 32 })` (cGAN: ' +
      '`conditionalGenerator({ baseFilters: 32, conditioning: \'batch-norm\' })`, class-conditional batch norm); DCGAN D = ' +
      '`dcganDiscriminator({ baseFilters: 16 })`, Adam(5e-4, 0.5) for both; WGAN-GP = the `gan-kit train wgan-gp` recipe ' +
      '(`WGAN_GP_RECIPE`, self-conditioned on 60 k-means clusters; its own table below, and "WGAN-GP on MNIST" for its settings; ' +
      'it trains on all 10,000 digits as the command does, so its FID is not held out); cGAN = the `gan-kit train cgan` recipe (`CGAN_RECIPE`): `ConditionalGanTrainer` with an ' +
      'ACGAN discriminator on the DCGAN trunk (base 16; a real/fake and a 10-class head) whose class head learns from real digits ' +
      'only (`discriminatorFakeWeight: 0`), Adam(5e-4, 0.5). DCGAN and cGAN: EMA of G 0.99, batches of 64 from ' +
      '`mnistDataset({ split: \'train\' })`. An untrained generator scores an FID of about 350–380 here.',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// SAGAN

/** The issue's bar for `gan-kit train sagan`: recognisable share and digits present, in every seed. */
const SAGAN_TARGET = { recognisable: 0.8, digits: 10 };

async function saganPart(): Promise<{ results: SaganResult[]; timing: PartTiming }> {
  const list: SaganJob[] = saganSeeds.map((seed) => ({
    kind: 'sagan',
    seed,
    ...(quick ? { steps: steps ?? 10, fidSamples: 500 } : steps !== undefined ? { steps } : {}),
  }));
  console.log(`\nSAGAN: ${list.length} runs of the sagan recipe (seeds ${saganSeeds.join(', ')}), ${jobs} at a time`);
  const { value, timing } = await timed(() =>
    runPool(list, jobs, (job) => runInWorker<QualityJob, SaganResult>(job), (r, _job, done) => {
      console.log(
        `  [${done}/${list.length}] sagan seed ${r.seed}: ${(100 * r.recognisable).toFixed(1)} % recognisable, ` +
          `${r.counts.filter((c) => c > 0).length} digits, FID ${r.fid.toFixed(2)} after ${r.steps} steps ` +
          `(${duration(r.trainSeconds)} training, ${r.secondsPerStep.toFixed(2)} s/step, load ${loadText()})`,
      );
    }),
  );
  return { results: value, timing };
}

function saganTable(results: SaganResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.seed} | ${r.steps} | ${(100 * r.recognisable).toFixed(1)} | ${r.counts.filter((c) => c > 0).length} (${r.counts.join(' / ')}) | ` +
      `${r.fid.toFixed(2)} | ${duration(r.trainSeconds)} (${r.secondsPerStep.toFixed(2)} s/step) |`,
  );
  const mean = (f: (r: SaganResult) => number) => results.reduce((a, r) => a + f(r), 0) / Math.max(1, results.length);
  const met = results.every((r) => r.recognisable >= SAGAN_TARGET.recognisable && r.counts.filter((c) => c > 0).length >= SAGAN_TARGET.digits);
  return [
    `| seed | steps | recognisable % (256 samples, p > 0.9) | digits present (count per digit 0–9) | FID (${(results[0]?.fidSamples ?? 5000).toLocaleString('en-US')} samples) | training wall clock (under the load stated) |`,
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    `| mean | | ${(100 * mean((r) => r.recognisable)).toFixed(1)} | | ${mean((r) => r.fid).toFixed(2)} | |`,
    '',
    `Target: ≥ ${100 * SAGAN_TARGET.recognisable} % recognisable with all ${SAGAN_TARGET.digits} digits in every seed: ${met ? 'MET' : 'MISSED'}.`,
  ].join('\n');
}

function saganDoc(results: SaganResult[], timing: PartTiming): string {
  return [
    '### SAGAN on MNIST (`gan-kit train sagan`)',
    '',
    measuredLine(timing, results.length),
    '',
    '```sh',
    command,
    '```',
    '',
    saganTable(results),
    '',
    `Each run is \`gan-kit train sagan --seed <seed>\` (the recipe's ${RECIPE_DEFAULTS.sagan.steps} default steps, batch ${RECIPE_DEFAULTS.sagan.batchSize}, ` +
      `${SAGAN_RECIPE.clusters} k-means clusters), scored as the CLI scores it: 256 samples of the EMA generator (seed 1, clusters drawn with ` +
      'their frequency) read by `classifyDigits`, recognisable when the top probability is above 0.9. FID as in the MNIST table. ' +
      'Quality depends only on the seed and the step count (seeded runs repeat exactly); the wall clock depends on the load.',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------

const SECTION_INTRO =
  'Measured sample quality of the trainers (`npm run bench:quality`, not part of `npm test`; code in `bench/quality.ts` ' +
  'and `bench/quality/`). Each run is its own process on one wasm thread, two at a time. The tables between the ' +
  'markers are rewritten by each full run of a part; `--quick` and `--no-docs` runs leave this file alone.';

async function main(): Promise<void> {
  console.log(`Quality benchmark — ${new Date().toISOString()}`);
  console.log(`machine: ${machine}; load average ${loadText()}`);
  console.log(`command: ${command}${quick ? ' (quick: tiny budgets, docs not written)' : ''}`);
  const all: { mixtures?: MixtureResult[]; mnist?: MnistResult[]; reference?: MnistReference; sagan?: SaganResult[] } = {};
  const docs: { part: string; body: string }[] = [];

  if (only === undefined || only === 'mixtures') {
    const { results, timing } = await mixturesPart();
    all.mixtures = results;
    console.log(`\n${mixtureTable(results)}\n`);
    const wall = (timing.endedAt.getTime() - timing.startedAt.getTime()) / 1000;
    console.log(`2-D part: ${duration(wall)} wall clock (target: 10 minutes); load average at the end ${timing.loadEnd}`);
    // Runs of other variant sets than the default get their own table, so they do not replace the main one.
    const part = values.variants === undefined ? 'mixtures' : `mixtures-${variants.join('-')}`;
    docs.push({ part, body: mixturesDoc(results, timing) });
  }
  if (only === 'wgan-gp') {
    const { results, timing } = await mnistPart(['wgan-gp']);
    all.mnist = results;
    console.log(`\n${wganGpTable(results)}\n`);
    const wall = (timing.endedAt.getTime() - timing.startedAt.getTime()) / 1000;
    console.log(`WGAN-GP part: ${duration(wall)} wall clock; load average at the end ${timing.loadEnd}`);
    docs.push({ part: 'wgan-gp', body: wganGpDoc(results, timing) });
  } else if (only === undefined || only === 'mnist') {
    const { results, reference, timing } = await mnistPart(MNIST_MODELS);
    all.mnist = results;
    all.reference = reference;
    console.log(`\n${mnistTable(results, reference)}\n\n${wganGpTable(results)}\n`);
    const wall = (timing.endedAt.getTime() - timing.startedAt.getTime()) / 1000;
    console.log(`MNIST part: ${duration(wall)} wall clock; load average at the end ${timing.loadEnd}`);
    docs.push({ part: 'mnist', body: mnistDoc(results, reference!, timing) });
    docs.push({ part: 'wgan-gp', body: wganGpDoc(results, timing) });
  }

  if (only === undefined || only === 'sagan') {
    const { results, timing } = await saganPart();
    all.sagan = results;
    console.log(`\n${saganTable(results)}\n`);
    const wall = (timing.endedAt.getTime() - timing.startedAt.getTime()) / 1000;
    console.log(`SAGAN part: ${duration(wall)} wall clock; load average at the end ${timing.loadEnd}`);
    docs.push({ part: 'sagan', body: saganDoc(results, timing) });
  }

  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(all, null, 2)}\n`);
  if (writeDocs) {
    let doc = readFileSync(values.docs!, 'utf8');
    for (const { part, body } of docs) doc = replacePart(doc, part, body, SECTION_INTRO);
    // Temp file, then rename: an interrupted run never leaves the docs half-written.
    writeFileSync(`${values.docs!}.tmp`, doc);
    renameSync(`${values.docs!}.tmp`, values.docs!);
    console.log(`\nwrote ${docs.map((d) => d.part).join(' and ')} to ${values.docs}`);
  }
}

await main();
