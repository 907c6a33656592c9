/**
 * The models the `gan-kit train` command knows: for each, the networks, the trainer with its paper settings,
 * the default data (MNIST, built in) or a folder of images, and how to draw samples.
 *
 * @module cli/recipes
 * @internal
 */
import * as tf from '@tensorflow/tfjs';
import { loadMnist, mnistDataset } from '../data/mnist';
import { tensorDataset } from '../data/image_sources';
import { mnistDomains } from '../data/mnist_domains';
import { imageFolder, loadImageFolder } from '../data/image_folder';
import { GanKitError, InvalidArgumentError } from '../errors';
import { hingeLoss } from '../losses/hinge';
import { wassersteinLoss } from '../losses/wasserstein';
import { gradientPenalty } from '../regularizers/gradient_penalty';
import { acganDiscriminator } from '../models/acgan_discriminator';
import { conditionalGenerator } from '../models/conditional';
import { dcganDiscriminator, dcganGenerator } from '../models/dcgan';
import { initializeWeights } from '../models/initialize_weights';
import { patchGanDiscriminator } from '../models/patchgan_discriminator';
import { resnetGenerator } from '../models/resnet_generator';
import { saganDiscriminator, saganGenerator } from '../models/sagan';
import { wganGpCritic } from '../models/wgan_gp_critic';
import { ConditionalGanTrainer } from '../trainers/conditional_gan_trainer';
import { CycleGanTrainer } from '../trainers/cycle_gan_trainer';
import { GanTrainer } from '../trainers/gan_trainer';
import type { Trainer } from '../trainers/trainer';
import { WganGpTrainer } from '../trainers/wgan_gp_trainer';
import { runClusters } from './clusters';

/** The model names of `gan-kit train`. */
export const RECIPE_NAMES = ['dcgan', 'wgan-gp', 'sagan', 'cyclegan', 'cgan'] as const;
export type RecipeName = (typeof RECIPE_NAMES)[number];

/** Settings of a run, saved in `run.json` so that `--resume` and `gan-kit sample` rebuild the same models. */
export interface RecipeSettings {
  model: RecipeName;
  /** Image folder (for cyclegan: a folder with subfolders A and B), or undefined for the built-in MNIST. */
  data?: string;
  /** Image side for folder data (MNIST is 28). */
  size: number;
  /** Channels for folder data (MNIST is 1). */
  channels: 1 | 3;
  batchSize: number;
  /** Width multiplier of the networks (1 = the defaults below). */
  width: number;
  seed: number;
  /**
   * dcgan, sagan and wgan-gp: number of k-means clusters of the training images that condition G and D (a
   * self-conditioned GAN; see {@link DCGAN_RECIPE}, {@link SAGAN_RECIPE} and {@link WGAN_GP_RECIPE}); 0 or
   * absent: unconditional (runs made before this setting existed have none).
   */
  clusters?: number;
}

/** Where a recipe is built: the run directory (for its cluster file) and whether the run is resumed. */
export interface RecipeContext {
  runDir: string;
  resume: boolean;
}

/**
 * Generator steps of `gan-kit train wgan-gp` (see {@link WGAN_GP_RECIPE}): about 5–7 minutes on the idle 2-core
 * machine (0.15–0.21 s per step, derived from bursts against the paper's settings; docs/benchmarks.md), the step
 * count at which its quality is measured.
 */
export const WGAN_GP_STEPS = 2000;
/** Real images per critic update of `gan-kit train wgan-gp`. */
export const WGAN_GP_BATCH_SIZE = 32;

/** Defaults per model: chosen so that each trains in minutes on two CPU cores (see docs/benchmarks.md). */
export const RECIPE_DEFAULTS: Record<
  RecipeName,
  { steps: number; batchSize: number; sampleEvery: number; checkpointEvery: number; minutes?: number }
