/**
 * A class-conditional GAN on MNIST (Mirza & Osindero 2014, https://arxiv.org/abs/1411.1784): G(z, digit) with a
 * learned label embedding concatenated to z, D(x, digit) with a learned label plane as an extra image channel.
 * (`conditioning: 'projection'`, the default of conditionalDiscriminator, is Miyato & Koyama's projection
 * discriminator; it is meant to be used with spectral normalization.) At the end, gan-kit's MNIST classifier
 * checks that each sample shows the digit it was asked for.
 *
 *   npx tsx examples/conditional-gan-mnist.ts [--steps 1500] [--out runs/conditional-gan-mnist] [--resume]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import {
  classifyDigits, conditionalDiscriminator, conditionalGenerator, ConditionalGanTrainer, jsonlLogger,
  listCheckpoints, lossChart, mnistDataset, progressBar, sampleGrid, setupBackend,
} from './gan-kit';

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '1500' }, out: { type: 'string', default: 'runs/conditional-gan-mnist' },
    resume: { type: 'boolean', default: false }, 'batch-size': { type: 'string', default: '64' },
  },
});
const out = args.out!;
await setupBackend({ threads: 1 }); // small networks: one wasm thread is faster than two here

// Batches of { images, labels }: the labels are int32 class ids.
const data = await mnistDataset({ batchSize: Number(args['batch-size']), seed: 0, labels: true });
const trainer = new ConditionalGanTrainer({
  generator: conditionalGenerator({ numClasses: 10, latentDim: 100, baseFilters: 32 }),
  discriminator: conditionalDiscriminator({ numClasses: 10, baseFilters: 16, conditioning: 'concat' }),
  numClasses: 10,
  latentDim: 100,
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
    progressBar({ keys: ['discriminatorLoss', 'generatorLoss'] }),
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
