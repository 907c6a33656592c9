import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '../errors';
import { checkRank, registerLayer, singleShape, singleTensor, type LayerArgs, type LayerCallKwargs } from './layer_utils';

/** Padding of {@link ReflectionPadding2D}: all sides, `[vertical, horizontal]`, or `[[top, bottom], [left, right]]`. */
export type ReflectionPadding = number | [number, number] | [[number, number], [number, number]];

/** Options of {@link ReflectionPadding2D}. */
export interface ReflectionPadding2DArgs extends LayerArgs {
  /** Rows/columns to add. Default: 1. Each amount must be smaller than the padded dimension. */
  padding?: ReflectionPadding;
}

function normalizePadding(padding: unknown): [[number, number], [number, number]] {
  const bad = (): never => {
    throw new InvalidArgumentError(
      'ReflectionPadding2D.padding',
      'an integer >= 0, [vertical, horizontal], or [[top, bottom], [left, right]]',
      padding,
    );
  };
  const int = (v: unknown): number => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : bad());
  if (typeof padding === 'number') {
    const p = int(padding);
    return [
      [p, p],
      [p, p],
    ];
  }
  if (!Array.isArray(padding) || padding.length !== 2) return bad();
  if (Array.isArray(padding[0]) && Array.isArray(padding[1])) {
    const [v, h] = padding as unknown[][];
    if (v!.length !== 2 || h!.length !== 2) return bad();
    return [
      [int(v![0]), int(v![1])],
      [int(h![0]), int(h![1])],
    ];
  }
  const v = int(padding[0]);
  const h = int(padding[1]);
  return [
    [v, v],
    [h, h],
  ];
}

/**
 * Reflect-pads one axis with slices, reverses and a concat. Same values as `tf.mirrorPad(…, 'reflect')`, but the
 * gradient is right: stock tfjs 4.22's MirrorPad gradient only slices out the centre and drops the gradient
 * that flows through the reflected copies. This version is also twice differentiable.
 */
function reflectAxis(x: tf.Tensor4D, axis: 1 | 2, before: number, after: number): tf.Tensor4D {
  if (before === 0 && after === 0) return x;
  const n = x.shape[axis];
  const part = (start: number, size: number): tf.Tensor4D => {
    const begin = [0, 0, 0, 0];
    const sizes = [...x.shape] as number[];
    begin[axis] = start;
    sizes[axis] = size;
    return tf.reverse(tf.slice(x, begin, sizes), axis);
  };
  const pieces: tf.Tensor4D[] = [];
  if (before > 0) pieces.push(part(1, before)); // rows before..1, mirrored about row 0
  pieces.push(x);
  if (after > 0) pieces.push(part(n - 1 - after, after)); // rows n−2..n−1−after, mirrored about row n−1
  return tf.concat(pieces, axis);
}

/**
 * Pads the height and width of an NHWC tensor by reflecting it about its edges (without repeating the edge row
 * or column): the values of `tf.mirrorPad(x, …, 'reflect')`, computed with slices so that the gradient also
 * flows back through the reflected copies (stock tfjs' MirrorPad gradient drops it). Used by CycleGAN's ResNet generator (Zhu et al. 2017,
 * https://arxiv.org/abs/1703.10593, after Johnson et al. 2016) to avoid border artefacts of zero padding.
 *
 * Example for one row `[1, 2, 3]` padded by 2 on each side: `[3, 2, 1, 2, 3, 2, 1]`.
 * Output shape: [batch, H + top + bottom, W + left + right, C]. Default padding: 1 on every side.
 * Each amount must be below the size of the dimension it pads (a reflection needs that many rows).
 *
 * @example
 * ```ts
 * const y = new ReflectionPadding2D({ padding: 3 }).apply(tf.input({ shape: [256, 256, 3] })); // [null, 262, 262, 3]
 * ```
 */
export class ReflectionPadding2D extends tf.layers.Layer {
  /** @internal */
  static className = 'ReflectionPadding2D';

  /** `[[top, bottom], [left, right]]`. */
  readonly padding: [[number, number], [number, number]];

  constructor(args: ReflectionPadding2DArgs = {}) {
    super(args);
    this.padding = normalizePadding(args.padding ?? 1);
  }

  private checkFits(shape: readonly (number | null)[]): void {
    const [[top, bottom], [left, right]] = this.padding;
    const h = shape[1];
    const w = shape[2];
    if ((h != null && Math.max(top, bottom) >= h) || (w != null && Math.max(left, right) >= w)) {
      throw new ShapeError(
        'ReflectionPadding2D input',
        `height > ${Math.max(top, bottom)} and width > ${Math.max(left, right)} (reflect padding needs more rows ` +
          'than it adds)',
        `shape [${shape.map((d) => (d == null ? 'null' : d)).join(', ')}]`,
      );
    }
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = singleShape('ReflectionPadding2D', inputShape);
    checkRank('ReflectionPadding2D input', shape, 4, 4);
    this.checkFits(shape);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = singleShape('ReflectionPadding2D', inputShape);
    const [[top, bottom], [left, right]] = this.padding;
    return [
      shape[0] ?? null,
      shape[1] == null ? null : (shape[1] as number) + top + bottom,
      shape[2] == null ? null : (shape[2] as number) + left + right,
      shape[3] ?? null,
    ];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: LayerCallKwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor('ReflectionPadding2D', inputs) as tf.Tensor4D;
      this.checkFits(x.shape);
      const [[top, bottom], [left, right]] = this.padding;
      return reflectAxis(reflectAxis(x, 1, top, bottom), 2, left, right);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), padding: this.padding.map((p) => [...p]) };
  }
}
registerLayer(ReflectionPadding2D);

/** Creates a {@link ReflectionPadding2D} layer. Same as `new ReflectionPadding2D(args)`. */
export function reflectionPadding2d(args: ReflectionPadding2DArgs = {}): ReflectionPadding2D {
  return new ReflectionPadding2D(args);
}
