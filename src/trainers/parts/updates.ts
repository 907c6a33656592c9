import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../../errors';
import type { AdversarialLoss } from '../../losses/adversarial_loss';
import { requireScalar } from '../penalties';
import type { Random } from '../random';
import type { OptimizerGroup } from './optimizer_group';
import type { PenaltyRunner } from './penalty_runner';
import type { StatsRecorder } from './stats_recorder';

/** D's outputs for one batch: adversarial logits, and class logits for an ACGAN discriminator. */
export interface DiscriminatorOutputs {
  /** Real/fake logits, `[batch, 1]` or a PatchGAN map. */
  logits: tf.Tensor;
  /** Class logits `[batch, numClasses]` of an ACGAN discriminator. */
  classLogits?: tf.Tensor;
}

/** A discriminator as a forward closure (training mode): a batch → logits, or {@link DiscriminatorOutputs}. */
export type DiscriminatorForward = (x: tf.Tensor) => tf.Tensor | DiscriminatorOutputs;

function outputsOf(out: tf.Tensor | DiscriminatorOutputs): DiscriminatorOutputs {
  return out instanceof tf.Tensor ? { logits: out } : out;
}

/** Whether a generator update computes D(real): the loss's own field, unless overridden. */
export function usesRealLogits(loss: AdversarialLoss, override?: boolean): boolean {
  return override ?? loss.generatorUsesRealLogits ?? true;
}

/** What {@link discriminatorTerms} needs: one discriminator, its real and generated batches, its loss. */
export interface DiscriminatorTermsArgs {
  /** The adversarial loss. */
  loss: AdversarialLoss;
  /** D on real-side inputs (a conditional D with the real labels bound); also the critic the penalties see. */
  discriminate: DiscriminatorForward;
  /** D on the generated batch, when it differs (a conditional D with the fake labels bound). Default: `discriminate`. */
  discriminateFake?: DiscriminatorForward;
  /** The real batch. */
  real: tf.Tensor;
  /** The generated batch, a constant (computed outside the gradient tape). */
  fake: tf.Tensor;
  /** Penalties added to D's loss (see {@link PenaltyRunner}). Default: none. */
  penalties?: PenaltyRunner;
  /** The step being trained (selects lazy penalties). */
  step: number;
  /** The trainer's random stream (penalties draw from it). */
  random: Random;
  /** Factor of the adversarial loss (CycleGAN halves it). Default: 1. */
  lossWeight?: number;
  /** More loss terms from D's outputs on the real and the fake batch (ACGAN's class loss), by name. Default: none. */
  extraTerms?: (real: DiscriminatorOutputs, fake: DiscriminatorOutputs) => Record<string, tf.Scalar>;
}

/** The named parts of one discriminator's loss; every tensor is kept (the caller owns it) except `total`. */
export interface DiscriminatorTerms {
  /** The objective: loss + Σ penalties + Σ extra terms. Belongs to the gradient tape (not kept). */
  total: tf.Scalar;
  /** The adversarial loss (times `lossWeight`). */
  loss: tf.Scalar;
  /** Each active penalty as added, by name. */
  penalties: Record<string, tf.Scalar>;
  /** Each extra term, by name. */
  terms: Record<string, tf.Scalar>;
  /** mean D(real). */
  realLogitMean: tf.Scalar;
  /** mean D(fake). */
  fakeLogitMean: tf.Scalar;
}

/** Everything an update returned, to dispose on error. */
function keptOf(t: Partial<DiscriminatorTerms> | undefined): tf.Tensor[] {
  if (t === undefined) return [];
  return [t.loss, t.realLogitMean, t.fakeLogitMean, ...Object.values(t.penalties ?? {}), ...Object.values(t.terms ?? {})].filter(
    (x): x is tf.Scalar => x !== undefined,
  );
}

/**
 * One discriminator's loss, inside an optimizer's `minimize` (gradients flow through it): the adversarial loss
 * of D(real) and D(fake), the penalties active at `step`, and any extra terms. Use it directly to minimise
 * several discriminators in one update (CycleGAN); otherwise call {@link discriminatorUpdate}.
 * @throws {ShapeError} if the loss or an extra term is not a scalar.
 */
