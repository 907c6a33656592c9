/**
 * Every ```ts block of README.md and docs/*.md typechecks against the built package (imported as 'gan-kit', as a
 * user would), and the blocks marked to run, run.
 *
 * A block may be preceded (blank lines aside) by one HTML comment, invisible on the rendered page:
 *
 *     <!-- docs-check: run            run the block after typechecking it (short blocks only)
 *     import { … } from 'gan-kit';    the lines after the first are a prelude, prepended to the block: imports and
 *     declare const trainer: …;       `declare`d names for a snippet that continues an earlier one
 *     -->
 *     <!-- docs-check: skip <reason> -->   for a block that cannot typecheck here (the reason is required)
 *
 * Blocks without a comment are typechecked as they are.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
// Inside the package directory, so that 'gan-kit' resolves to this package's build (package.json self-reference).
const work = join(root, '.tmp', `docs-check-${process.pid}`);

interface Block {
  /** e.g. docs/trainers.md:18 (the line of the opening fence). */
  where: string;
  file: string;
  /** 1-based line of the block's first code line in the markdown file. */
  firstLine: number;
  code: string;
  prelude: string;
  mode: 'check' | 'run' | 'skip';
  reason?: string;
}

/** The comment right before a fence: `<!-- docs-check[: run | : skip reason]` + optional prelude lines + `-->`. */
const DIRECTIVE = /<!--\s*docs-check(?::\s*(run|skip)\b([^\n]*?))?[ \t]*(?:\n((?:(?!<!--|-->)[\s\S])*))?-->\s*$/;

/** The ```ts blocks of one markdown file, with the directive comment before each. */
export function extractBlocks(file: string, text: string): Block[] {
  const blocks: Block[] = [];
  const fence = /^([ \t]*)```ts[ \t]*\n([\s\S]*?)^\1```[ \t]*$/gm;
  for (let m = fence.exec(text); m !== null; m = fence.exec(text)) {
    const indent = m[1]!;
    const line = text.slice(0, m.index).split('\n').length;
    const code = m[2]!
      .split('\n')
      .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
      .join('\n');
    const before = text.slice(Math.max(0, m.index - 4000), m.index);
    const directive = DIRECTIVE.exec(before);
    const mode = (directive?.[1] as 'run' | 'skip' | undefined) ?? 'check';
    blocks.push({
      where: `${file}:${line}`,
      file,
      firstLine: line + 1,
      code,
      prelude: directive ? (directive[3] ?? '').split('\n').map((l) => l.trim()).join('\n').trim() : '',
      mode,
      reason: mode === 'skip' ? directive![2]!.trim() : undefined,
    });
  }
  return blocks;
}

function allBlocks(): Block[] {
  const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
  return files.flatMap((f) => extractBlocks(f, readFileSync(join(root, f), 'utf8')));
}

const blocks = allBlocks();

function sourceOf(block: Block): { text: string; preludeLines: number } {
  const prelude = block.prelude === '' ? '' : `${block.prelude}\n`;
  return { text: `${prelude}${block.code}\nexport {};\n`, preludeLines: prelude.split('\n').length - 1 };
}

function fileName(block: Block): string {
  return join(work, `${block.where.replace(/[/:.]/g, '_')}.mts`);
}

beforeAll(() => {
  if (process.env.npm_lifecycle_event !== 'test') execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  mkdirSync(work, { recursive: true });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the code blocks of README.md and docs/', () => {
  it('are found, and every skipped one says why', () => {
    expect(blocks.length).toBeGreaterThan(20);
    for (const b of blocks.filter((x) => x.mode === 'skip')) expect(b.reason, `${b.where}: skip needs a reason`).not.toBe('');
    expect(blocks.filter((b) => b.mode === 'run').length).toBeGreaterThanOrEqual(5);
  });

  it('typecheck against the built package', () => {
    const checked = blocks.filter((b) => b.mode !== 'skip');
    const origin = new Map<string, { block: Block; preludeLines: number }>();
    for (const block of checked) {
      const { text, preludeLines } = sourceOf(block);
      const file = fileName(block);
      writeFileSync(file, text);
      origin.set(resolve(file), { block, preludeLines });
    }
    const program = ts.createProgram([...origin.keys()], {
      strict: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: ['node'],
      typeRoots: [join(root, 'node_modules', '@types')],
      // tfjs' own declarations do not typecheck (see the README); users need this too.
      skipLibCheck: true,
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      const o = d.file ? origin.get(resolve(d.file.fileName)) : undefined;
      if (d.file === undefined || o === undefined || d.start === undefined) return `${d.file?.fileName ?? '?'}: ${text}`;
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      const where = line < o.preludeLines ? `${o.block.where} (prelude line ${line + 1})` : `${o.block.file}:${o.block.firstLine + line - o.preludeLines}`;
      return `${where}: TS${d.code} ${text}`;
    });
    expect(problems).toEqual([]);
  });

  for (const block of blocks.filter((b) => b.mode === 'run')) {
    it(`run: ${block.where}`, () => {
      const js = ts.transpileModule(sourceOf(block).text, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
      const file = fileName(block).replace(/\.mts$/, '.mjs');
      writeFileSync(file, js);
      const cwd = join(work, 'cwd', block.where.replace(/[/:.]/g, '_'));
      mkdirSync(cwd, { recursive: true });
      const result = spawnSync(process.execPath, [file], {
        cwd,
        env: { ...process.env, GAN_KIT_WASM_THREADS: '1' },
        encoding: 'utf8',
        timeout: 180_000,
      });
      expect(result.status, `${block.where} exited with ${result.status}:\n${result.stderr}`).toBe(0);
      expect(result.stdout).not.toMatch(/WRONG/);
    });
  }
});
