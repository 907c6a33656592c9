/**
 * The published package: `npm pack` it, unpack it into a scratch project as node_modules/gan-kit (tfjs linked
 * in as the user's own peer install), and import it the three ways users do: ESM, CommonJS and TypeScript types.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
let scratch = '';

function sh(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('the packed npm package', () => {
  beforeAll(() => {
    // `npm test` builds first (pretest); build here too when this file runs alone.
    if (process.env.npm_lifecycle_event !== 'test') sh('npm', ['run', 'build'], root);
    scratch = mkdtempSync(join(tmpdir(), 'gan-kit-scratch-'));
    // --ignore-scripts: dist/ is built above; the `prepare` script would rebuild it (tsup cleans dist/ first, under
    // the feet of the other test files) and print its log into the JSON.
    const packed = JSON.parse(sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], root)) as { filename: string }[];
    const pkgDir = join(scratch, 'node_modules', 'gan-kit');
    mkdirSync(pkgDir, { recursive: true });
    sh('tar', ['-xzf', join(scratch, packed[0].filename), '-C', pkgDir, '--strip-components=1'], scratch);
    // The user's own tfjs install (peer dependencies).
    symlinkSync(join(root, 'node_modules', '@tensorflow'), join(scratch, 'node_modules', '@tensorflow'), 'dir');
    symlinkSync(join(root, 'node_modules', '@types'), join(scratch, 'node_modules', '@types'), 'dir');
    // gan-kit's own runtime dependencies, as npm would install them.
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      mkdirSync(dirname(join(scratch, 'node_modules', dep)), { recursive: true });
      symlinkSync(join(root, 'node_modules', dep), join(scratch, 'node_modules', dep), 'dir');
    }
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
  });

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('ships dist (ESM, CJS, types) and no sources or tests', () => {
    const files = JSON.parse(sh('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], root))[0].files.map((f: { path: string }) => f.path) as string[];
    for (const f of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts', 'package.json', 'README.md']) {
      expect(files).toContain(f);
    }
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false);
  });

  it('imports as ESM and trains a gradient on the backend it picks', () => {
    writeFileSync(
      join(scratch, 'esm.mjs'),
      `import * as tf from '@tensorflow/tfjs';
       import { setupBackend, GanKitError } from 'gan-kit';
       const name = await setupBackend();
       const w = tf.variable(tf.randomNormal([3, 3, 1, 2]));
       // The filter gradient needs gan-kit's wasm Conv2DBackpropFilter kernel.
       const { grads } = tf.variableGrads(() => tf.conv2d(tf.ones([1, 5, 5, 1]), w, 1, 'same').square().sum());
       console.log(JSON.stringify({ name, shape: grads[w.name].shape, err: typeof GanKitError }));`,
    );
    const out = JSON.parse(sh(process.execPath, ['esm.mjs'], scratch).trim().split('\n').pop()!);
    expect(out).toEqual({ name: 'wasm', shape: [3, 3, 1, 2], err: 'function' });
  });

  it('requires as CommonJS', () => {
    writeFileSync(
      join(scratch, 'cjs.cjs'),
      `const ganKit = require('gan-kit');
       ganKit.setupBackend({ backend: 'cpu' }).then((name) => console.log(JSON.stringify({ name, keys: typeof ganKit.InvalidArgumentError })));`,
    );
    const out = JSON.parse(sh(process.execPath, ['cjs.cjs'], scratch).trim().split('\n').pop()!);
    expect(out).toEqual({ name: 'cpu', keys: 'function' });
  });

  it('type-checks a TypeScript consumer against the shipped declarations', () => {
    writeFileSync(
      join(scratch, 'consumer.ts'),
      `import { setupBackend, type BackendName, InvalidArgumentError } from 'gan-kit';
       const p: Promise<BackendName> = setupBackend({ backend: 'wasm' });
       const e: Error = new InvalidArgumentError('x', 'a number', 'y');
       // @ts-expect-error: not a backend name
       setupBackend({ backend: 'tpu' });
       export { p, e };`,
    );
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2020', noEmit: true, skipLibCheck: true, types: ['node'] }, files: ['consumer.ts'] }),
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() => sh(process.execPath, [tsc, '-p', 'tsconfig.json'], scratch)).not.toThrow();
  });
});
