/**
 * Float64 reference math and a shared contract for adversarial-loss tests. The references are written from the
 * papers' formulas in plain JavaScript (double precision), independently of the library code.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { DTypeError, InvalidArgumentError, ShapeError } from '../../src/index';
import type { AdversarialLoss } from '../../src/index';

/** Deterministic uniform [0, 1) generator (mulberry32). */
export function uniformRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` deterministic samples of N(0, scale²) (Box–Muller). */
export function normalArray(n: number, seed: number, scale = 1): number[] {
  const u = uniformRng(seed);
  const out: number[] = [];
  while (out.length < n) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const th = 2 * Math.PI * u();
    out.push(scale * r * Math.cos(th), scale * r * Math.sin(th));
  }
  return out.slice(0, n);
}

/** log(1 + eˣ) in double precision, without overflow. */
export const softplus64 = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
export const relu64 = (x: number): number => Math.max(0, x);
export const mean64 = (a: readonly number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
/** Binary cross-entropy of a logit x against target probability t: −t·log σ(x) − (1 − t)·log(1 − σ(x)). */
export const bce64 = (x: number, t: number): number => t * softplus64(-x) + (1 - t) * softplus64(x);

/** Asserts |actual − expected| <= abs + rel·|expected|. */
export function expectClose(actual: number, expected: number, rel = 1e-5, abs = 1e-6): void {
  const tol = abs + rel * Math.abs(expected);
  if (!(Math.abs(actual - expected) <= tol)) {
    expect.fail(`expected ${actual} to be within ${tol} of ${expected}`);
  }
}

/** Elementwise {@link expectClose}. */
export function expectAllClose(actual: ArrayLike<number>, expected: readonly number[], rel = 1e-5, abs = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expectClose(actual[i]!, expected[i]!, rel, abs);
}

/** Central finite-difference gradient of a float64 function of an array. */
export function numericGradient(fn: (x: number[]) => number, x: readonly number[], h = 1e-4): number[] {
  return x.map((_, i) => {
    const plus = x.slice();
    const minus = x.slice();
    plus[i]! += h;
    minus[i]! -= h;
    return (fn(plus) - fn(minus)) / (2 * h);
  });
}

/** Float64 reference of a loss pair, on flattened logits. */
export interface LossReference {
  discriminator(r: readonly number[], f: readonly number[]): number;
  generator(r: readonly number[], f: readonly number[]): number;
}

/** Options of {@link lossContractTests}. */
export interface ContractOptions {
  /** Real and fake logits are compared sample by sample (shapes must match). */
  paired?: boolean;
  /** The generator loss depends on the real logits (relativistic losses). */
  generatorUsesReal?: boolean;
}

function value(t: tf.Scalar): number {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
}

/**
 * Declares the tests every adversarial loss must pass (inside a describeEachBackend body): values and
 * gradients against the float64 reference, patch logits, logits of ±100, the sign convention, scalar float32
 * output without leaks, typed errors for bad input.
 */
export function lossContractTests(makeLoss: () => AdversarialLoss, ref: LossReference, options: ContractOptions = {}): void {
  const paired = options.paired ?? false;
  const rArr = normalArray(6, 11, 2);
  const fArr = normalArray(paired ? 6 : 4, 12, 2);

  it('matches the float64 reference for the discriminator and the generator', () => {
    const loss = makeLoss();
    const r = tf.tensor2d(rArr, [rArr.length, 1]);
    const f = tf.tensor2d(fArr, [fArr.length, 1]);
    expectClose(value(loss.discriminatorLoss(r, f)), ref.discriminator(rArr, fArr));
    expectClose(value(loss.generatorLoss(r, f)), ref.generator(rArr, fArr));
    tf.dispose([r, f]);
  });

  it('averages over every element of PatchGAN logits [batch, h, w, 1]', () => {
    const loss = makeLoss();
    const rp = normalArray(2 * 3 * 3, 21, 2);
    const fp = normalArray(2 * 3 * 3, 22, 2);
    const r4 = tf.tensor4d(rp, [2, 3, 3, 1]);
    const f4 = tf.tensor4d(fp, [2, 3, 3, 1]);
    const r1 = tf.tensor1d(rp);
    const f1 = tf.tensor1d(fp);
    const d4 = value(loss.discriminatorLoss(r4, f4));
    const g4 = value(loss.generatorLoss(r4, f4));
    expectClose(d4, ref.discriminator(rp, fp));
    expectClose(g4, ref.generator(rp, fp));
    expectClose(value(loss.discriminatorLoss(r1, f1)), d4, 1e-6);
    expectClose(value(loss.generatorLoss(r1, f1)), g4, 1e-6);
    tf.dispose([r4, f4, r1, f1]);
  });

  it('gives gradients equal to float64 finite differences', () => {
    const loss = makeLoss();
    const r = tf.tensor1d(rArr);
    const f = tf.tensor1d(fArr);
    const [dr, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => loss.discriminatorLoss(a, b))([r, f]);
    expectAllClose(dr!.dataSync(), numericGradient((x) => ref.discriminator(x, fArr), rArr), 1e-4, 1e-6);
    expectAllClose(df!.dataSync(), numericGradient((x) => ref.discriminator(rArr, x), fArr), 1e-4, 1e-6);
    const gf = tf.grad((b: tf.Tensor) => loss.generatorLoss(r, b))(f);
    expectAllClose(gf.dataSync(), numericGradient((x) => ref.generator(rArr, x), fArr), 1e-4, 1e-6);
    const tensors = [dr!, df!, gf];
    if (options.generatorUsesReal) {
      const gr = tf.grad((a: tf.Tensor) => loss.generatorLoss(a, f))(r);
      expectAllClose(gr.dataSync(), numericGradient((x) => ref.generator(x, fArr), rArr), 1e-4, 1e-6);
      tensors.push(gr);
    }
    tf.dispose([r, f, ...tensors]);
  });

  it('is finite and exact at logits of ±100, gradients included', () => {
    const loss = makeLoss();
    const rx = [100, -100, 100, -100];
    const fx = [-100, 100, 100, -100];
    const r = tf.tensor1d(rx);
    const f = tf.tensor1d(fx);
    const d = value(loss.discriminatorLoss(r, f));
    const g = value(loss.generatorLoss(r, f));
    expect(Number.isFinite(d) && Number.isFinite(g)).toBe(true);
    expectClose(d, ref.discriminator(rx, fx), 1e-6, 1e-5);
    expectClose(g, ref.generator(rx, fx), 1e-6, 1e-5);
    const [dr, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => loss.discriminatorLoss(a, b))([r, f]);
    const gf = tf.grad((b: tf.Tensor) => loss.generatorLoss(r, b))(f);
    for (const t of [dr!, df!, gf]) expect(Array.from(t.dataSync()).every(Number.isFinite)).toBe(true);
    expectAllClose(dr!.dataSync(), numericGradient((x) => ref.discriminator(x, fx), rx, 1e-3), 1e-4, 1e-6);
    expectAllClose(df!.dataSync(), numericGradient((x) => ref.discriminator(rx, x), fx, 1e-3), 1e-4, 1e-6);
    expectAllClose(gf.dataSync(), numericGradient((x) => ref.generator(rx, x), fx, 1e-3), 1e-4, 1e-6);
    tf.dispose([r, f, dr!, df!, gf]);
  });

  it('ranks a confident discriminator below a fooled one, and a fooling generator below a caught one', () => {
    const loss = makeLoss();
    const hi = tf.fill([4, 1], 1);
    const lo = tf.fill([4, 1], -3);
    expect(value(loss.discriminatorLoss(hi, lo))).toBeLessThan(value(loss.discriminatorLoss(lo, hi)));
    expect(value(loss.generatorLoss(lo, hi))).toBeLessThan(value(loss.generatorLoss(hi, lo)));
    tf.dispose([hi, lo]);
  });

  it('returns a float32 scalar, has a name, and leaks no tensors', () => {
    const loss = makeLoss();
    expect(typeof loss.name).toBe('string');
    expect(loss.name.length).toBeGreaterThan(0);
    const r = tf.tensor2d(rArr, [rArr.length, 1]);
    const f = tf.tensor2d(fArr, [fArr.length, 1]);
    const before = tf.memory().numTensors;
    const d = loss.discriminatorLoss(r, f);
    const g = loss.generatorLoss(r, f);
    expect(d.shape).toEqual([]);
    expect(d.dtype).toBe('float32');
    expect(g.shape).toEqual([]);
    expect(g.dtype).toBe('float32');
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([d, g, r, f]);
  });

  it('rejects non-tensors, non-float logits and mismatched shapes with typed errors', () => {
    const loss = makeLoss();
    const r = tf.zeros([4, 1]);
    const f = tf.zeros([4, 1]);
    const ints = tf.zeros([4, 1], 'int32');
    const wide = tf.zeros([4, 2]);
    const before = tf.memory().numTensors;
    expect(() => loss.discriminatorLoss([1, 2] as unknown as tf.Tensor, f)).toThrow(InvalidArgumentError);
    expect(() => loss.discriminatorLoss(r, [1, 2] as unknown as tf.Tensor)).toThrow(/fakeLogits/);
    expect(() => loss.discriminatorLoss(ints, f)).toThrow(DTypeError);
    expect(() => loss.generatorLoss(r, ints)).toThrow(DTypeError);
    expect(() => loss.discriminatorLoss(r, wide)).toThrow(ShapeError);
    expect(() => loss.discriminatorLoss(r, wide)).toThrow(/fakeLogits: expected (the same )?shape/);
    if (paired) {
      const shorter = tf.zeros([3, 1]);
      expect(() => loss.discriminatorLoss(r, shorter)).toThrow(ShapeError);
      expect(() => loss.generatorLoss(r, shorter)).toThrow(ShapeError);
      shorter.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([r, f, ints, wide]);
  });
}
