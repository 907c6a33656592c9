/**
 * Shared checks for layer and block tests: save/load round trips through an in-memory IO handler, gradient
 * flow to every trainable weight, finite-difference gradient checks, and a seeded float64 random source for
 * hand-computed references.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

/** Saves `model` into memory (topology through JSON text, as a file would) and loads it back. */
export async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const saved = artifacts!;
  const topology = JSON.parse(JSON.stringify(saved.modelTopology));
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: topology, weightSpecs: saved.weightSpecs, weightData: saved.weightData }),
  );
}

/** Asserts that `loaded` gives bit-for-bit the same inference outputs as `model` on `inputs`. */
export async function expectSameOutputs(
  model: tf.LayersModel,
  loaded: tf.LayersModel,
  inputs: tf.Tensor | tf.Tensor[],
): Promise<void> {
  const a = model.predict(inputs) as tf.Tensor;
  const b = loaded.predict(inputs) as tf.Tensor;
  expect(b.shape).toEqual(a.shape);
  expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
  tf.dispose([a, b]);
}

/** A fixed random weighting of the output, so that the test scalar has no symmetric blind spots. */
function probe(shape: number[]): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', 1234);
}

/** `sum(model(inputs) · R)` for a fixed random R: a scalar that depends on every output element. */
export function probeScalar(model: tf.LayersModel, inputs: tf.Tensor | tf.Tensor[], training: boolean): tf.Scalar {
  const out = model.apply(inputs, { training }) as tf.Tensor;
  return tf.sum(tf.mul(out, probe(out.shape))) as tf.Scalar;
}

/**
 * Max |gradient| of the probe scalar with respect to each trainable weight, keyed by the weight's original name
 * (`layer/weight`). A weight the scalar does not depend on gets 0.
 */
export function gradientMagnitudes(
  model: tf.LayersModel,
  inputs: tf.Tensor | tf.Tensor[],
  training = true,
): Record<string, number> {
  const weights = model.trainableWeights;
  const vars = weights.map((w) => w.read() as tf.Variable);
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => probeScalar(model, inputs, training), vars);
    value.dispose();
    const result: Record<string, number> = {};
    weights.forEach((w, i) => {
      const g = grads[vars[i]!.name];
      result[w.originalName] = g === undefined ? 0 : tf.max(tf.abs(g)).dataSync()[0]!;
    });
    return result;
  });
}

/** Asserts that every trainable weight of `model` receives a finite, nonzero gradient. */
export function expectGradientToEveryWeight(model: tf.LayersModel, inputs: tf.Tensor | tf.Tensor[], training = true): void {
  const magnitudes = gradientMagnitudes(model, inputs, training);
  expect(Object.keys(magnitudes).length).toBe(model.trainableWeights.length);
  expect(model.trainableWeights.length).toBeGreaterThan(0);
  for (const [name, m] of Object.entries(magnitudes)) {
    expect(Number.isFinite(m), `${name} gradient finite`).toBe(true);
    expect(m, `${name} gradient nonzero`).toBeGreaterThan(0);
  }
}

/**
 * Compares the analytic gradient of the probe scalar with central finite differences for a few entries of
 * every trainable weight (inference-mode forward, so batch statistics do not move).
 */
export function expectGradientsMatchFiniteDifferences(
  model: tf.LayersModel,
  inputs: tf.Tensor | tf.Tensor[],
  options: { entries?: number; step?: number; relTol?: number; absTol?: number; training?: boolean } = {},
): void {
  const { entries = 3, step = 1e-2, relTol = 2e-2, absTol = 2e-3, training = false } = options;
  const weights = model.trainableWeights;
  const vars = weights.map((w) => w.read() as tf.Variable);
  const f = (): number => tf.tidy(() => probeScalar(model, inputs, training).dataSync()[0]!);
  const analytic = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => probeScalar(model, inputs, training), vars);
    value.dispose();
    return vars.map((v) => (grads[v.name] === undefined ? new Float32Array(v.size) : grads[v.name]!.dataSync()));
  });
  weights.forEach((w, wi) => {
    const v = vars[wi]!;
    const original = v.dataSync().slice();
    const count = Math.min(entries, v.size);
    for (let k = 0; k < count; k++) {
      const index = Math.floor(((k + 0.5) * v.size) / count);
      const set = (values: Float32Array | Int32Array | Uint8Array): void => {
        const t = tf.tensor(values, v.shape);
        v.assign(t);
        t.dispose();
      };
      const bumped = original.slice();
      bumped[index] = original[index]! + step;
      set(bumped);
      const plus = f();
      bumped[index] = original[index]! - step;
      set(bumped);
      const minus = f();
      set(original);
      const numeric = (plus - minus) / (2 * step);
      const got = analytic[wi]![index]!;
      expect(Math.abs(got - numeric), `${w.originalName}[${index}]: autodiff ${got} vs finite difference ${numeric}`)
        .toBeLessThanOrEqual(absTol + relTol * Math.abs(numeric));
    }
  });
}

