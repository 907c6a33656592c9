/**
 * WGAN-GP on MNIST (Gulrajani et al. 2017, https://arxiv.org/abs/1704.00028) with the recipe of
 * `gan-kit train wgan-gp`: the Wasserstein loss, the two-sided gradient penalty (λ = 10) and n = 2 critic updates
 * per generator update, with the settings that make it draw digits in minutes rather than after the paper's
 * 200,000 steps (Adam 5e-4, β = (0.5, 0.9), batches of 32, an EMA of G) and self-conditioning: k-means clusters
 * of the images condition G (class-conditional batch norm) and the critic's class head (trained on real images
 * only), and sampling draws a cluster with its frequency. docs/benchmarks.md lists every difference from the
 * paper, why, and what it reaches. With --data (a folder of images) it trains the plain WGAN-GP with the same
 * settings. At the end, gan-kit's MNIST classifier checks the samples, and the critic's gradient norm at
 * interpolates (the penalty's target is 1) is printed.
 *
 *   npx tsx examples/wgan-gp-mnist.ts [--data <folder>] [--steps 2000] [--out runs/wgan-gp-mnist] [--resume]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import {
  classifyDigits, imageFolder, jsonlLogger, kMeans, listCheckpoints, loadMnist, lossChart, progressBar, sampleGrid,
  setupBackend, tensorDataset,
} from './gan-kit';
// The recipe's settings and trainer builder, shared with `gan-kit train wgan-gp` and `npm run bench:quality`
// (they live with the command line, not in the package's API: see src/cli/recipes.ts for what they build).
import { WGAN_GP_BATCH_SIZE, WGAN_GP_RECIPE, WGAN_GP_STEPS, wganGpRecipeTrainer } from '../src/cli/recipes';
import { criticGradientNorms, formatGradientNorms } from '../src/cli/evaluate';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' }, steps: { type: 'string', default: String(WGAN_GP_STEPS) }, out: { type: 'string', default: 'runs/wgan-gp-mnist' },
    resume: { type: 'boolean', default: false }, 'batch-size': { type: 'string', default: String(WGAN_GP_BATCH_SIZE) },
    size: { type: 'string', default: '32' },
  },
});
const out = args.out!;
const batchSize = Number(args['batch-size']);
await setupBackend({ threads: 1 }); // small networks: one wasm thread is faster than two here

let trainer;
let data;
if (args.data) {
  // A folder of images: the plain WGAN-GP (WganGpTrainer) with the recipe's settings.
  const size = Number(args.size);
  data = await imageFolder(args.data, { size, channels: 3, batchSize, seed: 0 });
  trainer = wganGpRecipeTrainer({ shape: [size, size, 3], seed: 0 });
} else {
  // The 10,000 built-in digits, labelled with their k-means cluster (no digit labels are used). The same seed
  // gives the same clusters, batches and initial weights as `gan-kit train wgan-gp --seed 0`.
  const { images, labels: digits } = await loadMnist();
  digits.dispose();
  const clusters = await kMeans(images, { k: WGAN_GP_RECIPE.clusters, seed: 0 });
  data = await tensorDataset(images, { labels: clusters.assignments, batchSize, seed: 0 });
  images.dispose();
  console.log(`${WGAN_GP_RECIPE.clusters} clusters of ${clusters.assignments.length} digits`);
  // ConditionalGanTrainer: wassersteinLoss(), the gradient penalty, 2 critic steps, an AC critic without batch norm.
  trainer = wganGpRecipeTrainer({ shape: [28, 28, 1], seed: 0, clusterSizes: clusters.sizes });
}
if (args.resume && (await listCheckpoints(`${out}/checkpoints`)).length > 0) await trainer.restore(`${out}/checkpoints`);

const keys = ['discriminatorLoss', 'generatorLoss', 'penalties/gradientPenalty'];
await trainer.fit(data as tf.data.Dataset<never>, {
  untilStep: Number(args.steps),
  checkpoint: { dir: `${out}/checkpoints`, every: 250 },
  callbacks: [
    progressBar({ keys }),
    jsonlLogger({ path: `${out}/log.jsonl` }),
    lossChart({ path: `${out}/losses.png`, logFile: `${out}/log.jsonl`, every: 250, keys }),
    sampleGrid({ dir: `${out}/samples`, every: 250, count: 64 }),
  ],
});

if (!args.data) {
  // How many samples gan-kit's MNIST classifier reads with confidence, and which digits appear.
  const samples = trainer.sample(256, { seed: 1 });
  const { labels, probabilities } = await classifyDigits(samples);
  const best = probabilities.max(1);
  const top = await best.data();
  const confident = labels.filter((_, i) => top[i]! > 0.9);
  console.log(
    `Recognisable: ${((100 * confident.length) / 256).toFixed(1)}% of 256 samples (confidence > 0.9); ` +
      `digits present: ${new Set(confident).size}`,
  );
  tf.dispose([samples, probabilities, best]);
  // The penalty's check: ‖∇D(x̂)‖ at interpolates of 256 real digits and as many samples, near 1 once trained.
  const { images: probe, labels: probeLabels } = await loadMnist({ limit: 256 });
  console.log(formatGradientNorms(await criticGradientNorms(trainer, probe)));
  tf.dispose([probe, probeLabels]);
}
trainer.dispose();
console.log(`Samples: ${out}/samples  Loss chart: ${out}/losses.png  Checkpoints: ${out}/checkpoints`);
