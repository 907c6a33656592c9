import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  gradientPenalty,
  InvalidArgumentError,
  SpectralNormalization,
  spectralNormalization,
} from '../../src/index';
import { SpectralNormalization as FromLayerFile } from '../../src/layers/spectral_normalization';
import { describeEachBackend } from '../helpers/backends';
import { expectAllClose, expectClose, normalArray } from '../losses/reference';
import { denseCritic, expectGradientsClose, meanOverGradNorms, weightGradientFD } from './critics';
import { dot, largestSingularValue, powerIteration64 } from './linear_algebra';

interface Kind {
  name: string;
  /** A fresh, unbuilt layer with this kind's fixed configuration. */
  make(): tf.layers.Layer;
  inputShape: number[];
  /** The kernel's tfjs shape. */
  kernelShape: number[];
  /** Moves the kernel's output axis last (tfjs Conv2DTranspose kernels are [kh, kw, out, in]). */
  transposed: boolean;
}

const KINDS: Kind[] = [
  {
    name: 'Dense',
    make: () => tf.layers.dense({ units: 3, activation: 'tanh' }),
    inputShape: [5],
    kernelShape: [5, 3],
    transposed: false,
  },
  {
    name: 'Conv2D',
    make: () => tf.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
    inputShape: [5, 5, 2],
    kernelShape: [3, 3, 2, 3],
    transposed: false,
  },
  {
    name: 'Conv2DTranspose',
    make: () => tf.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' }),
    inputShape: [3, 3, 2],
    kernelShape: [3, 3, 3, 2],
    transposed: true,
  },
];

/** The kernel as the [rows, outChannels] matrix spectral normalization works on (row-major, float64). */
function orient(kind: Kind, flat: readonly number[]): { matrix: number[]; rows: number; cols: number } {
  const s = kind.kernelShape;
  if (!kind.transposed) {
    const cols = s[s.length - 1]!;
    return { matrix: flat.slice(), rows: flat.length / cols, cols };
  }
  const [kh, kw, out, inn] = s as [number, number, number, number];
  const matrix = new Array<number>(flat.length);
  for (let a = 0; a < kh * kw; a++) {
    for (let o = 0; o < out; o++) for (let i = 0; i < inn; i++) matrix[(a * inn + i) * out + o] = flat[(a * out + o) * inn + i]!;
  }
  return { matrix, rows: kh * kw * inn, cols: out };
}

/** Inverse of {@link orient}. */
function deorient(kind: Kind, matrix: readonly number[]): number[] {
  if (!kind.transposed) return matrix.slice();
  const [kh, kw, out, inn] = kind.kernelShape as [number, number, number, number];
  const flat = new Array<number>(matrix.length);
  for (let a = 0; a < kh * kw; a++) {
    for (let o = 0; o < out; o++) for (let i = 0; i < inn; i++) flat[(a * out + o) * inn + i] = matrix[(a * inn + i) * out + o]!;
  }
  return flat;
}

/** The wrapped layer in a model, with deterministic kernel, bias and u (so every run tests the same numbers). */
function buildWrapped(kind: Kind, powerIterations = 1, seed = 140): { model: tf.Sequential; layer: SpectralNormalization } {
  const layer = spectralNormalization({ layer: kind.make(), inputShape: kind.inputShape, powerIterations });
  const model = tf.sequential({ layers: [layer] });
  const shapes = layer.getWeights().map((w) => w.shape);
  const values = shapes.map((shape, i) =>
    tf.tensor(normalArray(shape.reduce((a, b) => a * b, 1), seed + i, i === 1 ? 0.1 : 0.5), shape),
  );
  layer.setWeights(values);
  tf.dispose(values);
  return { model, layer };
}

/** The same layer without the wrapper, with kernel `kernelFlat` and the given bias. */
function buildTwin(kind: Kind, kernelFlat: readonly number[], bias: tf.Tensor): tf.Sequential {
  const inner = kind.make();
  const twin = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: kind.inputShape }), inner] });
  const k = tf.tensor(kernelFlat, kind.kernelShape);
  twin.setWeights([k, bias]);
  k.dispose();
  return twin;
}

function weightsOf(layer: tf.layers.Layer): { kernel: number[]; bias: tf.Tensor; u: number[] } {
  const [kernel, bias, u] = layer.getWeights();
  return { kernel: Array.from(kernel!.dataSync()), bias: bias!, u: Array.from(u!.dataSync()) };
}

function input(kind: Kind, seed: number, batch = 2): tf.Tensor {
  return tf.tensor(normalArray(batch * kind.inputShape.reduce((a, b) => a * b, 1), seed), [batch, ...kind.inputShape]);
}

