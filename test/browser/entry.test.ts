/**
 * The browser entry (src/index.browser.ts, package.json "exports" condition "browser") must not bring any Node-only
 * module into a page: bundled for the browser with esbuild, it must build, take nothing from node_modules (tfjs
 * stays the page's own, external) and import nothing but @tensorflow/*. The same check is run on entries with a
 * Node import added, to show that it catches each kind of leak. And the entry must export everything of the Node
 * entry (src/index.ts) except a reviewed list of Node-only names.
 */
import { build, type BuildFailure, type Metafile } from 'esbuild';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const src = resolve(root, 'src');

/** Bundles `entry` for the browser and lists everything Node-only in the result (empty when clean). */
async function nodeLeaks(entry: { file: string } | { contents: string }): Promise<string[]> {
  let metafile: Metafile;
  let text: string;
  try {
    const result = await build({
      ...('file' in entry ? { entryPoints: [entry.file] } : { stdin: { contents: entry.contents, resolveDir: src, loader: 'ts' } }),
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2020',
      write: false,
      metafile: true,
      logLevel: 'silent',
      external: ['@tensorflow/*'],
    });
    metafile = result.metafile;
    text = result.outputFiles[0]!.text;
  } catch (error) {
    // platform 'browser': esbuild cannot resolve Node built-ins, so any that is imported fails the build.
    return (error as BuildFailure).errors?.map((e) => `build error: ${e.text}`) ?? [`build error: ${String(error)}`];
  }
  const leaks: string[] = [];
  for (const input of Object.keys(metafile.inputs)) {
    if (input.includes('node_modules')) leaks.push(`bundles ${input}`);
  }
  for (const input of Object.values(metafile.inputs)) {
    for (const imported of input.imports) {
      if (imported.external && !imported.path.startsWith('@tensorflow/')) leaks.push(`imports ${imported.path} (${imported.kind})`);
    }
  }
  // Belt and braces: no import of a Node module written out literally in the bundle.
  const literal =
    /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)["']((?:node:)?(?:fs|fs\/promises|path|os|worker_threads|child_process|module|url|zlib|stream|crypto|util|http|net)|node:[^"']+|pngjs|jpeg-js|mnist)["']/g;
  for (const match of text.matchAll(literal)) leaks.push(`literal import of ${match[1]}`);
  return leaks;
}

describe('the browser entry', () => {
  it('bundles for the browser with no Node built-in and no Node-only package', async () => {
    expect(await nodeLeaks({ file: resolve(src, 'index.browser.ts') })).toEqual([]);
  });

  it.each([
    ['a static node: import', "import { readFile } from 'node:fs'; console.log(readFile);", /node:fs/],
    ['a bare built-in', "import * as p from 'path'; console.log(p);", /path/],
    ['a dynamic import of a built-in', "export const load = () => import('node:worker_threads');", /worker_threads/],
    ['a require of a built-in', "export const os = require('os');", /os/],
    ['a Node-only package', "export const load = () => import('pngjs');", /pngjs|zlib|stream|util|assert|buffer/],
    ["one of gan-kit's Node-only modules", "export * from './io/loss_chart';", /pngjs|zlib|stream|util|assert|buffer/],
  ])('catches %s added to it', async (_, extra, pattern) => {
    const leaks = await nodeLeaks({ contents: `export * from './index.browser';\n${extra}` });
    expect(leaks.length).toBeGreaterThan(0);
    expect(leaks.join('\n')).toMatch(pattern);
  });

  it('is what package.json "exports" gives bundlers under the "browser" condition, built for the browser by tsup', async () => {
    const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, Record<string, Record<string, string>>>>;
    };
    const dot = pkg.exports['.']!;
    // Conditions match in order: "browser" must come before "import"/"require".
    expect(Object.keys(dot)[0]).toBe('browser');
    expect(dot.browser!.import).toEqual({ types: './dist/index.browser.d.ts', default: './dist/index.browser.js' });
    expect(dot.browser!.require).toEqual({ types: './dist/index.browser.d.cts', default: './dist/index.browser.cjs' });
    const configs = (await import('../../tsup.config')).default as unknown as {
      entry: Record<string, string>;
      platform?: string;
      format: string[];
      dts?: unknown;
    }[];
    const browser = configs.find((c) => c.entry['index.browser'] !== undefined);
    expect(browser).toMatchObject({ entry: { 'index.browser': 'src/index.browser.ts' }, platform: 'browser', format: ['esm', 'cjs'] });
    expect(configs.some((c) => JSON.stringify(c.dts).includes('src/index.browser.ts'))).toBe(true);
  });
});

/**
 * Names the Node entry exports and the browser entry leaves out, each for a reason. A new export of src/index.ts
 * that is not in the browser entry fails the test below: add it to src/index.browser.ts if it works in a page
 * (the bundle test above then checks that), or here if it needs Node.
 */
const NOT_IN_BROWSER: Record<string, string> = {
  // src/io: model directories, checkpoints and files (node:fs).
  ...Object.fromEntries(
    [
      'CheckpointError',
      'fileSystemHandler',
      'loadModelFromDir',
      'loadWeightsIntoModel',
      'MODEL_JSON',
      'WEIGHTS_BIN',
      'saveModelToDir',
      'CHECKPOINT_MANIFEST',
      'CHECKPOINT_POINTER',
      'listCheckpoints',
      'resolveCheckpoint',
      'writeCheckpoint',
      'WRITE_CHECKPOINT_OPTION_KEYS',
      'CheckpointOwnershipError',
      'readCheckpointPointer',
      'readWeightsForModel',
      'writeFileAtomic',
      'saveImageGrid',
      'lossChart',
      'lossChartPixels',
      'readJsonl',
      'saveLossChart',
    ].map((name) => [name, 'writes or reads files; loss_chart.ts also loads pngjs']),
  ),
  // src/trainers: callbacks that write files.
  sampleGrid: 'writes PNG files',
  jsonlLogger: 'writes a log file',
  // src/data: loaders of files and of the mnist package's JSON.
  ...Object.fromEntries(
    ['loadMnist', 'mnistDataset', 'mnistDomainB', 'mnistDomainBToA', 'mnistDomains'].map((n) => [n, "reads the 'mnist' package (Node)"]),
  ),
  ...Object.fromEntries(
    ['decodeImage', 'sniffImageFormat', 'imageFolder', 'IMAGE_EXTENSIONS', 'loadImageFolder'].map((n) => [
      n,
      'reads image files; decodes PNG with pngjs',
    ]),
  ),
};

/** Modules not yet classified for the browser entry (none: keep it that way). */
const PENDING_MODULES: string[] = [];

describe('the browser entry against the Node entry', () => {
  it('exports every name of src/index.ts except the reviewed Node-only ones, and nothing else', async () => {
    const node = Object.keys(await import('../../src/index'));
    const browser = Object.keys(await import('../../src/index.browser'));
    const pending = new Set<string>();
    for (const module of PENDING_MODULES) for (const name of Object.keys(await import(`../../src/${module}`))) pending.add(name);
    expect(browser.filter((name) => !node.includes(name))).toEqual([]);
    const missing = node.filter((name) => !browser.includes(name) && NOT_IN_BROWSER[name] === undefined && !pending.has(name));
    expect(missing, 'add these to src/index.browser.ts, or to NOT_IN_BROWSER if they need Node').toEqual([]);
    // The Node-only list holds only names that really are left out.
    expect(Object.keys(NOT_IN_BROWSER).filter((name) => browser.includes(name))).toEqual([]);
  });
});
