/**
 * The two live experiments: a 2-D ring of Gaussians (MLP GAN) and a small DCGAN on 1,000 MNIST digits. Both use
 * only gan-kit's public API: builders, GanTrainer.trainStep and GanTrainer.sample.
 */
import * as tf from '@tensorflow/tfjs';
import {
  dcganDiscriminator,
  dcganGenerator,
  GanTrainer,
  mlpDiscriminator,
  mlpGenerator,
  Random,
  type GanStepStats,
} from 'gan-kit';
import { drawImageGrid, drawPoints } from './draw';

/** A GAN being trained in the page. */
export interface Experiment {
  /** One line shown under the controls. */
  readonly note: string;
  /** Caption of the samples canvas. */
  readonly caption: string;
  /** Steps between two redraws of the samples. */
  readonly drawEvery: number;
  /** One training step on a fresh real batch. */
  step(): Promise<GanStepStats>;
  /** Redraws the samples canvas from the current generator. */
  draw(canvas: HTMLCanvasElement): Promise<void>;
  /** Frees every tensor and variable of the experiment. */
  dispose(): void;
}

/** The trainer frees what it created; the models and optimizers passed to it are ours to free. */
function disposeAll(
  trainer: GanTrainer,
  parts: { generator: tf.LayersModel; discriminator: tf.LayersModel; generatorOptimizer: tf.Optimizer; discriminatorOptimizer: tf.Optimizer },
): void {
  trainer.dispose();
  parts.generator.dispose();
  parts.discriminator.dispose();
  parts.generatorOptimizer.dispose();
  parts.discriminatorOptimizer.dispose();
}

const RING_MODES = 8;
const RING_RADIUS = 2;
const RING_STD = 0.05;

/** `n` points of the mixture of 8 Gaussians on a circle of radius 2 (Metz et al. 2017), row-major `[n, 2]`. */
function ringPoints(n: number, random: Random): Float32Array {
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const angle = (2 * Math.PI * random.int(RING_MODES)) / RING_MODES;
    out[2 * i] = RING_RADIUS * Math.cos(angle) + RING_STD * random.normal();
    out[2 * i + 1] = RING_RADIUS * Math.sin(angle) + RING_STD * random.normal();
  }
  return out;
}

/** The MLP GAN on the 2-D ring: the classic mode-collapse demonstration, a few milliseconds per step. */
export function ringExperiment(seed = 1): Experiment {
  const latentDim = 16;
  const batchSize = 256;
  const random = new Random(seed);
  const parts = {
    // Seeded initial weights: the page trains the same way on every visit (on a given backend).
    generator: mlpGenerator({ latentDim, outputDim: 2, hiddenUnits: [64, 64], seed: 2 * seed }),
    discriminator: mlpDiscriminator({ inputDim: 2, hiddenUnits: [64, 64], minibatchStdDev: true, seed: 2 * seed + 1 }),
    generatorOptimizer: tf.train.adam(1e-3, 0.5, 0.999),
    discriminatorOptimizer: tf.train.adam(1e-3, 0.5, 0.999),
  };
  const trainer = new GanTrainer({ ...parts, latentDim, seed });
  const shown = ringPoints(512, new Random(seed + 1));
  return {
    note: 'Real points (grey) and generated ones (orange). Watch the generator spread over the 8 modes, or collapse onto a few.',
    caption: '512 real (grey) and 512 generated (orange) points',
    drawEvery: 10,
    async step() {
      const batch = tf.tensor2d(ringPoints(batchSize, random), [batchSize, 2]);
      try {
        return await trainer.trainStep(batch);
      } finally {
        batch.dispose();
      }
    },
    async draw(canvas) {
      const fake = trainer.sample(512, { seed: 0 });
      const values = (await fake.data()) as Float32Array;
      fake.dispose();
      drawPoints(canvas, shown, values);
    },
    dispose() {
      disposeAll(trainer, parts);
    },
  };
}

/** Loads the 1,000-digit sprite (40 × 25 tiles of 28 × 28, see scripts/make-mnist-subset.ts) as `[1000, 28, 28, 1]` in [-1, 1]. */
export async function loadMnistSubset(url: string): Promise<tf.Tensor4D> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Cannot load ${url}: HTTP ${response.status}`);
  const bitmap = await createImageBitmap(await response.blob());
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(bitmap, 0, 0);
  const side = 28;
  const columns = Math.floor(bitmap.width / side);
  const count = columns * Math.floor(bitmap.height / side);
  const rgba = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const pixels = new Float32Array(count * side * side);
  for (let tile = 0; tile < count; tile++) {
    const x0 = (tile % columns) * side;
    const y0 = Math.floor(tile / columns) * side;
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        pixels[tile * side * side + y * side + x] = (rgba[((y0 + y) * bitmap.width + x0 + x) * 4]! / 255) * 2 - 1;
      }
    }
  }
  bitmap.close();
  return tf.tensor4d(pixels, [count, side, side, 1]);
}

/** A small DCGAN (16 base filters, 32-d latent) on the MNIST subset. */
export function mnistExperiment(digits: tf.Tensor4D, seed = 1): Experiment {
  const latentDim = 32;
  const batchSize = 32;
  const random = new Random(seed);
  const count = digits.shape[0];
  const parts = {
    generator: dcganGenerator({ outputShape: [28, 28, 1], latentDim, baseFilters: 16, seed: 2 * seed }),
    discriminator: dcganDiscriminator({ inputShape: [28, 28, 1], baseFilters: 16, seed: 2 * seed + 1 }),
    generatorOptimizer: tf.train.adam(5e-4, 0.5, 0.999),
    discriminatorOptimizer: tf.train.adam(5e-4, 0.5, 0.999),
  };
  const trainer = new GanTrainer({ ...parts, latentDim, seed });
  return {
    note: `DCGAN (Radford et al. 2016) on ${count} real digits, batches of ${batchSize}. Digits take shape after a few hundred steps.`,
    caption: '36 samples from fixed latent codes',
    drawEvery: 5,
    async step() {
      const indices = tf.tensor1d(Int32Array.from({ length: batchSize }, () => random.int(count)), 'int32');
      const batch = tf.gather(digits, indices);
      indices.dispose();
      try {
        return await trainer.trainStep(batch);
      } finally {
        batch.dispose();
      }
    },
    async draw(canvas) {
      const images = trainer.sample(36, { seed: 0 });
      await drawImageGrid(canvas, images, { rows: 6 });
      images.dispose();
    },
    dispose() {
      disposeAll(trainer, parts);
    },
  };
}
