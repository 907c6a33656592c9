import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InvalidArgumentError } from '../errors';
import { EqualizedConv2D } from '../layers/equalized_conv2d';
import { EqualizedDense } from '../layers/equalized_dense';
import { FadeIn } from '../layers/fade_in';
import { MinibatchStdDev } from '../layers/minibatch_std_dev';
import { PixelNormalization } from '../layers/pixel_normalization';
import { AverageDownsample2D, NearestUpsample2D } from '../layers/resample_2d';
import { fromRgb, toRgb } from '../layers/rgb';
import { checkDim, checkSeed, seeded, type SeedOption } from './builder_utils';

/** Options shared by {@link progressiveGenerator} and {@link progressiveDiscriminator}. */
export interface ProgressiveGanOptions extends SeedOption {
  /** Side of the first (lowest) resolution. Default: 7 (MNIST: 7 → 14 → 28); Progressive GAN uses 4. */
  startSize?: number;
  /**
   * Feature maps at each resolution, lowest first; its length is the number of stages, and stage s works at
   * startSize·2^s. Default: [128, 64, 32] (7, 14, 28).
   */
  filters?: number[];
  /** Image channels. Default: 1. */
  imageChannels?: number;
  /** Name prefix of the stage models. Default: 'pggan_generator' / 'pggan_discriminator'. */
  name?: string;
}

/** Options of {@link progressiveGenerator}. */
export interface ProgressiveGeneratorOptions extends ProgressiveGanOptions {
  /** Length of z. Default: 128. */
  latentDim?: number;
}

/** Options of {@link progressiveDiscriminator}. */
export interface ProgressiveDiscriminatorOptions extends ProgressiveGanOptions {
  /** Group size of the minibatch standard deviation before the last block (must divide the batch). Default: 4. */
  minibatchGroupSize?: number;
}

const SHARED_KEYS = ['startSize', 'filters', 'imageChannels', 'name', 'seed'];

function checkShared(where: string, options: ProgressiveGanOptions): { startSize: number; filters: number[]; channels: number } {
  const startSize = checkDim(`${where}.startSize`, options.startSize ?? 7);
  const filters = options.filters ?? [128, 64, 32];
  if (!Array.isArray(filters) || filters.length < 1 || !filters.every((f) => Number.isInteger(f) && f > 0)) {
    throw new InvalidArgumentError(`${where}.filters`, 'a non-empty list of positive integers (one per resolution)', filters);
  }
  return { startSize, filters: filters.slice(), channels: checkDim(`${where}.imageChannels`, options.imageChannels ?? 1) };
}

/** Whether a stage model includes the fade from the previous resolution. */
export interface StageModelOptions {
  /** Build the fading model of the stage: `FadeIn` of the previous resolution's path and the new one. Default: false. */
  fading?: boolean;
}

/** The stage networks of a growing PGGAN: one set of layers, one model per stage (and per fade). */
abstract class ProgressiveNetwork {
  /** Number of stages (resolutions). */
  readonly stages: number;
  /** Side of stage 0's images. */
  readonly startSize: number;
  /** Feature maps per resolution. */
  readonly filters: readonly number[];
  /** Image channels. */
  readonly imageChannels: number;
  protected readonly fades: FadeIn[] = [];
  protected readonly stable: tf.LayersModel[] = [];
  protected readonly fadingModels: tf.LayersModel[] = [];

  protected constructor(shared: { startSize: number; filters: number[]; channels: number }) {
    this.startSize = shared.startSize;
    this.filters = shared.filters;
    this.imageChannels = shared.channels;
    this.stages = shared.filters.length;
  }

  /** Image side at `stage`: startSize · 2^stage. */
  resolution(stage: number): number {
    return this.startSize * 2 ** this.checkStage(stage);
  }

  protected checkStage(stage: unknown, fading = false): number {
    if (!Number.isInteger(stage) || (stage as number) < (fading ? 1 : 0) || (stage as number) >= this.stages) {
      const lo = fading ? 1 : 0;
      throw new InvalidArgumentError('stage', `an integer in [${lo}, ${this.stages - 1}]${fading ? ' (stage 0 has no fade)' : ''}`, stage);
    }
    return stage as number;
  }

  /**
   * The model of `stage` (the same instance on every call): stable, or with `fading` the one that blends the
   * previous resolution in through the stage's `FadeIn` layer. All stage models share their layers (and so their
   * weights): training one trains the layers of every model that contains them.
   */
  model(stage: number, options: StageModelOptions = {}): tf.LayersModel {
    checkOptionKeys('model options', options, ['fading']);
    const fading = options.fading ?? false;
    if (typeof fading !== 'boolean') throw new InvalidArgumentError('options.fading', 'a boolean', fading);
    const s = this.checkStage(stage, fading);
    return fading ? this.fadingModels[s - 1]! : this.stable[s]!;
  }

