import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '../errors';
import {
  checkBoolean,
  checkInteger,
  checkRank,
  deserializeInitializer,
  knownChannels,
  readKernel,
  registerLayer,
  serializeInitializer,
  singleShape,
  singleTensor,
  type Initializer,
  type LayerArgs,
  type LayerCallKwargs,
  type SerializedInitializer,
  recordInitializer,
} from './layer_utils';

/** Options of {@link SelfAttention2D}. */
export interface SelfAttention2DArgs extends LayerArgs {
  /**
   * Channels of the query and key projections (`C̄` in the paper).
   * Default: `max(1, floor(C / 8))`, the paper's `k = 8`, where C is the number of input channels.
   */
  queryKeyChannels?: number | null;
  /**
   * Channels of the value projection. Default: `max(1, floor(C / 2))`, as in the authors' released code
   * (TF-GAN's SAGAN example and BigGAN). Set it to `C / 8` for the paper's text, or to `C` for the variant
   * without a bottleneck.
   */
  valueChannels?: number | null;
  /**
   * Max-pool keys and values 2x2 with stride 2 before the attention product, as BigGAN and the authors' code
   * do. Cuts the attention matrix from (HW)² to (HW)²/4 entries; needs even H and W. Default: false.
   */
  poolKeysValues?: boolean;
  /** Add a bias to each 1x1 projection. The paper's projections are plain matrices. Default: false. */
  useBias?: boolean;
  /** Initializer of the four projection kernels. Default: `tf.initializers.glorotUniform()`. */
  kernelInitializer?: Initializer | SerializedInitializer;
  /**
   * Spectrally normalise the four projection kernels (Miyato et al. 2018, https://arxiv.org/abs/1802.05957) with
   * gan-kit's `spectralNormalize`, as SAGAN does (its attention uses SN 1x1 convolutions). Adds one
   * non-trainable power-iteration vector per kernel (`*_u`), updated on calls with `{ training: true }`.
   * Default: false.
   */
  spectralNormalization?: boolean;
  /** Power-iteration steps per call, with `spectralNormalization`. Default: 1. */
  powerIterations?: number;
  /**
   * Initial value of the residual gain γ. Default: 0, so the layer starts as the identity and the network
   * learns to rely on non-local evidence gradually (paper, Section 4).
   */
  gammaInitialValue?: number;
}

/**
 * Self-attention over all spatial positions of an NHWC feature map, from SAGAN: Zhang, Goodfellow, Metaxas,
 * Odena, "Self-Attention Generative Adversarial Networks", ICML 2019, https://arxiv.org/abs/1805.08318.
 *
 * With x of shape [batch, H, W, C] flattened to N = H·W positions, the layer computes
 * `f = x·Wf` (queries, C̄ channels), `g = x·Wg` (keys, C̄), `h = x·Wh` (values, Cv) — 1x1 convolutions —
 * `β = softmax(f·gᵀ)` over the key axis (no 1/√d scaling, as in the paper), `o = (β·h)·Wv` (back to C channels),
 * and returns `y = x + γ·o` with a learnable scalar γ initialised to 0. With `poolKeysValues`, g and h are
 * max-pooled 2x2 (stride 2) first. Output shape = input shape.
 *
 * Defaults: C̄ = C/8 (paper), Cv = C/2 (authors' code), no biases, glorot-uniform kernels, γ₀ = 0, no pooling.
 * Memory grows with (H·W)² per example: use it at 32x32 or below, or turn on `poolKeysValues`.
 *
 * Weights: `query_kernel` [C, C̄], `key_kernel` [C, C̄], `value_kernel` [C, Cv], `output_kernel` [Cv, C],
 * optional `*_bias`, and `gamma` (scalar); with `spectralNormalization`, also the non-trainable `query_u` [C̄],
 * `key_u` [C̄], `value_u` [Cv] and `output_u` [C].
 *
 * @example
 * ```ts
 * const x = tf.input({ shape: [16, 16, 64] });
 * const y = new SelfAttention2D().apply(x) as tf.SymbolicTensor; // [null, 16, 16, 64]
 * ```
 */
