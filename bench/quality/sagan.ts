/**
 * The SAGAN part of the quality benchmark: `gan-kit train sagan` exactly (the recipe of src/cli/recipes.ts, built
 * by `buildRecipe` with the run's seed, clusters computed in a temporary run directory), trained for the recipe's
 * default step count, then scored as the CLI scores it: 256 samples (seed 1) read by gan-kit's MNIST classifier,
 * the share labelled with confidence > 0.9 and the digits among them; and the classifier-feature FID of 5,000
 * samples against the 1,500 held-out digits (as the MNIST table).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random, fid, type GanTrainer } from '../../src/index';
import { evaluateDigits } from '../../src/cli/evaluate';
import { buildRecipe, RECIPE_DEFAULTS, SAGAN_RECIPE } from '../../src/cli/recipes';
import { heldOutMoments } from './mnist';

/** One SAGAN run to do: a seed, and optionally fewer steps (`--quick`, `--steps`). */
export interface SaganJob {
  kind: 'sagan';
  seed: number;
  steps?: number;
  fidSamples?: number;
}

/** The measured outcome of one SAGAN run. */
export interface SaganResult {
  kind: 'sagan';
  seed: number;
  steps: number;
  clusters: number;
  /** Share of 256 samples the classifier labels with confidence > 0.9. */
  recognisable: number;
  /** Confidently labelled samples per digit. */
  counts: number[];
  fid: number;
  fidSamples: number;
  trainSeconds: number;
  secondsPerStep: number;
}

/** Trains the sagan recipe with `job.seed` and scores it. */
export async function runSaganJob(job: SaganJob): Promise<SaganResult> {
  const steps = job.steps ?? RECIPE_DEFAULTS.sagan.steps;
  const fidSamples = job.fidSamples ?? 5000;
  const runDir = mkdtempSync(join(tmpdir(), 'gan-kit-sagan-quality-'));
  const settings = {
    model: 'sagan' as const,
    size: 28,
    channels: 1 as const,
    batchSize: RECIPE_DEFAULTS.sagan.batchSize,
    width: 1,
    seed: job.seed,
    clusters: SAGAN_RECIPE.clusters,
  };
  const recipe = await buildRecipe(settings, { runDir, resume: false });
  const trainer = recipe.trainer as GanTrainer;
  try {
    const start = performance.now();
    await trainer.fit(recipe.data, { untilStep: steps, keepHistory: false });
    const trainSeconds = (performance.now() - start) / 1000;
    const report = await evaluateDigits(trainer);
    const sampleRandom = new Random(job.seed + 1000);
    const score = await fid((n) => trainer.sample(n, { seed: Math.floor(sampleRandom.uniform() * 2 ** 31) }), await heldOutMoments(), {
      n: fidSamples,
      batchSize: 250,
    });
    return {
      kind: 'sagan',
      seed: job.seed,
      steps: trainer.step,
      clusters: settings.clusters,
      recognisable: report.confident,
      counts: report.counts,
      fid: score,
      fidSamples,
      trainSeconds,
      secondsPerStep: trainSeconds / Math.max(1, trainer.step),
    };
  } finally {
    trainer.dispose();
    trainer.generator.dispose();
    trainer.discriminator.dispose();
    rmSync(runDir, { recursive: true, force: true });
  }
}
