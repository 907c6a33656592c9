import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { InvalidArgumentError, SelfAttention2D, ShapeError } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import {
  expectClose,
  expectGradientsMatchFiniteDifferences,
  expectGradientToEveryWeight,
  expectNoLeak,
  expectSameOutputs,
  gradientMagnitudes,
  randomArray,
  roundTrip,
} from './helpers';
import { topSingularValue } from './reference';

interface AttentionWeights {
  wq: number[]; // [C, Cq]
  wk: number[]; // [C, Cq]
  wv: number[]; // [C, Cv]
  wo: number[]; // [Cv, C]
  bq?: number[];
  bk?: number[];
  bv?: number[];
  bo?: number[];
  gamma: number;
}

/** Float64 SAGAN attention, written from the paper's equations, for x of shape [B, H, W, C]. */
function referenceAttention(
  x: number[],
  [B, H, W, C]: [number, number, number, number],
  w: AttentionWeights,
  cq: number,
  cv: number,
  pool: boolean,
): number[] {
  const N = H * W;
  const project = (b: number, n: number, kernel: number[], bias: number[] | undefined, depth: number): number[] => {
    const out: number[] = [];
    for (let a = 0; a < depth; a++) {
      let s = bias ? bias[a]! : 0;
      for (let c = 0; c < C; c++) s += x[(b * N + n) * C + c]! * kernel[c * depth + a]!;
      out.push(s);
    }
    return out;
  };
  const y: number[] = x.slice();
  for (let b = 0; b < B; b++) {
    const q = Array.from({ length: N }, (_, n) => project(b, n, w.wq, w.bq, cq));
    let k = Array.from({ length: N }, (_, n) => project(b, n, w.wk, w.bk, cq));
    let v = Array.from({ length: N }, (_, n) => project(b, n, w.wv, w.bv, cv));
    if (pool) {
      const poolRows = (rows: number[][], depth: number): number[][] => {
        const out: number[][] = [];
        for (let i = 0; i < H; i += 2) {
          for (let j = 0; j < W; j += 2) {
            const cells = [rows[i * W + j]!, rows[i * W + j + 1]!, rows[(i + 1) * W + j]!, rows[(i + 1) * W + j + 1]!];
            out.push(Array.from({ length: depth }, (_, a) => Math.max(...cells.map((r) => r[a]!))));
          }
        }
        return out;
      };
      k = poolRows(k, cq);
      v = poolRows(v, cv);
    }
    for (let n = 0; n < N; n++) {
      const scores = k.map((kr) => kr.reduce((s, ka, a) => s + ka * q[n]![a]!, 0));
      const max = Math.max(...scores);
      const e = scores.map((s) => Math.exp(s - max));
      const z = e.reduce((s, t) => s + t, 0);
      const beta = e.map((t) => t / z);
      const o = Array.from({ length: cv }, (_, d) => beta.reduce((s, bm, m) => s + bm * v[m]![d]!, 0));
      for (let c = 0; c < C; c++) {
        let out = w.bo ? w.bo[c]! : 0;
        for (let d = 0; d < cv; d++) out += o[d]! * w.wo[d * C + c]!;
        y[(b * N + n) * C + c] = x[(b * N + n) * C + c]! + w.gamma * out;
      }
    }
  }
  return y;
}

function modelWith(layer: SelfAttention2D, shape: number[]): tf.LayersModel {
  const input = tf.input({ shape });
  return tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
}

function randomWeights(c: number, cq: number, cv: number, bias: boolean, gamma: number, seed: number): AttentionWeights {
  const w: AttentionWeights = {
    wq: randomArray(c * cq, seed),
    wk: randomArray(c * cq, seed + 1),
    wv: randomArray(c * cv, seed + 2),
    wo: randomArray(cv * c, seed + 3),
    gamma,
  };
  if (bias) {
    w.bq = randomArray(cq, seed + 4, 0.5);
    w.bk = randomArray(cq, seed + 5, 0.5);
    w.bv = randomArray(cv, seed + 6, 0.5);
    w.bo = randomArray(c, seed + 7, 0.5);
  }
  return w;
}

