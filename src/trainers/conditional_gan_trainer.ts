import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, DTypeError, InvalidArgumentError, ShapeError } from '../errors';
import { auxiliaryClassifierLoss, type AuxiliaryClassifierLoss } from '../losses/auxiliary_classifier';
import { AdversarialTrainer, ganStepStats, type AdversarialTrainerOptions, type GanStepStats } from './adversarial_trainer';
import { checkSampleArguments, samplingCodes } from './gan_trainer';
import { latentCodes } from './latent';
import { checkArity, shapesCompatible, shapeText } from './model_checks';
import { StatsRecorder } from './parts/stats_recorder';
import { discriminatorUpdate, generatorUpdate, recordDiscriminatorUpdate, type DiscriminatorOutputs } from './parts/updates';
import { Random } from './random';
import { selectTopK } from './top_k';

/** The ACGAN auxiliary-classifier option of {@link ConditionalGanTrainer}. */
export interface AuxiliaryClassifierOptions {
  /** Factor of the class cross-entropy in both networks' losses. Default: 1 (Odena et al. 2017). */
  weight?: number;
  /**
   * Weight of the class loss on generated samples in D's loss; 0 trains D's classifier on real data only.
   * Default: 1 (the paper).
   */
  discriminatorFakeWeight?: number;
}

/** Options of {@link ConditionalGanTrainer}. */
export interface ConditionalGanTrainerOptions extends AdversarialTrainerOptions {
  /**
   * The generator, with two inputs `[z, labels]`: latent codes and class labels, either one-hot
   * (`[batch, numClasses]`) or indices (`[batch]` or `[batch, 1]`, e.g. into a `tf.layers.embedding`). The
   * trainer converts labels to the format of the input's shape.
   */
  generator: tf.LayersModel;
  /**
   * The discriminator: inputs `[x, labels]` (conditional D: concatenation, projection…) or `[x]` (ACGAN);
   * outputs `logits`, or `[logits, classLogits]` with class logits `[batch, numClasses]` (ACGAN). At least one
   * of the two must carry the labels.
   */
  discriminator: tf.LayersModel;
  /** Number of classes. Required. */
  numClasses: number;
  /**
   * Train D's class head with the auxiliary-classifier loss of ACGAN (Odena, Olah, Shlens 2017,
   * https://arxiv.org/abs/1610.09585). `true` uses the defaults. Needs a D with two outputs. Default: on when D
   * has two outputs, off otherwise.
   */
  auxiliaryClassifier?: boolean | AuxiliaryClassifierOptions;
  /**
   * Labels of the generated samples: `'sampled'` draws classes (uniformly, ACGAN, BigGAN; or from `classPrior`), `'real'` reuses the
   * real batch's labels (pairs each fake with a real of the same class; needs a batch of the same size).
   * Default: `'sampled'`.
   */
  fakeLabels?: 'sampled' | 'real';
  /**
   * How often each class is drawn wherever the trainer draws labels itself: generated samples in `'sampled'`
   * mode, and `sample(n)` without `labels`. `numClasses` non-negative weights (normalised here, so class counts
   * work as they are). Set it to the class frequencies of the training data when the classes are unbalanced,
   * e.g. the cluster sizes of a self-conditioned GAN, so that `sample(n)` draws from the data's mixture.
   * Default: uniform.
   */
  classPrior?: readonly number[];
}

/** Stats of a {@link ConditionalGanTrainer} step. */
export interface ConditionalGanStepStats extends GanStepStats {
  /** ACGAN: D's class loss (real + weighted fake), averaged over the D updates. */
  discriminatorClassLoss?: number;
  /** ACGAN: G's class loss (fakes classified as their requested class). */
  generatorClassLoss?: number;
}

/**
 * A function that draws one class index from a {@link Random}: uniform over `numClasses` (one `random.int` per
 * draw), or, given `prior` (non-negative weights, one per class), by the inverse of its cumulative sum (one
 * `random.uniform` per draw; the last class with a positive weight takes any rounding left at the top).
 * @internal
 */
