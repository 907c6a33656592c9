/**
 * The `gan-kit` command: `gan-kit train <model> [flags]` and `gan-kit sample <run-dir> [flags]`.
 *
 * @module cli/main
 * @internal
 */
import { parseArgs } from 'node:util';
import '../index';
import { GanKitError } from '../errors';
import { RECIPE_NAMES } from './recipes';
import { sample } from './sample';
import { train } from './train';

const HELP = `gan-kit — train and sample GANs on TensorFlow.js

Usage:
  gan-kit train <${RECIPE_NAMES.join('|')}> [--data dir] [--steps n] [--out dir] [--resume]
                [--batch-size n] [--size px] [--channels 1|3] [--width k] [--seed n]
                [--sample-every n] [--checkpoint-every n] [--minutes m] [--threads n] [--eval-every n]
                [--clusters k]
  gan-kit sample <run-dir> [--n 64] [--out grid.png] [--truncation t] [--interpolate] [--seed n]

train   Trains on the built-in MNIST digits, or on a folder of PNG/JPEG/WebP images (--data; for cyclegan a
        folder with subfolders A and B). Writes to --out (default runs/<model>): sample grids (samples/),
        a loss chart (losses.png), a JSONL log (log.jsonl) and checkpoints (checkpoints/). --steps is the
        total step to reach (also with --resume). Ctrl-C saves a checkpoint and exits. dcgan, sagan and
        wgan-gp condition on k-means clusters of the images (default 60 on MNIST, 0 with --data; --clusters 0:
        unconditional).
sample  Draws a grid from the latest checkpoint of a run directory.
`;

function num(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new GanKitError(`${flag}: expected a number, got ${JSON.stringify(value)}.`);
  return n;
}

/**
 * Node's `parseArgs` refuses `--steps -5` ("argument is ambiguous"): a value that starts with a dash could be a
 * forgotten value followed by a flag. A negative number cannot be a flag, so join it to its flag (`--steps=-5`) and
 * let the flag's own check answer with gan-kit's message.
 */
export function joinNegativeValues(args: readonly string[], valued: readonly string[]): string[] {
  const outArgs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    if (arg.startsWith('--') && !arg.includes('=') && valued.includes(arg.slice(2)) && next !== undefined && /^-(?:\d|\.\d|Infinity\b)/.test(next)) {
      outArgs.push(`${arg}=${next}`);
      i++;
    } else {
      outArgs.push(arg);
    }
  }
  return outArgs;
}

type Options = Record<string, { type: 'string' | 'boolean' }>;

function parse(rest: string[], options: Options): Record<string, string | boolean | undefined> {
  const valued = Object.keys(options).filter((k) => options[k]!.type === 'string');
  return parseArgs({ args: joinNegativeValues(rest, valued), options }).values as Record<string, string | boolean | undefined>;
}

/** Runs the command line `argv` (without `node` and the script). Returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, target, ...rest] = argv;
  if (command === undefined || command === 'help' || argv.includes('--help') || argv.includes('-h')) {
    console.log(HELP);
    return command === undefined ? 1 : 0;
  }
  try {
    if (command === 'train') {
      const values = parse(rest, {
        data: { type: 'string' },
        steps: { type: 'string' },
        out: { type: 'string' },
        resume: { type: 'boolean' },
        'batch-size': { type: 'string' },
        size: { type: 'string' },
        channels: { type: 'string' },
        width: { type: 'string' },
        seed: { type: 'string' },
        'sample-every': { type: 'string' },
        'checkpoint-every': { type: 'string' },
        minutes: { type: 'string' },
        threads: { type: 'string' },
        'eval-every': { type: 'string' },
        clusters: { type: 'string' },
      }) as Record<string, string | undefined> & { resume?: boolean };
      if (target === undefined || target.startsWith('-')) throw new GanKitError(`train: name a model (${RECIPE_NAMES.join(', ')}).`);
      await train({
        model: target,
        data: values.data,
        steps: num(values.steps, '--steps'),
        out: values.out,
        resume: values.resume,
        batchSize: num(values['batch-size'], '--batch-size'),
        size: num(values.size, '--size'),
        channels: num(values.channels, '--channels'),
        width: num(values.width, '--width'),
        seed: num(values.seed, '--seed'),
        sampleEvery: num(values['sample-every'], '--sample-every'),
        checkpointEvery: num(values['checkpoint-every'], '--checkpoint-every'),
        minutes: num(values.minutes, '--minutes'),
        threads: num(values.threads, '--threads'),
        evalEvery: num(values['eval-every'], '--eval-every'),
        clusters: num(values.clusters, '--clusters'),
      });
      return 0;
    }
    if (command === 'sample') {
      const values = parse(rest, {
        n: { type: 'string' },
        out: { type: 'string' },
        truncation: { type: 'string' },
        interpolate: { type: 'boolean' },
        seed: { type: 'string' },
      }) as Record<string, string | undefined> & { interpolate?: boolean };
      if (target === undefined || target.startsWith('-')) throw new GanKitError('sample: name a run directory (the --out of gan-kit train).');
      await sample({
        run: target,
        n: num(values.n, '--n'),
        out: values.out,
        truncation: num(values.truncation, '--truncation'),
        interpolate: values.interpolate,
        seed: num(values.seed, '--seed'),
      });
      return 0;
    }
    throw new GanKitError(`Unknown command ${JSON.stringify(command)}: use train or sample (gan-kit --help).`);
  } catch (error) {
    // Bad input: one line saying what to change. Anything else: the full stack.
    if (error instanceof GanKitError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`gan-kit: ${(error as Error).message}`);
      return 2;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