function setWeights(layer: SelfAttention2D, w: AttentionWeights, c: number, cq: number, cv: number): void {
  const t = [
    tf.tensor2d(w.wq, [c, cq]),
    tf.tensor2d(w.wk, [c, cq]),
    tf.tensor2d(w.wv, [c, cv]),
    tf.tensor2d(w.wo, [cv, c]),
    ...(w.bq ? [tf.tensor1d(w.bq), tf.tensor1d(w.bk!), tf.tensor1d(w.bv!), tf.tensor1d(w.bo!)] : []),
    tf.scalar(w.gamma),
  ];
  layer.setWeights([...t, ...layer.nonTrainableWeights.map((v) => v.read())]); // spectral-norm vectors unchanged
  tf.dispose(t);
}

describeEachBackend('SelfAttention2D', () => {
  it('keeps the input shape and sizes its projections C/8 (query, key) and C/2 (value) by default', () => {
    const layer = new SelfAttention2D();
    const out = layer.apply(tf.input({ shape: [4, 6, 16] })) as tf.SymbolicTensor;
    expect(out.shape).toEqual([null, 4, 6, 16]);
    expect(layer.weights.map((w) => [w.originalName.split('/').pop(), w.shape])).toEqual([
      ['query_kernel', [16, 2]],
      ['key_kernel', [16, 2]],
      ['value_kernel', [16, 8]],
      ['output_kernel', [8, 16]],
      ['gamma', []],
    ]);
    const custom = new SelfAttention2D({ queryKeyChannels: 3, valueChannels: 5, useBias: true });
    custom.apply(tf.input({ shape: [2, 2, 4] }));
    expect(custom.countParams()).toBe(4 * 3 * 2 + 4 * 5 + 5 * 4 + (3 + 3 + 5 + 4) + 1);
    // Channels below 8 still get one query/key channel.
    const tiny = new SelfAttention2D();
    tiny.apply(tf.input({ shape: [2, 2, 3] }));
    expect(tiny.weights[0]!.shape).toEqual([3, 1]);
  });

  it('is exactly the identity at initialisation (gamma = 0)', async () => {
    const model = modelWith(new SelfAttention2D(), [3, 4, 8]);
    const x = tf.randomNormal([2, 3, 4, 8], 0, 3, 'float32', 1);
    const y = model.predict(x) as tf.Tensor;
    expect(Array.from(await y.data())).toEqual(Array.from(await x.data()));
    tf.dispose([x, y]);
  });

  for (const [label, pool, bias] of [
    ['plain', false, false],
    ['with biases', false, true],
    ['with 2x2 max-pooled keys and values', true, false],
  ] as const) {
    it(`matches a float64 reference of softmax(QKᵀ)V attention (${label})`, async () => {
      const [B, H, W, C, cq, cv] = [2, 4, 2, 8, 2, 3];
      const layer = new SelfAttention2D({ queryKeyChannels: cq, valueChannels: cv, useBias: bias, poolKeysValues: pool });
      const model = modelWith(layer, [H, W, C]);
      const w = randomWeights(C, cq, cv, bias, 0.7, pool ? 10 : 20);
      setWeights(layer, w, C, cq, cv);
      const xs = randomArray(B * H * W * C, 3);
      const x = tf.tensor4d(xs, [B, H, W, C]);
      const y = model.predict(x) as tf.Tensor;
      expectClose(await y.data(), referenceAttention(xs, [B, H, W, C], w, cq, cv, pool), 2e-5);
      tf.dispose([x, y]);
    });
  }

  it('sends a gradient to every weight once gamma is nonzero, and only to gamma while it is 0', () => {
    const layer = new SelfAttention2D({ useBias: true, queryKeyChannels: 2 });
    const model = modelWith(layer, [2, 2, 4]);
    const x = tf.randomNormal([2, 2, 2, 4], 0, 1, 'float32', 2);
    const atInit = gradientMagnitudes(model, x);
    for (const [name, m] of Object.entries(atInit)) {
      if (name.endsWith('gamma')) expect(m).toBeGreaterThan(0);
      else expect(m).toBe(0);
    }
    setWeights(layer, randomWeights(4, 2, 2, true, 0.5, 5), 4, 2, 2);
    expectGradientToEveryWeight(model, x);
    x.dispose();
  });

  it('has gradients that match finite differences', () => {
    const layer = new SelfAttention2D({ queryKeyChannels: 2, valueChannels: 2, useBias: true, poolKeysValues: true });
    const model = modelWith(layer, [2, 4, 3]);
    setWeights(layer, randomWeights(3, 2, 2, true, 0.8, 7), 3, 2, 2);
    const x = tf.randomNormal([2, 2, 4, 3], 0, 1, 'float32', 3);
    expectGradientsMatchFiniteDifferences(model, x);
    x.dispose();
  });

  it('saves and loads with its options, reproducing outputs exactly', async () => {
    const layer = new SelfAttention2D({ queryKeyChannels: 3, valueChannels: 5, useBias: true, poolKeysValues: true });
    const model = modelWith(layer, [4, 4, 6]);
    setWeights(layer, randomWeights(6, 3, 5, true, 0.3, 9), 6, 3, 5);
    const loaded = await roundTrip(model);
    const copy = loaded.layers[1] as SelfAttention2D;
    expect(copy).toBeInstanceOf(SelfAttention2D);
    expect(JSON.parse(JSON.stringify(copy.getConfig()))).toEqual(JSON.parse(JSON.stringify(layer.getConfig())));
    const x = tf.randomNormal([2, 4, 4, 6], 0, 1, 'float32', 4);
    await expectSameOutputs(model, loaded, x);
    x.dispose();
  });

  it('with spectral normalization uses W/σ(W) for each projection and keeps u fixed in inference', async () => {
    const [B, H, W, C, cq, cv] = [2, 2, 2, 4, 2, 3];
    const layer = new SelfAttention2D({ queryKeyChannels: cq, valueChannels: cv, spectralNormalization: true, powerIterations: 30 });
    const model = modelWith(layer, [H, W, C]);
    expect(layer.nonTrainableWeights.map((w) => [w.originalName.split('/').pop(), w.shape])).toEqual([
      ['query_u', [cq]],
      ['key_u', [cq]],
      ['value_u', [cv]],
      ['output_u', [C]],
    ]);
    const w = randomWeights(C, cq, cv, false, 0.9, 40);
    setWeights(layer, w, C, cq, cv);
    const xs = randomArray(B * H * W * C, 41);
    const x = tf.tensor4d(xs, [B, H, W, C]);
    // One training call runs 30 power-iteration steps and stores u; inference then uses σ from that u.
    (model.apply(x, { training: true }) as tf.Tensor).dispose();
    const us = layer.nonTrainableWeights.map((v) => Array.from(v.read().dataSync()));
    const y = model.predict(x) as tf.Tensor;
    expect(layer.nonTrainableWeights.map((v) => Array.from(v.read().dataSync()))).toEqual(us);
    const scaled = (k: number[], rows: number, cols: number) => k.map((t) => t / topSingularValue(k, rows, cols));
    const sn: AttentionWeights = {
      wq: scaled(w.wq, C, cq),
      wk: scaled(w.wk, C, cq),
      wv: scaled(w.wv, C, cv),
      wo: scaled(w.wo, cv, C),
      gamma: w.gamma,
    };
    expectClose(await y.data(), referenceAttention(xs, [B, H, W, C], sn, cq, cv, false), 1e-4);
    expectGradientToEveryWeight(model, x);
    const loaded = await roundTrip(model);
    expect((loaded.layers[1] as SelfAttention2D).spectralNormalization).toBe(true);
    await expectSameOutputs(model, loaded, x);
    tf.dispose([x, y]);
  });

  it('rejects bad options and shapes with typed errors', () => {
    expect(() => new SelfAttention2D({ queryKeyChannels: 0 })).toThrow(InvalidArgumentError);
    expect(() => new SelfAttention2D({ valueChannels: 1.5 })).toThrow(/valueChannels/);
    expect(() => new SelfAttention2D().apply(tf.input({ shape: [4, 4] }))).toThrow(ShapeError);
    const model = modelWith(new SelfAttention2D({ poolKeysValues: true }), [3, 4, 8]);
    const x = tf.zeros([1, 3, 4, 8]);
    expect(() => model.predict(x)).toThrow(/even height and width/);
    x.dispose();
  });

  it('leaks no tensors in inference or gradient computation', () => {
    const layer = new SelfAttention2D({ poolKeysValues: true });
    const model = modelWith(layer, [2, 2, 8]);
    const x = tf.randomNormal([2, 2, 2, 8]);
    expectNoLeak(() => {
      (model.predict(x) as tf.Tensor).dispose();
      gradientMagnitudes(model, x);
    });
    x.dispose();
  });
});
