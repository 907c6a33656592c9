import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '../errors';
import {
  checkBoolean,
  checkInteger,
  checkOneOf,
  checkRank,
  isShapeList,
  knownChannels,
  recordInitializer,
  registerLayer,
  type LayerArgs,
  type LayerCallKwargs,
} from './layer_utils';

/** Where {@link NoiseInjection} takes its noise from when no noise input is given. */
export type NoiseMode = 'random' | 'const' | 'none';

/** Options of {@link NoiseInjection}. */
export interface NoiseInjectionArgs extends LayerArgs {
  /**
   * One learned strength per channel (StyleGAN, Karras et al. 2019) instead of one scalar for the layer
   * (StyleGAN2). Default: false.
   */
  perChannel?: boolean;
  /**
   * Noise used when the layer gets only x: `'random'`, fresh N(0, 1) noise every call (training and sampling);
   * `'const'`, one fixed noise image drawn when the layer is built and saved with the weights (StyleGAN2's
   * `noise_const`, deterministic: for tests, projections and repeatable samples); `'none'`, no noise (output = x).
   * Default: `'random'`. A noise input, when given, is always used.
   */
  mode?: NoiseMode;
  /**
   * Seed of `'random'` noise: call n (counted from 0, see {@link NoiseInjection.noiseCalls}) draws its noise with
   * seed `seed + n`, so a seeded run draws the same noise sequence every time (save `noiseCalls` in a checkpoint
   * to continue the sequence). An integer in [0, 2^31). Default: undefined, unseeded noise.
   */
  seed?: number;
}

/**
 * Per-pixel noise inputs of StyleGAN: Karras, Laine, Aila, "A Style-Based Generator Architecture for Generative
 * Adversarial Networks", CVPR 2019, https://arxiv.org/abs/1812.04948 (Section 3.2), as kept in StyleGAN2 (Karras
 * et al. 2020, https://arxiv.org/abs/1912.04958): `y = x + strength · noise`, one noise image [batch, H, W, 1]
 * shared by all channels, scaled by a learned strength — one scalar (StyleGAN2, the default) or one per channel
 * (`perChannel`, StyleGAN). The strength starts at 0, so the noise enters only as training finds it useful.
 *
 * Inputs: x [batch, H, W, C], or `[x, noise]` with noise [batch, H, W, 1] (explicit noise, e.g. to hold it
 * fixed while interpolating). Without a noise input the noise follows `mode`. Output: the shape of x.
 *
 * Weights: `strength` [] (or [C] with `perChannel`), and with `mode: 'const'` the non-trainable `noise_const`
 * [H, W, 1] (N(0, 1)). Defaults: `perChannel: false`, `mode: 'random'`, unseeded.
 */
export class NoiseInjection extends tf.layers.Layer {
  /** @internal */
  static className = 'NoiseInjection';

  readonly perChannel: boolean;
  readonly mode: NoiseMode;
  readonly seed: number | undefined;
  /**
   * How many times this layer has drawn `'random'` noise with a `seed` (the next call uses `seed + noiseCalls`).
   * Settable, so that a restored run continues the noise sequence. Not saved with the model.
   */
  noiseCalls = 0;
  private strength?: tf.LayerVariable;
  private noiseConst?: tf.LayerVariable;

  constructor(args: NoiseInjectionArgs = {}) {
    super(args);
    this.perChannel = checkBoolean('NoiseInjection.perChannel', args.perChannel, false);
    this.mode = checkOneOf('NoiseInjection.mode', args.mode, ['random', 'const', 'none'] as const, 'random');
    this.seed = args.seed === undefined || args.seed === null ? undefined : checkInteger('NoiseInjection.seed', args.seed, 0);
    if (this.seed !== undefined && this.seed >= 2 ** 31) {
      throw new InvalidArgumentError('NoiseInjection.seed', 'an integer in [0, 2^31)', this.seed);
    }
  }

  private shapes(inputShape: tf.Shape | tf.Shape[]): [tf.Shape, tf.Shape | undefined] {
    if (!isShapeList(inputShape)) return [inputShape as tf.Shape, undefined];
    if (inputShape.length === 1) return [inputShape[0] as tf.Shape, undefined];
    if (inputShape.length === 2) return [inputShape[0] as tf.Shape, inputShape[1] as tf.Shape];
    throw new ShapeError('NoiseInjection input', 'x, or [x, noise]', `${inputShape.length} inputs`);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [xShape, noiseShape] = this.shapes(inputShape);
    checkRank('NoiseInjection x', xShape, 4, 4);
    const c = knownChannels('NoiseInjection', xShape);
    if (noiseShape !== undefined) {
      const ok = noiseShape.length === 4 && noiseShape[3] === 1 && [1, 2].every((i) => noiseShape[i] == null || xShape[i] == null || noiseShape[i] === xShape[i]);
      if (!ok) {
        throw new ShapeError('NoiseInjection noise', `[batch, ${xShape[1]}, ${xShape[2]}, 1]`, `[${noiseShape.map((d) => (d == null ? 'null' : d)).join(', ')}]`);
      }
    }
    const zeros = tf.initializers.zeros();
    this.strength = recordInitializer(this.addWeight('strength', this.perChannel ? [c] : [], 'float32', zeros), zeros);
    if (this.mode === 'const') {
      const [h, w] = [xShape[1], xShape[2]];
      if (h == null || w == null) {
        throw new ShapeError('NoiseInjection x', "a known height and width (mode: 'const' stores one noise image)", `[${xShape.map((d) => (d == null ? 'null' : d)).join(', ')}]`);
      }
      const normal = tf.initializers.randomNormal({ mean: 0, stddev: 1 });
      this.noiseConst = recordInitializer(this.addWeight('noise_const', [h, w, 1], 'float32', normal, undefined, false), normal);
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return this.shapes(inputShape)[0];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: LayerCallKwargs): tf.Tensor {
    return tf.tidy(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      if (list.length < 1 || list.length > 2) throw new ShapeError('NoiseInjection input', 'x, or [x, noise]', `${list.length} tensors`);
      const x = list[0] as tf.Tensor4D;
      const [b, h, w] = x.shape;
      let noise: tf.Tensor;
      if (list.length === 2) {
        noise = list[1]!;
        if (noise.rank !== 4 || noise.shape[0] !== b || noise.shape[1] !== h || noise.shape[2] !== w || noise.shape[3] !== 1) {
          throw new ShapeError('NoiseInjection noise', `[${b}, ${h}, ${w}, 1]`, `[${noise.shape.join(', ')}]`);
        }
      } else if (this.mode === 'none') {
        return tf.clone(x);
      } else if (this.mode === 'const') {
        noise = tf.reshape(this.noiseConst!.read(), [1, h, w, 1]);
      } else {
        noise = this.seed === undefined ? tf.randomNormal([b, h, w, 1]) : tf.randomNormal([b, h, w, 1], 0, 1, 'float32', this.seed + this.noiseCalls++);
      }
      return tf.add(x, tf.mul(noise, this.strength!.read()));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), perChannel: this.perChannel, mode: this.mode, ...(this.seed === undefined ? {} : { seed: this.seed }) };
  }
}
registerLayer(NoiseInjection);

/** Creates a {@link NoiseInjection} layer (Karras et al. 2019). Same as `new NoiseInjection(args)`. */
export function noiseInjection(args: NoiseInjectionArgs = {}): NoiseInjection {
  return new NoiseInjection(args);
}
