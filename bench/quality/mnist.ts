/**
 * The MNIST part of the quality benchmark: DCGAN trained for a fixed number of steps, scored by FID with gan-kit's
 * MNIST classifier features against the 1,500 held-out digits (the classifier's test split, which no model here
 * trained on); the WGAN-GP recipe of `gan-kit train wgan-gp` (src/cli/recipes.ts), scored as the command scores
 * it (recognisable digits, digits present) plus FID and the critic's gradient norm at interpolates; and a
 * conditional GAN (the cgan recipe) scored by conditional accuracy, the fraction of samples the classifier reads
 * as the digit that was asked for.
 */
import * as tf from '@tensorflow/tfjs';
import {
  ConditionalGanTrainer,
  GanTrainer,
  Random,
  classifyDigits,
  computeFeatureMoments,
  conditionalGenerator,
  dcganDiscriminator,
  dcganGenerator,
  fid,
  frechetDistanceFromMoments,
  loadMnist,
  mnistDataset,
  type FeatureMoments,
  type MnistBatch,
} from '../../src/index';
import { CGAN_RECIPE, WGAN_GP_BATCH_SIZE, WGAN_GP_RECIPE, WGAN_GP_STEPS, wganGpRecipeTrainer } from '../../src/cli/recipes';
import { criticGradientNorms, evaluateDigits } from '../../src/cli/evaluate';
import { kMeans } from '../../src/data/kmeans';
import { tensorDataset } from '../../src/data/image_sources';
import { acganDiscriminator } from '../../src/models/acgan_discriminator';

/** The MNIST models the benchmark trains. */
export type MnistModel = 'dcgan' | 'wgan-gp' | 'cgan';

export const MNIST_MODEL_LABELS: Record<MnistModel, string> = {
  dcgan: 'DCGAN',
  'wgan-gp': 'WGAN-GP',
  cgan: 'conditional GAN',
};

/** Settings of one MNIST run; defaults in {@link DEFAULT_MNIST_CONFIG}. */
export interface MnistConfig {
  /** Generator updates. */
  steps: number;
  /** Real images per D update. */
  batchSize: number;
  /** Generated samples scored (FID: against the 1,500 held-out digits; cGAN: 1/10 of them per digit). */
  evalSamples: number;
  /** G base filters (dcganGenerator / conditionalGenerator `baseFilters`). */
  generatorFilters: number;
  /** D / critic base filters. */
  discriminatorFilters: number;
  /** EMA decay of G's weights (samples come from the average). */
  emaDecay: number;
}

export const DEFAULT_MNIST_CONFIG: Record<MnistModel, MnistConfig> = {
  dcgan: { steps: 1000, batchSize: 64, evalSamples: 5000, generatorFilters: 32, discriminatorFilters: 16, emaDecay: 0.99 },
  // The recipe of `gan-kit train wgan-gp` (WGAN_GP_RECIPE; filters and EMA come from there, not from here).
  'wgan-gp': {
    steps: WGAN_GP_STEPS,
    batchSize: WGAN_GP_BATCH_SIZE,
    evalSamples: 5000,
    generatorFilters: WGAN_GP_RECIPE.generatorFilters,
    discriminatorFilters: WGAN_GP_RECIPE.criticFilters,
    emaDecay: WGAN_GP_RECIPE.ema.decay,
  },
  cgan: {
    steps: 2000,
    batchSize: 64,
    evalSamples: 1000,
    generatorFilters: CGAN_RECIPE.generatorFilters,
    discriminatorFilters: CGAN_RECIPE.discriminatorFilters,
    emaDecay: CGAN_RECIPE.emaDecay,
  },
};

/** One MNIST run to do. */
export interface MnistJob {
  kind: 'mnist';
  model: MnistModel;
  seed: number;
  config?: Partial<MnistConfig>;
}

/** The measured outcome of one MNIST run. */
export interface MnistResult {
  kind: 'mnist';
  model: MnistModel;
  seed: number;
  steps: number;
  /** D (critic) updates in all. */
  discriminatorUpdates: number;
  batchSize: number;
  /** FID of `evalSamples` generated digits against the 1,500 held-out digits (dcgan, wgan-gp). */
  fid?: number;
  /** Fraction of generated digits classified as the requested digit (cgan). */
  conditionalAccuracy?: number;
  /** Per requested digit, the fraction classified as it (cgan). */
  perDigitAccuracy?: number[];
  /** wgan-gp: share of 256 samples (seed 1) the classifier labels with confidence > 0.9, as `gan-kit train` reports it. */
  recognisable?: number;
  /** wgan-gp: confidently labelled samples per digit 0–9. */
  digitCounts?: number[];
  /** wgan-gp: the critic's gradient norm at 256 interpolates of real digits and samples (mean, std). */
  gradientNorm?: { mean: number; std: number };
  /** wgan-gp: the weighted gradient penalty λ·E[(‖∇D(x̂)‖ − 1)²] of the last step. */
  lastPenalty?: number;
  evalSamples: number;
  /** Wall-clock seconds of training (evaluation excluded). */
  trainSeconds: number;
  /** Wall-clock seconds of the evaluation. */
  evalSeconds: number;
}

