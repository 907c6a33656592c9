import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, ShapeError } from '../errors';
import type { AdversarialLoss } from '../losses/adversarial_loss';
import { nonSaturatingLoss } from '../losses/non_saturating';
import { ganStepStats } from './adversarial_trainer';
import type { EmaOptions, ExponentialMovingAverage } from './ema';
import { checkArity, checkBatch, checkModel, checkWeight, inferOutputRange, inputSampleShape, outputSampleShape, shapeText } from './model_checks';
import { trainableVariables } from './optimizer_utils';
import { DataGuard, type DataRangeCheck } from './parts/data_guard';
import type { OptimizerGroup } from './parts/optimizer_group';
import { optimizerPair, type OptimizerPairOptions } from './parts/optimizer_pair';
import { PenaltyRunner } from './parts/penalty_runner';
import { StatsRecorder } from './parts/stats_recorder';
import { discriminatorUpdate, generatorUpdate, recordDiscriminatorUpdate } from './parts/updates';
import type { DiscriminatorPenalty } from './penalties';
import { BASE_TRAINER_OPTION_KEYS, Trainer, type BaseTrainerOptions, type StepStats } from './trainer';

/** Options of {@link Pix2PixTrainer}. Defaults are the paper's (and the authors' reference code's). */
export interface Pix2PixTrainerOptions extends BaseTrainerOptions, OptimizerPairOptions {
  /** G: input image `[H, W, Cin]` → output image `[H, W, Cout]`, e.g. {@link unetGenerator}. */
  generator: tf.LayersModel;
  /** D: input and output concatenated on channels, `[H, W, Cin + Cout]` → logits, e.g. {@link patchGanDiscriminator}. */
  discriminator: tf.LayersModel;
  /** The conditional adversarial loss. Default: {@link nonSaturatingLoss}() (the paper's `vanilla` GAN loss). */
  loss?: AdversarialLoss;
  /** λ of the L1 term λ·mean|G(x) − y| in G's loss. Default: 100. */
  l1Weight?: number;
  /** Factor of D's loss (the paper halves it "to slow down D"). Default: 0.5. */
  discriminatorLossWeight?: number;
  /** Penalties added to D's loss ({@link DiscriminatorPenalty}); they see D on `[input, output]`. Default: none. */
  penalties?: readonly DiscriminatorPenalty[];
  /** A moving average of G ({@link EmaOptions}), used by `translate`, saved in checkpoints. Default: none. */
  ema?: EmaOptions;
  /** Check that targets lie in G's output range (first step of each `fit`). Default: `'error'`. */
  dataRangeCheck?: DataRangeCheck;
}

/** Stats of a {@link Pix2PixTrainer} step: D's loss (× `discriminatorLossWeight`), G's adversarial loss, λ·L1. */
export interface Pix2PixStepStats extends StepStats {
  discriminatorLoss: number;
  generatorLoss: number;
  l1Loss: number;
  /** Each penalty as added to D's loss. */
  penalties: Record<string, number>;
  /** Mean logits of D(input, target) and D(input, G(input)). */
  realLogitMean: number;
  fakeLogitMean: number;
}

/** A batch of paired images: `{ input, target }` or `[input, target]`. */
export type PairedBatch = { input: tf.Tensor; target: tf.Tensor } | readonly [tf.Tensor, tf.Tensor];

const KEYS = [...BASE_TRAINER_OPTION_KEYS, 'generator', 'discriminator', 'loss', 'l1Weight', 'discriminatorLossWeight', 'generatorOptimizer',
  'discriminatorOptimizer', 'penalties', 'ema', 'learningRateSchedules', 'gradientClipNorm', 'dataRangeCheck'];

/**
 * pix2pix: Isola, Zhu, Zhou, Efros, "Image-to-Image Translation with Conditional Adversarial Networks", CVPR
 * 2017, https://arxiv.org/abs/1611.07004. Paired translation x → y: D judges `[x, y]` against `[x, G(x)]`
 * (concatenated on channels), G minimises the adversarial loss plus λ·mean|G(x) − y| (λ = 100). Built from the
 * shared parts only: one {@link discriminatorUpdate}, one {@link generatorUpdate} with the L1 as an extra term.
 * Both optimizers default to Adam(2e-4, β1 = 0.5, β2 = 0.999), the paper's.
 *
 * @example
 * ```ts
 * const trainer = new Pix2PixTrainer({ generator: unetGenerator({ inputShape: [32, 32, 1] }),
 *   discriminator: patchGanDiscriminator({ inputShape: [32, 32, 2], numLayers: 2 }), seed: 0 });
 * await trainer.trainStep({ input: edges, target: digits });
 * const translated = trainer.translate(edges);
 * ```
 */
export class Pix2PixTrainer extends Trainer<PairedBatch, Pix2PixStepStats> {
  protected readonly trainerType: string = 'Pix2PixTrainer';
  readonly generator: tf.LayersModel;
  readonly discriminator: tf.LayersModel;
  readonly loss: AdversarialLoss;
  readonly l1Weight: number;
  readonly discriminatorLossWeight: number;
  readonly ema: ExponentialMovingAverage | undefined;
  protected readonly penalties: PenaltyRunner;
  protected readonly dataGuard: DataGuard;
  protected readonly generatorGroup: OptimizerGroup;
  protected readonly discriminatorGroup: OptimizerGroup;

