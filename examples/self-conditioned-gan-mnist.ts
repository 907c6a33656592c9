/**
 * An unconditional GAN on MNIST that uses no digit labels, self-conditioned on clusters of the images: `kMeans`
 * splits the digits into clusters by their pixels, the generator sees a cluster through class-conditional batch
 * norm and the ACGAN discriminator predicts it (its cluster head learns from real images only). Sampling draws a
 * cluster with its frequency in the data, then a latent code, so the model is still unconditional in use. The idea
 * is Logo-GAN's (Sage et al. 2018, https://arxiv.org/abs/1712.04407) and the self-conditioned GAN's (Liu et al.
 * 2020, https://arxiv.org/abs/2006.10728): a generator fed one connected latent space must put samples between the
 * classes, clusters let it keep them apart. The same recipe is `gan-kit train dcgan` (docs/benchmarks.md).
 *
 *   npx tsx examples/self-conditioned-gan-mnist.ts [--clusters 60] [--steps 2000] [--out runs/self-conditioned-gan-mnist] [--resume]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import {
  acganDiscriminator, classifyDigits, conditionalGenerator, ConditionalGanTrainer, jsonlLogger, kMeans, listCheckpoints,
  loadMnist, lossChart, progressBar, sampleGrid, setupBackend, tensorDataset,
} from './gan-kit';

const { values: args } = parseArgs({
  options: {
    clusters: { type: 'string', default: '60' }, steps: { type: 'string', default: '2000' },
    out: { type: 'string', default: 'runs/self-conditioned-gan-mnist' }, resume: { type: 'boolean', default: false },
    'batch-size': { type: 'string', default: '64' },
  },
});
const out = args.out!;
const k = Number(args.clusters);
await setupBackend({ threads: 1 }); // small networks: one wasm thread is faster than two here

// Cluster the 10,000 digits by their pixels (a fixed seed gives the same clusters again on --resume, on the same
// backend; `gan-kit train dcgan` saves them with the run instead). The cluster ids replace the labels.
const { images, labels: digits } = await loadMnist();
digits.dispose(); // never used: the point is to need no labels
const clusters = await kMeans(images, { k, seed: 0 });
const data = await tensorDataset(images, { labels: clusters.assignments, batchSize: Number(args['batch-size']), seed: 0 });
images.dispose();
console.log(`${k} clusters of ${clusters.assignments.length} digits, ${Math.min(...clusters.sizes)}–${Math.max(...clusters.sizes)} digits each`);

const trainer = new ConditionalGanTrainer({
  generator: conditionalGenerator({ numClasses: k, latentDim: 100, baseFilters: 32, conditioning: 'batch-norm' }),
  discriminator: acganDiscriminator({ baseFilters: 16, numClasses: k }),
  numClasses: k,
  latentDim: 100,
  auxiliaryClassifier: { weight: 1, discriminatorFakeWeight: 0 }, // the cluster head learns from real digits only
  fakeLabels: 'real', // each fake takes the cluster of a real digit in the batch: clusters as often as in the data
  classPrior: clusters.sizes, // ...and sample(n) draws them with the same frequencies
  generatorOptimizer: tf.train.adam(5e-4, 0.5),
  discriminatorOptimizer: tf.train.adam(5e-4, 0.5),
  ema: { decay: 0.995, startStep: 250 },
  seed: 0,
});
if (args.resume && (await listCheckpoints(`${out}/checkpoints`)).length > 0) await trainer.restore(`${out}/checkpoints`);

await trainer.fit(data, {
  untilStep: Number(args.steps),
  checkpoint: { dir: `${out}/checkpoints`, every: 100 },
  callbacks: [
    progressBar({ keys: ['discriminatorLoss', 'generatorLoss', 'generatorClassLoss'] }),
    jsonlLogger({ path: `${out}/log.jsonl` }),
    lossChart({ path: `${out}/losses.png`, logFile: `${out}/log.jsonl`, every: 100 }),
    sampleGrid({ dir: `${out}/samples`, every: 100, count: 64, rows: 8 }), // unconditional samples: clusters drawn
  ],
});

// How many unconditional samples gan-kit's MNIST classifier reads with confidence, and which digits appear.
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
console.log(`Samples: ${out}/samples  Loss chart: ${out}/losses.png  Checkpoints: ${out}/checkpoints`);
