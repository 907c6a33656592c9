/**
 * DCGAN on MNIST (Radford et al. 2016, https://arxiv.org/abs/1511.06434).
 *
 *   npx tsx examples/dcgan-mnist.ts [--data <folder>] [--steps 2500] [--out runs/dcgan-mnist] [--resume]
 *
 * Writes sample grids, a loss chart, a JSONL log and checkpoints to --out, then reports how many samples
 * gan-kit's MNIST classifier can read. Run it again with --resume (and a larger --steps) to continue.
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import {
  classifyDigits, dcganDiscriminator, dcganGenerator, GanTrainer, imageFolder, jsonlLogger, listCheckpoints,
  lossChart, mnistDataset, progressBar, sampleGrid, setupBackend,
} from './gan-kit';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' }, steps: { type: 'string', default: '2500' }, out: { type: 'string', default: 'runs/dcgan-mnist' },
    resume: { type: 'boolean', default: false }, 'batch-size': { type: 'string', default: '64' }, size: { type: 'string', default: '32' },
  },
});
const out = args.out!;
const batchSize = Number(args['batch-size']);
await setupBackend({ threads: 1 }); // small networks: one wasm thread is faster than two here

// Real images in [-1, 1]: the built-in MNIST digits, or a folder of PNG/JPEG/WebP images.
const size = args.data ? Number(args.size) : 28;
const channels = args.data ? 3 : 1;
const data = args.data
  ? await imageFolder(args.data, { size, channels, batchSize, seed: 0 })
  : await mnistDataset({ batchSize, seed: 0 });

const trainer = new GanTrainer({
  generator: dcganGenerator({ outputShape: [size, size, channels], latentDim: 100, baseFilters: 32 }),
  discriminator: dcganDiscriminator({ inputShape: [size, size, channels], baseFilters: 16 }),
  latentDim: 100,
  generatorOptimizer: tf.train.adam(5e-4, 0.5),
  discriminatorOptimizer: tf.train.adam(5e-4, 0.5),
  ema: { decay: 0.99 }, // samples come from a moving average of G's weights
  seed: 0,
});
if (args.resume && (await listCheckpoints(`${out}/checkpoints`)).length > 0) await trainer.restore(`${out}/checkpoints`);

await trainer.fit(data, {
  untilStep: Number(args.steps),
  checkpoint: { dir: `${out}/checkpoints`, every: 250 },
  callbacks: [
    progressBar({ keys: ['discriminatorLoss', 'generatorLoss'] }),
    jsonlLogger({ path: `${out}/log.jsonl` }),
    lossChart({ path: `${out}/losses.png`, logFile: `${out}/log.jsonl`, every: 100 }),
    sampleGrid({ dir: `${out}/samples`, every: 100, count: 64 }),
  ],
});

if (!args.data) {
  const samples = trainer.sample(256, { seed: 1 });
  const { labels, probabilities } = await classifyDigits(samples);
  const confidence = await probabilities.max(1).data();
  const sure = labels.filter((_, i) => confidence[i]! > 0.9);
  console.log(`${((100 * sure.length) / 256).toFixed(1)}% of 256 samples are digits the classifier reads with confidence > 0.9; ` +
    `digits seen: ${[...new Set(sure)].sort().join(' ')}`);
  tf.dispose([samples, probabilities]);
}
console.log(`Samples: ${out}/samples  Loss chart: ${out}/losses.png  Checkpoints: ${out}/checkpoints`);