export function discriminatorTerms(args: DiscriminatorTermsArgs): DiscriminatorTerms {
  const realOut = outputsOf(args.discriminate(args.real));
  const fakeOut = outputsOf((args.discriminateFake ?? args.discriminate)(args.fake));
  const adversarial = requireScalar('loss.discriminatorLoss', args.loss.discriminatorLoss(realOut.logits, fakeOut.logits));
  const loss = tf.keep(args.lossWeight === undefined || args.lossWeight === 1 ? adversarial : (tf.mul(adversarial, args.lossWeight) as tf.Scalar));
  const result: DiscriminatorTerms = {
    total: loss,
    loss,
    penalties: {},
    terms: {},
    realLogitMean: tf.keep(tf.mean(realOut.logits) as tf.Scalar),
    fakeLogitMean: tf.keep(tf.mean(fakeOut.logits) as tf.Scalar),
  };
  try {
    const parts: tf.Scalar[] = [loss];
    for (const [name, value] of Object.entries(args.extraTerms?.(realOut, fakeOut) ?? {})) {
      result.terms[name] = tf.keep(requireScalar(`extra term '${name}'`, value));
      parts.push(value);
    }
    if (args.penalties !== undefined && args.penalties.activeAt(args.step).length > 0) {
      // Penalties see D with the real labels bound (for conditional GANs), as R1 and GP expect.
      const critic = (x: tf.Tensor): tf.Tensor => outputsOf(args.discriminate(x)).logits;
      const values = args.penalties.compute({
        critic,
        real: args.real,
        fake: args.fake,
        realLogits: realOut.logits,
        fakeLogits: fakeOut.logits,
        step: args.step,
        random: args.random,
      });
      for (const [name, value] of Object.entries(values)) {
        result.penalties[name] = tf.keep(value);
        parts.push(value);
      }
    }
    if (parts.length > 1) result.total = tf.addN(parts) as tf.Scalar;
  } catch (error) {
    tf.dispose(keptOf(result));
    throw error;
  }
  return result;
}

/** Arguments of {@link discriminatorUpdate}: {@link DiscriminatorTermsArgs} plus the optimizer group of D. */
export interface DiscriminatorUpdateArgs extends DiscriminatorTermsArgs {
  /** D's optimizer group. */
  optimizer: OptimizerGroup;
}

/** What an update returns: every tensor is the caller's to dispose (or to hand to a {@link StatsRecorder}). */
export type DiscriminatorUpdateResult = Omit<DiscriminatorTerms, 'total'>;

/**
 * One discriminator update: minimises {@link discriminatorTerms} over D's optimizer group (only D's variables
 * move). Pure: everything it uses is in `args`.
 *
 * @example
 * ```ts
 * const d = discriminatorUpdate({ optimizer: dGroup, loss, discriminate: (x) => D.apply(x, { training: true }) as tf.Tensor,
 *   real, fake, penalties, step: trainer.step, random: trainer.random });
 * stats.mean('discriminatorLoss', d.loss);
 * ```
 */
export function discriminatorUpdate(args: DiscriminatorUpdateArgs): DiscriminatorUpdateResult {
  let terms: DiscriminatorTerms | undefined;
  try {
    const total = args.optimizer.minimize(() => {
      terms = discriminatorTerms(args);
      return terms.total;
    });
    if (total !== terms!.loss) total.dispose();
  } catch (error) {
    tf.dispose(keptOf(terms));
    throw error;
  }
  const { total: _total, ...result } = terms!;
  return result;
}

/** What {@link generatorTerms} needs: generated samples (under the tape), the discriminator, the loss. */
export interface GeneratorTermsArgs {
  /** The adversarial loss. */
  loss: AdversarialLoss;
  /** The generated batch, computed under the gradient tape (so gradients reach G). */
  fake: tf.Tensor;
  /** D on the generated batch (a conditional D with the fake labels bound). */
  discriminate: DiscriminatorForward;
  /**
   * D(real), for a loss whose generator loss reads the real logits (`loss.generatorUsesRealLogits`, unless
   * `useRealLogits` overrides it). Not called otherwise.
   */
  discriminateReal?: () => tf.Tensor | DiscriminatorOutputs;
  /** Overrides `loss.generatorUsesRealLogits`. Default: the loss's field (true when absent). */
  useRealLogits?: boolean;
  /** Chooses the fake logits that enter the adversarial loss (Top-k training). Default: all. */
  selectFake?: (fakeLogits: tf.Tensor) => tf.Tensor;
  /** More loss terms from the generated batch and D's outputs (ACGAN's class loss, pix2pix's L1), by name. */
  extraTerms?: (fake: tf.Tensor, out: DiscriminatorOutputs) => Record<string, tf.Scalar>;
}

