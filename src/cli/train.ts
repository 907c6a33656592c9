/**
 * `gan-kit train <model>`: trains one of the built-in recipes with a progress bar, sample grids, a JSONL log, a
 * loss chart and checkpoints in `--out`; Ctrl-C saves a checkpoint before exiting; `--resume` continues.
 *
 * @module cli/train
 * @internal
 */
import { setupBackend } from '../backend/setup_backend';
import { getWasmThreadCount } from '../backend/wasm_threads';
import { GanKitError, InvalidArgumentError } from '../errors';
import { listCheckpoints } from '../io/checkpoint_store';
import { CheckpointError } from '../io/model_files';
import { lossChart } from '../io/loss_chart';
import { nodeFs, writeFileAtomic } from '../io/node_fs';
import { jsonlLogger } from '../trainers/jsonl_logger';
import { checkWeightSeed } from '../models/initialize_weights';
import { progressBar } from '../trainers/progress_bar';
import { sampleGrid } from '../trainers/sample_grid';
import type { TrainerCallback } from '../trainers/callbacks';
import { loadMnist } from '../data/mnist';
import { buildRecipe, DCGAN_RECIPE, RECIPE_DEFAULTS, RECIPE_NAMES, SAGAN_RECIPE, WGAN_GP_RECIPE, type RecipeName, type RecipeSettings } from './recipes';
import { criticGradientNorms, evaluateDigits, formatDigitReport, formatGradientNorms } from './evaluate';

/** The recipes that self-condition on k-means clusters, and what `--clusters 0` trains instead. */
const UNCONDITIONAL_NAMES = { dcgan: 'a plain DCGAN', sagan: 'an unconditional SAGAN', 'wgan-gp': 'a plain WGAN-GP' } as const;

/** Options of {@link train} (the command line's flags). */
export interface TrainCommandOptions {
  model: string;
  data?: string;
  steps?: number;
  out?: string;
  resume?: boolean;
  batchSize?: number;
  size?: number;
  channels?: number;
  width?: number;
  /**
   * Integer in [0, 2^32) that fixes the initial weights, the data order and the latent codes. Default: 0. The
   * dcgan recipe's time limit still makes the number of steps depend on the machine.
   */
  seed?: number;
  sampleEvery?: number;
  checkpointEvery?: number;
  /**
   * Stop after this many minutes (a checkpoint is saved). Default: 9.5 for dcgan (the main job) and wgan-gp
   * (whose step count ends the run first on the idle 2-core machine), else no limit.
   */
  minutes?: number;
  /**
   * dcgan, sagan and wgan-gp: k-means clusters of the training images that condition the networks (a
   * self-conditioned GAN, see `DCGAN_RECIPE`, `SAGAN_RECIPE` and `WGAN_GP_RECIPE`); 0 trains the unconditional
   * model. Default: 60 on the built-in MNIST, 0 with `--data`. A resumed run keeps its own: with `--resume`, only
   * the saved value is accepted (as for every setting saved in run.json).
   */
  clusters?: number;
  /** MNIST runs: print the classifier check every this many steps, with the elapsed time. Default: only at the end. */
  evalEvery?: number;
  /**
   * Threads of the wasm backend. Default: `GAN_KIT_WASM_THREADS` when set, else 1 — the built-in networks are
   * small, and one thread ran a DCGAN step about 1.8x faster than two on the 2-core machine (docs/benchmarks.md).
   */
  threads?: number;
  /** Where progress and messages go. Default: process.stderr / console.log. */
  log?: (line: string) => void;
  /** Stops training as Ctrl-C does (for tests). */
  signal?: AbortSignal;
}

/** Names of the files a run directory holds. */
export const RUN_FILES = {
  settings: 'run.json',
  checkpoints: 'checkpoints',
  samples: 'samples',
  log: 'log.jsonl',
  chart: 'losses.png',
} as const;

function positiveInt(flag: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(flag, 'a positive integer', value);
  return v;
}

/**
 * Runs a checkpoint restore; an error that is not already a {@link GanKitError} (a truncated file read by tfjs, a
 * RangeError) becomes a one-line {@link CheckpointError} naming the checkpoint, instead of a raw stack.
 */
