// Public API of src/models: re-exported from the package root by src/index.ts.
export { dcganDiscriminator, dcganGenerator, transposedConvStack } from './dcgan';
export type { DcganDiscriminatorOptions, DcganGeneratorOptions, TransposedConvStackOptions } from './dcgan';
export type { ActivationKind, NormalizationKind, OutputActivationKind } from './builder_utils';
export { mlpDiscriminator, mlpGenerator } from './mlp';
export type { MlpDiscriminatorOptions, MlpGeneratorOptions, MlpOptions } from './mlp';
export { wganGpCritic } from './wgan_gp_critic';
export type { WganGpCriticOptions } from './wgan_gp_critic';
export { resnetGenerator } from './resnet_generator';
export type { ResnetGeneratorOptions } from './resnet_generator';
export { patchGanDiscriminator } from './patchgan_discriminator';
export type { PatchGanDiscriminatorOptions } from './patchgan_discriminator';
export { unetGenerator } from './unet_generator';
export type { UnetGeneratorOptions } from './unet_generator';
export { conditionalDiscriminator, conditionalGenerator } from './conditional';
export { acganDiscriminator } from './acgan_discriminator';
export type { AcganDiscriminatorOptions } from './acgan_discriminator';
export type {
  ConditionalDiscriminatorOptions,
  ConditionalGeneratorOptions,
  DiscriminatorConditioning,
  GeneratorConditioning,
} from './conditional';
export { saganDiscriminator, saganGenerator } from './sagan';
export type { SaganDiscriminatorOptions, SaganGeneratorOptions, SaganOptions } from './sagan';
export { initializeWeights, WeightInitializationError } from './initialize_weights';
export type { InitializeWeightsOptions } from './initialize_weights';
export type { SeedOption } from './builder_utils';
export { mappingNetwork } from './mapping_network';
export type { MappingNetworkOptions } from './mapping_network';
export { ProgressiveDiscriminator, ProgressiveGenerator, progressiveDiscriminator, progressiveGenerator } from './progressive_gan';
export type {
  ProgressiveDiscriminatorOptions,
  ProgressiveGanOptions,
  ProgressiveGeneratorOptions,
  StageModelOptions,
} from './progressive_gan';
export { styleSynthesisNetwork } from './style_synthesis';
export type { StyleSynthesisOptions } from './style_synthesis';