export class SelfAttention2D extends tf.layers.Layer {
  /** @internal */
  static className = 'SelfAttention2D';

  readonly queryKeyChannels: number | null;
  readonly valueChannels: number | null;
  readonly poolKeysValues: boolean;
  readonly useBias: boolean;
  readonly gammaInitialValue: number;
  readonly spectralNormalization: boolean;
  readonly powerIterations: number;
  private readonly kernelInitializer: Initializer;
  private readonly us: Record<string, tf.LayerVariable> = {};

  private queryKernel?: tf.LayerVariable;
  private keyKernel?: tf.LayerVariable;
  private valueKernel?: tf.LayerVariable;
  private outputKernel?: tf.LayerVariable;
  private queryBias?: tf.LayerVariable;
  private keyBias?: tf.LayerVariable;
  private valueBias?: tf.LayerVariable;
  private outputBias?: tf.LayerVariable;
  private gamma?: tf.LayerVariable;

  constructor(args: SelfAttention2DArgs = {}) {
    super(args);
    this.queryKeyChannels =
      args.queryKeyChannels == null ? null : checkInteger('SelfAttention2D.queryKeyChannels', args.queryKeyChannels, 1);
    this.valueChannels =
      args.valueChannels == null ? null : checkInteger('SelfAttention2D.valueChannels', args.valueChannels, 1);
    this.poolKeysValues = checkBoolean('SelfAttention2D.poolKeysValues', args.poolKeysValues, false);
    this.useBias = checkBoolean('SelfAttention2D.useBias', args.useBias, false);
    const g = args.gammaInitialValue ?? 0;
    if (typeof g !== 'number' || !Number.isFinite(g)) {
      throw new InvalidArgumentError('SelfAttention2D.gammaInitialValue', 'a finite number', g);
    }
    this.gammaInitialValue = g;
    this.spectralNormalization = checkBoolean('SelfAttention2D.spectralNormalization', args.spectralNormalization, false);
    this.powerIterations = checkInteger('SelfAttention2D.powerIterations', args.powerIterations ?? 1, 1);
    this.kernelInitializer = deserializeInitializer(args.kernelInitializer, () => tf.initializers.glorotUniform({}));
  }

