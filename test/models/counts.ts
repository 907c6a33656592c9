/**
 * Hand-counting helpers for builder tests: weights of the standard layers from their definitions, and a
 * one-line-per-layer summary to compare architectures against the papers.
 */
import type * as tf from '@tensorflow/tfjs';

/** k×k convolution (or transposed convolution) cin → cout with bias: k·k·cin·cout + cout. */
export const conv = (cin: number, cout: number, k: number): number => k * k * cin * cout + cout;
/** The same without bias. */
export const convNoBias = (cin: number, cout: number, k: number): number => k * k * cin * cout;
/** Dense in → out with bias. */
export const dense = (inputs: number, units: number): number => inputs * units + units;
/** Dense without bias. */
export const denseNoBias = (inputs: number, units: number): number => inputs * units;
/** Batch norm over c channels: γ, β (trainable) and moving mean and variance (not trainable). */
export const bn = (c: number): number => 4 * c;

/** Sum of the sizes of the trainable weights. */
export function trainableCount(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b as number), 1), 0);
}

/** One line per layer (input layers left out), naming what matters for the architecture. */
export function summary(model: tf.LayersModel): string[] {
  return model.layers
    .filter((l) => l.getClassName() !== 'InputLayer')
    .map((l) => {
      const c = l.getConfig() as Record<string, unknown>;
      const act = c['activation'] !== undefined && c['activation'] !== 'linear' ? ` ${String(c['activation'])}` : '';
      switch (l.getClassName()) {
        case 'Dense':
          return `Dense units=${c['units']} bias=${c['useBias']}${act}`;
        case 'Conv2D':
        case 'Conv2DTranspose': {
          const k = (c['kernelSize'] as number[])[0];
          const s = (c['strides'] as number[])[0];
          return `${l.getClassName()} filters=${c['filters']} k=${k} s=${s} ${c['padding']} bias=${c['useBias']}${act}`;
        }
        case 'BatchNormalization':
          return `BatchNormalization momentum=${c['momentum']} epsilon=${c['epsilon']}`;
        case 'LeakyReLU':
          return `LeakyReLU alpha=${c['alpha']}`;
        case 'Reshape':
          return `Reshape ${JSON.stringify(c['targetShape'])}`;
        case 'Activation':
          return `Activation ${c['activation']}`;
        default:
          return l.getClassName();
      }
    });
}
