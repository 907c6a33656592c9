// Public API of src/layers: re-exported from the package root by src/index.ts.
// Importing this module registers every gan-kit layer class with tfjs serialization (tf.loadLayersModel).
export { SelfAttention2D, selfAttention2d } from './self_attention_2d';
export type { SelfAttention2DArgs } from './self_attention_2d';
export { InstanceNormalization, instanceNormalization } from './instance_normalization';
export type { InstanceNormalizationArgs } from './instance_normalization';
export { ReflectionPadding2D, reflectionPadding2d } from './reflection_padding_2d';
export type { ReflectionPadding, ReflectionPadding2DArgs } from './reflection_padding_2d';
export { PixelNormalization, pixelNormalization } from './pixel_normalization';
export type { PixelNormalizationArgs } from './pixel_normalization';
export { MinibatchStdDev, minibatchStdDev } from './minibatch_std_dev';
export type { MinibatchStdDevArgs } from './minibatch_std_dev';
export { ConditionalBatchNormalization, conditionalBatchNormalization } from './conditional_batch_normalization';
export type { ConditionalBatchNormalizationArgs } from './conditional_batch_normalization';
export { ProjectionDiscriminatorHead, projectionDiscriminatorHead } from './projection_discriminator_head';
export type { ProjectionDiscriminatorHeadArgs } from './projection_discriminator_head';
export { GlobalSumPooling2D, globalSumPooling2d } from './global_sum_pooling_2d';
export { ClassEmbedding, classEmbedding } from './class_embedding';
export type { ClassEmbeddingArgs } from './class_embedding';
export { AverageDownsample2D, NearestUpsample2D, averageDownsample2d, nearestUpsample2d } from './resample_2d';
export type { Resample2DArgs } from './resample_2d';
export { discriminatorResidualBlock, generatorResidualBlock } from './residual_blocks';
export type {
  DiscriminatorResidualBlockOptions,
  GeneratorBlockNormalization,
  GeneratorResidualBlockOptions,
} from './residual_blocks';
export type { Initializer, LayerArgs, SerializedInitializer } from './layer_utils';
export { ScaledLeakyReLU, scaledLeakyRelu } from './scaled_leaky_relu';
export type { EqualizedActivation, ScaledLeakyReLUArgs } from './scaled_leaky_relu';
export { EqualizedDense, equalizedDense } from './equalized_dense';
export type { EqualizedArgs, EqualizedDenseArgs, EqualizedSettings } from './equalized_dense';
export { EqualizedConv2D, equalizedConv2d } from './equalized_conv2d';
export type { EqualizedConv2DArgs } from './equalized_conv2d';
export { fromRgb, toRgb } from './rgb';
export type { FromRgbArgs, ToRgbArgs } from './rgb';
export { FadeIn, fadeIn } from './fade_in';
export type { FadeInArgs } from './fade_in';
export { ModulatedConv2D, modulatedConv2d } from './modulated_conv2d';
export type { ModulatedConv2DArgs } from './modulated_conv2d';
export { NoiseInjection, noiseInjection } from './noise_injection';
export type { NoiseInjectionArgs, NoiseMode } from './noise_injection';
export { ConstantInput, constantInput } from './constant_input';
export type { ConstantInputArgs } from './constant_input';
