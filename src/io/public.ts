// The io functions added next to the trainers' file I/O (src/io/index.ts): latent interpolation and loss charts.
// Re-exported from the package root by src/index.ts.
export { interpolateLatents, lerp, slerp } from './latent_interpolation';
export type { InterpolateLatentsOptions } from './latent_interpolation';
export { lossChart, lossChartPixels, readJsonl, saveLossChart } from './loss_chart';
export type { LossChartCallbackOptions, LossChartOptions, LossRecord } from './loss_chart';
