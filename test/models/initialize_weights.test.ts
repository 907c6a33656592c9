import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acganDiscriminator,
  conditionalDiscriminator,
  conditionalGenerator,
  dcganDiscriminator,
  dcganGenerator,
  GanKitError,
  GanTrainer,
  initializeWeights,
  InvalidArgumentError,
  mlpDiscriminator,
  mlpGenerator,
  patchGanDiscriminator,
  resnetGenerator,
  saganDiscriminator,
  saganGenerator,
  transposedConvStack,
  unetGenerator,
  WeightInitializationError,
  wganGpCritic,
} from '../../src/index';
import '../helpers/backends';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Builder = (seed?: number) => tf.LayersModel;

/** Every gan-kit builder, small, with its `seed` option. */
const BUILDERS: Record<string, Builder> = {
  transposedConvStack: (seed) => transposedConvStack({ inputShape: [2, 2, 3], filters: [4, 2], seed }),
  dcganGenerator: (seed) => dcganGenerator({ outputShape: [16, 16, 1], latentDim: 6, baseFilters: 4, seed }),
  dcganDiscriminator: (seed) => dcganDiscriminator({ inputShape: [16, 16, 1], baseFilters: 4, seed }),
  mlpGenerator: (seed) => mlpGenerator({ latentDim: 3, hiddenUnits: [8, 8], outputDim: 2, numClasses: 4, seed }),
  mlpDiscriminator: (seed) => mlpDiscriminator({ inputDim: 2, hiddenUnits: [8], seed }),
  wganGpCritic: (seed) => wganGpCritic({ inputShape: [16, 16, 1], normalization: 'none', baseFilters: 4, seed }),
  resnetGenerator: (seed) => resnetGenerator({ inputShape: [16, 16, 3], filters: 4, numResidualBlocks: 1, normalization: 'batch', seed }),
  patchGanDiscriminator: (seed) => patchGanDiscriminator({ inputShape: [32, 32, 3], filters: 4, normalization: 'batch', seed }),
  unetGenerator: (seed) => unetGenerator({ inputShape: [8, 8, 3], filters: 2, normalization: 'instance', seed }),
  conditionalGenerator: (seed) =>
    conditionalGenerator({ conditioning: 'batch-norm', numClasses: 3, latentDim: 4, outputShape: [8, 8, 1], baseFilters: 4, seed }),
  conditionalDiscriminator: (seed) => conditionalDiscriminator({ numClasses: 3, inputShape: [8, 8, 1], baseFilters: 2, seed }),
  acganDiscriminator: (seed) => acganDiscriminator({ inputShape: [8, 8, 1], baseFilters: 2, numClasses: 3, seed }),
  saganGenerator: (seed) => saganGenerator({ outputShape: [16, 16, 1], latentDim: 4, baseFilters: 4, attentionResolution: 8, seed }),
  saganDiscriminator: (seed) =>
    saganDiscriminator({ inputShape: [16, 16, 1], baseFilters: 4, attentionResolution: 8, numClasses: 3, seed }),
};

