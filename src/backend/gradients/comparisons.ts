/**
 * Zero gradients for comparison, logical and step-like kernels.
 *
 * These functions are piecewise constant, so their derivative is zero wherever it exists. Stock tfjs 4.22 has
 * no gradient for most of them (Greater, Less, LessEqual, Equal, NotEqual, the logical ops), which is harmless
 * at first order but throws "gradient function not found for Greater" as soon as a gradient that builds a mask
 * with them (LeakyReLU, PReLU, Maximum, Minimum, ReLU6, ClipByValue, Max) is differentiated again.
 */
import * as tf from '@tensorflow/tfjs';
import { single, zeroGrad } from './util';

/** Kernels with inputs `a` and `b` (broadcasting): the gradient of each input has that input's shape. */
const BINARY = [
  'Greater',
  'GreaterEqual',
  'Less',
  'LessEqual',
  'Equal',
  'NotEqual',
  'LogicalAnd',
  'LogicalOr',
  'LogicalXor',
] as const;

/** Elementwise kernels with one input `x`: the gradient has the upstream gradient's shape. */
const UNARY = ['LogicalNot', 'Sign', 'Floor', 'Ceil', 'Round', 'Step', 'IsNan', 'IsInf', 'IsFinite'] as const;

function binaryZero(kernelName: string): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (_dy, saved) => {
      const [a, b] = saved;
      return { a: () => zeroGrad(a.shape), b: () => zeroGrad(b.shape) };
    },
  };
}

function unaryZero(kernelName: string): tf.GradConfig {
  return {
    kernelName,
    gradFunc: (dy) => {
      const shape = single(dy).shape;
      return { x: () => zeroGrad(shape) };
    },
  };
}

/** Zero-gradient configs for every comparison, logical and step-like kernel. */
export const comparisonGradients: readonly tf.GradConfig[] = [...BINARY.map(binaryZero), ...UNARY.map(unaryZero)];
