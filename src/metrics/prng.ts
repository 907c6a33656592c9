/**
 * A tiny seeded pseudo-random generator for the metrics (subset sampling in KID, the MNIST classifier's
 * data split). Reproducible across platforms; not cryptographic.
 *
 * Algorithm: a Weyl sequence (step 0x9E3779B9, the 32-bit golden ratio) passed through MurmurHash3's 32-bit
 * finaliser ("fmix32"), i.e. the 32-bit SplitMix construction. Good enough statistical quality for drawing
 * subsets; period 2^32.
 *
 * @module metrics/prng
 * @internal
 */
export class MetricsRandom {
  private state: number;

  /** @param seed - any finite number; its low 32 bits seed the generator. */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform float in [0, 1) with 32 random bits. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Shuffles `values` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: number }>(values: T): T {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = values[i];
      values[i] = values[j];
      values[j] = tmp;
    }
    return values;
  }

  /** `m` distinct indices drawn uniformly from 0..n-1 (partial Fisher–Yates), in draw order. */
  sampleWithoutReplacement(n: number, m: number): Int32Array {
    const pool = new Int32Array(n);
    for (let i = 0; i < n; i++) pool[i] = i;
    for (let i = 0; i < m; i++) {
      const j = i + this.int(n - i);
      const tmp = pool[i];
      pool[i] = pool[j];
      pool[j] = tmp;
    }
    return pool.slice(0, m);
  }
}