> = {
  // The README's main job: `npx gan-kit train dcgan` ends within 10 minutes however loaded the machine is. The
  // step limit is above what fits in 9.5 minutes on an idle 2-core machine (about 0.21 s per step), so the time
  // limit ends the run and a faster machine simply trains longer.
  dcgan: { steps: 3000, batchSize: 64, sampleEvery: 250, checkpointEvery: 250, minutes: 9.5 },
  // The step count fits in 10 minutes on the idle 2-core machine (docs/benchmarks.md, "WGAN-GP on MNIST"); the
  // time limit only ends a run on a loaded or slower machine, and quality is measured at the step count.
  'wgan-gp': { steps: WGAN_GP_STEPS, batchSize: WGAN_GP_BATCH_SIZE, sampleEvery: 250, checkpointEvery: 250, minutes: 9.5 },
  // sagan: 0.57 s per step at load 4.6 and 2.5-3.6x the dcgan recipe's step under heavier load (docs/benchmarks.md):
  // 800 steps fit 10 minutes with the clustering.
  sagan: { steps: 800, batchSize: 64, sampleEvery: 100, checkpointEvery: 100 },
  cyclegan: { steps: 800, batchSize: 4, sampleEvery: 100, checkpointEvery: 100 },
  cgan: { steps: 2000, batchSize: 64, sampleEvery: 200, checkpointEvery: 200 },
};

/** A recipe, built: the trainer, the data, and the images of a sample grid. */
export interface BuiltRecipe {
  trainer: Trainer;
  data: tf.data.Dataset<tf.TensorContainer>;
  /** Images for a progress grid (same inputs every call); a new tensor in [-1, 1]. */
  grid(trainer: Trainer): tf.Tensor;
  /** Rows of the sample grid. */
  gridRows: number;
  /** Stats shown by the progress bar. */
  keys: string[];
  /** The image shape trained on. */
  imageShape: [number, number, number];
}

const LATENT = 100;

/**
 * Seed of a recipe's `index`-th network (0: generator, 1: discriminator, 2 and 3: CycleGAN's second pair), so
 * that `--seed` fixes the initial weights as well as the data order and latent codes, each network from its own
 * stream.
 */
function weightSeed(seed: number, index: number): number {
  return (4 * seed + index) % 2 ** 32;
}

function scaled(width: number, filters: number): number {
  return Math.max(4, Math.round(filters * width));
}

/**
 * The dcgan recipe of the main job (`npx gan-kit train dcgan`, see docs/benchmarks.md): DCGAN networks and Adam
 * settings, self-conditioned on clusters of the training images. A GAN fed one continuous latent space must
 * put some samples between the digit classes; giving G and D a cluster label found without any class labels
 * (k-means on the pixels: Logo-GAN, Sage et al. 2018, https://arxiv.org/abs/1712.04407; self-conditioned GAN,
 * Liu et al. 2020, https://arxiv.org/abs/2006.10728) lets G draw each cluster from its own batch-norm
 * statistics, and D's class head (trained on real images only) tells G which cluster a sample looks like.
 * Unconditional sampling draws a cluster with its frequency in the data, then a latent code.
 * `--clusters 0` trains the plain DCGAN.
 */
export const DCGAN_RECIPE = {
  /** Clusters of the built-in MNIST digits (folders: 0, a plain DCGAN, unless --clusters is given). */
  clusters: 60,
  generatorFilters: 32,
  discriminatorFilters: 16,
  learningRate: 5e-4,
  beta1: 0.5,
  // The EMA starts at step 250 (averaging in the first, poor weights held the samples back for ~1,000 steps) and
  // averages over ~140 steps (0.995) rather than ~70 (0.99): 60.5 % against 57.4 % at step 2,500 for the plain
  // DCGAN (docs/benchmarks.md). Sampling recomputes the EMA copy's batch-norm statistics.
  ema: { decay: 0.995, startStep: 250 },
  auxiliaryClassifier: { weight: 1, discriminatorFakeWeight: 0 },
} as const;

/**
 * The cgan recipe, shared by `gan-kit train cgan`, examples/conditional-gan-mnist.ts and `npm run bench:quality`
 * (see docs/benchmarks.md, "Conditional GAN on MNIST"): a generator with class-conditional batch norm (Miyato &
 * Koyama 2018) and an ACGAN discriminator whose class head learns from real digits only, so that G is pushed
 * towards digits a classifier of real data reads as the requested class.
 */
export const CGAN_RECIPE = {
  generatorFilters: 32,
  discriminatorFilters: 16,
  generatorConditioning: 'batch-norm',
  learningRate: 5e-4,
  beta1: 0.5,
  emaDecay: 0.99,
  auxiliaryClassifier: { weight: 1, discriminatorFakeWeight: 0 },
} as const;

