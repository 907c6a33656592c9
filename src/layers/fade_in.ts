import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '../errors';
import {
  checkInRange,
  multiShape,
  multiTensor,
  recordInitializer,
  registerLayer,
  type LayerArgs,
  type LayerCallKwargs,
} from './layer_utils';

/** Options of {@link FadeIn}. */
export interface FadeInArgs extends LayerArgs {
  /** Initial blend weight α of the new path, in [0, 1]. Default: 0 (the start of a fade: only the old path). */
  alpha?: number;
}

function checkAlpha(argument: string, value: unknown): number {
  return checkInRange(argument, value, 0, 1);
}

/**
 * Fade-in merge from Progressive GAN: Karras, Aila, Laine, Lehtinen, "Progressive Growing of GANs for Improved
 * Quality, Stability, and Variation", ICLR 2018, https://arxiv.org/abs/1710.10196 (Section 3, Figure 2). While a
 * new resolution is added, the network's output blends the old path, resampled to the new size, with the new one:
 *
 *   y = (1 − α) · old + α · new,   α going from 0 to 1 over the fade.
 *
 * Inputs: `[old, new]`, two tensors of the same shape; resample the old path first (generator:
 * `NearestUpsample2D` of the old toRGB output; discriminator: fromRGB of `AverageDownsample2D(x)`). Output: the
 * same shape.
 *
 * α is a non-trainable weight (`alpha`, shape []): optimizers never touch it, {@link FadeIn.setAlpha} changes it
 * between steps, and it is saved with the weights and in the config (the value at save time), so a checkpoint
 * taken mid-fade restores it exactly. `initializeWeights` resets it to the `alpha` option. Default: `alpha: 0`.
 */
export class FadeIn extends tf.layers.Layer {
  /** @internal */
  static className = 'FadeIn';

  private readonly initialAlpha: number;
  private alphaWeight?: tf.LayerVariable;

  constructor(args: FadeInArgs = {}) {
    super(args);
    this.initialAlpha = checkAlpha('FadeIn.alpha', args.alpha ?? 0);
  }

  /** The current α (the `alpha` option before the layer is built). */
  get alpha(): number {
    return this.alphaWeight ? (this.alphaWeight.read().dataSync()[0] as number) : this.initialAlpha;
  }

  /**
   * Sets α in [0, 1] for the following calls. Builds nothing: the layer must have been applied to its inputs
   * (call it on a built model).
   *
   * @throws {InvalidArgumentError} for α outside [0, 1] or an unbuilt layer.
   */
  setAlpha(alpha: number): void {
    const value = checkAlpha('FadeIn.setAlpha(alpha)', alpha);
    if (!this.alphaWeight) {
      throw new InvalidArgumentError('FadeIn.setAlpha', 'a layer that has been applied to its inputs', 'an unbuilt layer', 'Build the model before setting α.');
    }
    tf.tidy(() => {
      this.alphaWeight!.write(tf.scalar(value));
    });
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [oldShape, newShape] = multiShape('FadeIn', inputShape, 2) as [tf.Shape, tf.Shape];
    this.checkSameShape(oldShape, newShape);
    const init = tf.initializers.constant({ value: this.initialAlpha });
    this.alphaWeight = recordInitializer(this.addWeight('alpha', [], 'float32', init, undefined, false), init);
    this.built = true;
  }

  private checkSameShape(a: readonly (number | null)[], b: readonly (number | null)[]): void {
    const same = a.length === b.length && a.every((d, i) => d == null || b[i] == null || d === b[i]);
    if (!same) {
      const show = (s: readonly (number | null)[]) => `[${s.map((d) => (d == null ? 'null' : d)).join(', ')}]`;
      throw new ShapeError('FadeIn inputs', `old and new paths of the same shape (old is ${show(a)})`, `new ${show(b)}`, 'Resample the old path to the new resolution first.');
    }
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return multiShape('FadeIn', inputShape, 2)[1] as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: LayerCallKwargs): tf.Tensor {
    return tf.tidy(() => {
      const [oldPath, newPath] = multiTensor('FadeIn', inputs, 2) as [tf.Tensor, tf.Tensor];
      this.checkSameShape(oldPath.shape, newPath.shape);
      const alpha = this.alphaWeight!.read();
      // (1 − α)·old + α·new as written, so α = 0 and α = 1 give exactly old and exactly new.
      return tf.add(tf.mul(tf.sub(1, alpha), oldPath), tf.mul(alpha, newPath));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}
registerLayer(FadeIn);

/** Creates a {@link FadeIn} layer (Karras et al. 2018). Same as `new FadeIn(args)`. */
export function fadeIn(args: FadeInArgs = {}): FadeIn {
  return new FadeIn(args);
}
