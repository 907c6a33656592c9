/**
 * How recognisable generated digits are, by gan-kit's MNIST classifier: the share of samples it labels with
 * confidence above a threshold, which digits appear, and (for a conditional GAN) how often the digit drawn is
 * the one asked for.
 *
 * @module cli/evaluate
 * @internal
 */
import * as tf from '@tensorflow/tfjs';
import { saveImageGrid } from '../io/save_image_grid';
import { classifyDigits } from '../metrics/mnist_classifier';
import type { ConditionalGanTrainer } from '../trainers/conditional_gan_trainer';
import type { GanTrainer } from '../trainers/gan_trainer';
import type { Trainer } from '../trainers/trainer';

/** The outcome of {@link evaluateDigits}. */
export interface DigitReport {
  samples: number;
  threshold: number;
  /** Share of samples labelled with probability > threshold. */
  confident: number;
  /** Digits among the confidently labelled samples, with their counts. */
  counts: number[];
  /** Conditional GANs: share of samples labelled as the class they were generated for. */
  conditionalAccuracy?: number;
  gridFile?: string;
}

/** Samples 256 digits (seed 1) and classifies them; writes them as a 16x16 grid when `gridFile` is given. */
export async function evaluateDigits(
  trainer: Trainer,
  options: { conditional?: boolean; samples?: number; threshold?: number; gridFile?: string } = {},
): Promise<DigitReport> {
  const n = options.samples ?? 256;
  const threshold = options.threshold ?? 0.9;
  const requested = Array.from({ length: n }, (_, i) => i % 10);
  const images = options.conditional
    ? (trainer as ConditionalGanTrainer).sample(n, { seed: 1, labels: requested })
    : (trainer as GanTrainer).sample(n, { seed: 1 });
  try {
    if (options.gridFile) await saveImageGrid(images, options.gridFile, { rows: Math.round(Math.sqrt(n)) });
    const { labels, probabilities } = await classifyDigits(images);
    const top = tf.tidy(() => probabilities.max(1));
    const p = await top.data();
    tf.dispose([top, probabilities]);
    const counts = new Array<number>(10).fill(0);
    let confident = 0;
    let correct = 0;
    labels.forEach((label, i) => {
      if (p[i]! > threshold) {
        confident++;
        counts[label]!++;
      }
      if (label === requested[i]) correct++;
    });
    return {
      samples: n,
      threshold,
      confident: confident / n,
      counts,
      conditionalAccuracy: options.conditional ? correct / n : undefined,
      gridFile: options.gridFile,
    };
  } finally {
    images.dispose();
  }
}

/** One or two lines for the console. */
export function formatDigitReport(r: DigitReport): string {
  const present = r.counts.flatMap((c, d) => (c > 0 ? [d] : []));
  const lines = [
    `Recognisable digits: ${(r.confident * 100).toFixed(1)}% of ${r.samples} samples labelled with confidence > ${r.threshold} ` +
      `by gan-kit's MNIST classifier; digits present: ${present.length === 10 ? 'all 10' : present.join(' ') || 'none'}` +
      (r.gridFile ? ` (grid: ${r.gridFile})` : ''),
  ];
  if (r.conditionalAccuracy !== undefined) {
    lines.push(`Conditional accuracy: ${(r.conditionalAccuracy * 100).toFixed(1)}% of samples are the digit they were asked for.`);
  }
  return lines.join('\n');
}

/** The critic's gradient norms at interpolates, from {@link criticGradientNorms}. */
export interface GradientNormReport {
  /** Mean of ‖∇ₓ D(x̂)‖₂ over the interpolates. */
  mean: number;
  /** Standard deviation of the norms. */
  std: number;
  /** Number of interpolates. */
  samples: number;
}

/**
 * The WGAN-GP check that the penalty does its job: the norms ‖∇ₓ D(x̂)‖₂ of the critic's score at interpolates
 * x̂ = α·real + (1 − α)·fake of `real` and as many samples of the (raw, not averaged) generator, α ~ U[0, 1) —
 * the points the two-sided penalty pushes towards norm 1. Fixed seeds (samples 7, α 3), so successive calls
 * differ only by the networks; nothing of the trainer's random streams is used. Needs a critic with one input
 * (its first output is the score, as for an AC critic).
 */
export async function criticGradientNorms(trainer: Trainer, real: tf.Tensor4D): Promise<GradientNormReport> {
  const t = trainer as GanTrainer;
  const critic = t.discriminator;
  const n = real.shape[0];
  const fake = t.sample(n, { seed: 7, useEma: false });
  const norms = tf.tidy(() => {
    const alpha = tf.randomUniform([n, 1, 1, 1], 0, 1, 'float32', 3);
    const interpolates = tf.add(tf.mul(alpha, real), tf.mul(tf.sub(1, alpha), fake));
    const score = (x: tf.Tensor): tf.Tensor => {
      const out = critic.apply(x, { training: true }) as tf.Tensor | tf.Tensor[];
      return tf.sum(Array.isArray(out) ? out[0]! : out);
    };
    const g = tf.grad(score)(interpolates);
    return tf.sqrt(tf.sum(tf.square(g), [1, 2, 3]));
  });
  fake.dispose();
  const values = Array.from(await norms.data());
  norms.dispose();
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  return { mean, std, samples: n };
}

/** One line for the console: mean ± std of the norms. */
export function formatGradientNorms(r: GradientNormReport): string {
  return `critic gradient norm at ${r.samples} interpolates ${r.mean.toFixed(3)} ± ${r.std.toFixed(3)} (the penalty's target: 1)`;
}
