/**
 * A class-conditional GAN on MNIST that draws the digit it is asked for: the generator sees the label through
 * class-conditional batch norm (per-class gain and bias in every batch norm: de Vries et al. 2017, Miyato & Koyama
 * 2018, https://arxiv.org/abs/1802.05637), and the discriminator is an ACGAN discriminator (Odena, Olah, Shlens
 * 2017, https://arxiv.org/abs/1610.09585): besides real/fake it predicts the digit. Its class head learns from
 * real digits only (`discriminatorFakeWeight: 0`), and G is trained to make its samples read as the requested
 * digit. At the end, gan-kit's MNIST classifier (trained separately) checks that each sample shows the digit it
 * was asked for. The same recipe is `gan-kit train cgan` and the conditional GAN of `npm run bench:quality`.
 *
 *   npx tsx examples/conditional-gan-mnist.ts [--steps 2000] [--out runs/conditional-gan-mnist] [--resume]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import {
  acganDiscriminator, classifyDigits, conditionalGenerator, ConditionalGanTrainer, jsonlLogger, listCheckpoints, lossChart,
  mnistDataset, progressBar, sampleGrid, setupBackend,
} from './gan-kit';

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '2000' }, out: { type: 'string', default: 'runs/conditional-gan-mnist' },
    resume: { type: 'boolean', default: false }, 'batch-size': { type: 'string', default: '64' },
  },
});
const out = args.out!;
await setupBackend({ threads: 1 }); // small networks: one wasm thread is faster than two here

// Batches of { images, labels }: the labels are int32 class ids.
const data = await mnistDataset({ batchSize: Number(args['batch-size']), seed: 0, labels: true });

const trainer = new ConditionalGanTrainer({
  generator: conditionalGenerator({ numClasses: 10, latentDim: 100, baseFilters: 32, conditioning: 'batch-norm' }),
  // ACGAN discriminator on the DCGAN trunk: no label input; a real/fake logit and 10 class logits.
  discriminator: acganDiscriminator({ baseFilters: 16 }),
  numClasses: 10,
  latentDim: 100,
  // D's class head learns from real digits only; G's samples should be read as the requested digit.
  auxiliaryClassifier: { weight: 1, discriminatorFakeWeight: 0 },
  generatorOptimizer: tf.train.adam(5e-4, 0.5),
  discriminatorOptimizer: tf.train.adam(5e-4, 0.5),
  ema: { decay: 0.99 },
  seed: 0,
});
if (args.resume && (await listCheckpoints(`${out}/checkpoints`)).length > 0) await trainer.restore(`${out}/checkpoints`);

// Grid rows are the digits 0–9; each column keeps one latent code.
const gridLabels = Array.from({ length: 100 }, (_, i) => Math.floor(i / 10));
await trainer.fit(data, {
  untilStep: Number(args.steps),
  checkpoint: { dir: `${out}/checkpoints`, every: 100 },
  callbacks: [
    progressBar({ keys: ['discriminatorLoss', 'generatorLoss', 'generatorClassLoss'] }),
    jsonlLogger({ path: `${out}/log.jsonl` }),
    lossChart({ path: `${out}/losses.png`, logFile: `${out}/log.jsonl`, every: 100 }),
    sampleGrid({ dir: `${out}/samples`, every: 100, count: 100, rows: 10, sampleOptions: { labels: gridLabels } }),
  ],
});

// Conditional accuracy: ask for 1,000 digits (100 of each) and let the classifier read them.
const asked = Array.from({ length: 1000 }, (_, i) => i % 10);
const samples = trainer.sample(1000, { labels: asked, seed: 1 });
const { labels, probabilities } = await classifyDigits(samples);
const accuracy = labels.filter((label, i) => label === asked[i]).length / asked.length;
console.log(`Conditional accuracy: ${(100 * accuracy).toFixed(1)}% of samples show the digit they were asked for.`);
tf.dispose([samples, probabilities]);
console.log(`Samples: ${out}/samples  Loss chart: ${out}/losses.png  Checkpoints: ${out}/checkpoints`);
