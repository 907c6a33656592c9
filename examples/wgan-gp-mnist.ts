/**
 * WGAN-GP on MNIST (Gulrajani et al. 2017, https://arxiv.org/abs/1704.00028): Wasserstein loss, gradient penalty
 * λ = 10, 5 critic updates per generator update, Adam(1e-4, β1 = 0, β2 = 0.9). The critic has no batch norm.
 *
 *   npx tsx examples/wgan-gp-mnist.ts [--data <folder>] [--steps 400] [--out runs/wgan-gp-mnist] [--resume]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import {
  dcganGenerator, imageFolder, jsonlLogger, listCheckpoints, lossChart, mnistDataset, progressBar, sampleGrid,
  setupBackend, WganGpTrainer, wganGpCritic,
} from './gan-kit';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' }, steps: { type: 'string', default: '400' }, out: { type: 'string', default: 'runs/wgan-gp-mnist' },
    resume: { type: 'boolean', default: false }, 'batch-size': { type: 'string', default: '64' }, size: { type: 'string', default: '32' },
  },
});
const out = args.out!;
const batchSize = Number(args['batch-size']);
await setupBackend({ threads: 1 }); // small networks: one wasm thread is faster than two here

const size = args.data ? Number(args.size) : 28;
const channels = args.data ? 3 : 1;
const data = args.data
  ? await imageFolder(args.data, { size, channels, batchSize, seed: 0 })
  : await mnistDataset({ batchSize, seed: 0 });

// The paper's defaults are the trainer's: criticSteps 5, gradientPenaltyWeight 10, Adam(1e-4, 0, 0.9).
const trainer = new WganGpTrainer({
  generator: dcganGenerator({ outputShape: [size, size, channels], latentDim: 100, baseFilters: 32 }),
  critic: wganGpCritic({ inputShape: [size, size, channels], baseFilters: 16, normalization: 'none' }),
  latentDim: 100,
  seed: 0,
});
if (args.resume && (await listCheckpoints(`${out}/checkpoints`)).length > 0) await trainer.restore(`${out}/checkpoints`);

const keys = ['discriminatorLoss', 'generatorLoss', 'penalties/gradientPenalty'];
await trainer.fit(data, {
  untilStep: Number(args.steps),
  checkpoint: { dir: `${out}/checkpoints`, every: 50 },
  callbacks: [
    progressBar({ keys }),
    jsonlLogger({ path: `${out}/log.jsonl` }),
    lossChart({ path: `${out}/losses.png`, logFile: `${out}/log.jsonl`, every: 50, keys }),
    sampleGrid({ dir: `${out}/samples`, every: 50, count: 64 }),
  ],
});
console.log(`Samples: ${out}/samples  Loss chart: ${out}/losses.png  Checkpoints: ${out}/checkpoints`);
