/**
 * Runs DCGAN-28 training steps on one engine and prints one JSON line with the timings.
 *   tsx bench/dcgan28_worker.ts --engine gan-kit|stock-cpu|stock-wasm [--mode loop|trainer|critic|critic-gp]
 *     [--batch 64] [--steps 10] [--warmup 2] [--threads n|off] [--profile]
 * `--mode loop` (default) is the hand-written step; `trainer` the same through GanTrainer; `critic` and
 * `critic-gp` one critic update without and with the WGAN-GP penalty.
 * `gan-kit` imports gan-kit and uses the backend `setupBackend()` picks; the `stock-*` engines import tfjs only.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { parseArgs } from 'node:util';
import { buildDiscriminator, buildGenerator, LATENT_DIM, makeTrainStep } from './dcgan28_model';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'gan-kit' },
    batch: { type: 'string', default: '64' },
    steps: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    profile: { type: 'boolean', default: false },
    threads: { type: 'string' },
    mode: { type: 'string', default: 'loop' },
    soak: { type: 'string', default: '0' },
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
  let step: (real: tf.Tensor) => void | Promise<void> = makeTrainStep(g, d, batch);
  if (values.mode === 'trainer') {
    // The same step through the public API: GanTrainer with the non-saturating loss and Adam(2e-4, 0.5).
    const { GanTrainer, nonSaturatingLoss } = await import('../src/index');
    const trainer = new GanTrainer({
      generator: g,
      discriminator: d,
      latentDim: LATENT_DIM,
      loss: nonSaturatingLoss(),
      generatorOptimizer: tf.train.adam(2e-4, 0.5, 0.999),
      discriminatorOptimizer: tf.train.adam(2e-4, 0.5, 0.999),
    });
    step = async (batchOfReal: tf.Tensor) => {
      await trainer.trainStep(batchOfReal);
    };
  } else if (values.mode === 'critic' || values.mode === 'critic-gp') {
    // One critic (D) update, plain or with the WGAN-GP gradient penalty (λ = 10) through the same critic.
    const { gradientPenalty } = await import('../src/index');
    const opt = tf.train.adam(1e-4, 0, 0.9);
    const dVars = d.trainableWeights.map((w) => w.read() as tf.Variable);
    const withPenalty = values.mode === 'critic-gp';
    step = (batchOfReal: tf.Tensor) =>
      tf.tidy(() => {
        const fake = g.apply(tf.randomNormal([batch, LATENT_DIM]), { training: true }) as tf.Tensor;
        const cost = opt.minimize(
          () => {
            const loss = tf.sub(tf.mean(d.apply(fake, { training: true }) as tf.Tensor), tf.mean(d.apply(batchOfReal, { training: true }) as tf.Tensor));
            if (!withPenalty) return loss as tf.Scalar;
            const critic = (x: tf.Tensor) => d.apply(x, { training: true }) as tf.Tensor;
            return tf.add(loss, gradientPenalty(critic, batchOfReal, fake, { weight: 10 })) as tf.Scalar;
          },
          true,
          dVars,
        );
        cost?.dispose();
      });
  }
  const sync = () => (d.getWeights()[0] as tf.Tensor).dataSync(); // make sure the step has finished
  try {
    await step(real);
  } catch (e) {
    console.log(JSON.stringify({ engine: values.engine, mode: values.mode, backend, batch, error: String((e as Error).message) }));
    return;
  }
  for (let i = 1; i < warmup; i++) await step(real);
  sync();
  const tensorsBefore = tf.memory().numTensors;
  if (values.profile) {
    const info = await tf.profile(async () => {
      await step(real);
    });
    const byKernel = new Map<string, number>();
    for (const k of info.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
    const rows = [...byKernel.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
    console.error(rows.map(([n, ms]) => `${n.padEnd(24)} ${ms.toFixed(1)} ms`).join('\n'));
  }
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await step(real);
    sync();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  // Soak: many more steps; tensors and resident memory after a warm-up (10% of the run) and at the end.
  const soakSteps = Number(values.soak);
  let soak: Record<string, number> | undefined;
  if (soakSteps > 0) {
    const warm = Math.max(1, Math.floor(soakSteps / 10));
    let warmTensors = 0;
    let warmRss = 0;
    for (let i = 1; i <= soakSteps; i++) {
      await step(real);
      if (i === warm) {
        sync();
        warmTensors = tf.memory().numTensors;
        warmRss = process.memoryUsage().rss;
      }
    }
    sync();
    soak = {
      steps: soakSteps,
      warmupSteps: warm,
      tensorsAfterWarmup: warmTensors,
      tensorsAtEnd: tf.memory().numTensors,
      rssAfterWarmupMiB: Math.round(warmRss / 2 ** 20),
      rssAtEndMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    };
  }
  console.log(
    JSON.stringify({
      engine: values.engine,
      mode: values.mode,
      backend,
      threads,
      batch,
      steps,
      medianMs: median,
      minMs: times[0],
      tensorsBefore,
      tensorsAfter: tf.memory().numTensors,
      rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
      soak,
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
