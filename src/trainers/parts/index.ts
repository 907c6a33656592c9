// The parts a training step is built from: public, one concept per file. See docs/writing-your-own-trainer-step.md.
export { OptimizerGroup, optimizerClassName } from './optimizer_group';
export type { OptimizerGroupOptions, OptimizerState } from './optimizer_group';
export { PenaltyRunner } from './penalty_runner';
export { StatsRecorder } from './stats_recorder';
export { DataGuard, NonFiniteDataError } from './data_guard';
export type { DataGuardOptions, DataRangeCheck } from './data_guard';
export {
  discriminatorTerms,
  discriminatorUpdate,
  generatorTerms,
  generatorUpdate,
  recordDiscriminatorUpdate,
  usesRealLogits,
} from './updates';
export type {
  DiscriminatorForward,
  DiscriminatorOutputs,
  DiscriminatorTerms,
  DiscriminatorTermsArgs,
  DiscriminatorUpdateArgs,
  DiscriminatorUpdateResult,
  GeneratorTerms,
  GeneratorTermsArgs,
  GeneratorUpdateArgs,
} from './updates';
export { optimizerPair } from './optimizer_pair';
export type { GeneratorDiscriminatorPair, OptimizerPairOptions } from './optimizer_pair';
