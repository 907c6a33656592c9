import { InvalidArgumentError } from '../errors';
import { EqualizedConv2D, type EqualizedConv2DArgs } from './equalized_conv2d';

/** Options of {@link toRgb}: those of `EqualizedConv2D` except `filters` and `kernelSize`. */
export interface ToRgbArgs extends Omit<EqualizedConv2DArgs, 'filters' | 'kernelSize'> {
  /** Image channels: 1 (grey) or 3 (RGB), or any positive count. Default: 3. */
  channels?: number;
}

/** Options of {@link fromRgb}: those of `EqualizedConv2D` except `kernelSize` (`filters` is required). */
export type FromRgbArgs = Omit<EqualizedConv2DArgs, 'kernelSize'>;

function refuseKernelSize(where: string, args: object): void {
  if ('kernelSize' in args && (args as { kernelSize?: unknown }).kernelSize !== undefined) {
    throw new InvalidArgumentError(`${where}.kernelSize`, 'no kernelSize (toRgb and fromRgb are 1×1)', (args as { kernelSize?: unknown }).kernelSize, 'Use equalizedConv2d for other kernel sizes.');
  }
}

/**
 * Progressive GAN's toRGB layer (Karras et al. 2018, https://arxiv.org/abs/1710.10196, Section 3 and Table 2):
 * a 1×1 {@link EqualizedConv2D} from features to image channels, linear, with gain 1. It is a configured
 * EqualizedConv2D (saved and loaded as one), not a class of its own.
 *
 * Defaults: `channels: 3`, `gain: 1`, `activation: 'linear'`, bias; the other EqualizedConv2D options pass through.
 * For StyleGAN2's modulated toRGB use `ModulatedConv2D({ filters: channels, kernelSize: 1, demodulate: false })`.
 */
export function toRgb(args: ToRgbArgs = {}): EqualizedConv2D {
  refuseKernelSize('toRgb', args);
  const { channels = 3, ...rest } = args;
  return new EqualizedConv2D({ gain: 1, ...rest, filters: channels, kernelSize: 1 });
}

/**
 * Progressive GAN's fromRGB layer (Karras et al. 2018, https://arxiv.org/abs/1710.10196, Section 3 and Table 2):
 * a 1×1 {@link EqualizedConv2D} from image channels to `filters` features, followed by leaky ReLU (slope 0.2). It
 * is a configured EqualizedConv2D (saved and loaded as one), not a class of its own.
 *
 * Defaults: `gain: √2`, `activation: 'leakyRelu'`, `alpha: 0.2`, bias; the other EqualizedConv2D options pass
 * through. The input's channel count (1 or 3) is taken from the input when the layer is built.
 */
export function fromRgb(args: FromRgbArgs): EqualizedConv2D {
  refuseKernelSize('fromRgb', args ?? {});
  return new EqualizedConv2D({ activation: 'leakyRelu', ...args, kernelSize: 1 });
}
