import type { MnistSplit } from '../src/experiments/idx.ts';
import { gatherBatch, type HostBatch } from '../src/experiments/mlp-data.ts';
import {
  CLASS_COUNT,
  computeGradients,
  disposeParams,
  initMlpParams,
} from '../src/experiments/mlp-model.ts';
import { createSgd } from '../src/experiments/mlp-optimizer.ts';
import { createRandom, shuffleInPlace } from '../src/experiments/random.ts';
import type { Tf } from '../src/experiments/types.ts';

export type TransposeVariant = 'tf.transpose' | 'transposed upload';

export interface TransposeComparison {
  /** Seconds of each epoch, per variant, in the order they ran. */
  seconds: Record<TransposeVariant, number[]>;
}

/**
 * Times SGD epochs that get the transposed batch for the first-layer weight gradient in two
 * ways: `tf.transpose` of the uploaded batch, as the training loop first did, or a transposed
 * copy made while gathering the batch and uploaded, as it does now. The variants alternate
 * epoch by epoch, so that load from other processes affects both alike.
 */
export function compareTranspose(
  tf: Tf,
  train: MnistSplit,
  options: { epochs: number; batchSize: number; hidden: number; learningRate: number },
): TransposeComparison {
  const seconds: Record<TransposeVariant, number[]> = {
    'tf.transpose': [],
    'transposed upload': [],
  };
  const variants = Object.keys(seconds) as TransposeVariant[];
  const pixelsPerImage = train.images.length / train.count;

  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (const variant of variants) {
      const random = createRandom(epoch);
      let params = initMlpParams(tf, pixelsPerImage, options.hidden, random);
      const optimizer = createSgd(tf, options.learningRate);
      const order = shuffleInPlace(
        Int32Array.from({ length: train.count }, (_, i) => i),
        random,
      );

      const start = performance.now();
      for (let first = 0; first < train.count; first += options.batchSize) {
        const last = Math.min(first + options.batchSize, train.count);
        const host: HostBatch & { imagesTransposed?: Float32Array } =
          variant === 'tf.transpose'
            ? gatherRows(train, order, first, last)
            : gatherBatch(train, order, first, last);
        const transposedPixels = host.imagesTransposed;
        const next = tf.tidy(() => {
          const x = tf.tensor2d(host.images, [host.size, pixelsPerImage]);
          const oneHot = tf.tensor2d(host.oneHot, [host.size, CLASS_COUNT]);
          const xTransposed =
            transposedPixels === undefined
              ? tf.transpose(x)
              : tf.tensor2d(transposedPixels, [pixelsPerImage, host.size]);
          const step = computeGradients(tf, params, x, oneHot, xTransposed);
          step.loss.dataSync();
          return optimizer.apply(params, step.gradients);
        });
        disposeParams(params);
        params = next;
      }
      seconds[variant].push((performance.now() - start) / 1000);
      disposeParams(params);
    }
  }
  return { seconds };
}

/** Copies a batch without the transposed pixels, as `gatherBatch` did before it made them. */
function gatherRows(
  split: MnistSplit,
  indices: ArrayLike<number>,
  start: number,
  end: number,
): HostBatch {
  const size = end - start;
  const pixelsPerImage = split.images.length / split.count;
  const images = new Float32Array(size * pixelsPerImage);
  const oneHot = new Float32Array(size * CLASS_COUNT);
  for (let row = 0; row < size; row++) {
    const offset = indices[start + row]! * pixelsPerImage;
    images.set(split.images.subarray(offset, offset + pixelsPerImage), row * pixelsPerImage);
    oneHot[row * CLASS_COUNT + split.labels[indices[start + row]!]!] = 1;
  }
  return { images, oneHot, size };
}