/** The real-data reference: FID of real training digits against the held-out digits, at the same n. */
export interface MnistReference {
  kind: 'mnist-reference';
  /** FID of `n` real training digits against the 1,500 held-out digits. */
  fid: number;
  n: number;
}

let heldOut: FeatureMoments | undefined;

/** Feature statistics of the 1,500 held-out digits (computed once per process). */
export async function heldOutMoments(): Promise<FeatureMoments> {
  if (heldOut === undefined) {
    const { images, labels } = await loadMnist({ split: 'test' });
    try {
      heldOut = await computeFeatureMoments(images);
    } finally {
      tf.dispose([images, labels]);
    }
  }
  return heldOut;
}

/** FID of `n` real training digits against the held-out digits: the floor a perfect generator would reach. */
export async function mnistReference(n: number): Promise<MnistReference> {
  const { images, labels } = await loadMnist({ split: 'train', limit: n });
  try {
    const train = await computeFeatureMoments(images);
    return { kind: 'mnist-reference', fid: frechetDistanceFromMoments(await heldOutMoments(), train), n: images.shape[0] };
  } finally {
    tf.dispose([images, labels]);
  }
}

/** Trains and scores one MNIST model. Frees the tensors it creates. */
export async function runMnistJob(job: MnistJob): Promise<MnistResult> {
  const cfg: MnistConfig = { ...DEFAULT_MNIST_CONFIG[job.model], ...job.config };
  const ema = cfg.emaDecay > 0 ? { decay: cfg.emaDecay } : undefined;
  // Initial weights come from the job's seed (G and D from different streams), so a run repeats exactly.
  const generatorOptions = {
    outputShape: [28, 28, 1] as [number, number, number],
    latentDim: 100,
    baseFilters: cfg.generatorFilters,
    seed: 2 * job.seed,
  };
  const discriminatorSeed = 2 * job.seed + 1;
  const start = performance.now();
  if (job.model === 'cgan') {
    // The cgan recipe of `gan-kit train cgan` and examples/conditional-gan-mnist.ts (src/cli/recipes.ts).
    const r = CGAN_RECIPE;
    const generator = conditionalGenerator({ ...generatorOptions, numClasses: 10, conditioning: r.generatorConditioning });
    const discriminator = acganDiscriminator({
      inputShape: [28, 28, 1],
      baseFilters: cfg.discriminatorFilters,
      numClasses: 10,
      seed: discriminatorSeed,
    });
    const trainer = new ConditionalGanTrainer({
      generator,
      discriminator,
      numClasses: 10,
      latentDim: 100,
      auxiliaryClassifier: { ...r.auxiliaryClassifier },
      generatorOptimizer: tf.train.adam(r.learningRate, r.beta1),
      discriminatorOptimizer: tf.train.adam(r.learningRate, r.beta1),
      ema,
      seed: job.seed,
    });
    try {
      const data = await mnistDataset({ split: 'train', batchSize: cfg.batchSize, seed: job.seed, labels: true });
      await trainer.fit(data as tf.data.Dataset<MnistBatch>, { steps: cfg.steps, epochs: 1000 });
      const trainSeconds = (performance.now() - start) / 1000;
      const evalStart = performance.now();
      const asked = Array.from({ length: cfg.evalSamples }, (_, i) => i % 10);
      const samples = trainer.sample(cfg.evalSamples, { labels: asked, seed: 1 });
      const { labels, probabilities } = await classifyDigits(samples);
      tf.dispose([samples, probabilities]);
      const hits = new Array<number>(10).fill(0);
      const totals = new Array<number>(10).fill(0);
      asked.forEach((digit, i) => {
        totals[digit]!++;
        if (labels[i] === digit) hits[digit]!++;
      });
      return {
        kind: 'mnist',
        model: job.model,
        seed: job.seed,
        steps: trainer.step,
        discriminatorUpdates: trainer.step,
        batchSize: cfg.batchSize,
        conditionalAccuracy: hits.reduce((a, b) => a + b, 0) / cfg.evalSamples,
        perDigitAccuracy: hits.map((h, d) => h / totals[d]!),
        evalSamples: cfg.evalSamples,
        trainSeconds,
        evalSeconds: (performance.now() - evalStart) / 1000,
      };
    } finally {
      trainer.dispose();
      trainer.generatorOptimizer.dispose(); // ours: passed in
      trainer.discriminatorOptimizer.dispose();
      generator.dispose();
      discriminator.dispose();
    }
  }

  if (job.model === 'wgan-gp') return runWganGpJob(job, cfg, start);

  const generator = dcganGenerator(generatorOptions);
  const discriminator = dcganDiscriminator({ inputShape: [28, 28, 1], baseFilters: cfg.discriminatorFilters, seed: discriminatorSeed });
  const trainer = new GanTrainer({
    generator,
    discriminator,
    latentDim: 100,
    generatorOptimizer: tf.train.adam(5e-4, 0.5),
    discriminatorOptimizer: tf.train.adam(5e-4, 0.5),
    ema,
    seed: job.seed,
  });
  try {
    const data = await mnistDataset({ split: 'train', batchSize: cfg.batchSize, seed: job.seed });
    await trainer.fit(data, { steps: cfg.steps, epochs: 1000 });
    const trainSeconds = (performance.now() - start) / 1000;
    const evalStart = performance.now();
    const sampleRandom = new Random(job.seed + 1000);
    const score = await fid(
      (n) => trainer.sample(n, { seed: Math.floor(sampleRandom.uniform() * 2 ** 31) }),
      await heldOutMoments(),
      { n: cfg.evalSamples, batchSize: 250 },
    );
    return {
      kind: 'mnist',
      model: job.model,
      seed: job.seed,
      steps: trainer.step,
      discriminatorUpdates: trainer.step * trainer.discriminatorSteps,
      batchSize: cfg.batchSize,
      fid: score,
      evalSamples: cfg.evalSamples,
      trainSeconds,
      evalSeconds: (performance.now() - evalStart) / 1000,
    };
  } finally {
    trainer.dispose(); // the EMA generator
    trainer.generatorOptimizer.dispose();
    trainer.discriminatorOptimizer.dispose();
    generator.dispose();
    discriminator.dispose();
  }
}

