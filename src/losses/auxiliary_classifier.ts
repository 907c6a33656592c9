import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, DTypeError, ShapeError } from '../errors';
import { checkFloatTensor, checkNumber, checkOptions, checkTensor, formatShape } from './validation';
import { optionKeys } from '../option_keys';

/** Options of {@link auxiliaryClassifierLoss}. */
export interface AuxiliaryClassifierLossOptions {
  /**
   * Weight of the class cross-entropy on generated samples in the discriminator's loss. 1 is the ACGAN paper
   * (D maximises L_C on real and fake); 0 trains D's classifier on real data only, as several later
   * implementations do. Default: 1.
   */
  discriminatorFakeWeight?: number;
}

/** The keys of {@link AuxiliaryClassifierLossOptions} (checked against it by the compiler, both ways). */
const AUXILIARY_CLASSIFIER_LOSS_OPTION_KEYS = optionKeys<AuxiliaryClassifierLossOptions>()(['discriminatorFakeWeight']);

/**
 * The class part of an ACGAN objective, returned by {@link auxiliaryClassifierLoss}. Class logits have shape
 * [batch, numClasses]; labels are either int32 class indices of shape [batch] or float32 one-hot (or soft)
 * labels of shape [batch, numClasses].
 */
export interface AuxiliaryClassifierLoss {
  /** `'auxiliary-classifier'`. */
  readonly name: string;
  /**
   * The discriminator's class loss `CE(real) + discriminatorFakeWeight·CE(fake)`, to add to its adversarial
   * loss.
   */
  discriminatorLoss(
    realClassLogits: tf.Tensor,
    realLabels: tf.Tensor,
    fakeClassLogits: tf.Tensor,
    fakeLabels: tf.Tensor,
  ): tf.Scalar;
  /** The generator's class loss `CE(fake)` (fakes should be classified as the class they were asked for). */
  generatorLoss(fakeClassLogits: tf.Tensor, fakeLabels: tf.Tensor): tf.Scalar;
}

/** Mean softmax cross-entropy over the batch: mean_i(−Σ_k y_ik·log softmax(z_i)_k). Checks its inputs. */
function classCrossEntropy(logitsArgument: string, logits: unknown, labelsArgument: string, labels: unknown): tf.Scalar {
  const z = checkFloatTensor(logitsArgument, logits, 2);
  if (z.rank !== 2) throw new ShapeError(logitsArgument, 'class logits of shape [batch, numClasses]', z);
  const [batch, numClasses] = z.shape as [number, number];
  const y = checkTensor(labelsArgument, labels);
  if (y.dtype === 'int32') {
    if (y.rank !== 1 || y.shape[0] !== batch) {
      throw new ShapeError(labelsArgument, `int32 class indices of shape [${batch}]`, y);
    }
  } else if (y.dtype === 'float32') {
    if (!tf.util.arraysEqual(y.shape, z.shape)) {
      throw new ShapeError(labelsArgument, `one-hot labels of shape ${formatShape(z.shape)}`, y);
    }
  } else {
    throw new DTypeError(labelsArgument, 'int32 class indices or float32 one-hot labels', y);
  }
  return tf.tidy(() => {
    const target = y.dtype === 'int32' ? tf.oneHot(y as tf.Tensor1D, numClasses).toFloat() : y;
    return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(z)), -1))) as tf.Scalar;
  });
}

/**
 * The auxiliary-classifier loss of conditional GANs with a class-predicting discriminator (ACGAN): Odena,
 * Olah, Shlens, "Conditional Image Synthesis with Auxiliary Classifier GANs", ICML 2017,
 * https://arxiv.org/abs/1610.09585 (Eq. 2–3).
 *
 * D has two heads: the usual real/fake logit (use any {@link AdversarialLoss}) and class logits. With
 * CE(z, y) = mean over the batch of −Σ_k y_k·log softmax(z)_k (computed with `tf.logSoftmax`, stable):
 *
 * - discriminator: `L_C^D = CE(D_cls(real), y_real) + w·CE(D_cls(G(z, y_fake)), y_fake)`, w =
 *   `discriminatorFakeWeight` (paper: 1)
 * - generator: `L_C^G = CE(D_cls(G(z, y_fake)), y_fake)`
 *
 * Both networks minimise their class loss plus their adversarial loss (the paper's "D maximises L_S + L_C, G
 * maximises L_C − L_S", written as losses to minimise).
 *
 * Labels: int32 indices [batch] or float32 one-hot [batch, numClasses]. Index values are not range-checked
 * (that would need a device read): an index outside [0, numClasses) contributes 0.
 *
 * @example
 * ```ts
 * const ac = auxiliaryClassifierLoss();
 * const dLoss = tf.add(adv.discriminatorLoss(r, f), ac.discriminatorLoss(rCls, yReal, fCls, yFake));
 * ```
 * @throws {InvalidArgumentError} if `discriminatorFakeWeight` is negative or not finite.
 */
export function auxiliaryClassifierLoss(options?: AuxiliaryClassifierLossOptions): AuxiliaryClassifierLoss {
  checkOptionKeys('auxiliaryClassifierLoss options', options, AUXILIARY_CLASSIFIER_LOSS_OPTION_KEYS);
  const opts = checkOptions('options', options);
  const fakeWeight = checkNumber('options.discriminatorFakeWeight', opts.discriminatorFakeWeight ?? 1, { min: 0 });
  return Object.freeze({
    name: 'auxiliary-classifier',
    discriminatorLoss(
      realClassLogits: tf.Tensor,
      realLabels: tf.Tensor,
      fakeClassLogits: tf.Tensor,
      fakeLabels: tf.Tensor,
    ): tf.Scalar {
      return tf.tidy(() => {
        const real = classCrossEntropy('realClassLogits', realClassLogits, 'realLabels', realLabels);
        if (fakeWeight === 0) return real;
        const fake = classCrossEntropy('fakeClassLogits', fakeClassLogits, 'fakeLabels', fakeLabels);
        return tf.add(real, tf.mul(fake, fakeWeight));
      });
    },
    generatorLoss(fakeClassLogits: tf.Tensor, fakeLabels: tf.Tensor): tf.Scalar {
      return classCrossEntropy('fakeClassLogits', fakeClassLogits, 'fakeLabels', fakeLabels);
    },
  });
}
