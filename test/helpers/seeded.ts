import type * as tf from '@tensorflow/tfjs';
import { initializeWeights } from '../../src/models/initialize_weights';

/**
 * Redraws every weight of `model` from its own initializer with seeds derived from `seed` (`initializeWeights`),
 * and returns the model. tfjs initializers are not seeded, so a hand-built model that a test trains or whose
 * values a test checks must go through this, or the test sees different weights on every run.
 */
export function seededModel<T extends tf.LayersModel>(model: T, seed: number): T {
  initializeWeights(model, { seed });
  return model;
}
