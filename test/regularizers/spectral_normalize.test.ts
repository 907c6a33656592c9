import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError, spectralNormalize } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { expectAllClose, expectClose, normalArray, numericGradient } from '../losses/reference';
import { largestSingularValue, powerIteration64, symmetricEigenvalues } from './linear_algebra';

describeEachBackend('spectralNormalize', () => {
  it('checks the float64 SVD helper itself on a matrix with known singular values', () => {
    // diag(3, 1) rotated by orthogonal matrices: singular values 3 and 1.
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    const w = [3 * c, -s, 3 * s, c]; // [[3c, −s], [3s, c]] = R(0.3)·diag(3, 1)
    expectClose(largestSingularValue(w, 2, 2), 3, 1e-12);
    expect(symmetricEigenvalues([[2, 1], [1, 2]]).sort()).toEqual([1, 3].map((x) => expect.closeTo(x, 12)));
  });

  it('does one power-iteration step exactly as Miyato et al. (Dense kernel [in, out])', () => {
    const wFlat = normalArray(5 * 3, 111);
    const uArr = normalArray(3, 112);
    const kernel = tf.tensor2d(wFlat, [5, 3]);
    const u = tf.tensor1d(uArr);
    const out = spectralNormalize(kernel, u);
    const ref = powerIteration64(wFlat, 5, 3, uArr, 1);
    expectClose(out.sigma.dataSync()[0]!, ref.sigma, 1e-5);
    expectAllClose(out.u.dataSync(), ref.u, 1e-5, 1e-6);
    expectAllClose(out.kernel.dataSync(), wFlat.map((x) => x / ref.sigma), 1e-5, 1e-6);
    expect(out.u.shape).toEqual([3]);
    expect(out.sigma.shape).toEqual([]);
    expect(out.kernel.shape).toEqual([5, 3]);
    tf.dispose([kernel, u, out.kernel, out.sigma, out.u]);
  });

  it('reshapes a Conv2D kernel [kh, kw, in, out] to [kh·kw·in, out] and runs powerIterations steps', () => {
    const wFlat = normalArray(3 * 3 * 2 * 4, 113);
    const uArr = normalArray(4, 114);
    const kernel = tf.tensor4d(wFlat, [3, 3, 2, 4]);
    const u = tf.tensor1d(uArr);
    const out = spectralNormalize(kernel, u, { powerIterations: 3 });
    const ref = powerIteration64(wFlat, 18, 4, uArr, 3);
    expectClose(out.sigma.dataSync()[0]!, ref.sigma, 1e-5);
    expectAllClose(out.u.dataSync(), ref.u, 1e-4, 1e-6);
    expectAllClose(out.kernel.dataSync(), wFlat.map((x) => x / ref.sigma), 1e-5, 1e-6);
    expect(out.kernel.shape).toEqual([3, 3, 2, 4]);
    tf.dispose([kernel, u, out.kernel, out.sigma, out.u]);
  });

  it('converges to the largest singular value (float64 SVD) when u is carried over, improving with iterations', () => {
    const rows = 12;
    const cols = 6;
    const wFlat = normalArray(rows * cols, 115);
    const sigmaMax = largestSingularValue(wFlat, rows, cols);
    const kernel = tf.tensor2d(wFlat, [rows, cols]);
    let u = tf.randomNormal([cols], 0, 1, 'float32', 7) as tf.Tensor1D;
    const errors: number[] = [];
    let last: tf.Tensor | null = null;
    for (let step = 0; step < 60; step++) {
      const out = spectralNormalize(kernel, u);
      errors.push(Math.abs(out.sigma.dataSync()[0]! - sigmaMax) / sigmaMax);
      u.dispose();
      u = out.u;
      last?.dispose();
      last = out.kernel;
      out.sigma.dispose();
    }
    expect(errors[59]!).toBeLessThan(1e-5);
    expect(errors[59]!).toBeLessThan(errors[0]!);
    expect(errors[9]!).toBeLessThanOrEqual(errors[1]! + 1e-7);
    // The normalised kernel's own largest singular value is 1.
    expectClose(largestSingularValue(Array.from(last!.dataSync()), rows, cols), 1, 1e-5);
    // powerIterations: 60 in one call gives the same estimate.
    const u0 = tf.randomNormal([cols], 0, 1, 'float32', 7);
    const once = spectralNormalize(kernel, u0, { powerIterations: 60 });
    expectClose(once.sigma.dataSync()[0]!, sigmaMax, 1e-5);
    tf.dispose([kernel, u, last!, u0, once.kernel, once.sigma, once.u]);
  });

  it('treats u and v as constants: the kernel gradient is that of W / (vᵀWu) with v, u fixed (finite differences)', () => {
    const rows = 4;
    const cols = 3;
    const wFlat = normalArray(rows * cols, 116);
    const uArr = normalArray(cols, 117);
    const cFlat = normalArray(rows * cols, 118);
    const { u, v } = powerIteration64(wFlat, rows, cols, uArr, 1);
    const objective = (w: number[]) => {
      let sigma = 0;
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) sigma += v[r]! * w[r * cols + c]! * u[c]!;
      return w.reduce((s, x, i) => s + cFlat[i]! * (x / sigma), 0);
    };
    const kernel = tf.tensor2d(wFlat, [rows, cols]);
    const uT = tf.tensor1d(uArr);
    const c = tf.tensor2d(cFlat, [rows, cols]);
    const grad = tf.grad((k: tf.Tensor) => tf.sum(tf.mul(c, spectralNormalize(k, uT).kernel)))(kernel);
    expectAllClose(grad.dataSync(), numericGradient(objective, wFlat, 1e-6), 1e-4, 1e-5);
    tf.dispose([kernel, uT, c, grad]);
  });

  it('keeps an all-zero kernel at zero and leaks no tensors', () => {
    const zero = tf.zeros([3, 2]);
    const u = tf.ones([2]);
    const before = tf.memory().numTensors;
    const out = spectralNormalize(zero, u);
    expect(tf.memory().numTensors).toBe(before + 3);
    expect(Array.from(out.kernel.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(out.sigma.dataSync()[0]).toBe(0);
    tf.dispose([zero, u, out.kernel, out.sigma, out.u]);
  });

  it('rejects bad kernels, u and options with typed errors', () => {
    const k = tf.zeros([3, 2]);
    const v1 = tf.zeros([3]);
    const u = tf.ones([2]);
    expect(() => spectralNormalize(v1, u)).toThrow(ShapeError);
    expect(() => spectralNormalize(v1, u)).toThrow(/kernel: expected a tensor of rank >= 2/);
    expect(() => spectralNormalize(k, v1)).toThrow(/u: expected shape \[2\] \(the last axis of kernel \[3, 2\]\)/);
    expect(() => spectralNormalize(k, u, { powerIterations: 0 })).toThrow(InvalidArgumentError);
    expect(() => spectralNormalize(k, u, { powerIterations: 1.5 })).toThrow(/options\.powerIterations: expected an integer >= 1/);
    expect(() => spectralNormalize(k, u, { epsilon: 0 })).toThrow(/options\.epsilon: expected a finite number > 0/);
    tf.dispose([k, v1, u]);
  });
});
