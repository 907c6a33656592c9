/**
 * Runs DCGAN-28 training steps on one engine and prints one JSON line with the timings.
 *   tsx bench/dcgan28_worker.ts --engine gan-kit|stock-cpu|stock-wasm [--batch 64] [--steps 10] [--warmup 2] [--profile]
 * `gan-kit` imports gan-kit and uses the backend `setupBackend()` picks; the `stock-*` engines import tfjs only.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { parseArgs } from 'node:util';
import { buildDiscriminator, buildGenerator, makeTrainStep } from './dcgan28_model';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'gan-kit' },
    batch: { type: 'string', default: '64' },
    steps: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    profile: { type: 'boolean', default: false },
    threads: { type: 'string' },
  },
});
const batch = Number(values.batch);
const steps = Number(values.steps);
const warmup = Number(values.warmup);

async function main(): Promise<void> {
  let backend: string;
  let threads: number | undefined;
  if (values.engine === 'gan-kit') {
    const { setupBackend, getWasmThreadCount } = await import('../src/index');
    const t = values.threads;
    backend = await setupBackend(t === undefined ? {} : { threads: t === 'off' ? false : Number(t) });
    threads = backend === 'wasm' ? getWasmThreadCount() : undefined;
  } else if (values.engine === 'stock-cpu' || values.engine === 'stock-wasm') {
    backend = values.engine.slice('stock-'.length);
    await tf.setBackend(backend);
    await tf.ready();
  } else {
    throw new Error(`unknown --engine ${values.engine}`);
  }
  tf.randomUniform([1]).dispose(); // warm the backend before building
  const g = buildGenerator();
  const d = buildDiscriminator();
  const real = tf.randomUniform([batch, 28, 28, 1], -1, 1);
  const step = makeTrainStep(g, d, batch);
  const sync = () => (d.getWeights()[0] as tf.Tensor).dataSync(); // make sure the step has finished
  try {
    step(real);
  } catch (e) {
    console.log(JSON.stringify({ engine: values.engine, backend, batch, error: String((e as Error).message) }));
    return;
  }
  for (let i = 1; i < warmup; i++) step(real);
  sync();
  const tensorsBefore = tf.memory().numTensors;
  if (values.profile) {
    const info = await tf.profile(() => step(real));
    const byKernel = new Map<string, number>();
    for (const k of info.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
    const rows = [...byKernel.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
    console.error(rows.map(([n, ms]) => `${n.padEnd(24)} ${ms.toFixed(1)} ms`).join('\n'));
  }
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    step(real);
    sync();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(
    JSON.stringify({
      engine: values.engine,
      backend,
      threads,
      batch,
      steps,
      medianMs: median,
      minMs: times[0],
      tensorsBefore,
      tensorsAfter: tf.memory().numTensors,
      rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
