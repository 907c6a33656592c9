import { InvalidArgumentError } from '../errors';

/**
 * The serialisable state of a {@link Random} generator: four unsigned 32-bit words of xoshiro128** state.
 * Stored in checkpoints so that a restored trainer draws exactly the numbers the original would have drawn.
 */
export interface RandomState {
  /** Always `'xoshiro128**'`; checked on restore. */
  readonly algorithm: 'xoshiro128**';
  /** The generator's four 32-bit state words (unsigned integers). */
  readonly state: readonly [number, number, number, number];
}

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Expands a 32-bit seed into a stream of well-mixed 32-bit words: a Weyl sequence (step 0x9E3779B9, the golden
 * ratio) passed through MurmurHash3's 32-bit finaliser. Used only to fill xoshiro's state from a seed, as its
 * authors recommend (never seed xoshiro with raw, correlated words).
 */
function seedWords(seed: number): [number, number, number, number] {
  let weyl = seed >>> 0;
  const next = (): number => {
    weyl = (weyl + 0x9e3779b9) >>> 0;
    let z = weyl;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  const words: [number, number, number, number] = [next(), next(), next(), next()];
  // An all-zero state is the one state xoshiro can never leave.
  if ((words[0] | words[1] | words[2] | words[3]) === 0) words[0] = 1;
  return words;
}

/**
 * A small, fast, seedable pseudo-random number generator with a state that can be saved and restored, so that
 * training (latent vectors, gradient-penalty interpolation weights, image-pool choices) is reproducible and
 * resumes exactly from a checkpoint.
 *
 * Algorithm: xoshiro128** 1.1 (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2018,
 * https://prng.di.unimi.it/), period 2^128 − 1, seeded through a MurmurHash3-finalised Weyl sequence. Normal
 * variates use the Box–Muller transform on 53-bit uniforms. Not cryptographically secure.
 *
 * @example
 * ```ts
 * const rng = new Random(42);
 * rng.uniform();                 // number in [0, 1)
 * const saved = rng.getState();  // JSON-serialisable
 * const a = rng.normal();
 * rng.setState(saved);
 * rng.normal() === a;            // true
 * ```
 */
export class Random {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /**
   * @param seed - an integer seed (any JS number; its low 32 bits are used), or a saved {@link RandomState}.
   *   Default: a seed drawn from `Math.random()`, i.e. not reproducible.
   */
  constructor(seed: number | RandomState = Math.floor(Math.random() * TWO_POW_32)) {
    if (typeof seed === 'number') {
      if (!Number.isFinite(seed)) throw new InvalidArgumentError('seed', 'a finite number', seed);
      [this.s0, this.s1, this.s2, this.s3] = seedWords(seed);
    } else {
      this.setState(seed);
    }
  }

  /** Next raw 32-bit output, an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / TWO_POW_53;
  }

  /** A uniform integer in [0, n), for a positive integer `n` ≤ 2^32 (rejection sampling, so exactly uniform). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
      throw new InvalidArgumentError('n', 'an integer in [1, 2^32]', n);
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** A standard normal variate N(0, 1) (Box–Muller; one of the pair is discarded so the state stays simple). */
  normal(): number {
    const u1 = 1 - this.uniform(); // (0, 1]: log is finite
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /**
   * Fills `out` with standard normal variates. With `truncation` (a positive number), values outside
   * [−truncation, truncation] are redrawn until they fall inside: the truncated normal of the BigGAN
   * "truncation trick" (Brock et al. 2019, https://arxiv.org/abs/1809.11096, section 3.1).
   */
  fillNormal(out: Float32Array, truncation?: number): Float32Array {
    if (truncation !== undefined && !(truncation > 0 && Number.isFinite(truncation))) {
      throw new InvalidArgumentError('truncation', 'a positive finite number (a threshold in standard deviations)', truncation);
    }
    for (let i = 0; i < out.length; i++) {
      // Box–Muller gives two independent normals per pair of uniforms; use both.
      const u1 = 1 - this.uniform();
      const u2 = this.uniform();
      const r = Math.sqrt(-2 * Math.log(u1));
      let a = r * Math.cos(2 * Math.PI * u2);
      const b = r * Math.sin(2 * Math.PI * u2);
      if (truncation !== undefined) {
        while (Math.abs(a) > truncation) a = this.normal();
        out[i] = a;
        if (i + 1 < out.length && Math.abs(b) <= truncation) out[++i] = b;
      } else {
        out[i] = a;
        if (i + 1 < out.length) out[++i] = b;
      }
    }
    return out;
  }

  /** Fills `out` with uniform variates in [low, high). */
  fillUniform(out: Float32Array, low = 0, high = 1): Float32Array {
    if (!(Number.isFinite(low) && Number.isFinite(high) && high > low)) {
      throw new InvalidArgumentError('high', `a finite number greater than low (${low})`, high);
    }
    for (let i = 0; i < out.length; i++) out[i] = low + (high - low) * this.uniform();
    return out;
  }

  /** The current state, JSON-serialisable. Restoring it with {@link Random.setState} replays the same stream. */
  getState(): RandomState {
    return { algorithm: 'xoshiro128**', state: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0] };
  }

  /**
   * Restores a state saved with {@link Random.getState}.
   * @throws {InvalidArgumentError} if `state` is not a valid xoshiro128** state.
   */
  setState(state: RandomState): void {
    const words = state?.state;
    const valid =
      state?.algorithm === 'xoshiro128**' &&
      Array.isArray(words) &&
      words.length === 4 &&
      words.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32) &&
      words.some((w) => w !== 0);
    if (!valid) {
      throw new InvalidArgumentError(
        'state',
        "a RandomState { algorithm: 'xoshiro128**', state: [four uint32, not all zero] }",
        state,
      );
    }
    [this.s0, this.s1, this.s2, this.s3] = words.map((w) => w | 0) as [number, number, number, number];
  }

  /** A new generator seeded from this one's stream (advances this generator by one draw). */
  fork(): Random {
    return new Random(this.nextUint32());
  }
}
