/**
 * The built `gan-kit` command answers bad input with one line (`gan-kit: …`), exit code 2 and no stack: negative
 * numbers, settings that conflict with a resumed run, and a truncated run.json or weights.bin. A flag that repeats
 * the saved run's value is accepted with --resume. `npm test` builds first; run `npm run build` before this file.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, run } from './run_cli';

const tmp = mkdtempSync(join(tmpdir(), 'gan-kit-cli-bad-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(() => {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does) before this file.');
});

/** One line `gan-kit: …` matching `pattern`, exit code 2, no stack frame. */
function expectOneLine(result: { code: number | null; out: string }, pattern: RegExp): void {
  const text = result.out.trim();
  expect(result.code, text).toBe(2);
  expect(text.split('\n'), text).toHaveLength(1);
  expect(text).toMatch(/^gan-kit: /);
  expect(text).not.toMatch(/\n\s+at |ambiguous/);
  expect(text).toMatch(pattern);
}

const out = join(tmp, 'run');
const SMALL = ['--clusters', '0', '--batch-size', '4', '--width', '0.25'];

describe('gan-kit bad input', () => {
  it('negative numbers get gan-kit\'s own message, not "argument is ambiguous"', async () => {
    expectOneLine(await run(['train', 'dcgan', '--steps', '-5', '--out', join(tmp, 'a')]), /--steps: expected a positive integer, got -5\./);
    expectOneLine(await run(['train', 'dcgan', '--seed', '-1', '--out', join(tmp, 'a')]), /--seed: expected .*got -1/);
    expectOneLine(await run(['train', 'dcgan', '--width', '-0.5', '--out', join(tmp, 'a')]), /--width: expected a number in \(0, 16\], got -0\.5/);
    expectOneLine(await run(['sample', join(tmp, 'a'), '--n', '-3']), /--n: expected a positive integer, got -3/);
    expect(existsSync(join(tmp, 'a'))).toBe(false);
  });

  it('--resume accepts the saved settings and names the saved value of a conflicting one', async () => {
    const first = await run(['train', 'dcgan', ...SMALL, '--steps', '1', '--out', out]);
    expect(first.code, first.out).toBe(0);
    // The original command line again, with --resume and a later --steps: accepted, --clusters 0 included.
    const again = await run(['train', 'dcgan', ...SMALL, '--size', '32', '--channels', '3', '--seed', '0', '--steps', '2', '--out', out, '--resume']);
    expect(again.code, again.out).toBe(0);
    expect(again.out).toContain('Resumed dcgan from step 1');
    const conflicts: Array<[string[], RegExp]> = [
      [['--size', '64'], /--size: the run in .* was trained with --size 32, .*got --size 64\. Leave out --size \(or pass 32\)/],
      [['--width', '0.5'], /--width: the run in .* was trained with --width 0\.25, .*got --width 0\.5/],
      [['--channels', '1'], /--channels: the run in .* was trained with --channels 3, .*got --channels 1/],
      [['--clusters', '60'], /--clusters: the run in .* was trained with --clusters 0, .*got --clusters 60/],
      [['--batch-size', '8'], /--batch-size: the run in .* was trained with --batch-size 4, .*got --batch-size 8/],
      [['--data', tmp], /--data: the run in .* was trained with --data \(none: the built-in MNIST\)/],
    ];
    for (const [flags, pattern] of conflicts) {
      expectOneLine(await run(['train', 'dcgan', '--steps', '3', '--out', out, '--resume', ...flags]), pattern);
    }
  });

  it('a truncated run.json or weights.bin is a one-line error naming the file', async () => {
    expect(existsSync(join(out, 'run.json'))).toBe(true);
    const settings = join(out, 'run.json');
    const saved = readFileSync(settings, 'utf8');
    writeFileSync(settings, saved.slice(0, saved.length / 2));
    expectOneLine(await run(['train', 'dcgan', '--steps', '3', '--out', out, '--resume']), /run\.json is not valid JSON .*truncated or corrupted/);
    expectOneLine(await run(['sample', out]), /run\.json is not valid JSON/);
    writeFileSync(settings, saved);

    const ckpts = join(out, 'checkpoints');
    const latest = readdirSync(ckpts).filter((d) => d.startsWith('ckpt-')).sort().at(-1)!;
    const weights = join(ckpts, latest, 'generatorEma', 'weights.bin');
    copyFileSync(weights, `${weights}.bak`);
    truncateSync(weights, Math.floor(statSync(weights).size / 3));
    expectOneLine(await run(['train', 'dcgan', '--steps', '3', '--out', out, '--resume']), /weights\.bin holds \d+ bytes, but .*model\.json describes \d+ bytes/);
    expectOneLine(await run(['sample', out, '--n', '4']), /weights\.bin holds \d+ bytes, but .*model\.json describes \d+ bytes/);
    copyFileSync(`${weights}.bak`, weights);
  });
});