async function saveAndLoad(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  // Through a JSON string, as a file or an HTTP response would carry it.
  const topology = JSON.parse(JSON.stringify(saved!.modelTopology)) as object;
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: topology, weightSpecs: saved!.weightSpecs, weightData: saved!.weightData }),
  );
}

describeEachBackend('SpectralNormalization layer', () => {
  for (const kind of KINDS) {
    describe(kind.name, () => {
      it('at inference equals the plain layer with kernel W / σ(W) (float64 power iteration) and keeps u', () => {
        const { model, layer } = buildWrapped(kind);
        const { kernel, bias, u } = weightsOf(layer);
        const { matrix, rows, cols } = orient(kind, kernel);
        const { sigma } = powerIteration64(matrix, rows, cols, u, 1);
        const twin = buildTwin(kind, kernel.map((w) => w / sigma), bias);
        const x = input(kind, 121);
        const y = model.predict(x) as tf.Tensor;
        const yTwin = twin.predict(x) as tf.Tensor;
        expect(y.shape).toEqual(yTwin.shape);
        expectAllClose(y.dataSync(), Array.from(yTwin.dataSync()), 1e-4, 1e-5);
        const y2 = model.apply(x) as tf.Tensor;
        expect(Array.from(weightsOf(layer).u)).toEqual(u);
        expect(Array.from(y2.dataSync())).toEqual(Array.from(y.dataSync()));
        tf.dispose([x, y, yTwin, y2]);
        model.dispose();
        twin.dispose();
      });

      it('advances u by one power-iteration step per training call, and uses that step', () => {
        const { model, layer } = buildWrapped(kind);
        const { kernel, bias, u } = weightsOf(layer);
        const { matrix, rows, cols } = orient(kind, kernel);
        const x = input(kind, 122);
        const y = model.apply(x, { training: true }) as tf.Tensor;
        const one = powerIteration64(matrix, rows, cols, u, 1);
        expectAllClose(weightsOf(layer).u, one.u, 1e-4, 1e-5);
        const twin = buildTwin(kind, kernel.map((w) => w / one.sigma), bias);
        const yTwin = twin.predict(x) as tf.Tensor;
        expectAllClose(y.dataSync(), Array.from(yTwin.dataSync()), 1e-4, 1e-5);
        tf.dispose(model.apply(x, { training: true }) as tf.Tensor);
        expectAllClose(weightsOf(layer).u, powerIteration64(matrix, rows, cols, u, 2).u, 1e-4, 1e-5);
        expect(layer.getWeights()[2]!.shape).toEqual([cols]);
        tf.dispose([x, y, yTwin]);
        model.dispose();
        twin.dispose();
      });

      it('σ converges to the largest singular value (float64 SVD) over training calls; W/σ then has norm 1', () => {
        const { model, layer } = buildWrapped(kind);
        const { kernel } = weightsOf(layer);
        const { matrix, rows, cols } = orient(kind, kernel);
        const sigmaMax = largestSingularValue(matrix, rows, cols);
        const x = input(kind, 123, 1);
        for (let i = 0; i < 40; i++) tf.dispose(model.apply(x, { training: true }) as tf.Tensor);
        const { sigma } = powerIteration64(matrix, rows, cols, weightsOf(layer).u, 1);
        expectClose(sigma, sigmaMax, 1e-4);
        expectClose(largestSingularValue(matrix.map((w) => w / sigma), rows, cols), 1, 1e-4);
        x.dispose();
        model.dispose();
      });

      it('sends gradients to the raw kernel and bias: dL/dW = G/σ − (⟨G, W⟩/σ²)·v·uᵀ with u, v fixed', () => {
        const { model, layer } = buildWrapped(kind);
        const { kernel, bias, u } = weightsOf(layer);
        const { matrix, rows, cols } = orient(kind, kernel);
        const step = powerIteration64(matrix, rows, cols, u, 1);
        const twin = buildTwin(kind, kernel.map((w) => w / step.sigma), bias);
        const x = input(kind, 124);
        const outShape = (model.predict(x) as tf.Tensor).shape;
        const c = tf.tensor(normalArray(outShape.reduce((a, b) => a * b, 1), 125), outShape);
        const grads = (m: tf.LayersModel) => {
          const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
          const { value, grads: g } = tf.variableGrads(() => tf.sum(tf.mul(c, m.apply(x) as tf.Tensor)) as tf.Scalar, vars);
          const out = vars.map((v) => Array.from(g[v.name]!.dataSync()));
          tf.dispose([value, ...Object.values(g)]);
          return out;
        };
        const [gKernel, gBias] = grads(model);
        const [twinKernelGrad, twinBiasGrad] = grads(twin);
        const g = orient(kind, twinKernelGrad!).matrix;
        const s = step.sigma;
        const inner = dot(g, matrix);
        const expected = g.map((gi, idx) => {
          const r = Math.floor(idx / cols);
          const col = idx % cols;
          return gi / s - (inner / (s * s)) * step.v[r]! * step.u[col]!;
        });
        expectGradientsClose([gKernel!, gBias!], [deorient(kind, expected), twinBiasGrad!], 1e-3);
        tf.dispose([x, c]);
        model.dispose();
        twin.dispose();
      });

      it('round-trips through model.save / tf.loadLayersModel: same u, same config, identical outputs', async () => {
        const { model } = buildWrapped(kind, 2);
        const x = input(kind, 126);
        for (let i = 0; i < 3; i++) tf.dispose(model.apply(x, { training: true }) as tf.Tensor);
        const loaded = await saveAndLoad(model);
        const sn = loaded.layers[0]!;
        expect(sn).toBeInstanceOf(SpectralNormalization);
        expect((sn as SpectralNormalization).powerIterations).toBe(2);
        expect((sn as SpectralNormalization).layer.getClassName()).toBe(kind.name);
        const before = model.getWeights().map((w) => Array.from(w.dataSync()));
        const after = loaded.getWeights().map((w) => Array.from(w.dataSync()));
        expect(after).toEqual(before);
        const y = model.predict(x) as tf.Tensor;
        const yLoaded = loaded.predict(x) as tf.Tensor;
        expect(Array.from(yLoaded.dataSync())).toEqual(Array.from(y.dataSync()));
        // Training continues identically from the restored u.
        const t = model.apply(x, { training: true }) as tf.Tensor;
        const tLoaded = loaded.apply(x, { training: true }) as tf.Tensor;
        expect(Array.from(tLoaded.dataSync())).toEqual(Array.from(t.dataSync()));
        expect(Array.from(loaded.getWeights()[2]!.dataSync())).toEqual(Array.from(model.getWeights()[2]!.dataSync()));
        tf.dispose([x, y, yLoaded, t, tLoaded]);
        model.dispose();
        loaded.dispose();
      });
    });
  }

  it('exposes [kernel, bias] as trainable and u as non-trainable, and honours trainable = false', () => {
    const { model, layer } = buildWrapped(KINDS[2]!);
    expect(layer.trainableWeights.map((w) => w.shape)).toEqual([[3, 3, 3, 2], [3]]);
    expect(layer.nonTrainableWeights.map((w) => w.shape)).toEqual([[3]]);
    expect(layer.nonTrainableWeights[0]!.name).toMatch(/\/u$/);
    expect(model.trainableWeights.length).toBe(2);
    layer.trainable = false;
    expect(layer.trainableWeights).toEqual([]);
    expect(layer.nonTrainableWeights.length).toBe(3);
    expect(model.trainableWeights.length).toBe(0);
    model.dispose();
  });

  it('lets an optimizer train the raw kernel through the normalised one (explicit var list)', () => {
    const { model, layer } = buildWrapped(KINDS[0]!);
    const x = input(KINDS[0]!, 127, 4);
    const kernelBefore = Array.from(layer.getWeights()[0]!.dataSync());
    const uBefore = Array.from(layer.getWeights()[2]!.dataSync());
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const optimizer = tf.train.sgd(0.1);
    const cost = optimizer.minimize(() => tf.mean(tf.square(tf.sub(model.apply(x) as tf.Tensor, 0.5))) as tf.Scalar, true, vars);
    expect(Array.from(layer.getWeights()[0]!.dataSync())).not.toEqual(kernelBefore);
    expect(Array.from(layer.getWeights()[2]!.dataSync())).toEqual(uBefore);
    tf.dispose([x, cost!]);
    optimizer.dispose();
    model.dispose();
  });

  it('gives a gradient penalty with correct second-order weight gradients through SN Dense layers', () => {
    // Reference: the float64 dense critic with W₁/σ₁ and W₂/σ₂, σᵢ = vᵢᵀWᵢuᵢ' for the fixed vectors of this step.
    const base = denseCritic('softplus', 3, 4, 131);
    const model = tf.sequential({
      layers: [
        spectralNormalization({ layer: tf.layers.dense({ units: 4, activation: 'softplus' }), inputShape: [3] }),
        spectralNormalization({ layer: tf.layers.dense({ units: 1 }) }),
      ],
    });
    // model.weights order: kernel1, bias1, kernel2, bias2 (trainable), then u1, u2. Fixed values, so every run
    // checks the same numbers.
    const fixed = model.weights.map((w, i) => {
      const shape = w.shape as number[];
      return tf.tensor(normalArray(shape.reduce((a, b) => a * b, 1), 150 + i, 0.7), shape);
    });
    model.setWeights(fixed);
    tf.dispose(fixed);
    const params = model.getWeights().slice(0, 4).map((w) => Array.from(w.dataSync()));
    const step1 = powerIteration64(params[0]!, 3, 4, Array.from(model.getWeights()[4]!.dataSync()), 1);
    const step2 = powerIteration64(params[2]!, 4, 1, Array.from(model.getWeights()[5]!.dataSync()), 1);
    const sigmaOf = (w: readonly number[], rows: number, cols: number, s: { u: number[]; v: number[] }) => {
      let total = 0;
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) total += s.v[r]! * w[r * cols + c]! * s.u[c]!;
      return total;
    };
    const normalised = (p: readonly number[][]) => {
      const s1 = sigmaOf(p[0]!, 3, 4, step1);
      const s2 = sigmaOf(p[2]!, 4, 1, step2);
      return [p[0]!.map((w) => w / s1), p[1]!, p[2]!.map((w) => w / s2), p[3]!];
    };
    const realFlat = normalArray(9, 132);
    const fakeFlat = normalArray(9, 133);
    const alpha = [0.3, 0.5, 0.8];
    const points = [0, 1, 2].map((i) =>
      [0, 1, 2].map((j) => alpha[i]! * realFlat[i * 3 + j]! + (1 - alpha[i]!) * fakeFlat[i * 3 + j]!),
    );
    const reference = (p: readonly number[][]) =>
      10 * meanOverGradNorms(base, normalised(p), points, (sq) => (Math.sqrt(sq) - 1) ** 2);
    const real = tf.tensor2d(realFlat, [3, 3]);
    const fake = tf.tensor2d(fakeFlat, [3, 3]);
    const a = tf.tensor1d(alpha);
    const vars = model.weights.slice(0, 4).map((w) => w.read() as tf.Variable);
    const fn = (x: tf.Tensor) => model.apply(x) as tf.Tensor; // inference: u stays fixed while differentiating
    const { value, grads } = tf.variableGrads(() => gradientPenalty(fn, real, fake, { alpha: a }), vars);
    expectClose(value.dataSync()[0]!, reference(params), 1e-4, 1e-5);
    const auto = vars.map((v) => (grads[v.name] ? Array.from(grads[v.name]!.dataSync()) : new Array<number>(v.size).fill(0)));
    expectGradientsClose(auto, weightGradientFD(params, reference));
    tf.dispose([real, fake, a, value, ...Object.values(grads)]);
    model.dispose();
  });

  it('leaks no tensors at inference or in training calls', () => {
    const { model } = buildWrapped(KINDS[1]!);
    const x = input(KINDS[1]!, 128);
    tf.dispose([model.predict(x) as tf.Tensor, model.apply(x, { training: true }) as tf.Tensor]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      tf.dispose([model.predict(x) as tf.Tensor, model.apply(x, { training: true }) as tf.Tensor]);
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });

  it('takes the input shape of the wrapped layer, and is importable from its own file', () => {
    expect(FromLayerFile).toBe(SpectralNormalization);
    const model = tf.sequential({ layers: [spectralNormalization({ layer: tf.layers.dense({ units: 2, inputShape: [4] }) })] });
    expect(model.inputs[0]!.shape).toEqual([null, 4]);
    expect(model.outputs[0]!.shape).toEqual([null, 2]);
    model.dispose();
  });

  it('rejects unsupported layers and bad options with typed errors', () => {
    expect(() => spectralNormalization({ layer: tf.layers.flatten() })).toThrow(InvalidArgumentError);
    expect(() => spectralNormalization({ layer: tf.layers.flatten() })).toThrow(
      /SpectralNormalization\.layer: expected a layer of class Dense, Conv2D, Conv2DTranspose, got "Flatten"/,
    );
    expect(() => spectralNormalization({ layer: {} as never })).toThrow(/SpectralNormalization\.layer/);
    expect(() => spectralNormalization({ layer: tf.layers.dense({ units: 1 }), powerIterations: 0 })).toThrow(
      /SpectralNormalization\.powerIterations: expected an integer >= 1/,
    );
    expect(() => spectralNormalization({ layer: tf.layers.dense({ units: 1 }), epsilon: -1 })).toThrow(
      /SpectralNormalization\.epsilon/,
    );
  });
});
