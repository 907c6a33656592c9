import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors';
import { nodeFs } from '../io/node_fs';
import { saveImageGrid } from '../io/save_image_grid';
import type { TrainerCallback } from './callbacks';
import type { StepStats, Trainer } from './trainer';

/** Options of {@link sampleGrid}. */
export interface SampleGridOptions {
  /** Directory for the PNG files (created). Required. */
  dir: string;
  /** Write a grid every this many steps (and after the last step of `fit`). Required. */
  every: number;
  /** Number of samples per grid. Default: 16. */
  count?: number;
  /** Grid rows. Default: the squarest grid. */
  rows?: number;
  /** Seed of the latent codes: the same codes every time, so grids show training progress. Default: 0. */
  seed?: number;
  /** Value range of the generator's output mapped to black..white. Default: `[-1, 1]` (tanh). */
  range?: readonly [number, number];
  /** More options for `trainer.sample` (e.g. `{ truncation: 0.7 }`, `{ labels: [0, 1, …] }` for a conditional GAN). */
  sampleOptions?: Record<string, unknown>;
  /**
   * Produces the images instead of `trainer.sample(count, { seed, ...sampleOptions })`, e.g. CycleGAN
   * translations: `(t) => t.translate(fixedHorses, 'AB')`. The returned tensor is disposed after writing.
   */
  images?: (trainer: Trainer) => tf.Tensor;
  /** File name for a step. Default: `step-00001000.png`. */
  fileName?: (step: number) => string;
}

interface Sampler {
  sample(n: number, options: Record<string, unknown>): tf.Tensor;
}

/**
 * Writes a PNG grid of generated samples every `every` steps (Node.js), from fixed latent codes, with
 * {@link saveImageGrid}. Uses the EMA generator when the trainer has one.
 *
 * @example
 * ```ts
 * await trainer.fit(data, { steps: 10_000, callbacks: [sampleGrid({ dir: 'runs/exp1/samples', every: 500 })] });
 * ```
 */
export function sampleGrid<TStats extends StepStats = StepStats>(options: SampleGridOptions): TrainerCallback<TStats> {
  if (options == null || typeof options.dir !== 'string' || options.dir === '') {
    throw new InvalidArgumentError('options.dir', 'a directory path', options?.dir);
  }
  if (!Number.isInteger(options.every) || options.every < 1) {
    throw new InvalidArgumentError('options.every', 'a positive integer', options.every);
  }
  const count = options.count ?? 16;
  if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError('options.count', 'a positive integer', count);
  const fileName = options.fileName ?? ((step: number) => `step-${String(step).padStart(8, '0')}.png`);
  let lastWritten = -1;

  const write = async (trainer: Trainer): Promise<void> => {
    let images: tf.Tensor;
    if (options.images) images = options.images(trainer);
    else {
      const sampler = trainer as unknown as Partial<Sampler>;
      if (typeof sampler.sample !== 'function') {
        throw new InvalidArgumentError('sampleGrid', 'a trainer with sample(), or the images option', trainer.constructor.name);
      }
      images = sampler.sample(count, { seed: options.seed ?? 0, ...(options.sampleOptions ?? {}) });
    }
    try {
      const { path } = await nodeFs('sampleGrid');
      await saveImageGrid(images, path.join(options.dir, fileName(trainer.step)), { rows: options.rows, range: options.range });
      lastWritten = trainer.step;
    } finally {
      images.dispose();
    }
  };

  let current: Trainer | undefined;
  return {
    onTrainBegin(info) {
      current = info.trainer;
    },
    async onStepEnd(stats, trainer) {
      if (stats.step % options.every === 0) await write(trainer);
    },
    async onTrainEnd(result) {
      if (current && result.steps > 0 && current.step !== lastWritten) await write(current);
    },
  };
}