export function classDrawer(numClasses: number, prior?: readonly number[]): (random: Random) => number {
  if (prior === undefined) return (random) => random.int(numClasses);
  const total = prior.reduce((a, b) => a + b, 0);
  const cdf = new Float64Array(numClasses);
  let acc = 0;
  prior.forEach((p, c) => {
    acc += p / total;
    cdf[c] = acc;
  });
  const last = prior.reduce((l, p, c) => (p > 0 ? c : l), 0);
  return (random) => {
    const u = random.uniform();
    let c = 0;
    while (c < last && u >= cdf[c]!) c++;
    return c;
  };
}

/** A batch for `fit`: images and their labels. */
export type LabeledBatch = { images: tf.Tensor; labels: tf.Tensor } | readonly [tf.Tensor, tf.Tensor];

/** Options of {@link ConditionalGanTrainer.trainStep}. */
export interface ConditionalTrainStepOptions {
  /** Latent codes for every update of this step; default drawn from the trainer's stream. Not disposed. */
  z?: tf.Tensor;
  /** Labels of the generated samples for every update of this step (int32 `[batch]` or one-hot); default per `fakeLabels`. */
  fakeLabels?: tf.Tensor;
}

/** Options of {@link ConditionalGanTrainer.sample}. */
export interface ConditionalSampleOptions {
  /**
   * Classes to generate: one class for all samples, an array of `n` classes, or labels (int32 `[n]` or one-hot
   * `[n, numClasses]`). Default: drawn uniformly (from `seed` when given).
   */
  labels?: number | readonly number[] | tf.Tensor;
  /** BigGAN truncation threshold for a normal prior. Default: none. */
  truncation?: number;
  /** Seed for the latent codes (and drawn labels). Default: the trainer's sampling stream. */
  seed?: number;
  /** Latent codes `[n, ...latentShape]` instead of drawing them. Not disposed. */
  z?: tf.Tensor;
  /** Use the EMA generator when there is one. Default: true. */
  useEma?: boolean;
  /** Generator batch size. Default: 64. */
  batchSize?: number;
}

type LabelFormat = { kind: 'oneHot' } | { kind: 'index'; shape: 'vector' | 'column'; dtype: tf.DataType };

function labelFormat(argument: string, model: tf.LayersModel, index: number, numClasses: number): LabelFormat {
  const input = model.inputs[index]!;
  const sample = input.shape.slice(1);
  if (sample.length === 1 && sample[0] === numClasses && numClasses > 1) return { kind: 'oneHot' };
  if (sample.length === 0) return { kind: 'index', shape: 'vector', dtype: input.dtype };
  if (sample.length === 1 && (sample[0] === 1 || sample[0] == null)) return { kind: 'index', shape: 'column', dtype: input.dtype };
  throw new ShapeError(
    `${argument} label input`,
    `shape [null, ${numClasses}] (one-hot), [null] or [null, 1] (class index)`,
    shapeText(input.shape),
    'Build the label input as tf.input({ shape: [1] }) followed by an embedding, or tf.input({ shape: [numClasses] }).',
  );
}

/** Converts int32 indices [batch] to what a model input expects. */
function formatLabels(indices: tf.Tensor1D, format: LabelFormat, numClasses: number): tf.Tensor {
  return tf.tidy(() => {
    if (format.kind === 'oneHot') return tf.oneHot(indices, numClasses).toFloat();
    const cast = tf.cast(indices, format.dtype === 'int32' ? 'int32' : 'float32');
    return format.shape === 'column' ? tf.expandDims(cast, 1) : cast;
  });
}

/**
 * Trains a class-conditional GAN: G(z, y) and D(x, y) (concatenation or projection conditioning — Mirza &
 * Osindero 2014, https://arxiv.org/abs/1411.1784; Miyato & Koyama 2018, https://arxiv.org/abs/1802.05637), and
 * optionally ACGAN's auxiliary classifier (Odena et al. 2017, https://arxiv.org/abs/1610.09585), where D
 * predicts the class and both networks add the class cross-entropy to their losses. The seed of
 * text-to-image-style conditioning: labels are just another model input.
 *
 * Steps, optimizers, penalties, EMA and checkpoints work as in {@link GanTrainer}; penalties see D with the
 * real labels bound.
 *
 * @example
 * ```ts
 * const trainer = new ConditionalGanTrainer({ generator, discriminator, latentDim: 64, numClasses: 10, seed: 0 });
 * await trainer.trainStep(images, labels);          // labels: int32 [batch] or one-hot [batch, 10]
 * const sevens = trainer.sample(8, { labels: 7 });   // 8 samples of class 7
 * ```
 */