  /** The `FadeIn` layer of `stage` (>= 1), whose α the fading model of that stage uses. */
  fadeLayer(stage: number): FadeIn {
    return this.fades[this.checkStage(stage, true) - 1]!;
  }

  /** Sets α of `stage`'s fade (see {@link FadeIn.setAlpha}). */
  setAlpha(stage: number, alpha: number): void {
    this.fadeLayer(stage).setAlpha(alpha);
  }

  /** Every stage model, stable and fading (for seeding, saving or disposing together). */
  allModels(): tf.LayersModel[] {
    return [...this.stable, ...this.fadingModels];
  }
}

/**
 * The generator of Progressive GAN (Karras, Aila, Laine, Lehtinen, "Progressive Growing of GANs for Improved
 * Quality, Stability, and Variation", ICLR 2018, https://arxiv.org/abs/1710.10196, Table 2), as one set of layers
 * with a model per stage. Stage 0: z → PixelNorm → EqualizedDense(start²·F₀, leaky ReLU) → reshape → PixelNorm →
 * 3×3 conv F₀ → PixelNorm → toRGB. Stage s adds NearestUpsample ×2 → 3×3 conv F_s → PixelNorm → 3×3 conv F_s →
 * PixelNorm → toRGB_s; its fading model outputs `FadeIn([upsample(toRGB_{s−1}(h_{s−1})), toRGB_s(h_s)])`.
 * Convolutions are `EqualizedConv2D` with leaky ReLU 0.2 (gain √2); toRGB is linear (gain 1); the output is not
 * squashed (the paper's generator is linear; images in [−1, 1] are learnt as such).
 */
export class ProgressiveGenerator extends ProgressiveNetwork {
  /** Length of z. */
  readonly latentDim: number;
  /** The shared input z of every stage model. */
  readonly input: tf.SymbolicTensor;

  /** @internal use {@link progressiveGenerator}. */
  constructor(options: ProgressiveGeneratorOptions) {
    checkOptionKeys('progressiveGenerator options', options, [...SHARED_KEYS, 'latentDim']);
    const shared = checkShared('progressiveGenerator', options);
    const seed = checkSeed(options.seed);
    super(shared);
    this.latentDim = checkDim('progressiveGenerator.latentDim', options.latentDim ?? 128);
    const name = options.name ?? 'pggan_generator';
    const f = this.filters;
    const conv = (filters: number) => new EqualizedConv2D({ filters, activation: 'leakyRelu' });
    const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
    this.input = tf.input({ shape: [this.latentDim], name: `${name}_z` });
    let h = apply(new PixelNormalization(), this.input);
    h = apply(new EqualizedDense({ units: this.startSize * this.startSize * f[0]!, activation: 'leakyRelu' }), h);
    h = apply(tf.layers.reshape({ targetShape: [this.startSize, this.startSize, f[0]!] }), h);
    h = apply(new PixelNormalization(), h);
    h = apply(new PixelNormalization(), apply(conv(f[0]!), h));
    let rgb = apply(toRgb({ channels: this.imageChannels }), h);
    const outputs: tf.SymbolicTensor[] = [rgb];
    this.stable.push(tf.model({ inputs: this.input, outputs: rgb, name: `${name}_stage0` }));
    for (let s = 1; s < this.stages; s++) {
      const oldRgb = apply(new NearestUpsample2D(), rgb);
      h = apply(new NearestUpsample2D(), h);
      h = apply(new PixelNormalization(), apply(conv(f[s]!), h));
      h = apply(new PixelNormalization(), apply(conv(f[s]!), h));
      rgb = apply(toRgb({ channels: this.imageChannels }), h);
      const fade = new FadeIn();
      const faded = apply(fade, [oldRgb, rgb]);
      this.fades.push(fade);
      this.stable.push(tf.model({ inputs: this.input, outputs: rgb, name: `${name}_stage${s}` }));
      this.fadingModels.push(tf.model({ inputs: this.input, outputs: faded, name: `${name}_stage${s}_fading` }));
      outputs.push(rgb, faded);
    }
    seeded(tf.model({ inputs: this.input, outputs }), seed);
  }
}

/**
 * The discriminator of Progressive GAN (Karras et al. 2018, https://arxiv.org/abs/1710.10196, Table 2), as one set
 * of layers with a model per stage, mirroring {@link ProgressiveGenerator}. Stage s: image [res_s, res_s, C] →
 * fromRGB_s (1×1, F_s, leaky ReLU) → for i = s…1: 3×3 conv F_i → 3×3 conv F_{i−1} → AverageDownsample ×2 → the
 * last block: MinibatchStdDev → 3×3 conv F₀ → flatten → EqualizedDense(F₀, leaky ReLU) → EqualizedDense(1, linear).
 * The fading model of stage s blends `fromRGB_{s−1}(AverageDownsample(x))` with the output of block s through the
 * stage's `FadeIn`. Outputs are scores (WGAN-GP critic; logits for the other losses).
 */
