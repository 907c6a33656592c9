/**
 * The cluster labels of a self-conditioned `gan-kit train dcgan` run: k-means clusters of the training images,
 * computed once when a run starts and kept in the run directory (`clusters.json`), so that `--resume` trains on
 * exactly the same labels and `gan-kit sample` draws clusters as often as they occur in the data.
 *
 * @module cli/clusters
 * @internal
 */
import type * as tf from '@tensorflow/tfjs';
import { kMeans } from '../data/kmeans';
import { GanKitError } from '../errors';
import { nodeFs, writeFileAtomic } from '../io/node_fs';

/** File name of the clusters in a run directory. */
export const CLUSTER_FILE = 'clusters.json';

/** What `clusters.json` holds. */
export interface ClusterFile {
  /** Number of clusters. */
  k: number;
  /** Seed of the k-means++ initialisation. */
  seed: number;
  /** Number of images clustered. */
  count: number;
  /** Images per cluster. */
  sizes: number[];
  /** Cluster of each training image, in dataset order. */
  assignments: number[];
  /** Sum of squared pixel distances to the centroids (images in [-1, 1]). */
  inertia: number;
}

/** Reads and checks `<runDir>/clusters.json`. */
export async function readClusterFile(runDir: string): Promise<ClusterFile> {
  const { fs, path } = await nodeFs('gan-kit');
  const file = path.join(runDir, CLUSTER_FILE);
  let parsed: ClusterFile;
  try {
    parsed = JSON.parse(await fs.readFile(file, 'utf8')) as ClusterFile;
  } catch {
    throw new GanKitError(`${file} is missing or unreadable: this self-conditioned run cannot be resumed or sampled without its clusters.`);
  }
  const ok =
    Number.isInteger(parsed.k) &&
    parsed.k >= 1 &&
    Number.isInteger(parsed.count) &&
    Array.isArray(parsed.sizes) &&
    parsed.sizes.length === parsed.k &&
    parsed.sizes.every((n) => Number.isInteger(n) && n >= 0) &&
    Array.isArray(parsed.assignments) &&
    parsed.assignments.length === parsed.count &&
    parsed.assignments.every((a) => Number.isInteger(a) && a >= 0 && a < parsed.k);
  if (!ok) throw new GanKitError(`${file} is damaged (its sizes or assignments do not match k = ${String(parsed.k)}).`);
  return parsed;
}

/**
 * The clusters of `images` for a run: read from the run directory when resuming (checked against the images),
 * else computed with `kMeans` and written there (temp file, then rename).
 */
export async function runClusters(
  images: tf.Tensor,
  options: { k: number; seed: number; runDir: string; resume: boolean },
): Promise<ClusterFile> {
  const count = images.shape[0]!;
  if (options.resume) {
    const saved = await readClusterFile(options.runDir);
    if (saved.k !== options.k || saved.count !== count) {
      throw new GanKitError(
        `${options.runDir}/${CLUSTER_FILE} holds ${saved.k} clusters of ${saved.count} images, but the run has ${options.k} clusters of ${count} images: was the data folder changed?`,
      );
    }
    return saved;
  }
  if (!(options.k <= count)) {
    throw new GanKitError(`--clusters ${options.k}: the data has only ${count} images; use at most ${count} clusters (or --clusters 0).`);
  }
  const result = await kMeans(images, { k: options.k, seed: options.seed });
  const file: ClusterFile = {
    k: options.k,
    seed: options.seed,
    count,
    sizes: result.sizes,
    assignments: Array.from(result.assignments),
    inertia: result.inertia,
  };
  const { fs, path } = await nodeFs('gan-kit train');
  await fs.mkdir(options.runDir, { recursive: true });
  await writeFileAtomic(path.join(options.runDir, CLUSTER_FILE), JSON.stringify(file));
  return file;
}
