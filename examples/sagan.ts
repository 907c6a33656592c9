/**
 * SAGAN (Zhang et al. 2019, https://arxiv.org/abs/1805.08318) at MNIST size: spectral normalization on every
 * layer of G and D, self-attention after the first up/downsampling, hinge loss, and TTUR — G learns at 1e-4 and
 * D at 4e-4, Adam β = (0, 0.9).
 *
 *   npx tsx examples/sagan.ts [--data <folder>] [--steps 600] [--out runs/sagan] [--resume]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import {
  GanTrainer, hingeLoss, imageFolder, jsonlLogger, listCheckpoints, lossChart, mnistDataset, progressBar,
  sampleGrid, SelfAttention2D, setupBackend, spectralNormalization,
} from './gan-kit';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' }, steps: { type: 'string', default: '600' }, out: { type: 'string', default: 'runs/sagan' },
    resume: { type: 'boolean', default: false }, 'batch-size': { type: 'string', default: '64' }, size: { type: 'string', default: '28' },
  },
});
const out = args.out!;
await setupBackend({ threads: 1 }); // small networks: one wasm thread is faster than two here
const size = args.data ? Number(args.size) : 28; // 7·2ⁿ: 28, 56, 112
const channels = args.data ? 3 : 1;
const data = args.data
  ? await imageFolder(args.data, { size, channels, batchSize: Number(args['batch-size']), seed: 0 })
  : await mnistDataset({ batchSize: Number(args['batch-size']), seed: 0 });

const sn = (layer: tf.layers.Layer) => spectralNormalization({ layer });
const apply = (x: tf.SymbolicTensor, ...layers: tf.layers.Layer[]) =>
  layers.reduce((h, layer) => layer.apply(h) as tf.SymbolicTensor, x);
const ups = Math.log2(size / 7);

// G: z → 7x7 → ×2 … → size x size; self-attention on the 14x14 feature map.
const z = tf.input({ shape: [100] });
let g = apply(z, sn(tf.layers.dense({ units: 7 * 7 * 64 * 2 ** (ups - 1) })), tf.layers.reshape({ targetShape: [7, 7, 64 * 2 ** (ups - 1)] }),
  tf.layers.batchNormalization(), tf.layers.reLU());
for (let i = 1; i < ups; i++) {
  g = apply(g, sn(tf.layers.conv2dTranspose({ filters: 64 * 2 ** (ups - 1 - i), kernelSize: 4, strides: 2, padding: 'same', useBias: false })),
    tf.layers.batchNormalization(), tf.layers.reLU());
  if (i === 1) g = apply(g, new SelfAttention2D({ spectralNormalization: true }));
}
g = apply(g, sn(tf.layers.conv2dTranspose({ filters: channels, kernelSize: 4, strides: 2, padding: 'same' })), tf.layers.activation({ activation: 'tanh' }));
const generator = tf.model({ inputs: z, outputs: g });

// D: size x size → /2 (self-attention) → … → 7x7 → linear score.
const x = tf.input({ shape: [size, size, channels] });
let d: tf.SymbolicTensor = x;
for (let i = 0; i < ups; i++) {
  d = apply(d, sn(tf.layers.conv2d({ filters: 32 * 2 ** i, kernelSize: 4, strides: 2, padding: 'same' })), tf.layers.leakyReLU({ alpha: 0.1 }));
  if (i === 0) d = apply(d, new SelfAttention2D({ spectralNormalization: true }));
}
d = apply(d, tf.layers.flatten(), sn(tf.layers.dense({ units: 1 })));
const discriminator = tf.model({ inputs: x, outputs: d });

const trainer = new GanTrainer({
  generator, discriminator, latentDim: 100, loss: hingeLoss(),
  generatorOptimizer: tf.train.adam(1e-4, 0, 0.9),     // TTUR: the generator learns slower…
  discriminatorOptimizer: tf.train.adam(4e-4, 0, 0.9), // …than the discriminator
  seed: 0,
});
if (args.resume && (await listCheckpoints(`${out}/checkpoints`)).length > 0) await trainer.restore(`${out}/checkpoints`);

await trainer.fit(data, {
  untilStep: Number(args.steps),
  checkpoint: { dir: `${out}/checkpoints`, every: 100 },
  callbacks: [
    progressBar({ keys: ['discriminatorLoss', 'generatorLoss'] }),
    jsonlLogger({ path: `${out}/log.jsonl` }),
    lossChart({ path: `${out}/losses.png`, logFile: `${out}/log.jsonl`, every: 100 }),
    sampleGrid({ dir: `${out}/samples`, every: 100, count: 64 }),
  ],
});
console.log(`Samples: ${out}/samples  Loss chart: ${out}/losses.png  Checkpoints: ${out}/checkpoints`);