export class ProgressiveDiscriminator extends ProgressiveNetwork {
  /** The input of each stage's stable model, then of each fading model (stages 1…). */
  readonly inputs: tf.SymbolicTensor[] = [];

  /** @internal use {@link progressiveDiscriminator}. */
  constructor(options: ProgressiveDiscriminatorOptions) {
    checkOptionKeys('progressiveDiscriminator options', options, [...SHARED_KEYS, 'minibatchGroupSize']);
    const shared = checkShared('progressiveDiscriminator', options);
    const seed = checkSeed(options.seed);
    const groupSize = checkDim('progressiveDiscriminator.minibatchGroupSize', options.minibatchGroupSize ?? 4);
    super(shared);
    const name = options.name ?? 'pggan_discriminator';
    const f = this.filters;
    const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
    const conv = (filters: number) => new EqualizedConv2D({ filters, activation: 'leakyRelu' });
    const fromRgbs = f.map((filters) => fromRgb({ filters }));
    // blocks[s] (s >= 1) takes res_s features with F_s channels to res_{s−1} with F_{s−1}.
    const blocks = f.map((filters, s) => (s === 0 ? [] : [conv(filters), conv(f[s - 1]!)]));
    const last = [new MinibatchStdDev({ groupSize }), conv(f[0]!), tf.layers.flatten(), new EqualizedDense({ units: f[0]!, activation: 'leakyRelu' }), new EqualizedDense({ units: 1, gain: 1 })];
    const block = (s: number, x: tf.SymbolicTensor) => apply(new AverageDownsample2D(), apply(blocks[s]![1]!, apply(blocks[s]![0]!, x)));
    /** From res_s features down through the remaining blocks and the last block. */
    const tail = (s: number, x: tf.SymbolicTensor): tf.SymbolicTensor => {
      let h = x;
      for (let i = s; i >= 1; i--) h = block(i, h);
      return last.reduce((t, layer) => apply(layer, t), h);
    };
    const image = (s: number, suffix: string) => tf.input({ shape: [this.resolution(s), this.resolution(s), this.imageChannels], name: `${name}_stage${s}${suffix}_image` });
    const outputs: tf.SymbolicTensor[] = [];
    for (let s = 0; s < this.stages; s++) {
      const x = image(s, '');
      const out = tail(s, apply(fromRgbs[s]!, x));
      this.inputs.push(x);
      outputs.push(out);
      this.stable.push(tf.model({ inputs: x, outputs: out, name: `${name}_stage${s}` }));
    }
    for (let s = 1; s < this.stages; s++) {
      const x = image(s, '_fading');
      const oldPath = apply(fromRgbs[s - 1]!, apply(new AverageDownsample2D(), x));
      const newPath = block(s, apply(fromRgbs[s]!, x));
      const fade = new FadeIn();
      const out = tail(s - 1, apply(fade, [oldPath, newPath]));
      this.fades.push(fade);
      this.inputs.push(x);
      outputs.push(out);
      this.fadingModels.push(tf.model({ inputs: x, outputs: out, name: `${name}_stage${s}_fading` }));
    }
    seeded(tf.model({ inputs: this.inputs, outputs }), seed);
  }
}

/**
 * Builds Progressive GAN's generator for every stage at once (see {@link ProgressiveGenerator}):
 * `g.model(stage)` and `g.model(stage, { fading: true })` share one set of layers, `g.setAlpha(stage, α)` moves
 * a fade. Defaults: latentDim 128, startSize 7, filters [128, 64, 32] (7 → 14 → 28), 1 channel.
 *
 * @example
 * ```ts
 * const g = progressiveGenerator({ seed: 1 });
 * const fading = g.model(1, { fading: true }); // z [128] → [14, 14, 1]
 * g.setAlpha(1, 0.5);
 * ```
 */
export function progressiveGenerator(options: ProgressiveGeneratorOptions = {}): ProgressiveGenerator {
  return new ProgressiveGenerator(options);
}

/**
 * Builds Progressive GAN's discriminator for every stage at once (see {@link ProgressiveDiscriminator}).
 * Defaults: startSize 7, filters [128, 64, 32] (7 → 14 → 28), 1 channel, minibatch-stddev group 4.
 */
export function progressiveDiscriminator(options: ProgressiveDiscriminatorOptions = {}): ProgressiveDiscriminator {
  return new ProgressiveDiscriminator(options);
}
