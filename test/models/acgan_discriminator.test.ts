import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { acganDiscriminator, InvalidArgumentError } from '../../src/index';
import { bn, conv, convNoBias, dense, trainableCount } from './counts';
import { roundTrip } from '../layers/helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('acganDiscriminator', () => {
  it('takes the image alone and returns [logits, classLogits], with the hand-counted DCGAN-trunk weights', () => {
    const d = acganDiscriminator({ baseFilters: 16 });
    expect(d.inputs.map((i) => i.shape)).toEqual([[null, 28, 28, 1]]);
    expect(d.outputs.map((o) => o.shape)).toEqual([
      [null, 1],
      [null, 10],
    ]);
    // 28 → 14 → 7: conv 1→16 (bias), conv 16→32 (no bias) + BN, flatten 7·7·32, two heads.
    const features = 7 * 7 * 32;
    expect(d.countParams()).toBe(conv(1, 16, 4) + convNoBias(16, 32, 4) + bn(32) + dense(features, 1) + dense(features, 10));
    expect(d.countParams()).toBe(25851);
    expect(trainableCount(d)).toBe(25851 - 2 * 32);
    // 32x32x3, 3 classes, defaults (base 64): 32 → 16 → 8 → 4, three convolutions.
    const big = acganDiscriminator({ inputShape: [32, 32, 3], numClasses: 3 });
    const f = 4 * 4 * 256;
    expect(big.countParams()).toBe(conv(3, 64, 4) + convNoBias(64, 128, 4) + bn(128) + convNoBias(128, 256, 4) + bn(256) + dense(f, 1) + dense(f, 3));
  });

  it('saves and loads with the same outputs', async () => {
    const d = acganDiscriminator({ baseFilters: 4, numClasses: 3, inputShape: [8, 8, 1] });
    const loaded = await roundTrip(d);
    const x = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 3);
    const before = d.predict(x) as tf.Tensor[];
    const after = loaded.predict(x) as tf.Tensor[];
    expect(after.map((t) => t.shape)).toEqual([
      [2, 1],
      [2, 3],
    ]);
    for (let i = 0; i < 2; i++) expect(Array.from(await after[i]!.data())).toEqual(Array.from(await before[i]!.data()));
    tf.dispose([x, ...before, ...after]);
  });

  it('names the argument of bad input', () => {
    expect(() => acganDiscriminator({ numClasses: 1 })).toThrow(InvalidArgumentError);
    expect(() => acganDiscriminator({ numClasses: 1 })).toThrow(/acganDiscriminator\.numClasses/);
    expect(() => acganDiscriminator({ inputShape: [30, 30, 1] })).toThrow(/acganDiscriminator\.inputShape/);
    expect(() => acganDiscriminator({ baseFilters: 0 })).toThrow(/acganDiscriminator\.baseFilters/);
    expect(() => acganDiscriminator({ leakyReluAlpha: -1 })).toThrow(/acganDiscriminator\.leakyReluAlpha/);
  });
});