/**
 * The sagan recipe, shared by `gan-kit train sagan`, examples/sagan.ts and `npm run bench` / `bench:quality`
 * (see docs/benchmarks.md, "SAGAN on MNIST", for every difference from the paper and why): SAGAN's networks
 * ({@link saganGenerator} / {@link saganDiscriminator}: residual blocks, spectral norm on every layer of G and D,
 * self-attention with 2x2-pooled keys and values at 14x14), the hinge loss and TTUR (D learns faster than G).
 * SAGAN is class-conditional in the paper (conditional batch norm in G, a projection discriminator); with no
 * class labels the recipe conditions on k-means clusters of the training images, as the dcgan recipe does
 * ({@link DCGAN_RECIPE}), and samples draw a cluster with its frequency in the data. `--clusters 0` trains the
 * unconditional SAGAN.
 */
export const SAGAN_RECIPE = {
  /** Clusters of the built-in MNIST digits (folders: 0, an unconditional SAGAN, unless --clusters is given). */
  clusters: 60,
  /** `baseFilters` of G and D: G 32 → 16 → 8 channels at 7, 14, 28 pixels; D 8 → 16 → 16. */
  generatorFilters: 8,
  discriminatorFilters: 8,
  /** Side of the feature maps with self-attention, in G and D (MNIST). */
  attentionResolution: 14,
  generatorLearningRate: 2e-4,
  discriminatorLearningRate: 4e-4,
  beta1: 0.5,
  beta2: 0.999,
  latentDim: 128,
  ema: { decay: 0.995, startStep: 250 },
} as const;

/** The SAGAN networks of {@link SAGAN_RECIPE} for images of `shape` (numClasses: clusters, or undefined). */
export function saganRecipeNetworks(
  shape: [number, number, number],
  options: { width?: number; numClasses?: number; seed?: number } = {},
): { generator: tf.LayersModel; discriminator: tf.LayersModel } {
  const r = SAGAN_RECIPE;
  const width = options.width ?? 1;
  const seed = options.seed ?? 0;
  // Attention at 14x14 for MNIST; for other sizes the builders' default (32x32 or the largest side below it).
  const attentionResolution = shape[0] === 28 ? r.attentionResolution : undefined;
  return {
    generator: saganGenerator({
      outputShape: shape,
      latentDim: r.latentDim,
      baseFilters: scaled(width, r.generatorFilters),
      attentionResolution,
      numClasses: options.numClasses,
      seed: weightSeed(seed, 0),
    }),
    discriminator: saganDiscriminator({
      inputShape: shape,
      baseFilters: scaled(width, r.discriminatorFilters),
      attentionResolution,
      numClasses: options.numClasses,
      seed: weightSeed(seed, 1),
    }),
  };
}

/**
 * The trainer of {@link SAGAN_RECIPE}: its networks, the hinge loss, Adam with TTUR and the EMA of G; with
 * `classPrior` (cluster sizes, one per class) a {@link ConditionalGanTrainer} whose fakes take the clusters of the
 * real batch, else a {@link GanTrainer}. Shared by the recipe and `npm run bench`.
 */
