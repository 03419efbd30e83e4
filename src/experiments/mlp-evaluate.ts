import type { MnistSplit } from './idx.ts';
import { sliceBatch } from './mlp-data.ts';
import { CLASS_COUNT, forward, sumCrossEntropy, type MlpParams } from './mlp-model.ts';
import type { Tf } from './types.ts';

/** Rows per forward pass when evaluating, to bound the size of intermediate tensors. */
const EVALUATION_BATCH_SIZE = 1000;

export interface Evaluation {
  /** Mean cross-entropy over the split. */
  loss: number;
  accuracy: number;
  /** The predicted class of each image, in the split's order. */
  predicted: Int32Array;
}

/** Runs the model over a whole split and measures its loss and accuracy. */
export function evaluate(tf: Tf, params: MlpParams, split: MnistSplit): Evaluation {
  const predicted = new Int32Array(split.count);
  let lossSum = 0;

  for (let start = 0; start < split.count; start += EVALUATION_BATCH_SIZE) {
    const end = Math.min(start + EVALUATION_BATCH_SIZE, split.count);
    const batch = sliceBatch(split, start, end);
    const [loss, classes] = tf.tidy(() => {
      const x = tf.tensor2d(batch.images, [batch.size, batch.images.length / batch.size]);
      const oneHot = tf.tensor2d(batch.oneHot, [batch.size, CLASS_COUNT]);
      const { logits } = forward(tf, params, x);
      return [sumCrossEntropy(tf, logits, oneHot), tf.argMax(logits, 1)];
    });
    lossSum += loss.dataSync()[0]!;
    predicted.set(classes.dataSync(), start);
    loss.dispose();
    classes.dispose();
  }

  let correct = 0;
  for (let i = 0; i < split.count; i++) {
    if (predicted[i] === split.labels[i]) correct++;
  }
  const count = Math.max(split.count, 1);
  return { loss: lossSum / count, accuracy: correct / count, predicted };
}

/** Counts confusion[trueLabel][predictedLabel] over the ten classes. */
export function confusionMatrix(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
): number[][] {
  const matrix = Array.from({ length: CLASS_COUNT }, () => new Array<number>(CLASS_COUNT).fill(0));
  for (let i = 0; i < labels.length; i++) {
    matrix[labels[i]!]![predicted[i]!]! += 1;
  }
  return matrix;
}
