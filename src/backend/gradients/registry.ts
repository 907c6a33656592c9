/**
 * Installs gradient configs into tfjs's global gradient registry, replacing the stock ones, and remembers the
 * stock configs it replaced (tests compare first-order results against them).
 */
import * as tf from '@tensorflow/tfjs';

/** The config that was registered for each kernel before gan-kit replaced it (undefined: there was none). */
const replaced = new Map<string, tf.GradConfig | undefined>();

/**
 * Registers every config, replacing whatever is registered for its kernel. Idempotent: a config that is
 * already the registered one is left alone, so calling this again does nothing (and calling it after another
 * library overwrote one of them puts gan-kit's back). The previous config is unregistered first, so tfjs does
 * not print its "Overriding the gradient" warning when its DEBUG flag is on.
 */
export function installGradients(configs: readonly tf.GradConfig[]): void {
  for (const config of configs) {
    const current = tf.getGradient(config.kernelName);
    if (current === config) continue;
    if (!replaced.has(config.kernelName)) replaced.set(config.kernelName, current ?? undefined);
    if (current != null) tf.unregisterGradient(config.kernelName);
    tf.registerGradient(config);
  }
}

/**
 * The gradient config tfjs had registered for `kernelName` before gan-kit replaced it: `undefined` when gan-kit
 * did not replace it or when tfjs had none. For tests and debugging; not part of the public API.
 */
export function replacedGradient(kernelName: string): tf.GradConfig | undefined {
  return replaced.get(kernelName);
}
