import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors';
import type { TrainerData } from './callbacks';

/** A pull-based view of any supported data source. @internal */
export interface BatchSource<T> {
  /** Starts a pass over the data. */
  open(): Promise<{ next(): Promise<IteratorResult<T>>; close(): Promise<void> }>;
  /** True if `open` can start another pass (a Dataset or a container); false for a one-shot iterator. */
  readonly reiterable: boolean;
  /** True if every batch is a new tensor that nobody else holds (Datasets, generators): fit disposes them. */
  readonly yieldsFreshBatches: boolean;
}

function isDataset<T>(data: unknown): data is tf.data.Dataset<T & tf.TensorContainer> {
  const d = data as { iterator?: unknown; forEachAsync?: unknown } | null;
  return d != null && typeof d.iterator === 'function' && typeof d.forEachAsync === 'function';
}

/** Wraps a Dataset or (async) iterable as a {@link BatchSource}. @internal */
export function toBatchSource<T>(data: TrainerData<T>): BatchSource<T> {
  if (isDataset<T>(data)) {
    return {
      reiterable: true,
      yieldsFreshBatches: true,
      async open() {
        const it = await data.iterator();
        return { next: () => it.next() as Promise<IteratorResult<T>>, close: async () => undefined };
      },
    };
  }
  const asyncFactory = (data as AsyncIterable<T> | null)?.[Symbol.asyncIterator];
  const syncFactory = (data as Iterable<T> | null)?.[Symbol.iterator];
  if (typeof data !== 'object' || data === null || (typeof asyncFactory !== 'function' && typeof syncFactory !== 'function')) {
    throw new InvalidArgumentError(
      'data',
      'a tf.data.Dataset, an array of batches, or an (async) iterable of batches',
      data,
    );
  }
  // An iterator object whose [Symbol.iterator]() returns itself (a generator) can be read only once.
  const oneShot =
    typeof (data as { next?: unknown }).next === 'function' &&
    (typeof asyncFactory === 'function'
      ? ((data as AsyncIterable<T>)[Symbol.asyncIterator]() as unknown) === data
      : ((data as Iterable<T>)[Symbol.iterator]() as unknown) === data);
  return {
    reiterable: !oneShot,
    yieldsFreshBatches: oneShot,
    async open() {
      if (typeof asyncFactory === 'function') {
        const it = (data as AsyncIterable<T>)[Symbol.asyncIterator]();
        return {
          next: () => it.next(),
          // A one-shot iterator is left open, so that a later fit() call can continue reading it.
          close: async () => {
            if (!oneShot) await it.return?.();
          },
        };
      }
      const it = (data as Iterable<T>)[Symbol.iterator]();
      return {
        next: async () => it.next(),
        close: async () => {
          if (!oneShot) it.return?.();
        },
      };
    },
  };
}