export async function restoreOrExplain<T>(restore: () => Promise<T>, where: string): Promise<T> {
  try {
    return await restore();
  } catch (e) {
    if (e instanceof GanKitError) throw e;
    throw new CheckpointError(
      `Cannot restore the checkpoint in ${where}: ${(e as Error).message ?? String(e)}. A file of it is truncated or ` +
        'corrupted; restore it from a copy, or delete the newest ckpt-* folder and point checkpoint.json at the previous one.',
    );
  }
}

/**
 * Reads a run's `run.json`, with a one-line {@link GanKitError} (naming the file) when it is missing, truncated
 * or not a settings object, never a raw `SyntaxError`.
 */
export async function readRunSettings(fs: typeof import('node:fs/promises'), file: string): Promise<RecipeSettings> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new GanKitError(`Cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): it holds the run's settings. Pass the --out of a 'gan-kit train' run.`);
  }
  let settings: unknown;
  try {
    settings = JSON.parse(text);
  } catch (e) {
    throw new GanKitError(
      `${file} is not valid JSON (${(e as Error).message}; ${text.length} bytes): the run's settings are truncated or corrupted. ` +
        'Restore the file, or train a new run with another --out.',
    );
  }
  const s = settings as Partial<RecipeSettings> | null;
  if (
    s === null || typeof s !== 'object' || Array.isArray(s) ||
    !(RECIPE_NAMES as readonly string[]).includes(s.model as string) ||
    typeof s.size !== 'number' || typeof s.channels !== 'number' || typeof s.batchSize !== 'number' ||
    typeof s.width !== 'number' || typeof s.seed !== 'number'
  ) {
    throw new GanKitError(
      `${file} does not hold a run's settings (expected { model, size, channels, batchSize, width, seed, … }, got ${text.slice(0, 120)}). ` +
        'Restore the file, or train a new run with another --out.',
    );
  }
  return s as RecipeSettings;
}

/**
 * `--resume` continues a run with its saved settings: a flag that repeats a saved value is accepted (re-running
 * the original command line with `--resume` works), one that differs is an error naming the saved value.
 */
function checkResumeSettings(
  settings: RecipeSettings,
  options: TrainCommandOptions,
  out: string,
  resolve: (p: string) => string,
): void {
  const conflict = (flag: string, saved: unknown, given: unknown): never => {
    const show = (v: unknown): string => (v === undefined ? '(none: the built-in MNIST)' : String(v));
    throw new GanKitError(
      `${flag}: the run in ${out} was trained with ${flag} ${show(saved)}, and --resume keeps a run's settings; got ${flag} ${show(given)}. ` +
        `Leave out ${flag} (or pass ${show(saved)}) to resume, or train a new run with another --out.`,
    );
  };
  const same: Array<[string, unknown, unknown]> = [
    ['--size', settings.size, options.size],
    ['--channels', settings.channels, options.channels],
    ['--width', settings.width, options.width],
    ['--batch-size', settings.batchSize, options.batchSize],
    ['--seed', settings.seed, options.seed],
    ['--clusters', settings.clusters ?? 0, options.clusters],
  ];
  for (const [flag, saved, given] of same) {
    if (given !== undefined && given !== saved) conflict(flag, saved, given);
  }
  if (options.data !== undefined && (settings.data === undefined || resolve(options.data) !== resolve(settings.data))) {
    conflict('--data', settings.data, options.data);
  }
}

