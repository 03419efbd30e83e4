import { resolve } from 'node:path';

import { loadMnistFormat, type LoadMnistOptions, type MnistData, type MnistSplit } from './idx.ts';
import { CLASS_COUNT } from './mlp-model.ts';

const loaded = new Map<string, MnistData>();

/**
 * Loads an MNIST-format dataset like `loadMnistFormat`, but parses each folder and limits only
 * once per process, so that several experiments of one build share the arrays.
 * Callers must not modify the returned arrays.
 */
export function loadMnistCached(dir: string, options: LoadMnistOptions = {}): MnistData {
  // NOTE: an entry lives until clearMnistCache, and a file changed on disk meanwhile is not
  // read again.
  const key = cacheKey(dir, options);
  let data = loaded.get(key);
  if (data === undefined) {
    data = loadMnistFormat(dir, options);
    loaded.set(key, data);
  }
  return data;
}

/**
 * Stores a dataset loaded elsewhere, for example in the main thread and passed to a worker
 * thread, so that `loadMnistCached` with the same folder and limits returns it unparsed.
 */
export function primeMnistCache(dir: string, options: LoadMnistOptions, data: MnistData): void {
  loaded.set(cacheKey(dir, options), data);
}

function cacheKey(dir: string, options: LoadMnistOptions): string {
  return [resolve(dir), options.trainLimit ?? 'all', options.testLimit ?? 'all'].join('\0');
}

/** Drops every dataset that `loadMnistCached` keeps, so that its memory can be freed. */
export function clearMnistCache(): void {
  loaded.clear();
}

/**
 * Splits off the last `fraction` of `split` for validation, before any shuffling, as Keras's
 * `validation_split` does. The returned splits are views on the same arrays.
 */
export function splitValidation(
  split: MnistSplit,
  fraction: number,
): { train: MnistSplit; validation: MnistSplit } {
  const pixelsPerImage = split.images.length / Math.max(split.count, 1);
  const trainCount = Math.floor(split.count * (1 - fraction));
  const view = (start: number, end: number): MnistSplit => ({
    images: split.images.subarray(start * pixelsPerImage, end * pixelsPerImage),
    labels: split.labels.subarray(start, end),
    count: end - start,
  });
  return { train: view(0, trainCount), validation: view(trainCount, split.count) };
}

/** One batch as flat row-major arrays, ready for `tf.tensor2d`. */
export interface HostBatch {
  images: Float32Array;
  oneHot: Float32Array;
  size: number;
}

/** A training batch, which also carries its images transposed for the weight gradient. */
export interface TrainingBatch extends HostBatch {
  /** The same pixels as `images`, as a pixels x size matrix. */
  imagesTransposed: Float32Array;
}

/**
 * Copies the images at `indices[start..end)` of `split` into one batch, both as rows and
 * transposed, with labels one-hot encoded over the ten classes.
 *
 * Transposing while copying took about 0.1 ms per 128-image batch in JavaScript, while
 * `tf.transpose` of the uploaded batch took about 0.3 ms on tfjs-backend-wasm 4.22
 * (`scripts/bench.ts`, 2-core AMD EPYC).
 */
export function gatherBatch(
  split: MnistSplit,
  indices: ArrayLike<number>,
  start: number,
  end: number,
): TrainingBatch {
  const size = end - start;
  const pixelsPerImage = split.images.length / split.count;
  const images = new Float32Array(size * pixelsPerImage);
  const imagesTransposed = new Float32Array(size * pixelsPerImage);
  const oneHot = new Float32Array(size * CLASS_COUNT);
  const pixels = split.images;

  for (let row = 0; row < size; row++) {
    const index = indices[start + row]!;
    const offset = index * pixelsPerImage;
    images.set(pixels.subarray(offset, offset + pixelsPerImage), row * pixelsPerImage);
    for (let pixel = 0; pixel < pixelsPerImage; pixel++) {
      imagesTransposed[pixel * size + row] = pixels[offset + pixel]!;
    }
    oneHot[row * CLASS_COUNT + split.labels[index]!] = 1;
  }
  return { images, imagesTransposed, oneHot, size };
}

/** Returns the images `start..end` of `split` as one batch, sharing the split's pixel array. */
export function sliceBatch(split: MnistSplit, start: number, end: number): HostBatch {
  const size = end - start;
  const pixelsPerImage = split.images.length / split.count;
  const oneHot = new Float32Array(size * CLASS_COUNT);
  for (let row = 0; row < size; row++) {
    oneHot[row * CLASS_COUNT + split.labels[start + row]!] = 1;
  }
  const images = split.images.subarray(start * pixelsPerImage, end * pixelsPerImage);
  return { images, oneHot, size };
}