  constructor(options: Pix2PixTrainerOptions) {
    checkOptionKeys('Pix2PixTrainer options', options, KEYS);
    super(options);
    this.generator = checkModel('generator', options.generator);
    this.discriminator = checkModel('discriminator', options.discriminator);
    checkArity('generator', this.generator, 1, 1, 'pix2pix maps one image batch to one image batch.');
    checkArity('discriminator', this.discriminator, 1, 1, 'The discriminator takes input and output concatenated on channels.');
    const [x, y, d] = [inputSampleShape(this.generator), outputSampleShape(this.generator), inputSampleShape(this.discriminator)];
    if (d.length !== 3 || x.length !== 3 || d[2] !== (x[2] ?? 0) + (y[2] ?? 0)) {
      throw new ShapeError('discriminator input', `[null, H, W, ${(x[2] ?? 0) + (y[2] ?? 0)}] (input and output channels)`, shapeText([null, ...d]));
    }
    this.loss = options.loss ?? nonSaturatingLoss();
    this.l1Weight = checkWeight('l1Weight', options.l1Weight, 100);
    this.discriminatorLossWeight = checkWeight('discriminatorLossWeight', options.discriminatorLossWeight, 0.5);
    this.penalties = new PenaltyRunner(options.penalties);
    this.dataGuard = new DataGuard({ mode: options.dataRangeCheck, range: inferOutputRange(this.generator) });
    const groups = optimizerPair(options, { generator: trainableVariables(this.generator), discriminator: trainableVariables(this.discriminator) },
      () => tf.train.adam(2e-4, 0.5, 0.999));
    this.generatorGroup = this.registerOptimizer('generator', groups.generator);
    this.discriminatorGroup = this.registerOptimizer('discriminator', groups.discriminator);
    this.ema = this.registerAverage('generatorEma', this.generator, options.ema);
  }

  /**
   * One pix2pix step: one D update on `[input, target]` vs `[input, G(input)]`, one G update on the adversarial
   * loss + λ·L1, then the EMA. `input` `[batch, H, W, Cin]`, `target` `[batch, H, W, Cout]`, float32; not disposed.
   */
  async trainStep(batch: { input: tf.Tensor; target: tf.Tensor }): Promise<Pix2PixStepStats> {
    checkOptionKeys('trainStep batch', batch, ['input', 'target']);
    const input = checkBatch('input', batch.input, inputSampleShape(this.generator), "the generator's input shape");
    const target = checkBatch('target', batch.target, outputSampleShape(this.generator), "the generator's output shape");
    if (target.shape[0] !== input.shape[0]) throw new ShapeError('target', `a batch of ${input.shape[0]} (one per input)`, target.shape[0]);
    await this.dataGuard.check({ input, target }); // NaN/Infinity; the target range on a fit's first step
    this.applySchedules();
    const G = (x: tf.Tensor): tf.Tensor => this.generator.apply(x, { training: true }) as tf.Tensor;
    // D sees the input and an output side by side (a conditional D): `[x, y]` on channels.
    const D = (y: tf.Tensor): tf.Tensor => this.discriminator.apply(tf.concat([input, y], -1), { training: true }) as tf.Tensor;
    const stats = new StatsRecorder();
    try {
      const fake = tf.tidy(() => G(input)); // a constant for the D update
      try {
        const d = discriminatorUpdate({ optimizer: this.discriminatorGroup, loss: this.loss, discriminate: D, real: target, fake,
          penalties: this.penalties, lossWeight: this.discriminatorLossWeight, step: this.step, random: this.random });
        recordDiscriminatorUpdate(stats, d);
      } finally {
        fake.dispose();
      }
      const g = generatorUpdate({ optimizer: this.generatorGroup, loss: this.loss, generate: () => G(input), discriminate: D,
        discriminateReal: () => D(target), extraTerms: (output) => ({ l1Loss: tf.mul(tf.mean(tf.abs(tf.sub(output, target))), this.l1Weight) as tf.Scalar }) });
      stats.mean('generatorLoss', g.loss);
      stats.mean('l1Loss', g.terms['l1Loss']!);
    } catch (error) {
      stats.dispose();
      throw error;
    }
    this.updateAverages();
    const v = await stats.read(); // one device read for every stat
    return this.completeStep({ ...ganStepStats(this.step + 1, v), l1Loss: v['l1Loss']! });
  }

  /** Translates inputs (inference mode) with the EMA generator when there is one. Returns a new tensor. */
  translate(input: tf.Tensor, options: { useEma?: boolean } = {}): tf.Tensor {
    checkOptionKeys('translate options', options, ['useEma']);
    checkBatch('input', input, inputSampleShape(this.generator), "the generator's input shape");
    const model = options.useEma === false || !this.ema ? this.generator : this.ema.averaged;
    if (model !== this.generator && this.ema!.batchNormStale) this.ema!.recalibrateBatchNorm([input]);
    return tf.tidy(() => model.predict(input) as tf.Tensor);
  }

  protected override batchesPerStep(): number {
    return 1;
  }

  protected override onFitBegin(): void {
    this.dataGuard.reset();
  }

  protected override trainOnBatches([batch]: PairedBatch[]): Promise<Pix2PixStepStats> {
    return this.trainStep(Array.isArray(batch) ? { input: batch[0], target: batch[1] } : (batch as { input: tf.Tensor; target: tf.Tensor }));
  }

  protected override checkpointModels(): Record<string, tf.LayersModel> {
    return { generator: this.generator, discriminator: this.discriminator };
  }
}