/** Runs `gan-kit train`. Returns the run directory. */
export async function train(options: TrainCommandOptions): Promise<string> {
  const log = options.log ?? ((line: string) => console.log(line));
  if (!(RECIPE_NAMES as readonly string[]).includes(options.model)) {
    throw new InvalidArgumentError('model', `one of ${RECIPE_NAMES.join(', ')}`, options.model);
  }
  const model = options.model as RecipeName;
  const defaults = RECIPE_DEFAULTS[model];
  const out = options.out ?? `runs/${model}`;
  const { fs, path } = await nodeFs('gan-kit train');
  const settingsFile = path.join(out, RUN_FILES.settings);
  const checkpointDir = path.join(out, RUN_FILES.checkpoints);
  const existing = await listCheckpoints(checkpointDir);

  if (options.clusters !== undefined) {
    if (!(model in UNCONDITIONAL_NAMES)) {
      throw new InvalidArgumentError('--clusters', 'no --clusters except for dcgan, sagan and wgan-gp', options.clusters);
    }
    if (!(Number.isInteger(options.clusters) && options.clusters >= 0)) {
      throw new InvalidArgumentError('--clusters', `an integer >= 0 (0: ${UNCONDITIONAL_NAMES[model as keyof typeof UNCONDITIONAL_NAMES]})`, options.clusters);
    }
  }
  let settings: RecipeSettings;
  if (options.resume) {
    if (existing.length === 0) throw new GanKitError(`--resume: no checkpoint in ${checkpointDir}. Train without --resume first.`);
    settings = await readRunSettings(fs, settingsFile);
    if (settings.model !== model) {
      throw new GanKitError(`--resume: ${out} holds a ${settings.model} run, not ${model}.`);
    }
    checkResumeSettings(settings, options, out, path.resolve);
  } else {
    if (existing.length > 0) {
      throw new GanKitError(`${out} already holds a run (checkpoints in ${checkpointDir}). Pass --resume to continue it, or choose another --out.`);
    }
    const channels = options.channels ?? 3;
    if (channels !== 1 && channels !== 3) throw new InvalidArgumentError('--channels', '1 or 3', options.channels);
    const width = options.width ?? 1;
    if (!(width > 0 && width <= 16)) throw new InvalidArgumentError('--width', 'a number in (0, 16]', options.width);
    const seed = checkWeightSeed('--seed', options.seed ?? 0);
    settings = {
      model,
      data: options.data,
      size: positiveInt('--size', options.size, 32),
      channels,
      batchSize: positiveInt('--batch-size', options.batchSize, defaults.batchSize),
      width,
      seed,
    };
    if (model === 'dcgan') settings.clusters = options.clusters ?? (options.data === undefined ? DCGAN_RECIPE.clusters : 0);
    if (model === 'sagan') settings.clusters = options.clusters ?? (options.data === undefined ? SAGAN_RECIPE.clusters : 0);
    if (model === 'wgan-gp') settings.clusters = options.clusters ?? (options.data === undefined ? WGAN_GP_RECIPE.clusters : 0);
  }
  const steps = positiveInt('--steps', options.steps, defaults.steps);
  const sampleEvery = positiveInt('--sample-every', options.sampleEvery, defaults.sampleEvery);
  const checkpointEvery = positiveInt('--checkpoint-every', options.checkpointEvery, defaults.checkpointEvery);
  if (options.minutes !== undefined && !(options.minutes > 0)) throw new InvalidArgumentError('--minutes', 'a positive number', options.minutes);
  const minutes = options.minutes ?? defaults.minutes;
  const evalEvery = options.evalEvery === undefined ? undefined : positiveInt('--eval-every', options.evalEvery, 1);
  if (evalEvery !== undefined && (settings.data !== undefined || model === 'cyclegan')) {
    throw new InvalidArgumentError('--eval-every', 'only for models trained on the built-in MNIST digits (not cyclegan)', evalEvery);
  }

  if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1)) {
    throw new InvalidArgumentError('--threads', 'a positive integer', options.threads);
  }
  const backend = await setupBackend({ threads: options.threads ?? (process.env['GAN_KIT_WASM_THREADS'] ? undefined : 1) });
  const recipe = await buildRecipe(settings, { runDir: out, resume: options.resume ?? false });
  const { trainer } = recipe;
  if (options.resume) {
    await restoreOrExplain(() => trainer.restore(checkpointDir), checkpointDir);
    log(`Resumed ${model} from step ${trainer.step} (${checkpointDir}).`);
  }
  await fs.mkdir(out, { recursive: true });
  await writeFileAtomic(settingsFile, JSON.stringify(settings, null, 2));
  const samplesDir = path.join(out, RUN_FILES.samples);
  const logFile = path.join(out, RUN_FILES.log);
  const threads = backend === 'wasm' ? ` (${getWasmThreadCount()} thread${getWasmThreadCount() === 1 ? '' : 's'})` : '';
  const limit = minutes === undefined ? '' : ` or for ${minutes} minutes`;
  const clusters = settings.clusters ?? 0;
  const plain = UNCONDITIONAL_NAMES[model as keyof typeof UNCONDITIONAL_NAMES];
  const conditioning = clusters > 0 ? ` (self-conditioned on ${clusters} k-means clusters of the images; --clusters 0 for ${plain})` : '';
  log(`Training ${model}${conditioning} on ${settings.data ?? 'MNIST (built in)'} with the ${backend} backend${threads} until step ${steps}${limit}; writing to ${out}`);

  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    log('\nStopping after this step and saving a checkpoint (Ctrl-C again to quit at once)…');
    controller.abort();
  };
  options.signal?.addEventListener('abort', () => controller.abort());
  process.on('SIGINT', onSigint);
  const timer = minutes === undefined ? undefined : setTimeout(() => controller.abort(), minutes * 60_000);
  const callbacks: TrainerCallback[] = [
    progressBar({ keys: recipe.keys }),
    jsonlLogger({ path: logFile, every: 1 }),
    lossChart({ path: path.join(out, RUN_FILES.chart), logFile, every: sampleEvery, keys: recipe.keys, title: `${model} losses` }),
    sampleGrid({ dir: samplesDir, every: sampleEvery, images: recipe.grid, rows: recipe.gridRows }),
  ];
  const started = Date.now();
  // WGAN-GP on MNIST: the critic's gradient norm at interpolates of 256 fixed digits and generated samples, which
  // the penalty pushes towards 1 (printed with each --eval-every check and at the end).
  const probe = model === 'wgan-gp' && settings.data === undefined ? (await loadMnist({ limit: 256 })) : undefined;
  probe?.labels.dispose();
  const gradientNorms = async (): Promise<string> => (probe ? `; ${formatGradientNorms(await criticGradientNorms(trainer, probe.images))}` : '');
  if (evalEvery !== undefined) {
    callbacks.push({
      async onStepEnd(stats) {
        if (stats.step % evalEvery !== 0) return;
        const seconds = Math.round((Date.now() - started) / 1000);
        const report = await evaluateDigits(trainer, { conditional: model === 'cgan' });
        const present = report.counts.filter((c) => c > 0).length;
        log(
          `\nstep ${stats.step} at ${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}: ` +
            `${(report.confident * 100).toFixed(1)}% of 256 samples recognisable (confidence > 0.9), ${present} digits present` +
            (report.conditionalAccuracy === undefined ? '' : `, conditional accuracy ${(report.conditionalAccuracy * 100).toFixed(1)}%`) +
            (await gradientNorms()),
        );
      },
    });
  }
  let result;
  try {
    result = await trainer.fit(recipe.data, {
      untilStep: steps,
      callbacks,
      checkpoint: { dir: checkpointDir, every: checkpointEvery },
      signal: controller.signal,
      keepHistory: false,
    });
  } finally {
    process.off('SIGINT', onSigint);
    if (timer) clearTimeout(timer);
  }
  const stopped = result.stopReason === 'aborted' ? (interrupts > 0 ? ' (interrupted)' : ' (time limit)') : '';
  const elapsed = Math.round((Date.now() - started) / 1000);
  log(`Step ${trainer.step}${stopped} after ${Math.floor(elapsed / 60)}:${String(elapsed % 60).padStart(2, '0')} of training. Checkpoint: ${result.lastCheckpoint ?? '(none: no step was run)'}`);
  log(`Sample grids: ${samplesDir}${path.sep}  Loss chart: ${path.join(out, RUN_FILES.chart)}  Log: ${logFile}`);
  if (settings.data === undefined && model !== 'cyclegan' && trainer.step > 0) {
    // The main-job check on MNIST: can gan-kit's digit classifier read what the generator draws?
    const report = await evaluateDigits(trainer, { conditional: model === 'cgan', gridFile: path.join(samplesDir, 'final-256.png') });
    log(formatDigitReport(report));
    if (probe) log(`WGAN-GP ${formatGradientNorms(await criticGradientNorms(trainer, probe.images))}.`);
  }
  probe?.images.dispose();
  trainer.dispose();
  log(`Continue with: npx gan-kit train ${model} --out ${out} --resume --steps <total>`);
  return out;
}
