/**
 * Exports the generator of a `gan-kit train dcgan` run for the browser example:
 * examples/browser/public/pretrained/dcgan-mnist/{model.json, weights.bin, info.json}, weights stored as float16
 * (half the size; tfjs expands them to float32 when it loads the model).
 *
 *   npx gan-kit train dcgan --width 0.5 --steps 1200 --seed 7 --out runs/pretrained-dcgan
 *   npx tsx examples/browser/scripts/export-pretrained.ts runs/pretrained-dcgan
 *
 * It takes the latest checkpoint of the run, and its averaged generator (generatorEma) when there is one. It
 * prints the largest difference between the float32 and float16 generators' images for fixed codes.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileSystemHandler, loadModelFromDir, resolveCheckpoint, setupBackend } from '../../../src/index';
import { toFloat16 } from './float16';

const runDir = process.argv[2];
if (!runDir) {
  console.error('Usage: npx tsx examples/browser/scripts/export-pretrained.ts <run-dir of gan-kit train dcgan>');
  process.exit(1);
}
const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', 'public', 'pretrained', 'dcgan-mnist');
await setupBackend({ backend: 'cpu' });

const checkpoint = await resolveCheckpoint(join(runDir, 'checkpoints'));
const manifest = JSON.parse(readFileSync(join(checkpoint, 'manifest.json'), 'utf8')) as { step: number; models: string[] };
const modelName = manifest.models.includes('generatorEma') ? 'generatorEma' : 'generator';
const settings = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { width: number; seed: number; batchSize: number };
const generator = await loadModelFromDir(join(checkpoint, modelName));
const latentDim = generator.inputs[0]!.shape[1] as number;
const imageShape = generator.outputs[0]!.shape.slice(1) as [number, number, number];

// Save through a handler that rewrites the weights as float16 before the gan-kit file handler writes them.
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const files = fileSystemHandler(outDir);
await generator.save({
  async save(artifacts) {
    const specs = artifacts.weightSpecs!;
    if (!specs.every((s) => s.dtype === 'float32' && s.quantization === undefined)) {
      throw new Error('expected plain float32 weights');
    }
    const values = new Float32Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData!));
    const half = toFloat16(values);
    return files.save!({
      ...artifacts,
      weightSpecs: specs.map((s) => ({ ...s, quantization: { dtype: 'float16' as const, original_dtype: 'float32' as const } })),
      weightData: half.buffer as ArrayBuffer,
    });
  },
});

// Check: the float16 model draws (almost) the same images as the float32 one.
const reloaded = await tf.loadLayersModel(fileSystemHandler(outDir));
const z = tf.randomNormal([16, latentDim], 0, 1, 'float32', 1);
const difference = tf.tidy(() => tf.max(tf.abs(tf.sub(generator.predict(z) as tf.Tensor, reloaded.predict(z) as tf.Tensor))).dataSync()[0]!);
const weightsBytes = statSync(join(outDir, 'weights.bin')).size;
const info = {
  latentDim,
  imageShape,
  step: manifest.step,
  model: modelName,
  command: `npx gan-kit train dcgan --width ${settings.width} --steps ${manifest.step} --seed ${settings.seed}`,
  weights: `float16, ${Math.round(weightsBytes / 1024)} KB`,
};
writeFileSync(join(outDir, 'info.json'), `${JSON.stringify(info, null, 2)}\n`);
console.log(`Wrote ${outDir} (${modelName} of step ${manifest.step}; weights ${weightsBytes} bytes).`);
console.log(`Largest |float32 − float16| pixel difference on 16 samples: ${difference.toExponential(2)} (range [-1, 1]).`);
if (!existsSync(join(outDir, 'model.json'))) process.exit(1);
