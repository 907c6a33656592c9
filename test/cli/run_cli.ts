import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { root } from '../examples/run_example';

/** The built command, as `npx gan-kit` runs it (`npm test` builds it first). */
export const cli = join(root, 'dist', 'cli.js');

/** Runs the CLI; resolves with its exit code and output. */
export function run(args: string[], onOutput?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, GAN_KIT_WASM_THREADS: '1' } });
    let out = '';
    const take = (chunk: Buffer): void => {
      out += chunk.toString();
      onOutput?.(out, child);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (code) => done({ code, out }));
  });
}

