/**
 * CycleGAN (Zhu et al. 2017, https://arxiv.org/abs/1703.10593) between two unpaired domains. By default the
 * domains are built from MNIST, so it runs offline: A = digits as they are, B = other digits drawn thicker and
 * inverted. At the end it measures success on the 1,500 held-out digits (--eval-digits): the share of G(a) that a domain classifier
 * (trained here on real A vs real B) calls B, and the share whose digit gan-kit's MNIST classifier still reads
 * correctly after mapping the colours back (identity kept).
 *
 *   npx tsx examples/cyclegan.ts [--data <folder with A/ and B/>] [--steps 800] [--out runs/cyclegan] [--resume]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import {
  classifyDigits, CycleGanTrainer, imageFolder, jsonlLogger, listCheckpoints, loadMnist, lossChart, mnistDomainB,
  mnistDomainBToA, mnistDomains, patchGanDiscriminator, progressBar, resnetGenerator, sampleGrid, setupBackend,
} from './gan-kit';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' }, steps: { type: 'string', default: '800' }, out: { type: 'string', default: 'runs/cyclegan' },
    resume: { type: 'boolean', default: false }, 'batch-size': { type: 'string', default: '4' }, size: { type: 'string', default: '32' },
    'eval-digits': { type: 'string', default: '1500' },
  },
});
const out = args.out!;
const batchSize = Number(args['batch-size']);
await setupBackend({ threads: 1 }); // small networks: one wasm thread is faster than two here

const shape: [number, number, number] = args.data ? [Number(args.size), Number(args.size), 3] : [28, 28, 1];
const data = args.data
  ? tf.data.zip({
      a: await imageFolder(`${args.data}/A`, { size: shape[0], batchSize, seed: 0 }),
      b: await imageFolder(`${args.data}/B`, { size: shape[0], batchSize, seed: 1 }),
    })
  : await mnistDomains({ batchSize, seed: 0, split: 'train' });

// Small versions of the paper's networks: a ResNet generator (3 residual blocks) and a 2-layer PatchGAN.
const generator = () => resnetGenerator({ inputShape: shape, outputChannels: shape[2], filters: 16, numResidualBlocks: 3 });
const discriminator = () => patchGanDiscriminator({ inputShape: shape, filters: 16, numLayers: 2 });
const trainer = new CycleGanTrainer({
  generatorAB: generator(), generatorBA: generator(), discriminatorA: discriminator(), discriminatorB: discriminator(),
  seed: 0, // the paper's λ = 10, identity 0.5·λ, LSGAN loss, image pools of 50 and Adam(2e-4, 0.5) are the defaults
});
if (args.resume && (await listCheckpoints(`${out}/checkpoints`)).length > 0) await trainer.restore(`${out}/checkpoints`);

// Eight fixed A images: the grid shows them, their translation to B, and the way back.
const [first] = await (data as tf.data.Dataset<{ a: tf.Tensor; b: tf.Tensor }>).take(1).toArray();
const fixedA = first!.a.slice(0, Math.min(8, batchSize));
const keys = ['generatorLoss', 'cycleLossA', 'discriminatorLossA', 'discriminatorLossB'];
await trainer.fit(data, {
  untilStep: Number(args.steps),
  checkpoint: { dir: `${out}/checkpoints`, every: 100 },
  callbacks: [
    progressBar({ keys }),
    jsonlLogger({ path: `${out}/log.jsonl` }),
    lossChart({ path: `${out}/losses.png`, logFile: `${out}/log.jsonl`, every: 100, keys }),
    sampleGrid({
      dir: `${out}/samples`, every: 100, rows: 3,
      images: () => tf.tidy(() => {
        const ab = trainer.translate(fixedA, 'AB');
        return tf.concat([fixedA, ab, trainer.translate(ab, 'BA')]);
      }),
    }),
  ],
});

if (!args.data) {
  // A domain classifier: a small CNN trained for 150 steps to tell real B digits (1) from real A digits and
  // from uniform noise (0), so that an output is only called B if it looks like a B digit, not merely bright.
  const { images: testA, labels } = await loadMnist({ split: 'test', limit: Number(args['eval-digits']) });
  const domainClassifier = tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, strides: 2, activation: 'relu' }),
    tf.layers.flatten(), tf.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  domainClassifier.compile({ optimizer: tf.train.adam(1e-3), loss: 'binaryCrossentropy' });
  const domainData = await mnistDomains({ batchSize: 32, seed: 1, split: 'train' });
  await domainData.take(150).forEachAsync(async ({ a, b }) => {
    const noise = tf.randomUniform(a.shape, -1, 1);
    const x = tf.concat([a, noise, b]);
    const y = tf.concat([tf.zeros([2 * a.shape[0]!, 1]), tf.ones([b.shape[0]!, 1])]);
    await domainClassifier.trainOnBatch(x, y);
    tf.dispose([x, y, a, b, noise]);
  });
  const translated = trainer.translate(testA, 'AB') as tf.Tensor4D;
  const isB = await (domainClassifier.predict(translated) as tf.Tensor).greater(0.5).sum().data();
  const realB = mnistDomainB(testA);
  const realBIsB = await (domainClassifier.predict(realB) as tf.Tensor).greater(0.5).sum().data();
  const truth = await labels.data();
  const readBack = await classifyDigits(mnistDomainBToA(translated));
  const readOriginal = await classifyDigits(testA);
  const kept = readBack.labels.filter((l, i) => l === truth[i]).length / truth.length;
  const n = truth.length;
  console.log(`A→B judged domain B: ${((100 * isB[0]!) / n).toFixed(1)}% (real B: ${((100 * realBIsB[0]!) / n).toFixed(1)}%)`);
  console.log(`Digit identity kept: ${(100 * kept).toFixed(1)}% (classifier on the originals: ` +
    `${((100 * readOriginal.labels.filter((l, i) => l === truth[i]).length) / n).toFixed(1)}%)`);
}
console.log(`Samples: ${out}/samples  Loss chart: ${out}/losses.png  Checkpoints: ${out}/checkpoints`);