/** The named parts of a generator's loss; every tensor is kept except `total`. */
export interface GeneratorTerms {
  /** The objective: loss + Σ extra terms (belongs to the tape). */
  total: tf.Scalar;
  /** The adversarial loss. */
  loss: tf.Scalar;
  /** Each extra term, by name. */
  terms: Record<string, tf.Scalar>;
}

/**
 * One generator's loss, inside an optimizer's `minimize`: the adversarial loss of D(fake) (and D(real) for
 * relativistic losses) plus any extra terms. Use it directly to combine several generators in one update
 * (CycleGAN); otherwise call {@link generatorUpdate}.
 */
export function generatorTerms(args: GeneratorTermsArgs): GeneratorTerms {
  const fakeOut = outputsOf(args.discriminate(args.fake));
  const fakeLogits = args.selectFake === undefined ? fakeOut.logits : args.selectFake(fakeOut.logits);
  let realLogits = fakeLogits;
  if (usesRealLogits(args.loss, args.useRealLogits)) {
    if (args.discriminateReal === undefined) {
      throw new InvalidArgumentError('discriminateReal', 'a closure computing D(real)', undefined, `The loss '${args.loss.name}' reads the real logits in the generator update.`);
    }
    // D(real) does not depend on G's weights: it only matters for relativistic losses.
    realLogits = outputsOf(args.discriminateReal()).logits;
  }
  const loss = tf.keep(requireScalar('loss.generatorLoss', args.loss.generatorLoss(realLogits, fakeLogits)));
  const result: GeneratorTerms = { total: loss, loss, terms: {} };
  try {
    const parts: tf.Scalar[] = [loss];
    for (const [name, value] of Object.entries(args.extraTerms?.(args.fake, fakeOut) ?? {})) {
      result.terms[name] = tf.keep(requireScalar(`extra term '${name}'`, value));
      parts.push(value);
    }
    if (parts.length > 1) result.total = tf.addN(parts) as tf.Scalar;
  } catch (error) {
    tf.dispose([loss, ...Object.values(result.terms)]);
    throw error;
  }
  return result;
}

/** Arguments of {@link generatorUpdate}. */
export interface GeneratorUpdateArgs extends Omit<GeneratorTermsArgs, 'fake'> {
  /** G's optimizer group. */
  optimizer: OptimizerGroup;
  /** Runs G (training mode) under the gradient tape and returns its samples. */
  generate: () => tf.Tensor;
}

/**
 * One generator update: minimises {@link generatorTerms} of `generate()` over G's optimizer group (D's
 * variables never move). Returns the kept terms; the caller disposes them.
 */
export function generatorUpdate(args: GeneratorUpdateArgs): Omit<GeneratorTerms, 'total'> {
  let terms: GeneratorTerms | undefined;
  try {
    const total = args.optimizer.minimize(() => {
      terms = generatorTerms({ ...args, fake: args.generate() });
      return terms.total;
    });
    if (total !== terms!.loss) total.dispose();
  } catch (error) {
    if (terms !== undefined) tf.dispose([terms.loss, ...Object.values(terms.terms)]);
    throw error;
  }
  return { loss: terms!.loss, terms: terms!.terms };
}

/**
 * Hands a discriminator update's tensors to `stats` under the usual names: `discriminatorLoss`, each
 * `penalties.<name>` and extra term averaged over the step's D updates, `realLogitMean` / `fakeLogitMean` of
 * the last one.
 */
export function recordDiscriminatorUpdate(stats: StatsRecorder, d: DiscriminatorUpdateResult): void {
  stats.mean('discriminatorLoss', d.loss);
  stats.meanAll('penalties', d.penalties);
  for (const [name, value] of Object.entries(d.terms)) stats.mean(name, value);
  stats.last('realLogitMean', d.realLogitMean);
  stats.last('fakeLogitMean', d.fakeLogitMean);
}
