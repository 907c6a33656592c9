import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError } from '../../src/errors';
import { inceptionScore } from '../../src/index';
import { describeEachBackend } from '../helpers/backends';
import { relDiff, Rng } from './reference';

/**
 * IS by the entropy decomposition E_x KL(p(y|x) || p(y)) = H(p(y)) - E_x H(p(y|x)), split by split: a
 * different formula from the implementation's direct KL sum.
 */
function referenceIs(p: number[][], splits: number): number[] {
  const entropy = (q: number[]) => -q.reduce((s, v) => (v > 0 ? s + v * Math.log(v) : s), 0);
  const scores: number[] = [];
  for (let s = 0; s < splits; s++) {
    const part = p.slice(Math.floor((s * p.length) / splits), Math.floor(((s + 1) * p.length) / splits));
    const marginal = part[0].map((_, j) => part.reduce((acc, row) => acc + row[j], 0) / part.length);
    const conditional = part.reduce((acc, row) => acc + entropy(row), 0) / part.length;
    scores.push(Math.exp(entropy(marginal) - conditional));
  }
  return scores;
}

function randomSoftmax(n: number, c: number, rng: Rng, sharpness: number): number[][] {
  return Array.from({ length: n }, () => {
    const logits = Array.from({ length: c }, () => sharpness * rng.normal());
    const m = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - m));
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / z);
  });
}

describe('inceptionScore: hand-computed cases', () => {
  it('uniform predictions score 1', () => {
    const p = Array.from({ length: 50 }, () => Array(10).fill(0.1));
    const r = inceptionScore(p, { splits: 5 });
    expect(Math.abs(r.mean - 1)).toBeLessThan(1e-12);
    expect(r.std).toBeLessThan(1e-12);
  });

  it('one-hot predictions spread evenly over k classes score k', () => {
    for (const k of [1, 2, 4, 10]) {
      const p = Array.from({ length: 10 * k }, (_, i) => Array.from({ length: 10 }, (_, j) => (j === i % k ? 1 : 0)));
      const r = inceptionScore(p, { splits: 10 });
      expect(Math.abs(r.mean - k)).toBeLessThan(1e-12);
      r.scores.forEach((s) => expect(Math.abs(s - k)).toBeLessThan(1e-12));
    }
  });

  it('two samples, two classes', () => {
    // p(y) = (0.7, 0.3); KL1 = 0.9 ln(0.9/0.7) + 0.1 ln(0.1/0.3); KL2 = 0.5 ln(0.5/0.7) + 0.5 ln(0.5/0.3).
    const kl1 = 0.9 * Math.log(0.9 / 0.7) + 0.1 * Math.log(0.1 / 0.3);
    const kl2 = 0.5 * Math.log(0.5 / 0.7) + 0.5 * Math.log(0.5 / 0.3);
    const r = inceptionScore([[0.9, 0.1], [0.5, 0.5]], { splits: 1 });
    expect(relDiff(r.mean, Math.exp((kl1 + kl2) / 2))).toBeLessThan(1e-14);
  });

  it('a collapsed generator (every sample the same class) scores 1', () => {
    const p = Array.from({ length: 20 }, () => [0, 1, 0]);
    expect(Math.abs(inceptionScore(p, { splits: 2 }).mean - 1)).toBeLessThan(1e-12);
  });
});

describe('inceptionScore: against the float64 entropy-decomposition reference', () => {
  it('random softmax rows, several splits (including uneven split sizes)', () => {
    const rng = new Rng(61);
    const p = randomSoftmax(203, 10, rng, 2);
    const r = inceptionScore(p, { splits: 7 });
    const ref = referenceIs(p, 7);
    ref.forEach((s, i) => expect(relDiff(r.scores[i], s)).toBeLessThan(1e-12));
    const mean = ref.reduce((a, b) => a + b, 0) / 7;
    const std = Math.sqrt(ref.reduce((a, b) => a + (b - mean) ** 2, 0) / 7);
    expect(relDiff(r.mean, mean)).toBeLessThan(1e-12);
    expect(relDiff(r.std, std)).toBeLessThan(1e-9);
  });

  it('rejects rows that are not probabilities, and too many splits', () => {
    expect(() => inceptionScore([[0.5, 0.6]], { splits: 1 })).toThrow(InvalidArgumentError);
    expect(() => inceptionScore([[1.5, -0.5]], { splits: 1 })).toThrow(InvalidArgumentError);
    expect(() => inceptionScore([[0.5, 0.5]], { splits: 2 })).toThrow(ShapeError);
    expect(() => inceptionScore([[0.5, 0.5]], { splits: 0 })).toThrow(InvalidArgumentError);
  });
});

describeEachBackend('inceptionScore on tensors', () => {
  it('reads tf.softmax output and matches the reference', () => {
    const logits = tf.randomNormal([100, 10], 0, 3, 'float32', 7);
    const probs = tf.softmax(logits);
    const before = tf.memory().numTensors;
    const r = inceptionScore(probs, { splits: 4 });
    expect(tf.memory().numTensors).toBe(before);
    const ref = referenceIs(probs.arraySync() as number[][], 4);
    ref.forEach((s, i) => expect(relDiff(r.scores[i], s)).toBeLessThan(1e-9));
    tf.dispose([logits, probs]);
  });
});