/**
 * The WGAN-GP recipe exactly as `gan-kit train wgan-gp --seed <seed>` trains it on the built-in MNIST: the same
 * 10,000 digits (the held-out 1,500 among them, as in the command, so the FID here is against digits the model
 * saw), the same k-means clusters, batches, initial weights and latent codes, so the recognisable share here is
 * the one the command prints at the same step. Only `steps` and `batchSize` of the config apply (the recipe fixes
 * the networks and the EMA).
 */
async function runWganGpJob(job: MnistJob, cfg: MnistConfig, start: number): Promise<MnistResult> {
  const { images, labels: digits } = await loadMnist();
  digits.dispose(); // no digit labels: the clusters replace them
  const shape: [number, number, number] = [28, 28, 1];
  let trainer: ReturnType<typeof wganGpRecipeTrainer> | undefined;
  try {
    const clusters = await kMeans(images, { k: WGAN_GP_RECIPE.clusters, seed: job.seed });
    const data = await tensorDataset(images, { labels: clusters.assignments, batchSize: cfg.batchSize, seed: job.seed });
    trainer = wganGpRecipeTrainer({ shape, seed: job.seed, clusterSizes: clusters.sizes });
    let lastPenalty: number | undefined;
    await trainer.fit(data as unknown as tf.data.Dataset<MnistBatch>, {
      untilStep: cfg.steps,
      keepHistory: false,
      callbacks: [{ onStepEnd: (stats) => void (lastPenalty = (stats as { penalties?: Record<string, number> }).penalties?.['gradientPenalty']) }],
    });
    const trainSeconds = (performance.now() - start) / 1000;
    const evalStart = performance.now();
    const report = await evaluateDigits(trainer);
    const probe = images.slice(0, 256) as tf.Tensor4D;
    const norms = await criticGradientNorms(trainer, probe);
    probe.dispose();
    const t = trainer;
    const sampleRandom = new Random(job.seed + 1000);
    const score = await fid(
      (n) => t.sample(n, { seed: Math.floor(sampleRandom.uniform() * 2 ** 31) }),
      await heldOutMoments(),
      { n: cfg.evalSamples, batchSize: 250 },
    );
    return {
      kind: 'mnist',
      model: job.model,
      seed: job.seed,
      steps: trainer.step,
      discriminatorUpdates: trainer.step * trainer.discriminatorSteps,
      batchSize: cfg.batchSize,
      fid: score,
      recognisable: report.confident,
      digitCounts: report.counts,
      gradientNorm: { mean: norms.mean, std: norms.std },
      lastPenalty,
      evalSamples: cfg.evalSamples,
      trainSeconds,
      evalSeconds: (performance.now() - evalStart) / 1000,
    };
  } finally {
    images.dispose();
    if (trainer) {
      const models = [trainer.generator, trainer.discriminator];
      const optimizers = [trainer.generatorOptimizer, trainer.discriminatorOptimizer];
      trainer.dispose();
      optimizers.forEach((o) => o.dispose());
      models.forEach((m) => m.dispose());
    }
  }
}
