import type * as tf from '@tensorflow/tfjs';
import { resolvePenalties, type DiscriminatorPenalty, type PenaltyContext, type ResolvedPenalty } from '../penalties';

/**
 * Runs a trainer's discriminator penalties inside a discriminator update: each on the steps its lazy `every`
 * selects (Karras et al. 2020, Appendix B), scaled by its weight and by `every`, under its own name.
 * Every entry is validated at construction: unknown keys, a missing or wrong `on:`, bad weights.
 *
 * @example
 * ```ts
 * const penalties = new PenaltyRunner([{ fn: gradientPenalty, weight: 10 }, { fn: r1Penalty, on: 'real', every: 16 }]);
 * // inside the discriminator's objective, for step `step`:
 * const values = penalties.compute(context); // { gradientPenalty: Scalar, r1Penalty?: Scalar }
 * ```
 */
export class PenaltyRunner {
  /** The validated penalties, in the order given. */
  readonly penalties: readonly ResolvedPenalty[];

  /**
   * @param penalties - the trainer's `penalties` option (see {@link DiscriminatorPenalty}); undefined for none.
   * @param argument - the option's name in error messages. Default: `'penalties'`.
   * @throws {InvalidArgumentError} naming the entry and field at fault.
   */
  constructor(penalties: readonly DiscriminatorPenalty[] | undefined, argument = 'penalties') {
    this.penalties = resolvePenalties(penalties, argument);
  }

  /** The penalties computed at `step` (those whose `every` divides it). */
  activeAt(step: number): ResolvedPenalty[] {
    return this.penalties.filter((p) => step % p.every === 0);
  }

  /**
   * Computes the penalties active at `context.step`, by name, as added to the discriminator's loss. Call it
   * inside the discriminator's objective so that gradients flow through them.
   * @throws {ShapeError} if a custom penalty returns a non-scalar.
   */
  compute(context: PenaltyContext): Record<string, tf.Scalar> {
    const values: Record<string, tf.Scalar> = {};
    for (const penalty of this.activeAt(context.step)) values[penalty.name] = penalty.compute(context);
    return values;
  }
}
