import * as tf from '@tensorflow/tfjs';
import {
  checkInteger,
  checkLabelShape,
  deserializeInitializer,
  lookupRows,
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

/** Options of {@link ClassEmbedding}. */
export interface ClassEmbeddingArgs extends LayerArgs {
  /** Number of classes K; labels are integers in [0, K). Required. */
  numClasses: number;
  /** Length D of each class vector. Required. */
  outputDim: number;
  /** Initializer of the table [K, D]. Default: uniform in [−0.05, 0.05] (as `tf.layers.embedding`). */
  embeddingsInitializer?: Initializer | SerializedInitializer;
}

/**
 * Class-label embedding for conditional GANs (Mirza & Osindero 2014, https://arxiv.org/abs/1411.1784): maps
 * integer class ids of shape [batch] or [batch, 1] to learned vectors of shape [batch, D].
 *
 * It is `tf.layers.embedding` for one label per example, with two differences: the output is [batch, D] (no
 * sequence axis), and the lookup is `oneHot(y) · table`, whose gradient is a matrix product that every backend
 * implements (tfjs' gather gradient needs `UnsortedSegmentSum`, which the wasm backend lacks).
 * Labels outside [0, K) map to the zero vector. Weight: `embeddings` [K, D].
 */
export class ClassEmbedding extends tf.layers.Layer {
  /** @internal */
  static className = 'ClassEmbedding';

  readonly numClasses: number;
  readonly outputDim: number;
  private readonly embeddingsInitializer: Initializer;
  private embeddings?: tf.LayerVariable;

  constructor(args: ClassEmbeddingArgs) {
    super(args ?? {});
    this.numClasses = checkInteger('ClassEmbedding.numClasses', args?.numClasses, 1);
    this.outputDim = checkInteger('ClassEmbedding.outputDim', args.outputDim, 1);
    this.embeddingsInitializer = deserializeInitializer(args.embeddingsInitializer, () =>
      tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05 }),
    );
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    checkLabelShape('ClassEmbedding', singleShape('ClassEmbedding', inputShape));
    this.embeddings = recordInitializer(
      this.addWeight('embeddings', [this.numClasses, this.outputDim], 'float32', this.embeddingsInitializer),
      this.embeddingsInitializer,
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [singleShape('ClassEmbedding', inputShape)[0] ?? null, this.outputDim];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: LayerCallKwargs): tf.Tensor {
    return tf.tidy(() =>
      lookupRows(this.embeddings!.read() as tf.Tensor2D, singleTensor('ClassEmbedding', inputs), this.numClasses),
    );
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      numClasses: this.numClasses,
      outputDim: this.outputDim,
      embeddingsInitializer: serializeInitializer(this.embeddingsInitializer),
    };
  }
}
registerLayer(ClassEmbedding);

/** Creates a {@link ClassEmbedding} layer. Same as `new ClassEmbedding(args)`. */
export function classEmbedding(args: ClassEmbeddingArgs): ClassEmbedding {
  return new ClassEmbedding(args);
}
