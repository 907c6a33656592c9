/**
 * The pretrained generator: a DCGAN trained on MNIST with `npx gan-kit train dcgan`, exported by
 * scripts/export-pretrained.ts to public/pretrained/dcgan-mnist (tfjs layers format, float16 weights).
 * Sample grid with BigGAN-style truncation, and a latent walk with slerp/lerp.
 */
import * as tf from '@tensorflow/tfjs';
import { interpolateLatents, normalLatent, Random } from 'gan-kit';
import { drawImageGrid } from './draw';

/** What scripts/export-pretrained.ts writes next to model.json. */
export interface PretrainedInfo {
  latentDim: number;
  imageShape: [number, number, number];
  step: number;
  command: string;
  weights: string;
}

/** A loaded generator and the page's controls for it. */
export class PretrainedGenerator {
  private constructor(
    readonly model: tf.LayersModel,
    readonly info: PretrainedInfo,
  ) {}

  /** Loads `dir/model.json` (and its weights) and `dir/info.json` over HTTP. */
  static async load(dir: URL): Promise<PretrainedGenerator> {
    const infoResponse = await fetch(new URL('info.json', dir));
    if (!infoResponse.ok) throw new Error(`Cannot load ${new URL('info.json', dir).href}: HTTP ${infoResponse.status}`);
    const info = (await infoResponse.json()) as PretrainedInfo;
    const model = await tf.loadLayersModel(new URL('model.json', dir).href);
    return new PretrainedGenerator(model, info);
  }

  /**
   * Draws `rows × rows` samples from the codes of `seed`. `truncation` (in standard deviations) redraws code
   * entries beyond ±truncation (Brock et al. 2019, https://arxiv.org/abs/1809.11096): sharper, less varied
   * samples as it goes down; undefined for the plain prior.
   */
  async drawGrid(canvas: HTMLCanvasElement, seed: number, truncation: number | undefined, rows = 8): Promise<void> {
    const z = normalLatent(this.info.latentDim).sample(rows * rows, new Random(seed), { truncation });
    const images = tf.tidy(() => this.model.predict(z) as tf.Tensor);
    z.dispose();
    await drawImageGrid(canvas, images, { rows });
    images.dispose();
  }

  /** Draws `steps` images on the path between the codes of `seedA` and `seedB`. */
  async drawWalk(canvas: HTMLCanvasElement, seedA: number, seedB: number, method: 'slerp' | 'lerp', steps = 10): Promise<void> {
    const latent = normalLatent(this.info.latentDim);
    const [z0, z1] = [seedA, seedB].map((seed) => tf.tidy(() => latent.sample(1, new Random(seed)).reshape([this.info.latentDim])));
    const path = interpolateLatents(z0!, z1!, steps, { method });
    const images = tf.tidy(() => this.model.predict(path) as tf.Tensor);
    tf.dispose([z0!, z1!, path]);
    await drawImageGrid(canvas, images, { rows: 1 });
    images.dispose();
  }
}
