import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { mnistDomainB, mnistDomainBToA, mnistDomains } from '../../src/data/mnist_domains';
import { ShapeError } from '../../src/errors';

describe('MNIST CycleGAN domains', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('renders domain B as −max over each pixel and its right, lower and lower-right neighbours', async () => {
    const h = 5;
    const w = 4;
    const values = Array.from({ length: h * w }, (_, i) => Math.sin(i * 1.7));
    const x = tf.tensor4d(values, [1, h, w, 1]);
    const b = mnistDomainB(x);
    const out = await b.data();
    for (let y = 0; y < h; y++) {
      for (let c = 0; c < w; c++) {
        let m = -Infinity;
        for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
          if (y + dy! < h && c + dx! < w) m = Math.max(m, values[(y + dy!) * w + c + dx!]!);
        }
        expect(out[y * w + c]!).toBeCloseTo(-m, 6);
      }
    }
    const back = mnistDomainBToA(b);
    expect(Array.from(await back.data())).toEqual(Array.from(out, (v) => -v));
    tf.dispose([x, b, back]);
    expect(() => mnistDomainB(tf.zeros([2, 3]) as unknown as tf.Tensor4D)).toThrow(ShapeError);
  });

  it('yields unpaired { a, b } batches from disjoint halves: A dark-background digits, B light-background', async () => {
    const data = await mnistDomains({ batchSize: 50, seed: 0, limit: 400 });
    const batches = await data.toArray();
    expect(batches).toHaveLength(4); // 200 digits per domain
    const key = (v: Float32Array | Int32Array | Uint8Array, k: number): string => Array.from(v.subarray(k * 784, k * 784 + 784), (x) => x.toFixed(3)).join();
    const aRows = new Set<string>();
    const aRestyled = new Set<string>();
    const bRows = new Set<string>();
    for (const { a, b } of batches) {
      expect(a.shape).toEqual([50, 28, 28, 1]);
      expect(b.shape).toEqual([50, 28, 28, 1]);
      // Background: A is mostly −1, B mostly +1.
      expect((await a.mean().data())[0]!).toBeLessThan(-0.5);
      expect((await b.mean().data())[0]!).toBeGreaterThan(0.5);
      const restyled = mnistDomainB(a);
      const [av, rv, bv] = await Promise.all([a.data(), restyled.data(), b.data()]);
      for (let k = 0; k < 50; k++) {
        aRows.add(key(av, k));
        aRestyled.add(key(rv, k));
        bRows.add(key(bv, k));
      }
      restyled.dispose();
    }
    expect(aRows.size).toBe(200);
    expect(bRows.size).toBe(200);
    // No B image is the B rendering of an A image: the halves are disjoint.
    expect([...bRows].filter((r) => aRestyled.has(r))).toEqual([]);
    tf.dispose(batches as unknown as tf.TensorContainer);
  });
});
