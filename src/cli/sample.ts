/**
 * `gan-kit sample <run-dir>`: draws a grid of samples (or latent walks) from the latest checkpoint of a run.
 *
 * @module cli/sample
 * @internal
 */
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../backend/setup_backend';
import { GanKitError, InvalidArgumentError } from '../errors';
import { resolveCheckpoint } from '../io/checkpoint_store';
import { interpolateLatents } from '../io/latent_interpolation';
import { loadModelFromDir } from '../io/model_files';
import { nodeFs } from '../io/node_fs';
import { saveImageGrid } from '../io/save_image_grid';
import { mnistDomains } from '../data/mnist_domains';
import { normalLatent } from '../trainers/latent';
import { classDrawer } from '../trainers/conditional_gan_trainer';
import { Random } from '../trainers/random';
import { checkWeightSeed } from '../models/initialize_weights';
import { readClusterFile } from './clusters';
import type { RecipeSettings } from './recipes';
import { readRunSettings, restoreOrExplain, RUN_FILES } from './train';

/** Options of {@link sample}. */
export interface SampleCommandOptions {
  run: string;
  /** Number of images. Default: 64. */
  n?: number;
  /** Output PNG. Default: `<run>/sample.png`. */
  out?: string;
  /** Truncation threshold (standard deviations) of the latent codes. Default: none. */
  truncation?: number;
  /** Draw latent walks (spherical interpolation) instead of independent samples: 8 per row. Default: false. */
  interpolate?: boolean;
  /** Seed of the latent codes. Default: 0. */
  seed?: number;
  log?: (line: string) => void;
}

/** Runs `gan-kit sample`. Returns the PNG path. */
export async function sample(options: SampleCommandOptions): Promise<string> {
  const log = options.log ?? ((line: string) => console.log(line));
  const n = options.n ?? 64;
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('--n', 'a positive integer', options.n);
  if (options.truncation !== undefined && !(options.truncation > 0)) {
    throw new InvalidArgumentError('--truncation', 'a positive number (standard deviations)', options.truncation);
  }
  const { fs, path } = await nodeFs('gan-kit sample');
  const settingsFile = path.join(options.run, RUN_FILES.settings);
  if ((await fs.stat(settingsFile).catch(() => undefined)) === undefined) {
    throw new GanKitError(`${options.run} is not a gan-kit run directory (no ${RUN_FILES.settings}); pass the --out of a 'gan-kit train'.`);
  }
  const settings: RecipeSettings = await readRunSettings(fs, settingsFile);
  await setupBackend({ threads: process.env['GAN_KIT_WASM_THREADS'] ? undefined : 1 });
  const checkpoint = await resolveCheckpoint(path.join(options.run, RUN_FILES.checkpoints));
  const out = options.out ?? path.join(options.run, 'sample.png');
  const seed = checkWeightSeed('--seed', options.seed ?? 0);
  const cols = options.interpolate ? 8 : Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);

  if (settings.model === 'cyclegan') {
    if (options.interpolate || options.truncation !== undefined) {
      throw new InvalidArgumentError('--interpolate/--truncation', 'not for cyclegan (it translates images, it has no latent codes)', true);
    }
    if (settings.data !== undefined) throw new GanKitError('gan-kit sample translates the built-in MNIST domains only; use trainer.translate for folders.');
    const generator = await restoreOrExplain(() => loadModelFromDir(path.join(checkpoint, 'generatorAB')), checkpoint);
    const data = await mnistDomains({ batchSize: n, seed, split: 'test', dropRemainder: false });
    const [batch] = await data.take(1).toArray();
    const grid = tf.tidy(() => tf.concat([batch!.a, generator.predict(batch!.a) as tf.Tensor], 0));
    tf.dispose(batch as unknown as tf.TensorContainer);
    await saveImageGrid(grid, out, { rows: 2 });
    grid.dispose();
    generator.dispose();
    log(`Wrote ${out}: top row domain A digits, bottom row their translation to domain B.`);
    return out;
  }

  const dir = (await fs.stat(path.join(checkpoint, 'generatorEma')).catch(() => undefined)) ? 'generatorEma' : 'generator';
  const generator = await restoreOrExplain(() => loadModelFromDir(path.join(checkpoint, dir)), checkpoint);
  const latentDim = generator.inputs[0]!.shape[1] as number;
  const latent = normalLatent(latentDim);
  const random = new Random(seed);
  let z: tf.Tensor;
  if (options.interpolate) {
    const walks: tf.Tensor[] = [];
    for (let r = 0; r < rows; r++) {
      const [a, b] = [latent.sample(1, random, { truncation: options.truncation }), latent.sample(1, random, { truncation: options.truncation })];
      walks.push(interpolateLatents(a.reshape([latentDim]), b.reshape([latentDim]), cols));
      tf.dispose([a, b]);
    }
    z = tf.concat(walks, 0);
    tf.dispose(walks);
  } else {
    z = latent.sample(n, random, { truncation: options.truncation });
  }
  const count = z.shape[0]!;
  const inputs: tf.Tensor[] = [z];
  if (generator.inputs.length === 2 && (settings.clusters ?? 0) > 0) {
    // Self-conditioned dcgan or wgan-gp: clusters drawn as often as they occur in the data (one per row for interpolations).
    const { sizes } = await readClusterFile(options.run);
    const draw = classDrawer(sizes.length, sizes);
    const labelRandom = new Random(seed + 1);
    const perRow = Array.from({ length: rows }, () => draw(labelRandom));
    const labels = Array.from({ length: count }, (_, i) => (options.interpolate ? perRow[Math.floor(i / cols)]! : draw(labelRandom)));
    inputs.push(tf.tensor2d(labels, [count, 1], 'int32'));
  } else if (generator.inputs.length === 2) {
    // Conditional: one digit class per row (interpolations) or per position (0, 1, 2, … repeating).
    inputs.push(tf.tensor2d(Array.from({ length: count }, (_, i) => (options.interpolate ? Math.floor(i / cols) : i) % 10), [count, 1], 'int32'));
  }
  const images = tf.tidy(() => generator.predict(inputs.length === 1 ? inputs[0]! : inputs, { batchSize: 64 }) as tf.Tensor);
  await saveImageGrid(images, out, { rows });
  tf.dispose([images, ...inputs]);
  generator.dispose();
  log(`Wrote ${out}: ${count} samples from ${path.join(checkpoint, dir)}${options.interpolate ? ` (${rows} latent walks of ${cols})` : ''}.`);
  return out;
}
