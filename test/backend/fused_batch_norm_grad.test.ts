/**
 * gan-kit's broadcasting FusedBatchNorm gradient: every input's gradient against central finite differences
 * (first order) and the gradient of a squared input-gradient (second order), on cpu and wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeEachBackend } from '../helpers/backends';

/** Central finite-difference gradient of scalar f at `values` (float32 evaluation, step h). */
function finiteDiff(f: (v: Float32Array) => number, values: Float32Array, h = 1e-2): Float32Array {
  const g = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const plus = values.slice();
    plus[i] += h;
    const minus = values.slice();
    minus[i] -= h;
    g[i] = (f(plus) - f(minus)) / (2 * h);
  }
  return g;
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-12));
}

const X = Float32Array.from({ length: 2 * 3 * 2 * 4 }, (_, i) => Math.sin(i * 1.7) * 1.5 + 0.1 * i);
const W = Float32Array.from({ length: 2 * 3 * 2 * 4 }, (_, i) => Math.cos(i * 0.9));
const C = 4;

describeEachBackend('FusedBatchNorm gradient', () => {
  for (const paramShape of [[C], [1, 1, 1, C]]) {
    it(`matches finite differences for every input (parameters of shape [${paramShape}])`, () => {
      const mean = Float32Array.from([0.3, -0.2, 0.5, 0.0]);
      const variance = Float32Array.from([1.2, 0.7, 2.0, 0.4]);
      const scale = Float32Array.from([1.5, -0.8, 0.6, 1.1]);
      const offset = Float32Array.from([0.1, 0.2, -0.3, 0.4]);
      const inputs = [X, mean, variance, scale, offset];
      const shapes = [[2, 3, 2, 4], paramShape, paramShape, paramShape, paramShape];
      // A weighted sum of the outputs, so each output element gets a distinct upstream gradient.
      const loss = (...ts: tf.Tensor[]) =>
        tf.sum(tf.mul(tf.batchNorm(ts[0] as tf.Tensor4D, ts[1], ts[2], ts[4], ts[3], 1e-3), tf.tensor(W, [2, 3, 2, 4])));
      const grads = tf.tidy(() => tf.grads(loss)(inputs.map((v, i) => tf.tensor(v, shapes[i]))).map((g) => g.dataSync().slice()));
      inputs.forEach((v, k) => {
        const fd = finiteDiff((p) => tf.tidy(() => loss(...inputs.map((u, i) => tf.tensor(i === k ? p : u, shapes[i]))).dataSync()[0]), v);
        expect(relErr(grads[k], fd), `input ${k}`).toBeLessThan(5e-3);
      });
    });
  }

  it('is correct at second order (gradient of a squared input-gradient w.r.t. the scale)', () => {
    const mean = tf.tensor([0.3, -0.2, 0.5, 0.0]);
    const variance = tf.tensor([1.2, 0.7, 2.0, 0.4]);
    const offset = tf.tensor([0.1, 0.2, -0.3, 0.4]);
    const x = tf.tensor(X, [2, 3, 2, 4]);
    const w = tf.tensor(W, [2, 3, 2, 4]);
    // f(scale) = Σ (∂/∂x Σ softplus(bn(x; scale)) · w)²  (tfjs cannot differentiate batchNorm without an
    // offset or scale at all: its tape filter reads the missing input's id.)
    const penalty = (s: tf.Tensor) =>
      tf.sum(tf.square(tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.softplus(tf.batchNorm(xx as tf.Tensor4D, mean, variance, offset, s)), w)))(x)));
    const s0 = Float32Array.from([1.5, -0.8, 0.6, 1.1]);
    const analytic = tf.tidy(() => tf.grad(penalty)(tf.tensor(s0)).dataSync().slice());
    const fd = finiteDiff((p) => tf.tidy(() => penalty(tf.tensor(p)).dataSync()[0]), s0, 1e-2);
    expect(relErr(analytic, fd)).toBeLessThan(1e-2);
  });

  it('does not materialise a Tile', async () => {
    const x = tf.randomNormal([4, 8, 8, 16]);
    const m = tf.zeros([16]);
    const v = tf.ones([16]);
    const s = tf.ones([16]);
    const info = await tf.profile(() => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.batchNorm(a as tf.Tensor4D, m, v, m, b)))([x, s]);
      g.forEach((t) => t.dispose());
    });
    expect(info.kernels.map((k) => k.name)).not.toContain('Tile');
    tf.dispose([x, m, v, s]);
  });
});
