/**
 * Runs DCGAN-28 training steps on one engine and prints one JSON line with the timings.
 *   tsx bench/dcgan28_worker.ts --engine gan-kit|stock-cpu|stock-wasm [--mode loop|trainer|compare|critic|critic-gp|sagan]
 *     [--batch 64] [--steps 10] [--warmup 2] [--threads n|off] [--profile] [--soak N] [--soak-step trainer|loop]
 * `--mode loop` (default) is the hand-written step (it reads its two losses back, as PyTorch's `.item()` and the
 * trainer do); `trainer` the same through GanTrainer; `compare` runs the loop, GanTrainer and the loop again on
 * the same models in one process, interleaved in rotating order, `--steps` rounds, and reports the median of the
 * per-round ratios (trainer / loop, and loop / loop as the noise floor); `critic` and `critic-gp` one critic update
 * without and with the WGAN-GP penalty. `--soak N` then runs N more steps (through `GanTrainer.fit` unless
 * `--soak-step loop`) and reports tensors and resident memory after a 10 % warm-up and at the end, with progress
 * lines on stderr. `--mode sagan` times a step of the sagan recipe's trainer instead. DCGAN28_RAW=1 prints every compare round's wall and CPU times on stderr.
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
    'soak-step': { type: 'string', default: 'trainer' },
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
  const loopStep = makeTrainStep(g, d, batch);
  let step: (real: tf.Tensor) => unknown = loopStep;
  // The same step through the public API: GanTrainer with the non-saturating loss and Adam(2e-4, 0.5).
  const soakThroughTrainer = Number(values.soak) > 0 && values['soak-step'] === 'trainer';
  let trainer: import('../src/index').GanTrainer | undefined;
  if (values.engine === 'gan-kit' && (values.mode === 'trainer' || values.mode === 'compare' || soakThroughTrainer)) {
    const { GanTrainer, nonSaturatingLoss } = await import('../src/index');
    trainer = new GanTrainer({
      generator: g,
      discriminator: d,
      latentDim: LATENT_DIM,
      loss: nonSaturatingLoss(),
      generatorOptimizer: tf.train.adam(2e-4, 0.5, 0.999),
      discriminatorOptimizer: tf.train.adam(2e-4, 0.5, 0.999),
    });
  }
  if (values.mode === 'sagan') {
    // The sagan recipe's trainer step (src/cli/recipes.ts: the same networks, loss, optimizers and EMA), self-
    // conditioned on 60 clusters with fixed cluster labels; the DCGAN models above are not used.
    const { saganRecipeTrainer, SAGAN_RECIPE } = await import('../src/cli/recipes');
    const k = SAGAN_RECIPE.clusters;
    const sagan = saganRecipeTrainer([28, 28, 1], { classPrior: new Array<number>(k).fill(1), seed: 0 });
    const labels = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % k), 'int32');
    step = (batchOfReal: tf.Tensor) => (sagan as import('../src/index').ConditionalGanTrainer).trainStep(batchOfReal, labels);
  } else if (values.mode === 'trainer') {
    const t = trainer!;
    step = (batchOfReal: tf.Tensor) => t.trainStep(batchOfReal);
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
    if (trainer && values.mode === 'compare') await trainer.trainStep(real);
  } catch (e) {
    console.log(JSON.stringify({ engine: values.engine, mode: values.mode, backend, batch, error: String((e as Error).message) }));
    return;
  }
  for (let i = 1; i < warmup; i++) {
    await step(real);
    if (trainer && values.mode === 'compare') await trainer.trainStep(real);
  }
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
  const timed = async (run: () => unknown): Promise<number> => {
    const t0 = performance.now();
    await run();
    sync();
    return performance.now() - t0;
  };
  const median = (xs: readonly number[]): number => {
    const sorted = [...xs].sort((a, b) => a - b);
    const m = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
  };
  const quartiles = (xs: readonly number[]): [number, number] => {
    const sorted = [...xs].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))]!;
    return [at(0.25), at(0.75)];
  };
  const times: number[] = [];
  let compare: Record<string, unknown> | undefined;
  if (values.mode === 'compare' && trainer) {
    // Loop, trainer and loop again on the same models, in rotating order (every arm takes every position
    // equally often), so that load changes and position effects hit all arms alike. Per-round ratios cancel the
    // drift between rounds; the loop / loop ratio shows how much of a difference is noise.
    const t = trainer;
    const arms: Record<'loopA' | 'trainer' | 'loopB', () => unknown> = {
      loopA: () => loopStep(real),
      trainer: () => t.trainStep(real),
      loopB: () => loopStep(real),
    };
    const orders: (keyof typeof arms)[][] = [
      ['loopA', 'trainer', 'loopB'],
      ['trainer', 'loopB', 'loopA'],
      ['loopB', 'loopA', 'trainer'],
      ['loopA', 'loopB', 'trainer'],
      ['trainer', 'loopA', 'loopB'],
      ['loopB', 'trainer', 'loopA'],
    ];
    // Wall time, and the process's CPU time (user + system, all threads): on a shared machine the CPU time of a
    // single-threaded run is far less disturbed by other processes than its wall time.
    const perArm: Record<string, number[]> = { loopA: [], trainer: [], loopB: [] };
    const overhead: number[] = [];
    const noise: number[] = [];
    const cpuOverhead: number[] = [];
    const cpuNoise: number[] = [];
    for (let i = 0; i < steps; i++) {
      const ms: Record<string, number> = {};
      const cpu: Record<string, number> = {};
      for (const arm of orders[i % orders.length]!) {
        const c0 = process.cpuUsage();
        ms[arm] = await timed(arms[arm]);
        const c = process.cpuUsage(c0);
        cpu[arm] = (c.user + c.system) / 1000;
        if (process.env['DCGAN28_RAW']) console.error(`round ${i} ${arm} wall ${ms[arm]!.toFixed(1)} cpu ${cpu[arm]!.toFixed(1)}`);
      }
      for (const arm of Object.keys(ms)) perArm[arm]!.push(ms[arm]!);
      overhead.push(ms['trainer']! / ((ms['loopA']! + ms['loopB']!) / 2) - 1);
      noise.push(ms['loopB']! / ms['loopA']! - 1);
      cpuOverhead.push(cpu['trainer']! / ((cpu['loopA']! + cpu['loopB']!) / 2) - 1);
      cpuNoise.push(cpu['loopB']! / cpu['loopA']! - 1);
      times.push(ms['loopA']!, ms['loopB']!);
    }
    const summary = (xs: number[]) => {
      const [q1, q3] = quartiles(xs);
      return { median: median(xs), q1, q3 };
    };
    compare = {
      rounds: steps,
      loopMedianMs: median([...perArm['loopA']!, ...perArm['loopB']!]),
      trainerMedianMs: median(perArm['trainer']!),
      overhead: summary(overhead),
      loopNoise: summary(noise),
      cpuOverhead: summary(cpuOverhead),
      cpuLoopNoise: summary(cpuNoise),
      ...(process.env['DCGAN28_RAW'] ? { raw: perArm } : {}),
    };
  } else {
    for (let i = 0; i < steps; i++) times.push(await timed(() => step(real)));
  }
  times.sort((a, b) => a - b);
  // Soak: many more steps; tensors and resident memory after a warm-up (10% of the run) and at the end. By
  // default through GanTrainer.fit (the public API, with its data iteration, history and callbacks).
  const soakSteps = Number(values.soak);
  let soak: Record<string, number | string> | undefined;
  if (soakSteps > 0) {
    const warm = Math.max(1, Math.floor(soakSteps / 10));
    let warmTensors = 0;
    let warmRss = 0;
    const t0 = performance.now();
    const atWarmup = () => {
      sync();
      warmTensors = tf.memory().numTensors;
      warmRss = process.memoryUsage().rss;
    };
    // Progress on stderr every warm-up length: the trajectory shows a slow leak that the two end points hide.
    const progress = (i: number) => {
      if (i % warm !== 0) return;
      const m = tf.memory();
      console.error(
        `soak step ${i}/${soakSteps}: ${Math.round((performance.now() - t0) / 1000)} s, tensors ${m.numTensors}, ` +
          `tensor bytes ${m.numBytes}, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB, ` +
          `heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB`,
      );
    };
    if (values['soak-step'] === 'trainer' && trainer) {
      const start = trainer.step;
      await trainer.fit([real], {
        steps: soakSteps,
        callbacks: [
          {
            onStepEnd: (stats) => {
              if (stats.step - start === warm) atWarmup();
              progress(stats.step - start);
            },
          },
        ],
      });
    } else {
      for (let i = 1; i <= soakSteps; i++) {
        await step(real);
        if (i === warm) atWarmup();
        progress(i);
      }
    }
    sync();
    soak = {
      steps: soakSteps,
      through: values['soak-step'] === 'trainer' && trainer ? 'GanTrainer.fit' : values.mode ?? 'loop',
      seconds: Math.round((performance.now() - t0) / 1000),
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
      medianMs: median(times),
      minMs: times[0],
      tensorsBefore,
      tensorsAfter: tf.memory().numTensors,
      rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
      compare,
      soak,
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