export class ConditionalGanTrainer extends AdversarialTrainer<LabeledBatch, ConditionalGanStepStats> {
  protected readonly trainerType: string = 'ConditionalGanTrainer';
  /** Number of classes. */
  readonly numClasses: number;
  /** The ACGAN class loss, when on. */
  readonly auxiliaryClassifier: AuxiliaryClassifierLoss | undefined;
  /** Factor of the class loss. */
  readonly auxiliaryClassifierWeight: number;
  /** See {@link ConditionalGanTrainerOptions.fakeLabels}. */
  readonly fakeLabelMode: 'sampled' | 'real';
  /** The normalised class probabilities of {@link ConditionalGanTrainerOptions.classPrior}, or undefined (uniform). */
  readonly classPrior: readonly number[] | undefined;
  /** Draws one class index (uniform, or from {@link classPrior}). */
  private readonly drawClass: (random: Random) => number;
  private readonly generatorLabels: LabelFormat;
  private readonly discriminatorLabels: LabelFormat | undefined;
  private readonly discriminatorHasClassHead: boolean;

  constructor(options: ConditionalGanTrainerOptions) {
    super(options, 'ConditionalGanTrainer options', ['numClasses', 'auxiliaryClassifier', 'fakeLabels', 'classPrior']);
    const numClasses = options.numClasses;
    if (typeof numClasses !== 'number' || !Number.isInteger(numClasses) || numClasses < 2) {
      throw new InvalidArgumentError('numClasses', 'an integer >= 2', numClasses);
    }
    this.numClasses = numClasses;
    this.fakeLabelMode = options.fakeLabels ?? 'sampled';
    if (this.fakeLabelMode !== 'sampled' && this.fakeLabelMode !== 'real') {
      throw new InvalidArgumentError('fakeLabels', "'sampled' or 'real'", options.fakeLabels);
    }
    if (options.classPrior === undefined) {
      this.classPrior = undefined;
    } else {
      const weights = options.classPrior;
      const valid = Array.isArray(weights) && weights.length === numClasses && weights.every((w) => typeof w === 'number' && Number.isFinite(w) && w >= 0);
      const total = valid ? weights.reduce((a, b) => a + b, 0) : 0;
      if (!valid || !(total > 0)) {
        throw new InvalidArgumentError(
          'classPrior',
          `${numClasses} finite weights >= 0 (one per class) with a positive sum`,
          weights,
          'Pass the class frequencies or counts of the training data, e.g. the sizes returned by kMeans.',
        );
      }
      this.classPrior = weights.map((w) => w / total);
    }
    this.drawClass = classDrawer(numClasses, this.classPrior);
    checkArity('generator', this.generator, 2, 1, 'A conditional generator takes [z, labels] and returns samples.');
    checkArity(
      'discriminator',
      this.discriminator,
      [1, 2],
      [1, 2],
      'A conditional discriminator takes [x, labels] or [x], and returns logits or [logits, classLogits].',
    );
    this.checkLatentAndOutput(0);
    this.generatorLabels = labelFormat('generator', this.generator, 1, numClasses);
    this.discriminatorLabels =
      this.discriminator.inputs.length === 2 ? labelFormat('discriminator', this.discriminator, 1, numClasses) : undefined;
    this.discriminatorHasClassHead = this.discriminator.outputs.length === 2;
    if (this.discriminatorHasClassHead) {
      const cls = this.discriminator.outputs[1]!.shape.slice(1);
      if (!shapesCompatible(cls, [numClasses])) {
        throw new ShapeError(
          'discriminator class output',
          `shape [null, ${numClasses}] (one logit per class)`,
          shapeText(this.discriminator.outputs[1]!.shape),
        );
      }
    }
    if (!this.discriminatorLabels && !this.discriminatorHasClassHead) {
      throw new InvalidArgumentError(
        'discriminator',
        'a conditional discriminator: a label input [x, labels], or a class output [logits, classLogits] (ACGAN)',
        'a model with one input and one output',
        'Without labels D cannot judge whether a sample matches its class; use GanTrainer for unconditional GANs.',
      );
    }
    const ac = options.auxiliaryClassifier ?? this.discriminatorHasClassHead;
    if (ac !== false) {
      if (!this.discriminatorHasClassHead) {
        throw new InvalidArgumentError(
          'auxiliaryClassifier',
          'false for a discriminator without a class output',
          ac,
          'Give D a second output of numClasses logits for ACGAN.',
        );
      }
      const acOptions = ac === true ? {} : ac;
      checkOptionKeys('auxiliaryClassifier', acOptions, ['weight', 'discriminatorFakeWeight']);
      const weight = acOptions.weight ?? 1;
      if (!(typeof weight === 'number' && weight >= 0 && Number.isFinite(weight))) {
        throw new InvalidArgumentError('auxiliaryClassifier.weight', 'a finite number >= 0', weight);
      }
      this.auxiliaryClassifierWeight = weight;
      this.auxiliaryClassifier = auxiliaryClassifierLoss({ discriminatorFakeWeight: acOptions.discriminatorFakeWeight });
    } else {
      if (this.discriminatorHasClassHead) {
        throw new InvalidArgumentError(
          'auxiliaryClassifier',
          'true (or options) for a discriminator with a class output',
          ac,
          'A class output without the auxiliary loss would never be trained.',
        );
      }
      this.auxiliaryClassifierWeight = 0;
      this.auxiliaryClassifier = undefined;
    }
  }

