/**
 * `npm run bench`: DCGAN-28 training-step time (batch 64, one D step + one G step, non-saturating loss,
 * Adam 2e-4/0.5) for gan-kit's engine, against baselines measured in the same run:
 *   - PyTorch (../shared/peers/torch_dcgan28.py, 2 threads) when /usr/bin/python3 has torch;
 *   - stock tfjs on the wasm backend (it cannot train: no Conv2DBackpropFilter kernel);
 *   - stock tfjs on the cpu backend, only with --cpu-baseline (one step takes minutes at batch 64).
 * Each engine runs in its own process, one after another. Prints medians and ratios.
 *
 * Also, on gan-kit's backend: the same step through `GanTrainer` (trainer overhead: the hand-written loop, the
 * trainer and the loop again in one process, interleaved in rotating order for --overhead-rounds rounds; the
 * median of the per-round ratios, with the loop-vs-loop ratio as the noise floor), one critic step with and
 * without the WGAN-GP penalty, one step of the sagan recipe (`gan-kit train sagan`: its trainer from
 * src/cli/recipes.ts, self-conditioned on 60 clusters), and with --soak N a leak/memory check over N steps of `GanTrainer.fit` (at
 * --soak-batch, default 8).
 *
 *   npm run bench -- [--batch 64] [--steps 10] [--cpu-baseline] [--cpu-batch 64] [--profile] [--soak 2000]
 *     [--overhead-rounds 18]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '64' },
    steps: { type: 'string', default: '10' },
    'cpu-baseline': { type: 'boolean', default: false },
    'cpu-batch': { type: 'string' },
    'cpu-steps': { type: 'string', default: '2' },
    profile: { type: 'boolean', default: false },
    'torch-threads': { type: 'string', default: '2' },
    soak: { type: 'string', default: '0' },
    'soak-batch': { type: 'string', default: '8' },
    'overhead-rounds': { type: 'string', default: '18' },
  },
});

/** Median and quartiles of per-round relative differences (0.01 = 1 %). */
interface Spread {
  median: number;
  q1: number;
  q3: number;
}

interface WorkerResult {
  engine: string;
  backend?: string;
  threads?: number;
  batch: number;
  medianMs?: number;
  tensorsBefore?: number;
  tensorsAfter?: number;
  rssMiB?: number;
  soak?: { steps: number; through: string; seconds: number; warmupSteps: number; tensorsAfterWarmup: number; tensorsAtEnd: number; rssAfterWarmupMiB: number; rssAtEndMiB: number };
  compare?: { rounds: number; loopMedianMs: number; trainerMedianMs: number; overhead: Spread; loopNoise: Spread; cpuOverhead: Spread; cpuLoopNoise: Spread };
  error?: string;
}

function runWorker(engine: string, batch: string, steps: string, profile = false, threads?: string, extra: string[] = []): WorkerResult {
  const args = ['--import', 'tsx', join(here, 'dcgan28_worker.ts'), '--engine', engine, '--batch', batch, '--steps', steps, ...extra];
  if (profile) args.push('--profile');
  if (threads !== undefined) args.push('--threads', threads);
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (profile && r.stderr) console.log(`\nprofile of one ${engine} step (kernel time):\n${r.stderr.trim()}\n`);
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (r.status !== 0 || line == null) return { engine, batch: Number(batch), error: (r.stderr || 'no output').trim().split('\n').slice(-3).join(' ') };
  return JSON.parse(line) as WorkerResult;
}

function runTorch(batch: string, steps: string): { medianMs?: number; note: string } {
  const script = resolve(here, '../../shared/peers/torch_dcgan28.py');
  const python = '/usr/bin/python3';
  if (!existsSync(script)) return { note: `skipped: ${script} not found` };
  try {
    execFileSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
  } catch {
    return { note: 'skipped: /usr/bin/python3 has no torch (apt-get install python3-torch)' };
  }
  const out = execFileSync(python, [script, batch, steps, values['torch-threads']!], { encoding: 'utf8' });
  const m = /median ([\d.]+)/.exec(out);
  return m ? { medianMs: Number(m[1]), note: out.trim() } : { note: `unparsed output: ${out.trim()}` };
}

const fmt = (ms?: number) => (ms == null ? '—' : `${(ms / 1000).toFixed(3)} s`);

