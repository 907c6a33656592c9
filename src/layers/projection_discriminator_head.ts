import * as tf from '@tensorflow/tfjs';
import {
  checkBoolean,
  checkInteger,
  checkLabelShape,
  checkRank,
  deserializeInitializer,
  knownChannels,
  lookupRows,
  multiShape,
  multiTensor,
  readKernel,
  registerLayer,
  serializeInitializer,
  type Initializer,
  type LayerArgs,
  type LayerCallKwargs,
  type SerializedInitializer,
  recordInitializer,
} from './layer_utils';

/** Options of {@link ProjectionDiscriminatorHead}. */
export interface ProjectionDiscriminatorHeadArgs extends LayerArgs {
  /** Number of classes K; labels are integers in [0, K). Required. */
  numClasses: number;
  /** Add the bias b of the unconditional term ψ. Default: true. */
  useBias?: boolean;
  /** Initializer of ψ's kernel [C, 1]. Default: glorot uniform. */
  kernelInitializer?: Initializer | SerializedInitializer;
  /** Initializer of the class embedding V [K, C]. Default: glorot uniform (as in the SNGAN-projection code). */
  embeddingsInitializer?: Initializer | SerializedInitializer;
  /**
   * Spectrally normalise ψ's kernel and the embedding V (Miyato et al. 2018) with gan-kit's
   * `spectralNormalize`, as the SNGAN-projection and SAGAN discriminators do. Adds non-trainable
   * power-iteration vectors `kernel_u` [1] and `embeddings_u` [C], updated on calls with `{ training: true }`.
   * Default: false.
   */
  spectralNormalization?: boolean;
  /** Power-iteration steps per call, with `spectralNormalization`. Default: 1. */
  powerIterations?: number;
}

/**
 * Output head of a projection discriminator: Miyato & Koyama, "cGANs with Projection Discriminator", ICLR 2018,
 * https://arxiv.org/abs/1802.05637.
 *
 * Inputs `[features, labels]`: features φ(x) of shape [batch, C] (e.g. after {@link GlobalSumPooling2D}) and
 * labels of shape [batch] or [batch, 1] with integer class ids. Output logits of shape [batch, 1]:
 * `f(x, y) = φ(x)·w + b + ⟨V[y], φ(x)⟩`, the unconditional linear term plus the inner product of the
 * features with the embedding of the label. Higher means "more real" (gan-kit's logit convention).
 *
 * Weights: `kernel` [C, 1], `bias` [1] (when `useBias`), `embeddings` [K, C], and with `spectralNormalization`
 * the non-trainable `kernel_u` [1] and `embeddings_u` [C]. The embedding lookup is a
 * one-hot matrix product, so it trains on every backend (tfjs' gather gradient is missing on wasm).
 *
 * @example
 * ```ts
 * const h = tf.input({ shape: [256] });
 * const y = tf.input({ shape: [1], dtype: 'int32' });
 * const logits = new ProjectionDiscriminatorHead({ numClasses: 10 }).apply([h, y]); // [null, 1]
 * ```
 */
export class ProjectionDiscriminatorHead extends tf.layers.Layer {
  /** @internal */
  static className = 'ProjectionDiscriminatorHead';

  readonly numClasses: number;
  readonly useBias: boolean;
  readonly spectralNormalization: boolean;
  readonly powerIterations: number;
  private readonly kernelInitializer: Initializer;
  private kernelU?: tf.LayerVariable;
  private embeddingsU?: tf.LayerVariable;
  private readonly embeddingsInitializer: Initializer;
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;
  private embeddings?: tf.LayerVariable;

  constructor(args: ProjectionDiscriminatorHeadArgs) {
    super(args ?? {});
    this.numClasses = checkInteger('ProjectionDiscriminatorHead.numClasses', args?.numClasses, 1);
    this.useBias = checkBoolean('ProjectionDiscriminatorHead.useBias', args.useBias, true);
    this.spectralNormalization = checkBoolean(
      'ProjectionDiscriminatorHead.spectralNormalization',
      args.spectralNormalization,
      false,
    );
    this.powerIterations = checkInteger('ProjectionDiscriminatorHead.powerIterations', args.powerIterations ?? 1, 1);
    this.kernelInitializer = deserializeInitializer(args.kernelInitializer, () => tf.initializers.glorotUniform({}));
    this.embeddingsInitializer = deserializeInitializer(args.embeddingsInitializer, () =>
      tf.initializers.glorotUniform({}),
    );
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [features, labels] = multiShape('ProjectionDiscriminatorHead', inputShape, 2) as [tf.Shape, tf.Shape];
    checkRank('ProjectionDiscriminatorHead features', features, 2, 2);
    checkLabelShape('ProjectionDiscriminatorHead', labels);
    const c = knownChannels('ProjectionDiscriminatorHead', features);
    this.kernel = recordInitializer(this.addWeight('kernel', [c, 1], 'float32', this.kernelInitializer), this.kernelInitializer);
    if (this.useBias) {
      const zeros = tf.initializers.zeros();
      this.bias = recordInitializer(this.addWeight('bias', [1], 'float32', zeros), zeros);
    }
    this.embeddings = recordInitializer(
      this.addWeight('embeddings', [this.numClasses, c], 'float32', this.embeddingsInitializer),
      this.embeddingsInitializer,
    );
    if (this.spectralNormalization) {
      const normal = tf.initializers.randomNormal({ mean: 0, stddev: 1 });
      this.kernelU = recordInitializer(this.addWeight('kernel_u', [1], 'float32', normal, undefined, false), normal);
      this.embeddingsU = recordInitializer(this.addWeight('embeddings_u', [c], 'float32', normal, undefined, false), normal);
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [features] = multiShape('ProjectionDiscriminatorHead', inputShape, 2) as [tf.Shape, tf.Shape];
    return [features[0] ?? null, 1];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: LayerCallKwargs): tf.Tensor {
    return tf.tidy(() => {
      const [features, labels] = multiTensor('ProjectionDiscriminatorHead', inputs, 2) as [tf.Tensor2D, tf.Tensor];
      const training = kwargs != null && kwargs['training'] === true;
      const kernel = readKernel(this.kernel!, this.kernelU, this.powerIterations, training) as tf.Tensor2D;
      const embeddings = readKernel(this.embeddings!, this.embeddingsU, this.powerIterations, training) as tf.Tensor2D;
      let logits: tf.Tensor = tf.matMul(features, kernel);
      if (this.bias !== undefined) logits = tf.add(logits, this.bias.read());
      const classEmbedding = lookupRows(embeddings, labels, this.numClasses);
      const projection = tf.sum(tf.mul(classEmbedding, features), -1, true);
      return tf.add(logits, projection);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      numClasses: this.numClasses,
      useBias: this.useBias,
      spectralNormalization: this.spectralNormalization,
      powerIterations: this.powerIterations,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      embeddingsInitializer: serializeInitializer(this.embeddingsInitializer),
    };
  }
}
registerLayer(ProjectionDiscriminatorHead);

/**
 * Creates a {@link ProjectionDiscriminatorHead} (Miyato & Koyama 2018). Same as
 * `new ProjectionDiscriminatorHead(args)`.
 */
export function projectionDiscriminatorHead(args: ProjectionDiscriminatorHeadArgs): ProjectionDiscriminatorHead {
  return new ProjectionDiscriminatorHead(args);
}
