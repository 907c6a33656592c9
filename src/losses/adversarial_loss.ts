import type * as tf from '@tensorflow/tfjs';

/**
 * An adversarial loss: a pair of pure functions of discriminator logits.
 *
 * `realLogits` = D(real), `fakeLogits` = D(G(z)); any shape (patch discriminators give [batch, h, w, 1]); each
 * loss averages over all elements. Non-relativistic losses ignore `realLogits` in `generatorLoss`.
 */
export interface AdversarialLoss {
  /** Short identifier, e.g. `'non-saturating'`; used in logs and checkpoints. */
  readonly name: string;
  /** The discriminator's (critic's) loss to minimise. */
  discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar;
  /** The generator's loss to minimise. */
  generatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar;
}