function main(): void {
  const batch = values.batch!;
  const steps = values.steps!;
  console.log(`DCGAN-28 benchmark: batch ${batch}, median of ${steps} steps (one D step + one G step)`);
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);

  const ours = runWorker('gan-kit', batch, steps, values.profile);
  const oursSingle = ours.threads != null && ours.threads > 1 ? runWorker('gan-kit', batch, steps, false, 'off') : undefined;
  const viaTrainer = runWorker('gan-kit', batch, values['overhead-rounds']!, false, undefined, ['--mode', 'compare']);
  const critic = runWorker('gan-kit', batch, steps, false, undefined, ['--mode', 'critic']);
  const criticGp = runWorker('gan-kit', batch, steps, false, undefined, ['--mode', 'critic-gp']);
  const sagan = runWorker('gan-kit', batch, steps, values.profile, undefined, ['--mode', 'sagan']);
  const soakSteps = values.soak!;
  const soak = Number(soakSteps) > 0 ? runWorker('gan-kit', values['soak-batch']!, '1', false, undefined, ['--soak', soakSteps]) : undefined;
  const torch = runTorch(batch, steps);
  const stockWasm = runWorker('stock-wasm', batch, '1');
  const cpuBatch = values['cpu-batch'] ?? batch;
  const stockCpu = values['cpu-baseline'] ? runWorker('stock-cpu', cpuBatch, values['cpu-steps']!) : undefined;

  const rows: [string, string, string][] = [];
  const threadNote = (r: WorkerResult) => (r.threads != null ? `, ${r.threads} thread${r.threads === 1 ? '' : 's'}` : '');
  rows.push([`gan-kit (${ours.backend ?? '?'}${threadNote(ours)})`, ours.error ? `error: ${ours.error}` : fmt(ours.medianMs), '1.00x']);
  const ratio = (ms?: number) => (ms != null && ours.medianMs != null ? `${(ours.medianMs / ms).toFixed(2)}x` : '—');
  if (oursSingle) rows.push([`gan-kit (${oursSingle.backend ?? '?'}${threadNote(oursSingle)})`, oursSingle.error ? `error: ${oursSingle.error}` : fmt(oursSingle.medianMs), ratio(oursSingle.medianMs)]);
  rows.push([`PyTorch 2 threads (peer)`, torch.medianMs != null ? fmt(torch.medianMs) : torch.note, ratio(torch.medianMs)]);
  rows.push(['stock tfjs wasm', stockWasm.error ? `cannot train: ${stockWasm.error.slice(0, 90)}` : fmt(stockWasm.medianMs), ratio(stockWasm.medianMs)]);
  if (stockCpu) {
    const same = stockCpu.batch === Number(batch);
    rows.push([
      `stock tfjs cpu (batch ${stockCpu.batch})`,
      stockCpu.error ? `error: ${stockCpu.error}` : fmt(stockCpu.medianMs),
      same ? ratio(stockCpu.medianMs) : '— (other batch)',
    ]);
  } else {
    rows.push(['stock tfjs cpu', 'skipped (pass --cpu-baseline; minutes per step)', '—']);
  }
  console.log('engine                         step time       gan-kit / engine');
  for (const [a, b, c] of rows) console.log(`${a.padEnd(30)} ${b.padEnd(15)} ${c}`);
  const pct = (a?: number, b?: number) => (a != null && b != null ? `${((a / b - 1) * 100).toFixed(1)}%` : '—');
  console.log('\ngan-kit, same backend and threads:');
  const c = viaTrainer.compare;
  const spread = (x: Spread) => `${(x.median * 100).toFixed(1)}% (quartiles ${(x.q1 * 100).toFixed(1)}% to ${(x.q3 * 100).toFixed(1)}%)`;
  if (c) {
    console.log(
      `  GanTrainer step (public API)  ${fmt(c.trainerMedianMs).padEnd(12)} overhead vs the hand-written loop, same process, ${c.rounds} interleaved rounds:` +
        ` ${spread(c.overhead)} (target <= 3%${c.overhead.median <= 0.03 ? ': MET' : ': MISSED'})`,
    );
    console.log(`    noise floor, loop vs loop: ${spread(c.loopNoise)}; in process CPU time: overhead ${spread(c.cpuOverhead)}, loop vs loop ${spread(c.cpuLoopNoise)}`);
  } else {
    console.log(`  GanTrainer step (public API)  error: ${viaTrainer.error ?? 'no comparison'}`);
  }
  console.log(`  critic step, plain            ${fmt(critic.medianMs)}${critic.error ? ' error: ' + critic.error : ''}`);
  const gpRatio = critic.medianMs != null && criticGp.medianMs != null ? criticGp.medianMs / critic.medianMs : undefined;
  console.log(`  critic step + WGAN-GP penalty ${fmt(criticGp.medianMs).padEnd(12)} ${gpRatio != null ? gpRatio.toFixed(2) + 'x the plain critic step' : '—'} (target <= 2.5x)${criticGp.error ? ' error: ' + criticGp.error : ''}`);
  const saganRatio = sagan.medianMs != null && ours.medianMs != null ? `${(sagan.medianMs / ours.medianMs).toFixed(2)}x the DCGAN-28 step` : '—';
  console.log(`  sagan recipe step (60 clusters) ${fmt(sagan.medianMs).padEnd(10)} ${saganRatio}${sagan.error ? ' error: ' + sagan.error : ''}`);
  if (soak?.soak) {
    const s = soak.soak;
    console.log(
      `  soak: ${s.steps} steps of ${s.through} at batch ${soak.batch} (${s.seconds} s): tensors ${s.tensorsAfterWarmup} after ${s.warmupSteps} steps, ${s.tensorsAtEnd} at the end` +
        ` (${s.tensorsAtEnd === s.tensorsAfterWarmup ? 'no growth' : 'GROWTH'}); rss ${s.rssAfterWarmupMiB} -> ${s.rssAtEndMiB} MiB (${pct(s.rssAtEndMiB, s.rssAfterWarmupMiB)}, target within 5%)`,
    );
  } else if (soak?.error) {
    console.log(`  soak: error: ${soak.error}`);
  } else {
    console.log('  soak: skipped (pass --soak 2000 for the 2,000-step leak and memory check)');
  }
  if (ours.tensorsBefore != null) {
    console.log(
      `\ngan-kit tensors: ${ours.tensorsBefore} before the timed steps, ${ours.tensorsAfter} after` +
        ` (${ours.tensorsAfter === ours.tensorsBefore ? 'flat' : 'GROWING'}); rss ${ours.rssMiB} MiB`,
    );
  }
  if (torch.medianMs != null && ours.medianMs != null) {
    const r = ours.medianMs / torch.medianMs;
    console.log(`target (foundation): gan-kit <= 1.0x PyTorch -> ${r.toFixed(2)}x ${r <= 1 ? 'MET' : 'MISSED'}`);
    console.log(`target (performance): gan-kit <= 0.5x PyTorch -> ${r.toFixed(2)}x ${r <= 0.5 ? 'MET' : 'MISSED'}`);
    console.log(`load average after the run: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (figures are only comparable on an idle machine)`);
  }
}

main();