  /** Checks labels and returns int32 class indices [batch] (a new tensor). */
  protected toIndices(argument: string, labels: unknown, batchSize: number): tf.Tensor1D {
    const t = labels as tf.Tensor;
    if (!(t instanceof tf.Tensor)) {
      throw new InvalidArgumentError(argument, `int32 class indices [${batchSize}] or one-hot labels [${batchSize}, ${this.numClasses}]`, labels);
    }
    if (t.dtype === 'int32') {
      if (!(t.rank === 1 && t.shape[0] === batchSize) && !(t.rank === 2 && t.shape[0] === batchSize && t.shape[1] === 1)) {
        throw new ShapeError(argument, `int32 class indices of shape [${batchSize}]`, `shape ${shapeText(t.shape)}`);
      }
      const indices = tf.reshape(t, [batchSize]) as tf.Tensor1D;
      const bad = Array.from(indices.dataSync()).find((c) => !(c >= 0 && c < this.numClasses));
      if (bad !== undefined) {
        indices.dispose();
        throw new InvalidArgumentError(
          argument,
          `class indices in [0, ${this.numClasses - 1}] (numClasses is ${this.numClasses})`,
          `a label ${bad}`,
          'Check the labels of the data, or numClasses.',
        );
      }
      return indices;
    }
    if (t.dtype === 'float32') {
      if (t.rank !== 2 || t.shape[0] !== batchSize || t.shape[1] !== this.numClasses) {
        throw new ShapeError(
          argument,
          `one-hot labels of shape [${batchSize}, ${this.numClasses}] (or int32 indices [${batchSize}])`,
          `shape ${shapeText(t.shape)}`,
          t.rank === 1 ? "Class indices must be int32: tf.tensor1d(labels, 'int32')." : undefined,
        );
      }
      return tf.tidy(() => tf.cast(tf.argMax(t, 1), 'int32') as tf.Tensor1D);
    }
    throw new DTypeError(argument, "int32 class indices or float32 one-hot labels", t.dtype);
  }

  /** Draws `n` class indices from `random`: uniform, or from {@link classPrior}. */
  protected drawLabels(n: number, random: Random): tf.Tensor1D {
    const values = new Int32Array(n);
    for (let i = 0; i < n; i++) values[i] = this.drawClass(random);
    return tf.tensor1d(values, 'int32');
  }

  protected override generatorInputs(n: number, random: Random): tf.Tensor[] {
    const z = this.latent.sample(n, random);
    const indices = this.drawLabels(n, random);
    const labels = formatLabels(indices, this.generatorLabels, this.numClasses);
    if (labels !== indices) indices.dispose();
    return [z, labels];
  }

  /** G's inputs `[z, labels]` for class indices (labels converted to G's label format). */
  private generatorArgs(z: tf.Tensor, indices: tf.Tensor): tf.Tensor[] {
    return [z, formatLabels(indices as tf.Tensor1D, this.generatorLabels, this.numClasses)];
  }

