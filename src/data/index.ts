// Public API of src/data: re-exported from the package root by src/index.ts.
export type { BatchingOptions } from './array_batches';
export { loadMnist, mnistDataset } from './mnist';
export type { MnistBatch, MnistDatasetOptions, MnistSelection, MnistTensors } from './mnist';
export { mnistDomainB, mnistDomainBToA, mnistDomains } from './mnist_domains';
export type { DomainBatch, MnistDomainsOptions } from './mnist_domains';
export type { ImagePreprocessOptions, RgbaPixels } from './image_preprocess';
export { decodeImage, sniffImageFormat } from './image_decode';
export type { DecodeLimits, ImageFormat } from './image_decode';
export { imageFolder, IMAGE_EXTENSIONS, loadImageFolder } from './image_folder';
export type { ImageFolderOptions, LoadedImageFolder, LoadImageFolderOptions } from './image_folder';
export { imagesFromPixels, tensorDataset } from './image_sources';
export type { LabeledImageBatch, TensorDatasetOptions } from './image_sources';
export type { ImageSource } from './image_sources';
export { kMeans } from './kmeans';
export type { KMeansOptions, KMeansResult } from './kmeans';