/** Every weight's values, by position. */
function values(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

function equal(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Weight names after the layer scope: `conv2d_Conv2D3/kernel` → `kernel`. */
function baseName(w: tf.LayerVariable): string {
  return w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
}

function meanStd(x: Float32Array): { mean: number; std: number } {
  let s = 0;
  for (const v of x) s += v;
  const mean = s / x.length;
  let q = 0;
  for (const v of x) q += (v - mean) ** 2;
  return { mean, std: Math.sqrt(q / x.length) };
}

const models: tf.LayersModel[] = [];
function keep(model: tf.LayersModel): tf.LayersModel {
  models.push(model);
  return model;
}
afterAll(() => models.forEach((m) => m.dispose()));

describe('builders take a seed', () => {
  for (const [name, build] of Object.entries(BUILDERS)) {
    it(`${name}: the same seed builds the same weights, another seed other random weights, no seed another draw`, () => {
      const a = keep(build(11));
      const b = keep(build(11));
      const c = keep(build(12));
      const d = keep(build());
      const [va, vb, vc, vd] = [a, b, c, d].map(values);
      expect(va.length).toBe(vb.length);
      let random = 0;
      a.weights.forEach((w, i) => {
        expect(equal(va[i]!, vb[i]!), `${w.originalName}, seed 11 twice`).toBe(true);
        // A weight drawn at random has more than one distinct value; it must change with the seed (and without
        // one). Constant weights (biases, batch-norm gamma/beta and statistics, attention gamma) must not.
        const isRandom = new Set(va[i]).size > 1;
        if (isRandom) random++;
        if (va[i]!.length === 1) return; // a single value cannot tell a random draw from a constant
        expect(equal(va[i]!, vc[i]!), `${w.originalName}, seed 11 against 12`).toBe(!isRandom);
        expect(equal(va[i]!, vd[i]!), `${w.originalName}, seed 11 against none`).toBe(!isRandom);
      });
      expect(random).toBeGreaterThan(0);
    });
  }

  it('rejects a seed that is not an integer in [0, 2^32) before building anything, naming options.seed', () => {
    const before = tf.memory().numTensors;
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN, '3']) {
      expect(() => dcganGenerator({ outputShape: [16, 16, 1], seed: bad as number })).toThrow(InvalidArgumentError);
      expect(() => mlpDiscriminator({ inputDim: 2, seed: bad as number })).toThrow(/options\.seed: expected an integer in \[0, 2\^32\)/);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('initializeWeights', () => {
  it("draws each weight from its layer's initializer: DCGAN kernels N(0, 0.02²), zero biases, batch norm 1 and 0", () => {
    const g = keep(dcganGenerator({ outputShape: [28, 28, 1], latentDim: 100, baseFilters: 16 }));
    initializeWeights(g, { seed: 3 });
    for (const w of g.weights) {
      const v = w.read().dataSync() as Float32Array;
      const name = baseName(w);
      if (name === 'kernel') {
        // n draws: the sample mean lies within 5 standard errors (0.02/√n) of 0, the sample std within 5 standard
        // errors (about 0.02/√(2n)) of 0.02.
        const { mean, std } = meanStd(v);
        expect(v.length).toBeGreaterThanOrEqual(256);
        expect(Math.abs(mean), w.originalName).toBeLessThan((5 * 0.02) / Math.sqrt(v.length));
        expect(Math.abs(std / 0.02 - 1), w.originalName).toBeLessThan(5 / Math.sqrt(2 * v.length));
      } else {
        const expected = { gamma: 1, moving_variance: 1, beta: 0, moving_mean: 0, bias: 0 }[name];
        expect(expected, `unexpected weight ${w.originalName}`).toBeDefined();
        expect(v.every((x) => x === expected), w.originalName).toBe(true);
      }
    }
  });

  it('draws Glorot-uniform kernels within ±√(6 / (fanIn + fanOut)) with variance limit²/3, each from its own stream', () => {
    const d = keep(mlpDiscriminator({ inputDim: 64, hiddenUnits: [128, 128], kernelInitializer: tf.initializers.glorotUniform({}) }));
    initializeWeights(d, { seed: 9 });
    const kernels = d.weights.filter((w) => baseName(w) === 'kernel');
    expect(kernels.map((k) => k.shape)).toEqual([[64, 128], [128, 128], [128, 1]]);
    for (const k of kernels.slice(0, 2)) {
      const [fanIn, fanOut] = k.shape as [number, number];
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const v = k.read().dataSync() as Float32Array;
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(limit);
      expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.99 * limit);
      expect(Math.abs(meanStd(v).std / (limit / Math.sqrt(3)) - 1)).toBeLessThan(0.03);
    }
    // tfjs' default, Glorot normal: a normal of std σ = √(2 / (fanIn + fanOut)) truncated at ±2σ, whose std is
    // 0.8796σ (the variance of a standard normal truncated at ±2 is 0.7737).
    const plain = keep(mlpDiscriminator({ inputDim: 64, hiddenUnits: [128] }));
    initializeWeights(plain, { seed: 9 });
    const k = plain.weights.find((w) => baseName(w) === 'kernel')!;
    const sigma = Math.sqrt(2 / (64 + 128));
    const v = k.read().dataSync() as Float32Array;
    expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(2 * sigma);
    expect(Math.abs(meanStd(v).std / (Math.sqrt(0.7737413) * sigma) - 1)).toBeLessThan(0.03);
    // SAGAN's attention has four projection kernels; query and key share a shape, but not their values.
    const s = keep(saganDiscriminator({ inputShape: [16, 16, 1], baseFilters: 16, attentionResolution: 8 }));
    initializeWeights(s, { seed: 9 });
    const byName = new Map(s.weights.map((w) => [baseName(w), w.read().dataSync() as Float32Array]));
    expect(byName.get('query_kernel')!.length).toBe(byName.get('key_kernel')!.length);
    expect(equal(byName.get('query_kernel')!, byName.get('key_kernel')!)).toBe(false);
  });

  it('redraws spectral-norm u vectors from N(0, 1) and resets batch-norm statistics a model has moved', () => {
    const s = keep(saganGenerator({ outputShape: [16, 16, 1], latentDim: 4, baseFilters: 64, attentionResolution: 8 }));
    const us = s.weights.filter((w) => /(^|_)u$/.test(baseName(w)));
    expect(us.length).toBeGreaterThan(4);
    for (const w of s.weights.filter((w) => baseName(w) === 'moving_mean')) {
      tf.tidy(() => {
        w.write(tf.fill(w.shape as number[], 7));
      });
    }
    initializeWeights(s, { seed: 5 });
    const all = new Float32Array(us.flatMap((u) => Array.from(u.read().dataSync())));
    const { mean, std } = meanStd(all);
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(all.length));
    expect(Math.abs(std - 1)).toBeLessThan(5 * Math.sqrt(1 / (2 * all.length)));
    for (const w of s.weights.filter((w) => baseName(w) === 'moving_mean')) {
      expect(w.read().dataSync().every((x) => x === 0)).toBe(true);
    }
  });

  it("finds the initializers of tfjs' own layers (dense, conv, separable, embedding, batch norm, PReLU, RNN)", () => {
    const build = (): tf.LayersModel => {
      const x = tf.input({ shape: [6, 6, 2] });
      let h = tf.layers.conv2d({ filters: 3, kernelSize: 3, biasInitializer: 'randomNormal' }).apply(x) as tf.SymbolicTensor;
      h = tf.layers.separableConv2d({ filters: 4, kernelSize: 2 }).apply(h) as tf.SymbolicTensor;
      h = tf.layers.depthwiseConv2d({ kernelSize: 2 }).apply(h) as tf.SymbolicTensor;
      h = tf.layers.batchNormalization({ gammaInitializer: 'randomUniform' }).apply(h) as tf.SymbolicTensor;
      h = tf.layers.prelu({ alphaInitializer: tf.initializers.randomUniform({ minval: 0.1, maxval: 0.3 }) }).apply(h) as tf.SymbolicTensor;
      h = tf.layers.reshape({ targetShape: [1, 4] }).apply(h) as tf.SymbolicTensor;
      h = tf.layers.simpleRNN({ units: 3 }).apply(h) as tf.SymbolicTensor;
      const ids = tf.input({ shape: [1] });
      const e = tf.layers.flatten().apply(tf.layers.embedding({ inputDim: 5, outputDim: 3 }).apply(ids) as tf.SymbolicTensor);
      const out = tf.layers.dense({ units: 1 }).apply(tf.layers.concatenate().apply([h, e as tf.SymbolicTensor]) as tf.SymbolicTensor);
      return tf.model({ inputs: [x, ids], outputs: out as tf.SymbolicTensor });
    };
    const [a, b, c] = [build(), build(), build()].map(keep);
    initializeWeights(a, { seed: 21 });
    initializeWeights(b, { seed: 21 });
    initializeWeights(c, { seed: 22 });
    const names = a.weights.map(baseName);
    for (const expected of ['depthwise_kernel', 'pointwise_kernel', 'recurrent_kernel', 'embeddings', 'alpha', 'gamma']) {
      expect(names).toContain(expected);
    }
    const [va, vb, vc] = [a, b, c].map(values);
    a.weights.forEach((w, i) => {
      expect(equal(va[i]!, vb[i]!), w.originalName).toBe(true);
      expect(equal(va[i]!, vc[i]!), w.originalName).toBe(new Set(va[i]).size === 1);
    });
    // The RNN's recurrent kernel keeps its initializer (orthogonal): its columns stay orthonormal.
    const rec = a.weights.find((w) => baseName(w) === 'recurrent_kernel')!;
    const product = tf.tidy(() => tf.matMul(rec.read() as tf.Tensor2D, rec.read() as tf.Tensor2D, true, false).arraySync() as number[][]);
    product.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(i === j ? 1 : 0, 5)));
  });

  it('gives the same weights on the cpu and wasm backends', async () => {
    const onCpu = values(keep(BUILDERS.saganDiscriminator!(4)));
    await tf.setBackend('wasm');
    try {
      const onWasm = values(keep(BUILDERS.saganDiscriminator!(4)));
      onCpu.forEach((v, i) => expect(equal(v, onWasm[i]!)).toBe(true));
    } finally {
      await tf.setBackend('cpu');
    }
  });

  it('creates no lasting tensors', () => {
    const g = keep(BUILDERS.conditionalGenerator!());
    initializeWeights(g, { seed: 1 });
    const before = tf.memory().numTensors;
    initializeWeights(g, { seed: 2 });
    initializeWeights(g, { seed: 3 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('makes training reproducible: two seeded runs of GanTrainer report the same losses and end at the same weights', async () => {
    const run = async (seed?: number) => {
      const generator = mlpGenerator({ latentDim: 2, hiddenUnits: [8], outputDim: 2, seed });
      const discriminator = mlpDiscriminator({ inputDim: 2, hiddenUnits: [8], seed: seed === undefined ? undefined : seed + 1 });
      const trainer = new GanTrainer({
        generator,
        discriminator,
        latentDim: 2,
        generatorOptimizer: tf.train.adam(1e-2),
        discriminatorOptimizer: tf.train.adam(1e-2),
        seed: 5,
      });
      const losses: number[] = [];
      const real = tf.tensor2d([1, 2, -1, 0.5, 0, 3, 2, -2], [4, 2]);
      for (let i = 0; i < 5; i++) {
        const stats = await trainer.trainStep(real);
        losses.push(stats.discriminatorLoss, stats.generatorLoss);
      }
      const weights = values(generator);
      real.dispose();
      trainer.dispose();
      trainer.generatorOptimizer.dispose();
      trainer.discriminatorOptimizer.dispose();
      generator.dispose();
      discriminator.dispose();
      return { losses, weights };
    };
    const [a, b, unseeded] = [await run(30), await run(30), await run()];
    expect(b.losses).toEqual(a.losses);
    a.weights.forEach((w, i) => expect(equal(w, b.weights[i]!)).toBe(true));
    expect(unseeded.losses).not.toEqual(a.losses);
  });

  it('rejects a bad seed or model with InvalidArgumentError', () => {
    const m = keep(BUILDERS.mlpDiscriminator!());
    for (const bad of [-3, 0.5, 2 ** 32, undefined]) {
      expect(() => initializeWeights(m, { seed: bad as number })).toThrow(/options\.seed: expected an integer in \[0, 2\^32\)/);
    }
    expect(() => initializeWeights({} as tf.LayersModel, { seed: 1 })).toThrow(InvalidArgumentError);
  });

  it('throws WeightInitializationError, changing nothing, for a weight whose initializer it cannot find or seed', () => {
    class Opaque extends tf.layers.Layer {
      static className = 'InitializeWeightsTestOpaque';
      override build(): void {
        this.addWeight('w', [3], 'float32', tf.initializers.randomNormal({}));
        this.built = true;
      }
    }
    const x = tf.input({ shape: [3] });
    const dense = tf.layers.dense({ units: 3 });
    const opaque = keep(tf.model({ inputs: x, outputs: new Opaque().apply(dense.apply(x) as tf.SymbolicTensor) as tf.SymbolicTensor }));
    const before = values(opaque);
    expect(() => initializeWeights(opaque, { seed: 1 })).toThrow(WeightInitializationError);
    expect(() => initializeWeights(opaque, { seed: 1 })).toThrow(/weight '.*\/w' of layer .*InitializeWeightsTestOpaque/);
    // The dense layer comes first and has a known initializer, yet was not redrawn.
    values(opaque).forEach((v, i) => expect(equal(v, before[i]!)).toBe(true));

    // tfjs-layers does not export its Initializer base class; a dense layer accepts only its subclasses.
    const InitializerBase = Object.getPrototypeOf(tf.initializers.zeros().constructor) as new () => tf.serialization.Serializable;
    class Unseedable extends InitializerBase {
      static className = 'InitializeWeightsTestUnseedable';
      override getClassName(): string {
        return Unseedable.className;
      }
      override getConfig(): tf.serialization.ConfigDict {
        return {};
      }
      apply(shape: number[]): tf.Tensor {
        return tf.randomUniform(shape);
      }
    }
    const y = tf.input({ shape: [2] });
    const init = new Unseedable() as unknown as ReturnType<typeof tf.initializers.zeros>;
    const custom = keep(tf.model({ inputs: y, outputs: tf.layers.dense({ units: 2, kernelInitializer: init }).apply(y) as tf.SymbolicTensor }));
    const error = (() => {
      try {
        initializeWeights(custom, { seed: 1 });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(WeightInitializationError);
    expect(error).toBeInstanceOf(GanKitError);
    expect((error as Error).message).toMatch(/InitializeWeightsTestUnseedable, which takes no seed/);
  });
});