  /** D's outputs (training mode) on `x` with class indices `indices`: logits, and class logits for an ACGAN D. */
  private discriminate(x: tf.Tensor, indices: tf.Tensor): DiscriminatorOutputs {
    const inputs = this.discriminatorLabels ? [x, formatLabels(indices as tf.Tensor1D, this.discriminatorLabels, this.numClasses)] : x;
    const out = this.discriminator.apply(inputs, { training: true }) as tf.Tensor | tf.Tensor[];
    return Array.isArray(out) ? { logits: out[0]!, classLogits: out[1] } : { logits: out };
  }

  protected override trainOnBatches(batches: LabeledBatch[]): Promise<ConditionalGanStepStats> {
    const images: tf.Tensor[] = [];
    const labels: tf.Tensor[] = [];
    batches.forEach((b, i) => {
      const pair = Array.isArray(b) ? b : [(b as { images?: tf.Tensor }).images, (b as { labels?: tf.Tensor }).labels];
      if (!(pair[0] instanceof tf.Tensor) || !(pair[1] instanceof tf.Tensor)) {
        throw new InvalidArgumentError(`data batch ${i}`, '{ images, labels } or [images, labels]', b);
      }
      images.push(pair[0]);
      labels.push(pair[1]);
    });
    return this.trainStep(images, labels);
  }

  /**
   * One training step on labelled real data: `discriminatorSteps` D updates, one G update, the EMA update.
   *
   * @param images - real samples `[batch, ...sampleShape]` (or an array, one per D update). Not disposed.
   * @param labels - their classes: int32 `[batch]` or one-hot float32 `[batch, numClasses]` (or an array
   *   matching `images`). Not disposed.
   * @throws {ShapeError} / {DTypeError} for images or labels of the wrong shape or dtype.
   */
  async trainStep(
    images: tf.Tensor | readonly tf.Tensor[],
    labels: tf.Tensor | readonly tf.Tensor[],
    options: ConditionalTrainStepOptions = {},
  ): Promise<ConditionalGanStepStats> {
    checkOptionKeys('trainStep options', options, ['z', 'fakeLabels']);
    const reals = this.realBatches('images', images);
    const realLabels = Array.isArray(labels) ? [...(labels as readonly tf.Tensor[])] : [labels as tf.Tensor];
    if (realLabels.length !== reals.length) {
      throw new InvalidArgumentError('labels', `${reals.length === 1 ? 'one tensor' : `an array of ${reals.length}`} (matching images)`, `${realLabels.length} label tensors`);
    }
    const owned: tf.Tensor[] = []; // label tensors this step creates, disposed at the end
    const ac = this.auxiliaryClassifier;
    const acWeight = this.auxiliaryClassifierWeight;
    const stats = new StatsRecorder();
    try {
      const indices = realLabels.map((l, i) => {
        const t = this.toIndices(AdversarialTrainer.batchName('labels', i, reals.length), l, reals[i]!.shape[0]!);
        owned.push(t);
        return t;
      });
      const fixedFake = options.fakeLabels === undefined ? undefined : this.toIndices('options.fakeLabels', options.fakeLabels, reals[0]!.shape[0]!);
      if (fixedFake) owned.push(fixedFake);
      // NaN/Infinity (every step) and the output range (first step of a fit): before anything changes.
      await this.dataGuard.check(Object.fromEntries(reals.map((r, i) => [AdversarialTrainer.batchName('images', i, reals.length), r])));
      this.applySchedules();
      // The generated samples' classes: fixed by the caller, the real batch's, or drawn (uniform or classPrior).
      const fakeLabelsFor = (realIndices: tf.Tensor, n: number): tf.Tensor => {
        if (fixedFake !== undefined) return fixedFake;
        if (this.fakeLabelMode === 'real') return realIndices;
        const drawn = this.drawLabels(n, this.random);
        owned.push(drawn);
        return drawn;
      };

      for (let i = 0; i < this.discriminatorSteps; i++) {
        const k = reals.length === 1 ? 0 : i;
        const real = reals[k]!;
        const yReal = indices[k]!;
        const z = latentCodes(this.latent, real.shape[0]!, this.random, options.z);
        const yFake = fakeLabelsFor(yReal, real.shape[0]!);
        // G runs outside the gradient tape: the D update needs its output only as a constant.
        const fake = tf.tidy(() => this.generator.apply(this.generatorArgs(z, yFake), { training: true }) as tf.Tensor);
        if (z !== options.z) z.dispose();
        try {
          const d = discriminatorUpdate({
            optimizer: this.discriminatorGroup,
            loss: this.loss,
            discriminate: (x) => this.discriminate(x, yReal), // penalties see D with the real labels bound
            discriminateFake: (x) => this.discriminate(x, yFake),
            real,
            fake,
            penalties: this.penalties,
            step: this.step,
            random: this.random,
            // ACGAN: D also classifies real (and generated) samples.
            extraTerms: ac && ((r, f) => ({
              discriminatorClassLoss: tf.mul(ac.discriminatorLoss(r.classLogits!, yReal, f.classLogits!, yFake), acWeight) as tf.Scalar,
            })),
          });
          recordDiscriminatorUpdate(stats, d); // with ACGAN's discriminatorClassLoss
        } finally {
          fake.dispose();
        }
      }

      const real = reals[reals.length - 1]!;
      const yReal = indices[indices.length - 1]!;
      const z = latentCodes(this.latent, real.shape[0]!, this.random, options.z);
      const yFake = fakeLabelsFor(yReal, real.shape[0]!);
      try {
        const k = this.topKSize(real.shape[0]!);
        const g = generatorUpdate({
          optimizer: this.generatorGroup,
          loss: this.loss,
          generate: () => this.generator.apply(this.generatorArgs(z, yFake), { training: true }) as tf.Tensor,
          discriminate: (x) => this.discriminate(x, yFake),
          discriminateReal: () => this.discriminate(real, yReal),
          useRealLogits: this.generatorUsesRealLogits,
          selectFake: this.topK === undefined ? undefined : (logits) => selectTopK(logits, k),
          // ACGAN: G wants its samples classified as the class it was asked for.
          extraTerms: ac && ((_fake, out) => ({
            generatorClassLoss: tf.mul(ac.generatorLoss(out.classLogits!, yFake), acWeight) as tf.Scalar,
          })),
        });
        stats.mean('generatorLoss', g.loss);
        if (g.terms['generatorClassLoss']) stats.mean('generatorClassLoss', g.terms['generatorClassLoss']);
      } finally {
        if (z !== options.z) z.dispose();
      }
    } catch (error) {
      stats.dispose();
      throw error;
    } finally {
      tf.dispose([...new Set(owned)]);
    }
    this.updateAverages();
    const v = await stats.read(); // one device read for every stat
    const result: ConditionalGanStepStats = ganStepStats(this.step + 1, v);
    if (ac) {
      result.generatorClassLoss = v['generatorClassLoss']!;
      result.discriminatorClassLoss = v['discriminatorClassLoss']!;
    }
    return this.completeStep(result);
  }