  /** Query/key and value widths used for `channels` input channels. */
  resolvedChannels(channels: number): { queryKey: number; value: number } {
    return {
      queryKey: this.queryKeyChannels ?? Math.max(1, Math.floor(channels / 8)),
      value: this.valueChannels ?? Math.max(1, Math.floor(channels / 2)),
    };
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = singleShape('SelfAttention2D', inputShape);
    checkRank('SelfAttention2D input', shape, 4, 4);
    const c = knownChannels('SelfAttention2D', shape);
    const { queryKey, value } = this.resolvedChannels(c);
    const init = this.kernelInitializer;
    this.queryKernel = recordInitializer(this.addWeight('query_kernel', [c, queryKey], 'float32', init), init);
    this.keyKernel = recordInitializer(this.addWeight('key_kernel', [c, queryKey], 'float32', init), init);
    this.valueKernel = recordInitializer(this.addWeight('value_kernel', [c, value], 'float32', init), init);
    this.outputKernel = recordInitializer(this.addWeight('output_kernel', [value, c], 'float32', init), init);
    if (this.useBias) {
      const zeros = tf.initializers.zeros();
      this.queryBias = recordInitializer(this.addWeight('query_bias', [queryKey], 'float32', zeros), zeros);
      this.keyBias = recordInitializer(this.addWeight('key_bias', [queryKey], 'float32', zeros), zeros);
      this.valueBias = recordInitializer(this.addWeight('value_bias', [value], 'float32', zeros), zeros);
      this.outputBias = recordInitializer(this.addWeight('output_bias', [c], 'float32', zeros), zeros);
    }
    const gamma = tf.initializers.constant({ value: this.gammaInitialValue });
    this.gamma = recordInitializer(this.addWeight('gamma', [], 'float32', gamma), gamma);
    if (this.spectralNormalization) {
      const normal = tf.initializers.randomNormal({ mean: 0, stddev: 1 });
      for (const [name, depth] of [['query', queryKey], ['key', queryKey], ['value', value], ['output', c]] as const) {
        this.us[name] = recordInitializer(this.addWeight(`${name}_u`, [depth], 'float32', normal, undefined, false), normal);
      }
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape('SelfAttention2D', inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: LayerCallKwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor('SelfAttention2D', inputs) as tf.Tensor4D;
      const training = kwargs != null && kwargs['training'] === true;
      const kernel = (name: string, variable: tf.LayerVariable): tf.Tensor2D =>
        readKernel(variable, this.us[name], this.powerIterations, training) as tf.Tensor2D;
      const [batch, height, width, channels] = x.shape;
      if (this.poolKeysValues && (height % 2 !== 0 || width % 2 !== 0)) {
        throw new ShapeError(
          'SelfAttention2D input',
          'even height and width when poolKeysValues is true',
          `shape [${x.shape.join(', ')}]`,
        );
      }
      const flat = tf.reshape(x, [-1, channels]) as tf.Tensor2D;
      // A 1x1 convolution is a matrix product over the channel axis; matMul keeps the gradient off the
      // Conv2DBackpropFilter kernel.
      const project = (w: tf.Tensor2D, bias: tf.LayerVariable | undefined): tf.Tensor2D => {
        const y = tf.matMul(flat, w) as tf.Tensor2D;
        return bias === undefined ? y : (tf.add(y, bias.read()) as tf.Tensor2D);
      };
      const keysValues = (w: tf.Tensor2D, bias: tf.LayerVariable | undefined): tf.Tensor3D => {
        const depth = w.shape[1];
        let t: tf.Tensor = tf.reshape(project(w, bias), [batch, height, width, depth]);
        if (this.poolKeysValues) {
          // 2x2 max-pool. gan-kit replaces stock wasm's wrong MaxPoolGrad and gives max pooling a second
          // derivative (src/backend/gradients/pooling.ts); a reshape + max over the window axes instead costs a
          // broadcast Equal in its gradient, ~30x slower on wasm.
          t = tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid');
        }
        return tf.reshape(t, [batch, -1, depth]) as tf.Tensor3D;
      };
      const queryKey = this.queryKernel!.shape[1] as number;
      const query = tf.reshape(project(kernel('query', this.queryKernel!), this.queryBias), [
        batch,
        height * width,
        queryKey,
      ]) as tf.Tensor3D;
      const key = keysValues(kernel('key', this.keyKernel!), this.keyBias);
      const value = keysValues(kernel('value', this.valueKernel!), this.valueBias);
      const attention = tf.softmax(tf.matMul(query, key, false, true)); // [batch, N, M], rows sum to 1
      const attended = tf.matMul(attention, value); // [batch, N, Cv]
      let out: tf.Tensor = tf.matMul(
        tf.reshape(attended, [-1, value.shape[2]]) as tf.Tensor2D,
        kernel('output', this.outputKernel!),
      );
      if (this.outputBias !== undefined) out = tf.add(out, this.outputBias.read());
      out = tf.reshape(out, [batch, height, width, channels]);
      return tf.add(x, tf.mul(this.gamma!.read(), out));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      queryKeyChannels: this.queryKeyChannels,
      valueChannels: this.valueChannels,
      poolKeysValues: this.poolKeysValues,
      useBias: this.useBias,
      gammaInitialValue: this.gammaInitialValue,
      spectralNormalization: this.spectralNormalization,
      powerIterations: this.powerIterations,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
    };
  }
}
registerLayer(SelfAttention2D);

/**
 * Creates a {@link SelfAttention2D} layer (SAGAN self-attention, Zhang et al. 2019,
 * https://arxiv.org/abs/1805.08318). Same as `new SelfAttention2D(args)`.
 */
export function selfAttention2d(args: SelfAttention2DArgs = {}): SelfAttention2D {
  return new SelfAttention2D(args);
}