export function saganRecipeTrainer(
  shape: [number, number, number],
  options: { width?: number; classPrior?: readonly number[]; seed?: number } = {},
): GanTrainer | ConditionalGanTrainer {
  const r = SAGAN_RECIPE;
  const seed = options.seed ?? 0;
  const k = options.classPrior?.length;
  const common = {
    ...saganRecipeNetworks(shape, { width: options.width, numClasses: k, seed }),
    latentDim: r.latentDim,
    loss: hingeLoss(),
    generatorOptimizer: tf.train.adam(r.generatorLearningRate, r.beta1, r.beta2),
    discriminatorOptimizer: tf.train.adam(r.discriminatorLearningRate, r.beta1, r.beta2),
    ema: { ...r.ema },
    seed,
  };
  if (k === undefined) return new GanTrainer(common);
  return new ConditionalGanTrainer({
    ...common,
    numClasses: k,
    // Projection D, no class head (a head, `auxiliaryClassifier`, scored lower at 500 steps: docs/benchmarks.md).
    // Each generated sample gets the cluster of a real image of the batch, so clusters are drawn as often as they
    // occur; sampling draws them from the same frequencies.
    fakeLabels: 'real',
    classPrior: options.classPrior,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// WGAN-GP recipe (`gan-kit train wgan-gp`, examples/wgan-gp-mnist.ts, `npm run bench:quality -- --only wgan-gp`)

/**
 * The wgan-gp recipe (docs/benchmarks.md, "WGAN-GP on MNIST", lists every difference from the paper and why).
 * What defines WGAN-GP stays: the Wasserstein loss, the two-sided gradient penalty λ·E[(‖∇D(x̂)‖ − 1)²] with the
 * paper's λ = 10 on random interpolates, and n critic updates per generator update. The paper's settings
 * (Adam 1e-4, 5 critic steps, Gulrajani et al. 2017, https://arxiv.org/abs/1704.00028) train for 200,000
 * generator steps and drew no digit in 400 here; this recipe draws digits in minutes: a higher learning rate,
 * 2 critic steps, smaller batches, an EMA of G, and self-conditioning on k-means clusters of the images as in
 * the dcgan recipe ({@link DCGAN_RECIPE}), with the critic's class head of the authors' conditional model
 * (AC-WGAN-GP: their CIFAR-10 code trains the critic's class head on real images only).
 * `--clusters 0` trains the plain WGAN-GP with the same settings.
 */
export const WGAN_GP_RECIPE = {
  /** k-means clusters of the built-in MNIST digits (folders: 0, a plain WGAN-GP, unless --clusters is given). */
  clusters: 60,
  generatorFilters: 32,
  criticFilters: 16,
  criticKernelSize: 4,
  learningRate: 5e-4,
  beta1: 0.5,
  beta2: 0.9,
  criticSteps: 2,
  gradientPenaltyWeight: 10,
  ema: { decay: 0.995, startStep: 250 },
  auxiliaryClassifier: { weight: 1, discriminatorFakeWeight: 0 },
} as const;

/** Options of {@link wganGpRecipeTrainer}. */
export interface WganGpRecipeOptions {
  /** Image shape, e.g. [28, 28, 1]. */
  shape: [number, number, number];
  /** Width multiplier of both networks. Default: 1. */
  width?: number;
  /** Seed of the trainer's streams; the networks' initial weights come from it too. */
  seed: number;
  /**
   * Sizes of the k-means clusters the real batches are labelled with (one per cluster): a self-conditioned
   * WGAN-GP whose samples draw a cluster with its frequency. Absent: the plain WGAN-GP.
   */
  clusterSizes?: readonly number[];
}

/**
 * The trainer of the wgan-gp recipe ({@link WGAN_GP_RECIPE}): a `ConditionalGanTrainer` with the Wasserstein
 * loss, the gradient penalty and an AC critic when `clusterSizes` is given (feed it batches of
 * `{ images, labels }` with the cluster of each image), else a `WganGpTrainer` (batches of images).
 */
export function wganGpRecipeTrainer(options: WganGpRecipeOptions): ConditionalGanTrainer | WganGpTrainer {
  const { shape, seed, clusterSizes } = options;
  const width = options.width ?? 1;
  const r = WGAN_GP_RECIPE;
  const optimizer = (): tf.Optimizer => tf.train.adam(r.learningRate, r.beta1, r.beta2);
  const critic = (numClasses?: number): tf.LayersModel =>
    wganGpCritic({
      inputShape: shape,
      baseFilters: scaled(width, r.criticFilters),
      kernelSize: r.criticKernelSize,
      normalization: 'none',
      numClasses,
      seed: weightSeed(seed, 1),
    });
  if (clusterSizes === undefined) {
    return new WganGpTrainer({
      generator: dcganGenerator({ outputShape: shape, latentDim: LATENT, baseFilters: scaled(width, r.generatorFilters), seed: weightSeed(seed, 0) }),
      critic: critic(),
      latentDim: LATENT,
      criticSteps: r.criticSteps,
      gradientPenaltyWeight: r.gradientPenaltyWeight,
      generatorOptimizer: optimizer(),
      criticOptimizer: optimizer(),
      ema: { ...r.ema },
      seed,
    });
  }
  const k = clusterSizes.length;
  return new ConditionalGanTrainer({
    generator: conditionalGenerator({
      outputShape: shape,
      numClasses: k,
      latentDim: LATENT,
      baseFilters: scaled(width, r.generatorFilters),
      conditioning: 'batch-norm',
      seed: weightSeed(seed, 0),
    }),
    discriminator: critic(k),
    latentDim: LATENT,
    numClasses: k,
    // WGAN-GP: the Wasserstein loss on the critic's score, the two-sided penalty (on the score only) at random
    // interpolates of each real batch and its generated batch, n critic updates per generator update.
    loss: wassersteinLoss(),
    penalties: [{ fn: gradientPenalty, weight: r.gradientPenaltyWeight, name: 'gradientPenalty' }],
    discriminatorSteps: r.criticSteps,
    auxiliaryClassifier: { ...r.auxiliaryClassifier },
    fakeLabels: 'real',
    classPrior: clusterSizes,
    generatorOptimizer: optimizer(),
    discriminatorOptimizer: optimizer(),
    ema: { ...r.ema },
    seed,
  });
}

/** The wgan-gp recipe with `clusters` > 0: see {@link WGAN_GP_RECIPE}. */
async function selfConditionedWganGp(settings: RecipeSettings, context: RecipeContext, shape: [number, number, number]): Promise<BuiltRecipe> {
  const { data, sizes } = await clusteredData(settings, context, settings.clusters!);
  const trainer = wganGpRecipeTrainer({ shape, width: settings.width, seed: settings.seed, clusterSizes: sizes });
  return {
    trainer,
    data,
    grid: (t) => (t as ConditionalGanTrainer).sample(64, { seed: 0 }),
    gridRows: 8,
    keys: ['discriminatorLoss', 'generatorLoss', 'penalties/gradientPenalty'],
    imageShape: shape,
  };
}

function checkSize(size: number): void {
  const ok = [4, 7].some((start) => {
    const r = size / start;
    return Number.isInteger(r) && r >= 2 && (r & (r - 1)) === 0;
  });
  if (!ok) throw new InvalidArgumentError('--size', 'a side of 4·2ⁿ or 7·2ⁿ pixels (8, 14, 16, 28, 32, 56, 64, …)', size);
}

async function folderImages(dir: string, settings: RecipeSettings): Promise<tf.data.Dataset<tf.Tensor4D>> {
  checkSize(settings.size);
  return imageFolder(dir, { size: settings.size, channels: settings.channels, batchSize: settings.batchSize, seed: settings.seed });
}

async function cycleGanFolders(dir: string, settings: RecipeSettings): Promise<tf.data.Dataset<tf.TensorContainer>> {
  const { nodeFs } = await import('../io/node_fs');
  const { fs, path } = await nodeFs('cyclegan --data');
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const pick = (options: string[]): string | undefined => options.find((n) => names.includes(n));
  const a = pick(['A', 'trainA']);
  const b = pick(['B', 'trainB']);
  if (!a || !b) {
    throw new GanKitError(`--data ${dir}: a CycleGAN folder needs two subfolders of images, A and B (or trainA and trainB).`);
  }
  const [dataA, dataB] = await Promise.all([folderImages(path.join(dir, a), settings), folderImages(path.join(dir, b), { ...settings, seed: settings.seed + 1 })]);
  return tf.data.zip({ a: dataA, b: dataB }) as unknown as tf.data.Dataset<tf.TensorContainer>;
}

/** The training images with their k-means cluster labels (computed, or read back on --resume), and the cluster sizes. */
async function clusteredData(settings: RecipeSettings, context: RecipeContext, k: number): Promise<{ data: tf.data.Dataset<tf.TensorContainer>; sizes: number[] }> {
  const { seed, batchSize } = settings;
  if (settings.data !== undefined) checkSize(settings.size);
  const { images } =
    settings.data === undefined ? await loadMnist() : await loadImageFolder(settings.data, { size: settings.size, channels: settings.channels });
  try {
    const clusters = await runClusters(images, { k, seed, runDir: context.runDir, resume: context.resume });
    const data = (await tensorDataset(images, { labels: clusters.assignments, batchSize, seed })) as unknown as tf.data.Dataset<tf.TensorContainer>;
    return { data, sizes: clusters.sizes };
  } finally {
    images.dispose();
  }
}

/** The dcgan recipe with `clusters` > 0: see {@link DCGAN_RECIPE}. */
async function selfConditionedDcgan(settings: RecipeSettings, context: RecipeContext, shape: [number, number, number]): Promise<BuiltRecipe> {
  const { width, seed } = settings;
  const k = settings.clusters!;
  const { data, sizes } = await clusteredData(settings, context, k);
  const r = DCGAN_RECIPE;
  const trainer = new ConditionalGanTrainer({
    generator: conditionalGenerator({
      outputShape: shape,
      numClasses: k,
      latentDim: LATENT,
      baseFilters: scaled(width, r.generatorFilters),
      conditioning: 'batch-norm',
      seed: weightSeed(seed, 0),
    }),
    discriminator: acganDiscriminator({
      inputShape: shape,
      baseFilters: scaled(width, r.discriminatorFilters),
      numClasses: k,
      seed: weightSeed(seed, 1),
    }),
    latentDim: LATENT,
    numClasses: k,
    auxiliaryClassifier: { ...r.auxiliaryClassifier },
    // Each generated sample gets the cluster of a real image of the batch, so clusters are drawn as often as
    // they occur; sampling draws them from the same frequencies.
    fakeLabels: 'real',
    classPrior: sizes,
    generatorOptimizer: tf.train.adam(r.learningRate, r.beta1, 0.999),
    discriminatorOptimizer: tf.train.adam(r.learningRate, r.beta1, 0.999),
    ema: { ...r.ema },
    seed,
  });
  return {
    trainer,
    data,
    grid: (t) => (t as ConditionalGanTrainer).sample(64, { seed: 0 }),
    gridRows: 8,
    keys: ['discriminatorLoss', 'generatorLoss'],
    imageShape: shape,
  };
}

/** The sagan recipe with `clusters` > 0: see {@link SAGAN_RECIPE}. */
async function selfConditionedSagan(settings: RecipeSettings, context: RecipeContext, shape: [number, number, number]): Promise<BuiltRecipe> {
  const k = settings.clusters!;
  const { data, sizes } = await clusteredData(settings, context, k);
  const trainer = saganRecipeTrainer(shape, { width: settings.width, classPrior: sizes, seed: settings.seed });
  return {
    trainer,
    data,
    grid: (t) => (t as ConditionalGanTrainer).sample(64, { seed: 0 }),
    gridRows: 8,
    keys: ['discriminatorLoss', 'generatorLoss'],
    imageShape: shape,
  };
}

/** Builds the trainer and data of a recipe (a self-conditioned dcgan reads or writes its clusters in `context.runDir`). */
export async function buildRecipe(settings: RecipeSettings, context: RecipeContext): Promise<BuiltRecipe> {
  const { model, width, seed, batchSize } = settings;
  const shape: [number, number, number] = settings.data === undefined ? [28, 28, 1] : [settings.size, settings.size, settings.channels];
  const gridZ = (trainer: Trainer, n = 64): tf.Tensor => (trainer as GanTrainer).sample(n, { seed: 0 });

  if (model === 'dcgan' && (settings.clusters ?? 0) > 0) return selfConditionedDcgan(settings, context, shape);
  if (model === 'sagan' && (settings.clusters ?? 0) > 0) return selfConditionedSagan(settings, context, shape);
  if (model === 'wgan-gp' && (settings.clusters ?? 0) > 0) return selfConditionedWganGp(settings, context, shape);

  if (model === 'dcgan' || model === 'wgan-gp' || model === 'sagan') {
    const data = settings.data === undefined ? await mnistDataset({ batchSize, seed }) : await folderImages(settings.data, settings);
    let trainer: Trainer;
    if (model === 'dcgan') {
      const r = DCGAN_RECIPE;
      trainer = new GanTrainer({
        generator: dcganGenerator({ outputShape: shape, latentDim: LATENT, baseFilters: scaled(width, r.generatorFilters), seed: weightSeed(seed, 0) }),
        discriminator: dcganDiscriminator({ inputShape: shape, baseFilters: scaled(width, r.discriminatorFilters), seed: weightSeed(seed, 1) }),
        latentDim: LATENT,
        generatorOptimizer: tf.train.adam(r.learningRate, r.beta1, 0.999),
        discriminatorOptimizer: tf.train.adam(r.learningRate, r.beta1, 0.999),
        ema: { ...r.ema },
        seed,
      });
    } else if (model === 'wgan-gp') {
      // --clusters 0 (or a folder of images): the plain WGAN-GP with the recipe's settings.
      trainer = wganGpRecipeTrainer({ shape, width, seed });
    } else {
      // The unconditional SAGAN (--clusters 0): see SAGAN_RECIPE.
      trainer = saganRecipeTrainer(shape, { width, seed });
    }
    return { trainer, data: data as tf.data.Dataset<tf.TensorContainer>, grid: (t) => gridZ(t), gridRows: 8, keys: ['discriminatorLoss', 'generatorLoss'], imageShape: shape };
  }

  if (model === 'cgan') {
    if (settings.data !== undefined) {
      throw new InvalidArgumentError('--data', 'no --data for cgan (it trains on the labelled MNIST digits)', settings.data);
    }
    const data = await mnistDataset({ batchSize, seed, labels: true });
    const r = CGAN_RECIPE;
    const trainer = new ConditionalGanTrainer({
      generator: conditionalGenerator({
        numClasses: 10,
        latentDim: LATENT,
        baseFilters: scaled(width, r.generatorFilters),
        conditioning: r.generatorConditioning,
        seed: weightSeed(seed, 0),
      }),
      discriminator: acganDiscriminator({
        inputShape: shape,
        baseFilters: scaled(width, r.discriminatorFilters),
        numClasses: 10,
        seed: weightSeed(seed, 1),
      }),
      latentDim: LATENT,
      numClasses: 10,
      auxiliaryClassifier: { ...r.auxiliaryClassifier },
      generatorOptimizer: tf.train.adam(r.learningRate, r.beta1, 0.999),
      discriminatorOptimizer: tf.train.adam(r.learningRate, r.beta1, 0.999),
      ema: { decay: r.emaDecay },
      seed,
    });
    // Grid rows are classes 0–9 (column k of every row shares its latent code).
    const labels = Array.from({ length: 100 }, (_, i) => Math.floor(i / 10));
    return {
      trainer,
      data: data as unknown as tf.data.Dataset<tf.TensorContainer>,
      grid: (t) => (t as ConditionalGanTrainer).sample(100, { seed: 0, labels }),
      gridRows: 10,
      keys: ['discriminatorLoss', 'generatorLoss'],
      imageShape: shape,
    };
  }

  // cyclegan
  const data = settings.data === undefined ? await mnistDomains({ batchSize, seed }) : await cycleGanFolders(settings.data, settings);
  const generator = (index: number): tf.LayersModel =>
    resnetGenerator({ inputShape: shape, outputChannels: shape[2], filters: scaled(width, 16), numResidualBlocks: 3, seed: weightSeed(seed, index) });
  const discriminator = (index: number): tf.LayersModel =>
    patchGanDiscriminator({ inputShape: shape, filters: scaled(width, 16), numLayers: 2, seed: weightSeed(seed, index) });
  const trainer = new CycleGanTrainer({
    generatorAB: generator(0),
    generatorBA: generator(2),
    discriminatorA: discriminator(1),
    discriminatorB: discriminator(3),
    seed,
  });
  const first = await (data as tf.data.Dataset<{ a: tf.Tensor; b: tf.Tensor }>).take(1).toArray();
  const fixed = tf.keep(first[0]!.a.slice(0, Math.min(8, first[0]!.a.shape[0]!)));
  tf.dispose(first as unknown as tf.TensorContainer);
  return {
    trainer,
    data: data as unknown as tf.data.Dataset<tf.TensorContainer>,
    // Row 1: A images; row 2: their translation to B; row 3: translated back to A.
    grid: (t) =>
      tf.tidy(() => {
        const c = t as CycleGanTrainer;
        const ab = c.translate(fixed!, 'AB');
        return tf.concat([fixed!, ab, c.translate(ab, 'BA')], 0);
      }),
    gridRows: 3,
    keys: ['generatorLoss', 'discriminatorLossA', 'discriminatorLossB'],
    imageShape: shape,
  };
}
