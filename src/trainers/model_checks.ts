import * as tf from '@tensorflow/tfjs';
import { DTypeError, InvalidArgumentError, ShapeError } from '../errors';

/** Formats a (possibly partly unknown) shape as `[null, 28, 28, 1]`. @internal */
export function shapeText(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d == null ? 'null' : String(d))).join(', ')}]`;
}

/** True if two shapes have the same rank and agree wherever both are known. @internal */
export function shapesCompatible(a: readonly (number | null)[], b: readonly (number | null)[]): boolean {
  return a.length === b.length && a.every((d, i) => d == null || b[i] == null || d === b[i]);
}

/** Checks that a value is a tfjs LayersModel (has `apply`, `inputs`, `outputs`, `weights`). @internal */
export function checkModel(argument: string, value: unknown): tf.LayersModel {
  const m = value as tf.LayersModel | undefined;
  if (m == null || typeof m.apply !== 'function' || !Array.isArray(m.inputs) || !Array.isArray(m.outputs)) {
    throw new InvalidArgumentError(
      argument,
      'a tf.LayersModel (built with tf.sequential, tf.model or a gan-kit model builder)',
      value,
    );
  }
  return m;
}

/** The per-example input shape of a model's input `index` (batch dimension removed). @internal */
export function inputSampleShape(model: tf.LayersModel, index = 0): (number | null)[] {
  return model.inputs[index]!.shape.slice(1);
}

/** The per-example output shape of a model's output `index` (batch dimension removed). @internal */
export function outputSampleShape(model: tf.LayersModel, index = 0): (number | null)[] {
  return model.outputs[index]!.shape.slice(1);
}

/** Requires a model to have exactly `inputs` inputs and `outputs` outputs. @internal */
export function checkArity(
  argument: string,
  model: tf.LayersModel,
  inputs: number | readonly number[],
  outputs: number | readonly number[],
  hint: string,
): void {
  const okInputs = typeof inputs === 'number' ? [inputs] : inputs;
  const okOutputs = typeof outputs === 'number' ? [outputs] : outputs;
  if (!okInputs.includes(model.inputs.length)) {
    throw new InvalidArgumentError(
      `${argument}.inputs`,
      `${okInputs.join(' or ')} input(s)`,
      `${model.inputs.length} inputs`,
      hint,
    );
  }
  if (!okOutputs.includes(model.outputs.length)) {
    throw new InvalidArgumentError(
      `${argument}.outputs`,
      `${okOutputs.join(' or ')} output(s)`,
      `${model.outputs.length} outputs`,
      hint,
    );
  }
}

/** Layers that move or copy values without changing them, so the range of their input is that of their output. */
const RANGE_PRESERVING = new Set([
  'Reshape',
  'Flatten',
  'Permute',
  'RepeatVector',
  'UpSampling2D',
  'Cropping2D',
  'Dropout',
  'SpatialDropout1D',
]);

/**
 * The value range of a model's (first) output, read from the activation of the layer that produces it: `[-1, 1]`
 * for tanh, `[0, 1]` for sigmoid (and hardSigmoid), undefined otherwise (linear or unknown). Reshape-like layers
 * after the activation are looked through. @internal
 */
export function inferOutputRange(model: tf.LayersModel): [number, number] | undefined {
  type Symbolic = { sourceLayer?: tf.layers.Layer; inputs?: Symbolic[] };
  let node = model.outputs[0] as unknown as Symbolic | undefined;
  for (let hops = 0; node?.sourceLayer !== undefined && hops < 32; hops++) {
    const layer = node.sourceLayer;
    let activation: unknown;
    try {
      activation = layer.getConfig()['activation'];
    } catch {
      return undefined;
    }
    const name = typeof activation === 'string' ? activation.toLowerCase() : '';
    if (name === 'tanh') return [-1, 1];
    if (name === 'sigmoid' || name === 'hardsigmoid') return [0, 1];
    if (!RANGE_PRESERVING.has(layer.getClassName()) || node.inputs?.length !== 1) return undefined;
    node = node.inputs[0];
  }
  return undefined;
}

/**
 * Checks that `batch` is a float32 tensor of shape `[batch, ...expected]` (null dims in `expected` match any
 * size). @internal
 */
export function checkBatch(
  argument: string,
  batch: unknown,
  expected: readonly (number | null)[],
  expectedWhat: string,
  hint?: string,
): tf.Tensor {
  const t = batch as tf.Tensor | undefined;
  if (t == null || !(t instanceof tf.Tensor)) {
    throw new InvalidArgumentError(argument, `a tf.Tensor of shape ${shapeText([null, ...expected])}`, batch);
  }
  if (t.isDisposed) {
    throw new InvalidArgumentError(argument, 'a live tensor', 'a disposed tensor', 'Do not dispose a batch before the step that uses it.');
  }
  if (t.dtype !== 'float32') {
    throw new DTypeError(
      argument,
      "dtype 'float32'",
      t.dtype,
      hint ?? "Convert with tf.cast(x, 'float32') (and scale images to the generator's output range, e.g. x / 127.5 - 1 for tanh).",
    );
  }
  if (t.rank < 1 || t.shape[0] === 0 || !shapesCompatible(t.shape.slice(1), expected)) {
    throw new ShapeError(
      argument,
      `shape ${shapeText([null, ...expected])} (${expectedWhat})`,
      `shape ${shapeText(t.shape)}`,
      missingAxisHint(t.shape, expected),
    );
  }
  return t;
}

/** A non-negative finite weight option, or `fallback` when undefined. @internal */
export function checkWeight(argument: string, value: unknown, fallback: number): number {
  const v = value ?? fallback;
  if (!(typeof v === 'number' && v >= 0 && Number.isFinite(v))) throw new InvalidArgumentError(argument, 'a finite number >= 0', v);
  return v;
}

/**
 * What to tell a user whose batch has the wrong shape: a missing channel axis (`[4, 8, 8]` for `[null, 8, 8, 1]`)
 * or a missing batch axis (`[8, 8, 1]`) when the shape says so, else reshape or rebuild.
 */
function missingAxisHint(actual: readonly number[], expected: readonly (number | null)[]): string {
  if (actual.length === expected.length) {
    if (expected[expected.length - 1] === 1 && shapesCompatible(actual.slice(1), expected.slice(0, -1))) {
      return 'The channel axis is missing (one channel): add it with x.expandDims(-1), e.g. [n, h, w] → [n, h, w, 1].';
    }
    if (shapesCompatible(actual, expected)) return 'The batch dimension is missing: add it with x.expandDims(0), or batch your dataset.';
  }
  return 'Reshape or resize the data, or build the model for this shape.';
}
