/**
 * Input checks for adversarial losses: both logit tensors must be float32 tensors with at least one element,
 * and agree on the per-sample shape. Internal.
 *
 * @internal
 * @module losses/logit_checks
 */
import type * as tf from '@tensorflow/tfjs';
import { checkFloatTensor, checkSameShape, checkSameSampleShape } from './validation';

/**
 * Checks the `(realLogits, fakeLogits)` pair of a discriminator loss. With `paired`, the shapes must be equal
 * (losses that compare sample i of the real batch with sample i of the fake batch); otherwise the batch sizes may
 * differ but not the per-sample shape.
 */
export function checkLogitPair(realLogits: unknown, fakeLogits: unknown, paired = false): [tf.Tensor, tf.Tensor] {
  const r = checkFloatTensor('realLogits', realLogits);
  const f = checkFloatTensor('fakeLogits', fakeLogits);
  if (paired) checkSameShape('realLogits', r, 'fakeLogits', f);
  else checkSameSampleShape('realLogits', r, 'fakeLogits', f);
  return [r, f];
}

/** Checks the `fakeLogits` of a generator loss that ignores the real logits. */
export function checkFakeLogits(fakeLogits: unknown): tf.Tensor {
  return checkFloatTensor('fakeLogits', fakeLogits);
}
