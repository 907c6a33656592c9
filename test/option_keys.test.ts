/**
 * Unknown option keys: one typo in each family of non-trainer options gives an UnknownOptionError that names the
 * function and the key and suggests the valid name, before anything is built, read or written.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  classifyDigits,
  cycleConsistencyLoss,
  dcganDiscriminator,
  dcganGenerator,
  draganPenalty,
  fid,
  generatorResidualBlock,
  gradientPenalty,
  imageFolder,
  imageGridPixels,
  inceptionScore,
  initializeWeights,
  interpolateLatents,
  kMeans,
  leastSquaresLoss,
  lossChart,
  lossChartPixels,
  mlpDiscriminator,
  mlpGenerator,
  mnistDataset,
  nonSaturatingLoss,
  patchGanDiscriminator,
  r1Penalty,
  relativisticLoss,
  saganGenerator,
  spectralNormalize,
  tensorDataset,
  UnknownOptionError,
  unetGenerator,
} from '../src/index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Runs `call` and returns the UnknownOptionError it throws (or rejects with). */
async function unknownOption(call: () => unknown): Promise<UnknownOptionError> {
  let error: unknown;
  try {
    await call();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected an UnknownOptionError').toBeInstanceOf(UnknownOptionError);
  return error as UnknownOptionError;
}

const critic = (x: tf.Tensor): tf.Tensor => tf.sum(x, 1, true);

const cases: Array<[string, () => unknown, string, string]> = [
  // [family: function, call with a typo, the typo, the suggestion]
  ['losses: nonSaturatingLoss', () => nonSaturatingLoss({ labelSmothing: 0.1 } as never), 'labelSmothing', 'labelSmoothing'],
  ['losses: leastSquaresLoss', () => leastSquaresLoss({ realTargets: 1 } as never), 'realTargets', 'realTarget'],
  ['losses: relativisticLoss', () => relativisticLoss({ averge: true } as never), 'averge', 'average'],
  ['losses: cycleConsistencyLoss', () => cycleConsistencyLoss(tf.zeros([1, 2]), tf.zeros([1, 2]), { wieght: 10 } as never), 'wieght', 'weight'],
  ['penalties: r1Penalty', () => r1Penalty(critic, tf.ones([2, 3]), { gama: 10 } as never), 'gama', 'gamma'],
  ['penalties: gradientPenalty', () => gradientPenalty(critic, tf.ones([2, 3]), tf.zeros([2, 3]), { oneSide: true } as never), 'oneSide', 'oneSided'],
  ['penalties: draganPenalty', () => draganPenalty(critic, tf.ones([2, 3]), { perturbations: 0.5 } as never), 'perturbations', 'perturbation'],
  ['regularizers: spectralNormalize', () => spectralNormalize(tf.ones([3, 3]), tf.ones([1, 3]), { powerIteration: 2 } as never), 'powerIteration', 'powerIterations'],
  ['builders: dcganGenerator', () => dcganGenerator({ latentDims: 10 } as never), 'latentDims', 'latentDim'],
  ['builders: dcganDiscriminator', () => dcganDiscriminator({ baseFilter: 8 } as never), 'baseFilter', 'baseFilters'],
  ['builders: mlpGenerator', () => mlpGenerator({ hiddenUnit: [8] } as never), 'hiddenUnit', 'hiddenUnits'],
  ['builders: mlpDiscriminator', () => mlpDiscriminator({ inputDims: 2 } as never), 'inputDims', 'inputDim'],
  ['builders: saganGenerator', () => saganGenerator({ attentionResolutions: 16 } as never), 'attentionResolutions', 'attentionResolution'],
  ['builders: unetGenerator', () => unetGenerator({ outputChannel: 3 } as never), 'outputChannel', 'outputChannels'],
  ['builders: patchGanDiscriminator', () => patchGanDiscriminator({ numLayer: 3 } as never), 'numLayer', 'numLayers'],
  ['builders: initializeWeights', () => initializeWeights(tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] }), { sed: 1 } as never), 'sed', 'seed'],
  ['blocks: generatorResidualBlock', () => generatorResidualBlock(tf.input({ shape: [4, 4, 8] }), { filters: 8, upsamples: true } as never), 'upsamples', 'upsample'],
  ['data: mnistDataset', () => mnistDataset({ batchsize: 8 } as never), 'batchsize', 'batchSize'],
  ['data: tensorDataset', () => tensorDataset(tf.zeros([4, 2, 2, 1]), { shufle: true } as never), 'shufle', 'shuffle'],
  ['data: imageFolder', () => imageFolder('no-such-folder', { sizes: 32 } as never), 'sizes', 'size'],
  ['data: kMeans', () => kMeans(tf.zeros([4, 2]), { k: 2, iteration: 3 } as never), 'iteration', 'iterations'],
  ['metrics: inceptionScore', () => inceptionScore(tf.fill([4, 3], 1 / 3) as tf.Tensor2D, { split: 2 } as never), 'split', 'splits'],
  ['metrics: classifyDigits', () => classifyDigits(tf.zeros([1, 28, 28, 1]), { inputRanges: [0, 1] } as never), 'inputRanges', 'inputRange'],
  ['metrics: fid', () => fid(() => tf.zeros([2, 4]), tf.zeros([2, 4]), { samples: 100 } as never), 'samples', 'maxSamples'],
  ['io: imageGridPixels', () => imageGridPixels(tf.zeros([4, 2, 2, 1]), { row: 2 } as never), 'row', 'rows'],
  ['io: lossChartPixels', () => lossChartPixels([{ step: 1, loss: 1 }], { smooth: 0.9 } as never), 'smooth', 'smoothing'],
  ['io: lossChart', () => lossChart({ path: 'x.png', evry: 10 } as never), 'evry', 'every'],
  ['io: interpolateLatents', () => interpolateLatents(tf.zeros([4]), tf.ones([4]), 3, { methd: 'slerp' } as never), 'methd', 'method'],
];

describe('unknown option keys', () => {
  for (const [family, call, key, suggestion] of cases) {
    it(`${family}: "${key}" → UnknownOptionError suggesting "${suggestion}"`, async () => {
      const error = await unknownOption(call);
      expect(error.key).toBe(key);
      expect(error.suggestion).toBe(suggestion);
      expect(error.message).toContain(`.${key}:`);
      expect(error.message).toContain(`Did you mean "${suggestion}"?`);
    });
  }

  it('names the function in the message, and valid options still work', async () => {
    const error = await unknownOption(() => dcganGenerator({ latentDims: 10 } as never));
    expect(error.message).toMatch(/^dcganGenerator options\.latentDims: expected one of the options .*latentDim.*, got "latentDims"\. Did you mean "latentDim"\?/);
    const g = dcganGenerator({ outputShape: [8, 8, 1], latentDim: 4, baseFilters: 4, seed: 1 });
    expect(g.outputs[0]!.shape).toEqual([null, 8, 8, 1]);
    g.dispose();
  });
});
