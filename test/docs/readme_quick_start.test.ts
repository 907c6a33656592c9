/**
 * The README's quick start runs as written (against the built package, imported as 'gan-kit'), with only the
 * step count and output paths shrunk for the test.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const work = join(root, '.tmp', `readme-${process.pid}`);

beforeAll(() => {
  if (process.env.npm_lifecycle_event !== 'test') execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  mkdirSync(work, { recursive: true });
}, 300_000); // the build alone took 90 s at a load average of 12 on 2 cores
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('the README quick start trains, writes a sample grid and a checkpoint', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /## Quick start[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block, 'README has a ts block under "Quick start"').toBeTruthy();
  expect(block!).toContain('{ steps: 500,');
  const script = block!
    .replace('{ steps: 500,', '{ steps: 2,')
    .replace("'samples.png'", JSON.stringify(join(work, 'samples.png')))
    .replace("'runs/dcgan'", JSON.stringify(join(work, 'run')));
  // Inside the package directory, 'gan-kit' resolves to this package's own build (package.json self-reference).
  const file = join(work, 'quick-start.mjs');
  writeFileSync(file, script);
  execFileSync(process.execPath, [file], { cwd: root, stdio: 'pipe', timeout: 240_000 });
  const png = PNG.sync.read(readFileSync(join(work, 'samples.png')));
  // 8 x 8 tiles of 28 px, plus the grid's padding between tiles.
  expect(png.width).toBe(png.height);
  expect(png.width).toBeGreaterThanOrEqual(8 * 28);
  expect(png.width).toBeLessThan(8 * 28 + 9 * 4);
  expect(existsSync(join(work, 'run', 'checkpoint.json'))).toBe(true);
}, 300_000); // longer than the script's own 240 s limit, so that a slow run fails with the script's error

it("the README's CommonJS form of the quick start (require, an async main) runs as a .cjs script", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /## Quick start[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block, 'README has a js block under "Quick start"').toBeTruthy();
  expect(block!).toContain("require('gan-kit')");
  expect(block!).toContain('{ steps: 500,');
  const script = block!
    .replace('{ steps: 500,', '{ steps: 1,')
    .replace("'samples.png'", JSON.stringify(join(work, 'cjs-samples.png')))
    .replace("'runs/dcgan'", JSON.stringify(join(work, 'cjs-run')));
  const file = join(work, 'quick-start.cjs');
  writeFileSync(file, script);
  execFileSync(process.execPath, [file], { cwd: root, stdio: 'pipe', timeout: 240_000, env: { ...process.env, GAN_KIT_WASM_THREADS: '1' } });
  expect(PNG.sync.read(readFileSync(join(work, 'cjs-samples.png'))).width).toBeGreaterThanOrEqual(8 * 28);
  expect(existsSync(join(work, 'cjs-run', 'checkpoint.json'))).toBe(true);
}, 300_000);
