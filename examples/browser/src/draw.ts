/** Canvas drawing for the page: image grids, 2-D point clouds and loss curves. */
import type * as tf from '@tensorflow/tfjs';
import { imageGridPixels, type ImageGridOptions } from 'gan-kit';

/** Draws a batch of images `[n, h, w, c]` (values in [-1, 1]) as a grid filling `canvas`, pixels kept sharp. */
export async function drawImageGrid(canvas: HTMLCanvasElement, images: tf.Tensor, options: ImageGridOptions = {}): Promise<void> {
  const picture = await imageGridPixels(images, { padding: 1, ...options });
  const tile = document.createElement('canvas');
  tile.width = picture.width;
  tile.height = picture.height;
  tile.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(picture.data), picture.width, picture.height), 0, 0);
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const scale = Math.min(canvas.width / picture.width, canvas.height / picture.height);
  const w = picture.width * scale;
  const h = picture.height * scale;
  ctx.drawImage(tile, (canvas.width - w) / 2, (canvas.height - h) / 2, w, h);
}

/** Draws real (grey) and generated (orange) 2-D points, both `[n, 2]` row-major, on [-extent, extent]². */
export function drawPoints(canvas: HTMLCanvasElement, real: Float32Array, fake: Float32Array, extent = 3): void {
  const ctx = canvas.getContext('2d')!;
  const { width, height } = canvas;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.strokeStyle = '#ddd';
  ctx.beginPath();
  ctx.moveTo(width / 2, 0);
  ctx.lineTo(width / 2, height);
  ctx.moveTo(0, height / 2);
  ctx.lineTo(width, height / 2);
  ctx.stroke();
  const plot = (points: Float32Array, color: string, size: number): void => {
    ctx.fillStyle = color;
    for (let i = 0; i + 1 < points.length; i += 2) {
      const x = ((points[i]! + extent) / (2 * extent)) * width;
      const y = ((extent - points[i + 1]!) / (2 * extent)) * height;
      ctx.fillRect(x - size / 2, y - size / 2, size, size);
    }
  };
  plot(real, 'rgba(80, 80, 80, 0.5)', 3);
  plot(fake, 'rgba(230, 110, 0, 0.8)', 3);
}

/** One curve of the loss chart. */
export interface Series {
  label: string;
  color: string;
  /** Value per step, first step first. */
  values: readonly number[];
}

function runningMean(values: readonly number[], window: number): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    if (i >= window) sum -= values[i - window]!;
    out.push(sum / Math.min(i + 1, window));
  }
  return out;
}

function niceTicks(low: number, high: number, count: number): number[] {
  const span = high - low || 1;
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.ceil(low / step) * step; t <= high + 1e-9; t += step) ticks.push(Number(t.toPrecision(6)));
  return ticks;
}

/** Line chart of several loss curves against the step, with axes, ticks and a legend. */
export function drawLossChart(canvas: HTMLCanvasElement, series: readonly Series[]): void {
  const ctx = canvas.getContext('2d')!;
  const { width, height } = canvas;
  const left = 44;
  const right = 10;
  const top = 10;
  const bottom = 24;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  const steps = Math.max(0, ...series.map((s) => s.values.length));
  const finite = series.flatMap((s) => s.values.filter(Number.isFinite));
  ctx.font = '11px system-ui, sans-serif';
  if (steps < 2 || finite.length === 0) {
    ctx.fillStyle = '#888';
    ctx.fillText('Press Start to train; the losses appear here.', left, height / 2);
    return;
  }
  let low = Math.min(...finite);
  let high = Math.max(...finite);
  if (high - low < 1e-6) {
    low -= 0.5;
    high += 0.5;
  }
  const x = (i: number): number => left + (i / (steps - 1)) * (width - left - right);
  const y = (v: number): number => top + ((high - v) / (high - low)) * (height - top - bottom);
  ctx.strokeStyle = '#eee';
  ctx.fillStyle = '#666';
  ctx.lineWidth = 1;
  for (const t of niceTicks(low, high, 5)) {
    ctx.beginPath();
    ctx.moveTo(left, y(t));
    ctx.lineTo(width - right, y(t));
    ctx.stroke();
    ctx.fillText(String(t), 4, y(t) + 4);
  }
  for (const t of niceTicks(1, steps, 6)) {
    ctx.fillText(String(t), x(t - 1) - 8, height - 8);
  }
  for (const s of series) {
    const window = Math.max(1, Math.round(s.values.length / 50));
    for (const [values, lineWidth, alpha] of [
      [s.values, 1, 0.35],
      [runningMean(s.values, window), 2, 1],
    ] as const) {
      ctx.strokeStyle = s.color;
      ctx.globalAlpha = alpha;
      ctx.lineWidth = lineWidth;
      ctx.beginPath();
      values.forEach((v, i) => (i === 0 ? ctx.moveTo(x(i), y(v)) : ctx.lineTo(x(i), y(v))));
      ctx.stroke();
    }
  }
  ctx.globalAlpha = 1;
  series.forEach((s, i) => {
    ctx.fillStyle = s.color;
    ctx.fillRect(width - right - 110, top + 4 + i * 16, 10, 10);
    ctx.fillStyle = '#333';
    ctx.fillText(s.label, width - right - 95, top + 13 + i * 16);
  });
}
