/**
 * The "DCGAN-28" benchmark model, written by hand with tfjs-layers exactly as described in
 * ../shared/peers/README.md (the PyTorch reference), and one training step (one D step + one G step,
 * non-saturating loss, Adam 2e-4 / 0.5). Used by `npm run bench`; it does not import gan-kit, so it can also
 * run on stock tfjs as a baseline.
 */
import * as tf from '@tensorflow/tfjs';

export const LATENT_DIM = 100;

/** G: dense 100→7·7·256 (no bias), BN, ReLU, convT 256→128 k4 s2 (no bias), BN, ReLU, convT 128→1 k4 s2, tanh. */
export function buildGenerator(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [LATENT_DIM], units: 7 * 7 * 256, useBias: false }),
      tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }),
      tf.layers.reLU(),
      tf.layers.reshape({ targetShape: [7, 7, 256] }),
      tf.layers.conv2dTranspose({ filters: 128, kernelSize: 4, strides: 2, padding: 'same', useBias: false }),
      tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }),
      tf.layers.reLU(),
      tf.layers.conv2dTranspose({ filters: 1, kernelSize: 4, strides: 2, padding: 'same', activation: 'tanh' }),
    ],
  });
}

/** D: conv 1→64 k4 s2, LeakyReLU 0.2, conv 64→128 k4 s2 (no bias), BN, LeakyReLU 0.2, flatten, dense →1. */
export function buildDiscriminator(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 64, kernelSize: 4, strides: 2, padding: 'same' }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.conv2d({ filters: 128, kernelSize: 4, strides: 2, padding: 'same', useBias: false }),
      tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1 }),
    ],
  });
}

/**
 * A plain, hand-written alternating training step: returns a function that runs one D step then one G step and
 * reads both losses back from the device (one `data()` call), as the PyTorch reference does with `.item()` and
 * as gan-kit's trainers do to return their stats: a step is only done once its numbers are on the host.
 */
export function makeTrainStep(g: tf.LayersModel, d: tf.LayersModel, batch: number): (real: tf.Tensor) => Promise<[number, number]> {
  const gOpt = tf.train.adam(2e-4, 0.5, 0.999);
  const dOpt = tf.train.adam(2e-4, 0.5, 0.999);
  const gVars = g.trainableWeights.map((w) => w.read() as tf.Variable);
  const dVars = d.trainableWeights.map((w) => w.read() as tf.Variable);
  return async (real: tf.Tensor) => {
    const losses = tf.tidy(() => {
      const z = tf.randomNormal([batch, LATENT_DIM]);
      const fake = g.apply(z, { training: true }) as tf.Tensor;
      const dCost = dOpt.minimize(
        () => {
          const r = d.apply(real, { training: true }) as tf.Tensor;
          const f = d.apply(fake, { training: true }) as tf.Tensor;
          return tf.add(tf.mean(tf.softplus(tf.neg(r))), tf.mean(tf.softplus(f))) as tf.Scalar;
        },
        true,
        dVars,
      );
      const gCost = gOpt.minimize(
        () => {
          const f = d.apply(g.apply(z, { training: true }), { training: true }) as tf.Tensor;
          return tf.mean(tf.softplus(tf.neg(f))) as tf.Scalar;
        },
        true,
        gVars,
      );
      return tf.stack([dCost!, gCost!]);
    });
    try {
      const values = await losses.data();
      return [values[0]!, values[1]!];
    } finally {
      losses.dispose();
    }
  };
}
