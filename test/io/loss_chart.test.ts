import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { lossChart, lossChartPixels, readJsonl, saveLossChart } from '../../src/io/loss_chart';
import { InvalidArgumentError } from '../../src/errors';

const dir = mkdtempSync(join(tmpdir(), 'gan-kit-chart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Pixels (x, y) of a picture whose colour is exactly rgb. */
function find(image: { width: number; height: number; data: Uint8Array }, rgb: [number, number, number]): [number, number][] {
  const out: [number, number][] = [];
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const i = (y * image.width + x) * 4;
      if (image.data[i] === rgb[0] && image.data[i + 1] === rgb[1] && image.data[i + 2] === rgb[2]) out.push([x, y]);
    }
  }
  return out;
}

describe('loss charts', () => {
  it('draws a rising series lower-left to upper-right and a falling one the other way, in their own colours', () => {
    const records = Array.from({ length: 21 }, (_, s) => ({ step: s, up: s, down: 20 - s }));
    const image = lossChartPixels(records, { smoothing: 0, robustRange: false, width: 400, height: 300 });
    expect(image.width).toBe(400);
    expect(image.height).toBe(300);
    expect(image.data[3]).toBe(255);
    const blue = find(image, [0, 114, 178]).filter(([x]) => x > 100); // skip the legend swatch
    const orange = find(image, [213, 94, 0]).filter(([x]) => x > 100);
    expect(blue.length).toBeGreaterThan(100);
    expect(orange.length).toBeGreaterThan(100);
    const yAt = (pts: [number, number][], pick: (xs: number[]) => number): number => {
      const x = pick(pts.map(([px]) => px));
      return pts.find(([px]) => px === x)![1];
    };
    // Screen y grows downwards: the rising series starts low on screen (large y) and ends high.
    expect(yAt(blue, (xs) => Math.min(...xs))).toBeGreaterThan(yAt(blue, (xs) => Math.max(...xs)) + 150);
    expect(yAt(orange, (xs) => Math.min(...xs))).toBeLessThan(yAt(orange, (xs) => Math.max(...xs)) - 150);
  });

  it('skips NaN values, rejects records without a step, and validates options', () => {
    expect(() => lossChartPixels([{ step: 0, a: Number.NaN }, { step: 1, a: 1 }])).not.toThrow();
    expect(() => lossChartPixels([{ a: 1 } as unknown as { step: number }])).toThrow(/records\[0\]\.step/);
    expect(() => lossChartPixels([], { smoothing: 1 })).toThrow(InvalidArgumentError);
  });

  it('saves a PNG of the requested size and reads JSONL logs, skipping a cut-off last line', async () => {
    const log = join(dir, 'log.jsonl');
    writeFileSync(log, '{"step":1,"loss":2}\n{"step":2,"loss":1.5}\n{"step":3,"lo');
    const records = await readJsonl(log);
    expect(records).toEqual([{ step: 1, loss: 2 }, { step: 2, loss: 1.5 }]);
    expect(await readJsonl(join(dir, 'missing.jsonl'))).toEqual([]);
    const file = join(dir, 'chart.png');
    await saveLossChart(records, file, { width: 320, height: 200, title: 'losses' });
    const png = PNG.sync.read(readFileSync(file));
    expect([png.width, png.height]).toEqual([320, 200]);
  });

  it('as a callback, redraws every N steps and at the end', async () => {
    const file = join(dir, 'cb.png');
    const cb = lossChart({ path: file, every: 2 });
    const trainer = {} as never;
    await cb.onTrainBegin?.({ trainer, startStep: 0, targetStep: 3, epochs: undefined });
    await cb.onStepEnd?.({ step: 1, loss: 1 } as never, trainer);
    expect(() => readFileSync(file)).toThrow();
    await cb.onStepEnd?.({ step: 2, loss: 0.5 } as never, trainer);
    const first = readFileSync(file);
    await cb.onStepEnd?.({ step: 3, loss: 0.2 } as never, trainer);
    await cb.onTrainEnd?.({ history: [], steps: 3, epochs: 0, stopReason: 'steps', lastCheckpoint: undefined });
    expect(readFileSync(file).equals(first)).toBe(false);
    expect(tf.memory().numTensors).toBe(0);
  });
});
