/**
 * Gradients of 2-D image resizing (tf.image.resizeBilinear, tf.image.resizeNearestNeighbor, tfjs-layers'
 * UpSampling2D) and of their gradient kernels.
 *
 * Both resizes are separable linear maps: out[b, i, j, c] = Σ_{p, q} R_h[i, p] · R_w[j, q] · in[b, p, q, c],
 * where R_h and R_w (output × input) hold the interpolation weights that the forward kernels use (same
 * alignCorners / halfPixelCenters arithmetic). The gradient is the adjoint, dx = R_hᵀ · dy · R_w, computed here
 * with two matrix products (or, for nearest-neighbour up-sampling by whole factors, two block sums). This
 * replaces the stock ResizeBilinearGrad / ResizeNearestNeighborGrad kernels, which in tfjs 4.22 are not the
 * adjoint of the forward pass in several cases (cpu: non-square images, down-sampling; cpu and wasm:
 * halfPixelCenters) and have no gradients of their own. Being matrix products and reshapes, the gradient
 * differentiates again correctly.
 *
 * The ResizeBilinearGrad / ResizeNearestNeighborGrad kernels get gradients too, for code that calls them: each is
 * meant to be the adjoint of its resize, so its adjoint is the resize itself.
 */
import * as tf from '@tensorflow/tfjs';
import { attrsAs, runKernel, single, zeroGrad } from './util';

type ResizeKind = 'bilinear' | 'nearest';

/** Ratio of input to output coordinates, as the forward kernels compute it. */
function sizeRatio(inSize: number, outSize: number, alignCorners: boolean): number {
  return alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
}

/** Input row feeding each output row of a nearest-neighbour resize (the forward kernels' rule). */
function nearestSources(inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): number[] {
  const ratio = sizeRatio(inSize, outSize, alignCorners);
  const sources: number[] = [];
  for (let i = 0; i < outSize; i++) {
    const src = halfPixelCenters ? ratio * (i + 0.5) : ratio * i;
    let nearest = Math.min(inSize - 1, alignCorners ? Math.round(src) : Math.floor(src));
    if (halfPixelCenters) nearest = Math.max(0, nearest);
    sources.push(nearest);
  }
  return sources;
}

/** The [outSize, inSize] interpolation matrix of one spatial axis. */
function interpolationMatrix(
  kind: ResizeKind,
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): tf.Tensor2D {
  const weights = new Float32Array(outSize * inSize);
  if (kind === 'nearest') {
    nearestSources(inSize, outSize, alignCorners, halfPixelCenters).forEach((src, i) => {
      weights[i * inSize + src] = 1;
    });
  } else {
    const ratio = sizeRatio(inSize, outSize, alignCorners);
    for (let i = 0; i < outSize; i++) {
      const src = halfPixelCenters ? ratio * (i + 0.5) - 0.5 : ratio * i;
      const low = Math.max(0, Math.floor(src));
      const high = Math.min(inSize - 1, Math.ceil(src));
      const frac = src - low;
      weights[i * inSize + low] += 1 - frac;
      weights[i * inSize + high] += frac;
    }
  }
  return tf.tensor2d(weights, [outSize, inSize]);
}

/** Whole factor f when output row i reads input row floor(i / f) for every i; 0 otherwise. */
function blockFactor(sources: readonly number[], inSize: number): number {
  const outSize = sources.length;
  if (outSize % inSize !== 0) return 0;
  const f = outSize / inSize;
  return sources.every((src, i) => src === Math.floor(i / f)) ? f : 0;
}

/** dx = R_hᵀ · dy · R_w: the gradient of a resize from [inHeight, inWidth] to dy's spatial size. */
function resizeAdjoint(
  dy: tf.Tensor,
  inHeight: number,
  inWidth: number,
  kind: ResizeKind,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): tf.Tensor {
  const [batch, outHeight, outWidth, channels] = dy.shape;
  if (kind === 'nearest') {
    const fh = blockFactor(nearestSources(inHeight, outHeight, alignCorners, halfPixelCenters), inHeight);
    const fw = blockFactor(nearestSources(inWidth, outWidth, alignCorners, halfPixelCenters), inWidth);
    if (fh > 0 && fw > 0) {
      // Whole-factor up-sampling: every input pixel feeds an fh × fw block. Sum the blocks, one axis at a time.
      const rows = tf.sum(tf.reshape(dy, [batch * inHeight, fh, outWidth * channels]), 1);
      const cols = tf.sum(tf.reshape(rows, [batch * inHeight * inWidth, fw, channels]), 1);
      return tf.reshape(cols, [batch, inHeight, inWidth, channels]);
    }
  }
  const rh = interpolationMatrix(kind, inHeight, outHeight, alignCorners, halfPixelCenters);
  const rw = interpolationMatrix(kind, inWidth, outWidth, alignCorners, halfPixelCenters);
  // Contract the width: [B, OH, C, OW] · R_w → [B, OH, C, IW].
  const byWidth = tf.reshape(tf.transpose(dy, [0, 1, 3, 2]), [batch * outHeight * channels, outWidth]);
  const width = tf.reshape(tf.matMul(byWidth, rw), [batch, outHeight, channels, inWidth]);
  // Contract the height: [B, IW, C, OH] · R_h → [B, IW, C, IH] → [B, IH, IW, C].
  const byHeight = tf.reshape(tf.transpose(width, [0, 3, 2, 1]), [batch * inWidth * channels, outHeight]);
  const height = tf.reshape(tf.matMul(byHeight, rh), [batch, inWidth, channels, inHeight]);
  return tf.transpose(height, [0, 3, 1, 2]);
}

function resizeGrad(kernelName: string, kind: ResizeKind): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['images'],
    gradFunc: (dy, [images], attrs) => ({
      images: () => {
        const { alignCorners, halfPixelCenters } = attrsAs<tf.ResizeBilinearAttrs>(attrs);
        const [, inHeight, inWidth] = images.shape;
        return resizeAdjoint(single(dy), inHeight, inWidth, kind, alignCorners, halfPixelCenters);
      },
    }),
  };
}

function resizeGradGrad(kernelName: string, forwardKernel: string): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['dy'],
    gradFunc: (ddx, [dy], attrs) => {
      const g = single(ddx); // shaped like the resize's input
      return {
        dy: () => {
          const { alignCorners, halfPixelCenters } = attrsAs<tf.ResizeBilinearAttrs>(attrs);
          return runKernel(forwardKernel, { images: g }, {
            alignCorners,
            halfPixelCenters,
            size: [dy.shape[1], dy.shape[2]],
          });
        },
        images: () => zeroGrad(g.shape),
      };
    },
  };
}

/** Resize gradients. */
export const resizeGradients: readonly tf.GradConfig[] = [
  resizeGrad('ResizeBilinear', 'bilinear'),
  resizeGrad('ResizeNearestNeighbor', 'nearest'),
  resizeGradGrad('ResizeBilinearGrad', 'ResizeBilinear'),
  resizeGradGrad('ResizeNearestNeighborGrad', 'ResizeNearestNeighbor'),
];
