import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { expect } from 'vitest';

export const root = resolve(__dirname, '../..');

/** Runs `node <script> args` in the repository root (tsx for .ts files); returns stdout. Fails the test on a non-zero exit. */
export async function runNode(script: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const node = script.endsWith('.ts') ? ['--import', 'tsx', script] : [script];
  const { stdout } = await promisify(execFile)(process.execPath, [...node, ...args], {
    cwd: root,
    env: { ...process.env, GAN_KIT_WASM_THREADS: '1', ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/** Decodes a PNG file and returns its size. */
export function pngSize(file: string): [number, number] {
  const png = PNG.sync.read(readFileSync(file));
  return [png.width, png.height];
}

/**
 * Checks what a training run wrote into `out`: sample grids of `gridSize` (width, height) that decode, a 640x360
 * loss chart, a JSONL log with one parsable line per step 1..steps, and a checkpoint at `steps` whose models
 * exist. Returns the latest checkpoint directory.
 */
export function checkRunFiles(out: string, steps: number, gridSize: [number, number], samplesDir = 'samples'): string {
  const grids = readdirSync(join(out, samplesDir)).filter((f) => f.endsWith('.png'));
  expect(grids.length).toBeGreaterThan(0);
  for (const g of grids) {
    if (!g.startsWith('final')) expect(pngSize(join(out, samplesDir, g))).toEqual(gridSize);
  }
  expect(pngSize(join(out, 'losses.png'))).toEqual([640, 360]);
  const lines = readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number });
  expect(lines.map((l) => l.step)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
  const pointer = JSON.parse(readFileSync(join(out, 'checkpoints', 'checkpoint.json'), 'utf8')) as { latest: string };
  const latest = join(out, 'checkpoints', pointer.latest);
  const manifest = JSON.parse(readFileSync(join(latest, 'manifest.json'), 'utf8')) as { step: number; models: string[] };
  expect(manifest.step).toBe(steps);
  for (const m of manifest.models) expect(existsSync(join(latest, m, 'model.json'))).toBe(true);
  return latest;
}
