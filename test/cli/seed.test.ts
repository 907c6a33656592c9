/**
 * `gan-kit train --seed`: the recipes' networks start from weights fixed by the seed (each network from its own
 * stream), so a run repeats; a seed that is not an integer in [0, 2^32) is refused, naming --seed.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRecipe, type RecipeName, type RecipeSettings } from '../../src/cli/recipes';
import { train } from '../../src/cli/train';
import { InvalidArgumentError } from '../../src/index';

const tmp = mkdtempSync(join(tmpdir(), 'gan-kit-seed-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The recipe's first progress grid (generated from fixed codes or translated from fixed images) and every weight. */
async function initialState(model: RecipeName, seed: number): Promise<{ grid: Float32Array; weights: Float32Array[] }> {
  const settings: RecipeSettings = { model, size: 28, channels: 1, batchSize: 4, width: 0.25, seed, clusters: 0 };
  const built = await buildRecipe(settings, { runDir: tmp, resume: false });
  try {
    const grid = tf.tidy(() => built.grid(built.trainer).dataSync() as Float32Array);
    const models = Object.values(built.trainer as unknown as Record<string, unknown>).filter((m) => m instanceof tf.LayersModel);
    const weights = (models as tf.LayersModel[]).flatMap((m) => m.getWeights().map((w) => w.dataSync() as Float32Array));
    return { grid, weights };
  } finally {
    built.trainer.dispose();
  }
}

const same = (a: Float32Array, b: Float32Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

describe('gan-kit train --seed', () => {
  for (const model of ['dcgan', 'wgan-gp', 'sagan', 'cgan', 'cyclegan'] as const) {
    it(`${model}: the same seed builds the same networks, another seed other ones`, async () => {
      const [a, b, c] = [await initialState(model, 3), await initialState(model, 3), await initialState(model, 4)];
      expect(a.weights.length).toBeGreaterThanOrEqual(2 * 4);
      expect(b.weights.length).toBe(a.weights.length);
      a.weights.forEach((w, i) => expect(same(w, b.weights[i]!)).toBe(true));
      expect(same(a.grid, b.grid)).toBe(true);
      expect(same(a.grid, c.grid)).toBe(false);
    });
  }

  it('refuses a seed that is not an integer in [0, 2^32), naming --seed', async () => {
    for (const seed of [-1, 2.5, 2 ** 32]) {
      await expect(train({ model: 'dcgan', seed, steps: 1, out: join(tmp, `bad-${seed}`), log: () => {} })).rejects.toThrow(InvalidArgumentError);
      await expect(train({ model: 'dcgan', seed, steps: 1, out: join(tmp, `bad-${seed}`), log: () => {} })).rejects.toThrow(/--seed: expected an integer in \[0, 2\^32\)/);
    }
  });
});
