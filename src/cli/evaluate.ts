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