  /**
   * Generates `n` samples of the given classes (inference mode), from the EMA generator when there is one.
   * @returns a new tensor `[n, ...G's output shape]`; the caller disposes it.
   */
  sample(n: number, options: ConditionalSampleOptions = {}): tf.Tensor {
    checkOptionKeys('sample options', options, ['labels', 'truncation', 'seed', 'z', 'useEma', 'batchSize']);
    const batchSize = checkSampleArguments(n, options.batchSize);
    const model = this.samplingGenerator(options.useEma);
    const random = options.seed === undefined ? this.samplingRandom : new Random(options.seed);
    const z = samplingCodes(this, random, n, { z: options.z, truncation: options.truncation });
    let indices: tf.Tensor1D;
    try {
      const l = options.labels;
      if (l === undefined) indices = this.drawLabels(n, random);
      else if (typeof l === 'number' || Array.isArray(l)) {
        const values = typeof l === 'number' ? new Array<number>(n).fill(l) : [...(l as readonly number[])];
        if (values.length !== n || !values.every((c) => Number.isInteger(c) && c >= 0 && c < this.numClasses)) {
          throw new InvalidArgumentError('options.labels', `a class in [0, ${this.numClasses}) or ${n} of them`, l);
        }
        indices = tf.tensor1d(values, 'int32');
      } else indices = this.toIndices('options.labels', l, n);
    } catch (error) {
      if (z !== options.z) z.dispose();
      throw error;
    }
    try {
      return tf.tidy(() => {
        const y = formatLabels(indices, this.generatorLabels, this.numClasses);
        return model.predict([z, y], { batchSize }) as tf.Tensor;
      });
    } finally {
      indices.dispose();
      if (z !== options.z) z.dispose();
    }
  }
}
