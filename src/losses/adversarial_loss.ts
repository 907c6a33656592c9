import type * as tf from '@tensorflow/tfjs';

/**
 * An adversarial loss: a pair of pure functions of discriminator logits.
 *
 * `realLogits` = D(real), `fakeLogits` = D(G(z)); any shape (patch discriminators give [batch, h, w, 1]); each
 * loss averages over all elements. Non-relativistic losses ignore `realLogits` in `generatorLoss`.
 *
 * Trainers read the loss's properties from its fields (`generatorUsesRealLogits`, `pairsRealAndFake`), never
 * from its `name`: a loss of your own states them the same way.
 */
export interface AdversarialLoss {
  /** Short identifier, e.g. `'non-saturating'`; used in logs and checkpoints. */
  readonly name: string;
  /**
   * Whether `generatorLoss` reads `realLogits` (relativistic losses do). When false, a trainer skips computing
   * D(real) in the generator update. Default when absent (a loss of your own): true, the safe choice.
   */
  readonly generatorUsesRealLogits?: boolean;
  /**
   * Whether the loss pairs real sample i with fake sample i (RGAN), so both logit batches must have the same
   * shape and no fake sample may be dropped (Top-k training refuses such a loss). Default when absent: false.
   */
  readonly pairsRealAndFake?: boolean;
  /** The discriminator's (critic's) loss to minimise. */
  discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar;
  /** The generator's loss to minimise. */
  generatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar;
}
