/**
 * SAGAN (Zhang et al. 2019, https://arxiv.org/abs/1805.08318) on MNIST, the same recipe as `gan-kit train sagan`
 * (docs/benchmarks.md, "SAGAN on MNIST", lists every setting that differs from the paper and why): SAGAN's
 * residual networks from `saganGenerator` / `saganDiscriminator` — spectral norm on every layer of G and D,
 * self-attention (keys and values 2x2 max-pooled) on the 14x14 feature maps — the hinge loss, and TTUR (D learns
 * faster than G). SAGAN is class-conditional in the paper (conditional batch norm in G, a projection
 * discriminator); with no labels used, the classes here are k-means clusters of the images, drawn with their
 * frequency in the data when sampling. `--clusters 0` trains the unconditional SAGAN.
 *
 *   npx tsx examples/sagan.ts [--clusters 60] [--steps 800] [--out runs/sagan] [--resume]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import {
  ConditionalGanTrainer, GanTrainer, hingeLoss, jsonlLogger, kMeans, listCheckpoints, loadMnist, lossChart,
  mnistDataset, progressBar, saganDiscriminator, saganGenerator, sampleGrid, setupBackend, tensorDataset,
} from './gan-kit';

const { values: args } = parseArgs({
  options: {
    clusters: { type: 'string', default: '60' }, steps: { type: 'string', default: '800' },
    out: { type: 'string', default: 'runs/sagan' }, resume: { type: 'boolean', default: false },
    'batch-size': { type: 'string', default: '64' },
  },
});
const out = args.out!;
const k = Number(args.clusters);
const batchSize = Number(args['batch-size']);
await setupBackend({ threads: 1 }); // small networks: one wasm thread is faster than two here

// The networks: [z (128), cluster] → 7x7x32 → residual up-blocks to 14x14x16 (then self-attention) and
// 28x28x8 → 28x28x1; D: residual down-blocks 28 → 14 (self-attention) → 7 → a 7x7 block → sum → projection.
const shape: [number, number, number] = [28, 28, 1];
const numClasses = k > 0 ? k : undefined;
const generator = saganGenerator({ outputShape: shape, latentDim: 128, baseFilters: 8, attentionResolution: 14, numClasses, seed: 0 });
const discriminator = saganDiscriminator({ inputShape: shape, baseFilters: 8, attentionResolution: 14, numClasses, seed: 1 });
const common = {
  generator, discriminator, latentDim: 128, loss: hingeLoss(),
  generatorOptimizer: tf.train.adam(2e-4, 0.5, 0.999),     // TTUR: the generator learns slower…
  discriminatorOptimizer: tf.train.adam(4e-4, 0.5, 0.999), // …than the discriminator
  ema: { decay: 0.995, startStep: 250 },
  seed: 0,
};

let trainer: GanTrainer | ConditionalGanTrainer;
let data: tf.data.Dataset<tf.TensorContainer>;
if (k > 0) {
  // Cluster the 10,000 digits by their pixels; the cluster ids replace the labels (never used).
  const { images, labels: digits } = await loadMnist();
  digits.dispose();
  const clusters = await kMeans(images, { k, seed: 0 });
  data = (await tensorDataset(images, { labels: clusters.assignments, batchSize, seed: 0 })) as unknown as tf.data.Dataset<tf.TensorContainer>;
  images.dispose();
  trainer = new ConditionalGanTrainer({
    ...common,
    numClasses: k,
    fakeLabels: 'real', // each fake takes the cluster of a real digit in the batch: clusters as often as in the data
    classPrior: clusters.sizes, // ...and sample(n) draws them with the same frequencies
  });
} else {
  data = (await mnistDataset({ batchSize, seed: 0 })) as unknown as tf.data.Dataset<tf.TensorContainer>;
  trainer = new GanTrainer(common);
}
if (args.resume && (await listCheckpoints(`${out}/checkpoints`)).length > 0) await trainer.restore(`${out}/checkpoints`);

await trainer.fit(data, {
  untilStep: Number(args.steps),
  checkpoint: { dir: `${out}/checkpoints`, every: 100 },
  callbacks: [
    progressBar({ keys: ['discriminatorLoss', 'generatorLoss'] }),
    jsonlLogger({ path: `${out}/log.jsonl` }),
    lossChart({ path: `${out}/losses.png`, logFile: `${out}/log.jsonl`, every: 100 }),
    sampleGrid({ dir: `${out}/samples`, every: 100, count: 64, rows: 8 }),
  ],
});
console.log(`Samples: ${out}/samples  Loss chart: ${out}/losses.png  Checkpoints: ${out}/checkpoints`);
