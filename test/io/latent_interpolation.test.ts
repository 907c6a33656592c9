import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeEachBackend } from '../helpers/backends';
import { interpolateLatents, lerp, slerp } from '../../src/io/latent_interpolation';
import { InvalidArgumentError, ShapeError } from '../../src/errors';

/** Float64 slerp of two plain vectors. */
function slerp64(a: number[], b: number[], t: number): number[] {
  const dot = a.reduce((s, v, i) => s + v * b[i]!, 0);
  const na = Math.hypot(...a);
  const nb = Math.hypot(...b);
  const omega = Math.acos(Math.min(1, Math.max(-1, dot / (na * nb))));
  const s = Math.sin(omega);
  return a.map((v, i) => (Math.sin((1 - t) * omega) / s) * v + (Math.sin(t * omega) / s) * b[i]!);
}

const A = [0.3, -1.2, 0.8, 2.0, -0.5];
const B = [1.1, 0.4, -0.9, 0.2, 1.5];

describeEachBackend('latent interpolation', () => {
  it('lerp is (1 − t)·z0 + t·z1', async () => {
    const out = lerp(tf.tensor1d(A), tf.tensor1d(B), 0.3);
    const v = await out.data();
    A.forEach((a, i) => expect(v[i]!).toBeCloseTo(0.7 * a + 0.3 * B[i]!, 5));
  });

  it('slerp matches a float64 reference per row, hits both ends, and keeps equal norms on the sphere', async () => {
    const z0 = tf.tensor2d([A, B], [2, 5]);
    const z1 = tf.tensor2d([B, A.map((v) => -v * 0.5)], [2, 5]);
    for (const t of [0, 0.25, 0.5, 1]) {
      const v = await slerp(z0, z1, t).data();
      const r0 = slerp64(A, B, t);
      const r1 = slerp64(B, A.map((x) => -x * 0.5), t);
      [...r0, ...r1].forEach((r, i) => expect(v[i]!).toBeCloseTo(r, 4));
    }
    // Unit vectors stay unit vectors.
    const u = tf.tensor1d([1, 0, 0]);
    const w = tf.tensor1d([0, 0.6, 0.8]);
    const mid = await slerp(u, w, 0.37).data();
    expect(Math.hypot(...mid)).toBeCloseTo(1, 5);
  });

  it('falls back to lerp for parallel codes, and checks its arguments', async () => {
    const v = await slerp(tf.tensor1d([1, 2]), tf.tensor1d([2, 4]), 0.5).data();
    expect(Array.from(v).map((x) => Number(x.toFixed(5)))).toEqual([1.5, 3]);
    expect(() => slerp(tf.zeros([3]), tf.zeros([4]), 0.5)).toThrow(ShapeError);
    expect(() => lerp(tf.zeros([3]), tf.zeros([3]), Number.NaN)).toThrow(InvalidArgumentError);
  });

  it('interpolateLatents stacks evenly spaced codes from z0 to z1 without leaking', async () => {
    const z0 = tf.tensor1d(A);
    const z1 = tf.tensor1d(B);
    const before = tf.memory().numTensors;
    const walk = interpolateLatents(z0, z1, 5);
    expect(walk.shape).toEqual([5, 5]);
    const v = await walk.data();
    [0, 1, 2, 3, 4].forEach((k) => slerp64(A, B, k / 4).forEach((r, i) => expect(v[k * 5 + i]!).toBeCloseTo(r, 4)));
    const linear = interpolateLatents(z0, z1, 3, { method: 'lerp' });
    const lv = await linear.data();
    A.forEach((a, i) => expect(lv[5 + i]!).toBeCloseTo((a + B[i]!) / 2, 5));
    tf.dispose([walk, linear]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => interpolateLatents(z0, z1, 1)).toThrow(/steps/);
  });
});