/** Deterministic uniform(−1, 1) float64 numbers (mulberry32), for hand-computed references. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

/** `n` seeded numbers in (−scale, scale). */
export function randomArray(n: number, seed: number, scale = 1): number[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => r() * scale);
}

/** Asserts two flat numeric arrays agree element-wise within `tol` (absolute + relative). */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) {
      throw new Error(`element ${i}: got ${a}, expected ${e} (tol ${tol})`);
    }
  }
}

/** Runs `fn` twice and asserts the second run leaves the tensor count unchanged. */
export function expectNoLeak(fn: () => void): void {
  fn();
  const before = tf.memory().numTensors;
  fn();
  expect(tf.memory().numTensors).toBe(before);
}

/**
 * Compares the weight gradients of a scalar function of the model (e.g. a gradient penalty, which needs second
 * derivatives) with central finite differences, for a few entries of every trainable weight. ReLU-family
 * networks make such scalars piecewise smooth; an entry whose finite differences at step h and h/2 disagree
 * straddles a kink and is replaced by the next entry. Every weight must get at least one checked entry.
 */
export function expectScalarGradientsMatchFiniteDifferences(
  model: tf.LayersModel,
  scalar: () => tf.Scalar,
  options: { entries?: number; step?: number; relTol?: number; absTol?: number } = {},
): void {
  const { entries = 2, step = 1e-2, relTol = 3e-2, absTol = 3e-3 } = options;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const f = (): number => tf.tidy(() => scalar().dataSync()[0]!);
  const analytic = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(scalar, vars);
    value.dispose();
    return vars.map((v) => (grads[v.name] === undefined ? new Float32Array(v.size) : grads[v.name]!.dataSync()));
  });
  vars.forEach((v, wi) => {
    const name = model.trainableWeights[wi]!.originalName;
    const original = v.dataSync().slice();
    const set = (values: Float32Array | Int32Array | Uint8Array): void => {
      const t = tf.tensor(values, v.shape);
      v.assign(t);
      t.dispose();
    };
    const difference = (index: number, h: number): number => {
      const bumped = original.slice();
      bumped[index] = original[index]! + h;
      set(bumped);
      const plus = f();
      bumped[index] = original[index]! - h;
      set(bumped);
      const minus = f();
      set(original);
      return (plus - minus) / (2 * h);
    };
    let checked = 0;
    for (let k = 0; k < v.size && checked < entries; k++) {
      const index = (k * 7919) % v.size; // spread over the tensor
      const numeric = difference(index, step);
      const half = difference(index, step / 2);
      if (Math.abs(numeric - half) > absTol + relTol * Math.abs(numeric)) continue; // a kink in between
      const got = analytic[wi]![index]!;
      expect(Math.abs(got - numeric), `${name}[${index}]: autodiff ${got} vs finite difference ${numeric}`)
        .toBeLessThanOrEqual(absTol + relTol * Math.abs(numeric));
      checked++;
    }
    expect(checked, `${name}: entries checked away from kinks`).toBeGreaterThan(0);
  });
}

/**
 * Options of {@link expectScalarGradientsMatchFiniteDifferences} for penalties through leaky ReLU: such a penalty
 * (a function of the input gradient) jumps where a pre-activation changes sign, so steps of 1e-2 often straddle a
 * jump in small test networks; steps of 1e-3 (checked against 5e-4) rarely do and stay well above float32 noise.
 */
export const KINK_SAFE = { step: 1e-3, entries: 2 } as const;
