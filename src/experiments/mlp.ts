import { z } from 'zod';

import { findMnistFiles, type MnistSplit } from './idx.ts';
import { loadMnistCached, splitValidation } from './mlp-data.ts';
import { confusionMatrix, evaluate } from './mlp-evaluate.ts';
import { disposeParams, initMlpParams } from './mlp-model.ts';
import { createAdam, createSgd, KERAS_ADAM, type Optimizer } from './mlp-optimizer.ts';
import { trainMlp } from './mlp-train.ts';
import { createRandom } from './random.ts';
import type { ExperimentModule, ExperimentOutput, Tf } from './types.ts';

const positiveInt = () => z.number().int().positive();

export const mlpSchema = z.strictObject({
  dataset: z
    .enum(['fashion-mnist', 'mnist'])
    .default('fashion-mnist')
    .describe('Dataset whose IDX files are in the data folder; it sets the class names.'),
  optimizer: z
    .enum(['sgd', 'adam'])
    .describe('Plain SGD, or Adam with beta1 0.9, beta2 0.999 and epsilon 1e-7.'),
  learningRate: z.number().positive().describe('Step size of the optimizer.'),
  batchSize: positiveInt().default(128).describe('Training images per gradient step.'),
  epochs: positiveInt().default(10).describe('Passes over the training set.'),
  hidden: positiveInt().default(64).describe('Units in the hidden relu layer.'),
  seed: z
    .number()
    .int()
    .default(42)
    .describe('Seed of the weight initialization and of the shuffle before each epoch.'),
  validationSplit: z
    .number()
    .min(0)
    .lt(0.5)
    .default(0.1)
    .describe('Fraction at the end of the training set held out for validation, before shuffling.'),
  trainLimit: positiveInt()
    .optional()
    .describe('Uses only the first N training images, for tests and quick runs.'),
  testLimit: positiveInt()
    .optional()
    .describe('Uses only the first N test images, for tests and quick runs.'),
});

export type MlpParameters = z.output<typeof mlpSchema>;

const CLASS_NAMES: Record<MlpParameters['dataset'], string[]> = {
  'fashion-mnist': [
    'T-shirt/top',
    'Trouser',
    'Pullover',
    'Dress',
    'Coat',
    'Sandal',
    'Shirt',
    'Sneaker',
    'Bag',
    'Ankle boot',
  ],
  mnist: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
};

/** Test images shown in the report's sample grid: the first ones of the test set. */
const SAMPLE_COUNT = 24;

/**
 * A Keras-style multilayer perceptron, Dense(hidden, relu) then Dense(10, softmax), trained with
 * categorical cross-entropy on MNIST or Fashion-MNIST.
 */
export const mlp: ExperimentModule<typeof mlpSchema> = {
  name: 'mlp',
  schema: mlpSchema,

  /** Throws `IdxError` when a dataset file is missing, because the run would fail too. */
  inputFiles(_params, dataDir) {
    return findMnistFiles(dataDir);
  },

  async run(params, context) {
    const { tf } = context;
    const data = loadMnistCached(context.dataDir, {
      trainLimit: params.trainLimit,
      testLimit: params.testLimit,
    });
    const { train, validation } = splitValidation(data.train, params.validationSplit);
    if (train.count === 0) {
      throw new Error(
        `mlp: no training images left: ${data.train.count} images with validationSplit ` +
          `${params.validationSplit} leave none for training. Raise trainLimit or lower ` +
          'validationSplit.',
      );
    }

    const random = createRandom(params.seed);
    const initial = initMlpParams(tf, data.rows * data.columns, params.hidden, random);
    const trained = await trainMlp(tf, initial, train, validation, {
      optimizer: createOptimizer(tf, params),
      learningRate: params.learningRate,
      batchSize: params.batchSize,
      epochs: params.epochs,
      random,
      onProgress: context.onProgress,
    });

    let test;
    try {
      test = evaluate(tf, trained.params, data.test);
    } finally {
      disposeParams(trained.params);
    }

    const output: ExperimentOutput = {
      epochs: trained.epochs,
      test: { loss: test.loss, accuracy: test.accuracy },
      confusion: confusionMatrix(data.test.labels, test.predicted),
      samples: pickSamples(data.test, test.predicted),
      classNames: CLASS_NAMES[params.dataset],
      samplesPerSecond: (train.count * params.epochs) / trained.trainingSeconds,
    };
    return output;
  },
};

export default mlp;

function createOptimizer(tf: Tf, params: MlpParameters): Optimizer {
  return params.optimizer === 'sgd'
    ? createSgd(tf, params.learningRate)
    : createAdam(tf, { ...KERAS_ADAM, learningRate: params.learningRate });
}

/** Takes the first test images with their labels; pixels are integers 0..255, row-major. */
function pickSamples(test: MnistSplit, predicted: Int32Array): ExperimentOutput['samples'] {
  const count = Math.min(SAMPLE_COUNT, test.count);
  const pixelsPerImage = test.images.length / Math.max(test.count, 1);
  return Array.from({ length: count }, (_, i) => ({
    pixels: Array.from(test.images.subarray(i * pixelsPerImage, (i + 1) * pixelsPerImage), (x) =>
      Math.round(x * 255),
    ),
    label: test.labels[i]!,
    predicted: predicted[i]!,
  }));
}
