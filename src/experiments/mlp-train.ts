import type { MnistSplit } from './idx.ts';
import { gatherBatch } from './mlp-data.ts';
import { evaluate } from './mlp-evaluate.ts';
import { CLASS_COUNT, computeGradients, disposeParams, type MlpParams } from './mlp-model.ts';
import type { Optimizer } from './mlp-optimizer.ts';
import { shuffleInPlace, type Random } from './random.ts';
import type { EpochMetrics, EpochProgress, Tf } from './types.ts';

/** Batches between two progress reports, which also yield to the event loop. */
const PROGRESS_INTERVAL = 10;

/** Training stopped because the loss of a batch became NaN or infinite. */
export class TrainingDivergedError extends Error {
  readonly epoch: number;
  readonly batch: number;
  readonly loss: number;

  constructor(epoch: number, batch: number, loss: number, learningRate: number) {
    super(
      `training diverged: the loss became ${loss} at epoch ${epoch}, batch ${batch}, with ` +
        `learning rate ${learningRate}. Lower the learning rate, ` +
        `for example to ${learningRate / 10}.`,
    );
    this.name = 'TrainingDivergedError';
    this.epoch = epoch;
    this.batch = batch;
    this.loss = loss;
  }
}

export interface TrainOptions {
  /** Owned by the training: `trainMlp` disposes it when it returns or throws. */
  optimizer: Optimizer;
  learningRate: number;
  batchSize: number;
  epochs: number;
  /** Shuffles the training set at the start of each epoch. */
  random: Random;
  onProgress?: (progress: EpochProgress) => void;
}

export interface TrainResult {
  /** The trained parameters, which the caller must dispose. */
  params: MlpParams;
  epochs: EpochMetrics[];
  /** Time spent in training steps, without validation, summed over the epochs. */
  trainingSeconds: number;
}

/**
 * Trains `initial` with mini-batches of the shuffled training set, one epoch at a time, and
 * evaluates the validation set after each epoch. Takes ownership of `initial`: the parameters
 * that it replaces are disposed. Throws `TrainingDivergedError` when a batch loss is not finite.
 */
export async function trainMlp(
  tf: Tf,
  initial: MlpParams,
  train: MnistSplit,
  validation: MnistSplit,
  options: TrainOptions,
): Promise<TrainResult> {
  const { optimizer, batchSize, epochs, random, onProgress } = options;
  const pixelsPerImage = train.images.length / train.count;
  const batches = Math.ceil(train.count / batchSize);
  const order = Int32Array.from({ length: train.count }, (_, i) => i);
  const history: EpochMetrics[] = [];
  let params = initial;
  let trainingSeconds = 0;

  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const epochStart = performance.now();
      shuffleInPlace(order, random);
      let lossSum = 0;
      let correct = 0;

      for (let batch = 1; batch <= batches; batch++) {
        const start = (batch - 1) * batchSize;
        const host = gatherBatch(train, order, start, Math.min(start + batchSize, train.count));
        const [next, stats] = tf.tidy(() => {
          const x = tf.tensor2d(host.images, [host.size, pixelsPerImage]);
          const xTransposed = tf.tensor2d(host.imagesTransposed, [pixelsPerImage, host.size]);
          const oneHot = tf.tensor2d(host.oneHot, [host.size, CLASS_COUNT]);
          const step = computeGradients(tf, params, x, oneHot, xTransposed);
          const updated = optimizer.apply(params, step.gradients);
          return [updated, tf.stack([step.loss, tf.cast(step.correct, 'float32')])] as const;
        });
        disposeParams(params);
        params = next;
        const [batchLoss = NaN, batchCorrect = 0] = stats.dataSync();
        stats.dispose();

        // NOTE: a learning rate that turns off every relu unit leaves the loss large but finite
        // (SGD at 1e6 did so for several seeds), and this check does not catch it.
        if (!Number.isFinite(batchLoss)) {
          throw new TrainingDivergedError(epoch, batch, batchLoss, options.learningRate);
        }
        lossSum += batchLoss * host.size;
        correct += batchCorrect;

        if (onProgress !== undefined && (batch % PROGRESS_INTERVAL === 0 || batch === batches)) {
          onProgress({ epoch, epochs, batch, batches, loss: lossSum / (start + host.size) });
          // Lets timers such as a progress bar's redraw run during a long epoch.
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      trainingSeconds += (performance.now() - epochStart) / 1000;

      // NOTE: without a validation set, valLoss and valAccuracy are NaN, which JSON stores as null.
      const validated =
        validation.count > 0 ? evaluate(tf, params, validation) : { loss: NaN, accuracy: NaN };
      history.push({
        epoch,
        loss: lossSum / train.count,
        accuracy: correct / train.count,
        valLoss: validated.loss,
        valAccuracy: validated.accuracy,
        seconds: (performance.now() - epochStart) / 1000,
      });
    }
  } catch (error) {
    disposeParams(params);
    throw error;
  } finally {
    optimizer.dispose();
  }

  return { params, epochs: history, trainingSeconds };
}
