import type { Tensor } from '@tensorflow/tfjs-core';
// tfjs-core registers no gradient functions by itself, and tf.grads needs them.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/experiments/backend.ts';
import {
  clearMnistCache,
  gatherBatch,
  loadMnistCached,
  primeMnistCache,
  splitValidation,
} from '../../src/experiments/mlp-data.ts';
import { loadMnistFormat } from '../../src/experiments/idx.ts';
import {
  computeGradients,
  computeLoss,
  initMlpParams,
  PARAM_NAMES,
  type MlpParams,
} from '../../src/experiments/mlp-model.ts';
import { TrainingDivergedError } from '../../src/experiments/mlp-train.ts';
import { mlp, mlpSchema, type MlpParameters } from '../../src/experiments/mlp.ts';
import { createRandom } from '../../src/experiments/random.ts';
import type {
  EpochProgress,
  ExperimentContext,
  ExperimentOutput,
  Tf,
} from '../../src/experiments/types.ts';

const DATA_DIR = '/usr/share/datasets/fashion-mnist';

/** A short run: 450 training and 50 validation images in 23 batches, 3 epochs. */
const QUICK = { trainLimit: 500, testLimit: 200, epochs: 3, batchSize: 20 } as const;

let context: ExperimentContext;
let tf: Tf;

beforeAll(async () => {
  const backend = await initBackend('wasm');
  tf = backend.tf;
  context = { tf: backend.tf, backend: backend.backend, dataDir: DATA_DIR };
});

function parse(input: Record<string, unknown>): MlpParameters {
  return mlpSchema.parse(input);
}

/** Zeroes the timings of an output, because they differ between runs. */
function withoutTimings(output: ExperimentOutput): ExperimentOutput {
  const { samplesPerSecond: _, epochs = [], ...rest } = output;
  return { ...rest, epochs: epochs.map((epoch) => ({ ...epoch, seconds: 0 })) };
}

describe('mlp schema', () => {
  it('fills in the defaults', () => {
    expect(parse({ optimizer: 'sgd', learningRate: 0.01 })).toEqual({
      dataset: 'fashion-mnist',
      optimizer: 'sgd',
      learningRate: 0.01,
      batchSize: 128,
      epochs: 10,
      hidden: 64,
      seed: 42,
      validationSplit: 0.1,
    });
  });

  const invalid: [string, Record<string, unknown>, string[]][] = [
    ['negative learning rate', { optimizer: 'sgd', learningRate: -0.1 }, ['learningRate']],
    ['batch size 0', { optimizer: 'sgd', learningRate: 0.1, batchSize: 0 }, ['batchSize']],
    ['unknown optimizer', { optimizer: 'rmsprop', learningRate: 0.1 }, ['optimizer']],
    ['fractional epochs', { optimizer: 'adam', learningRate: 0.1, epochs: 2.5 }, ['epochs']],
    ['missing optimizer', { learningRate: 0.1 }, ['optimizer']],
    ['missing learning rate', { optimizer: 'sgd' }, ['learningRate']],
    [
      'validation split 0.5',
      { optimizer: 'sgd', learningRate: 0.1, validationSplit: 0.5 },
      ['validationSplit'],
    ],
    ['unknown dataset', { optimizer: 'sgd', learningRate: 0.1, dataset: 'cifar10' }, ['dataset']],
    ['unknown key', { optimizer: 'sgd', learningRate: 0.1, learning_rate: 0.1 }, []],
  ];
  for (const [name, input, path] of invalid) {
    it(`rejects ${name}`, () => {
      const result = mlpSchema.safeParse(input);

      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(path);
    });
  }

  it('describes every field', () => {
    for (const [name, field] of Object.entries(mlpSchema.shape)) {
      expect(field.description, name).toBeTruthy();
    }
  });
});

describe('mlp data cache', () => {
  it('parses each folder and limits once', () => {
    const first = loadMnistCached(DATA_DIR, { trainLimit: 10, testLimit: 10 });
    const second = loadMnistCached(`${DATA_DIR}/`, { trainLimit: 10, testLimit: 10 });
    const otherLimit = loadMnistCached(DATA_DIR, { trainLimit: 11, testLimit: 10 });

    expect(second).toBe(first);
    expect(otherLimit).not.toBe(first);
  });

  it('returns a primed dataset unparsed', () => {
    const data = loadMnistFormat(DATA_DIR, { trainLimit: 3, testLimit: 3 });
    clearMnistCache();

    primeMnistCache(DATA_DIR, { trainLimit: 3, testLimit: 3 }, data);

    expect(loadMnistCached(DATA_DIR, { trainLimit: 3, testLimit: 3 })).toBe(data);
  });

  it('holds out the last images for validation', () => {
    const data = loadMnistCached(DATA_DIR, { trainLimit: 20, testLimit: 1 });

    const { train, validation } = splitValidation(data.train, 0.1);

    expect(train.count).toBe(18);
    expect(validation.count).toBe(2);
    expect(Array.from(validation.labels)).toEqual(Array.from(data.train.labels.subarray(18)));
    expect(validation.images).toEqual(data.train.images.subarray(18 * 784));
  });
});

describe('mlp gatherBatch', () => {
  it('copies rows, transposed pixels and one-hot labels', () => {
    const data = loadMnistCached(DATA_DIR, { trainLimit: 20, testLimit: 1 });
    const indices = [7, 3, 19];

    const batch = gatherBatch(data.train, indices, 0, 3);

    expect(batch.size).toBe(3);
    indices.forEach((index, row) => {
      const image = Array.from(data.train.images.subarray(index * 784, (index + 1) * 784));
      expect(Array.from(batch.images.subarray(row * 784, (row + 1) * 784))).toEqual(image);
      const column = Array.from(
        { length: 784 },
        (_, pixel) => batch.imagesTransposed[pixel * 3 + row],
      );
      expect(column).toEqual(image);
      const oneHot = Array.from(batch.oneHot.subarray(row * 10, (row + 1) * 10));
      expect(oneHot.indexOf(1)).toBe(data.train.labels[index]);
      expect(oneHot.reduce((sum, value) => sum + value, 0)).toBe(1);
    });
  });
});

describe('mlp inputFiles', () => {
  it('lists the four IDX files', () => {
    const files = mlp.inputFiles(parse({ optimizer: 'sgd', learningRate: 0.1 }), DATA_DIR);

    expect(files).toEqual([
      `${DATA_DIR}/train-images-idx3-ubyte.gz`,
      `${DATA_DIR}/train-labels-idx1-ubyte.gz`,
      `${DATA_DIR}/t10k-images-idx3-ubyte.gz`,
      `${DATA_DIR}/t10k-labels-idx1-ubyte.gz`,
    ]);
  });
});

describe('mlp run', () => {
  it('lowers the loss with SGD', async () => {
    const progress: EpochProgress[] = [];
    const output = await mlp.run(parse({ ...QUICK, optimizer: 'sgd', learningRate: 0.05 }), {
      ...context,
      onProgress: (update) => progress.push(update),
    });
    const epochs = output.epochs ?? [];

    expect(epochs.map((epoch) => epoch.epoch)).toEqual([1, 2, 3]);
    expect(epochs[2]!.loss).toBeLessThan(epochs[0]!.loss);
    expect(epochs[2]!.accuracy).toBeGreaterThan(0.5);
    expect(epochs[2]!.valAccuracy).toBeGreaterThan(0.5);
    expect(output.test!.accuracy).toBeGreaterThan(0.5);
    expect(output.samplesPerSecond).toBeGreaterThan(0);
    // The last batch has 10 images, and progress is reported every 10 batches and at the end.
    const batchesReported = progress
      .filter((update) => update.epoch === 1)
      .map((update) => update.batch);
    expect(batchesReported).toEqual([10, 20, 23]);
    expect(progress.at(-1)).toMatchObject({ epoch: 3, epochs: 3, batch: 23, batches: 23 });
    expect(progress.at(-1)!.loss).toBeCloseTo(epochs[2]!.loss, 6);
  });

  it('lowers the loss with Adam', async () => {
    const output = await mlp.run(
      parse({ ...QUICK, optimizer: 'adam', learningRate: 0.001 }),
      context,
    );
    const epochs = output.epochs ?? [];

    expect(epochs[2]!.loss).toBeLessThan(epochs[0]!.loss);
    expect(output.test!.accuracy).toBeGreaterThan(0.5);
  });

  it('reports the test set', async () => {
    const output = await mlp.run(
      parse({ ...QUICK, epochs: 1, optimizer: 'sgd', learningRate: 0.1 }),
      context,
    );
    const test = loadMnistCached(DATA_DIR, { trainLimit: 500, testLimit: 200 }).test;

    expect(output.confusion).toHaveLength(10);
    for (const row of output.confusion!) {
      expect(row).toHaveLength(10);
    }
    const counted = output.confusion!.flat().reduce((sum, count) => sum + count, 0);
    expect(counted).toBe(200);
    const diagonal = output.confusion!.reduce((sum, row, i) => sum + row[i]!, 0);
    expect(diagonal / 200).toBeCloseTo(output.test!.accuracy, 10);

    expect(output.samples).toHaveLength(24);
    expect(output.samples![0]!.pixels).toHaveLength(784);
    expect(output.samples![0]!.label).toBe(9);
    expect(output.samples![0]!.pixels).toEqual(
      Array.from(test.images.subarray(0, 784), (value) => Math.round(value * 255)),
    );
    expect(output.samples!.every((sample) => Number.isInteger(sample.predicted))).toBe(true);
    expect(output.classNames).toEqual([
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
    ]);
  });

  it('repeats bit for bit with one seed', async () => {
    const params = parse({ ...QUICK, optimizer: 'adam', learningRate: 0.001, seed: 7 });

    const first = await mlp.run(params, context);
    const second = await mlp.run(params, context);
    const otherSeed = await mlp.run({ ...params, seed: 8 }, context);

    expect(withoutTimings(second)).toEqual(withoutTimings(first));
    expect(otherSeed.epochs![0]!.loss).not.toBe(first.epochs![0]!.loss);
  });

  it('disposes every tensor', async () => {
    const baseline = tf.memory().numTensors;

    for (const optimizer of ['sgd', 'adam'] as const) {
      await mlp.run(parse({ ...QUICK, epochs: 1, optimizer, learningRate: 0.01 }), context);
      expect(tf.memory().numTensors).toBe(baseline);
    }
    await expect(
      mlp.run(parse({ ...QUICK, optimizer: 'sgd', learningRate: 1e10 }), context),
    ).rejects.toThrow(TrainingDivergedError);
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('raises an error when the loss diverges', async () => {
    const run = mlp.run(parse({ ...QUICK, optimizer: 'sgd', learningRate: 1e10 }), context);

    await expect(run).rejects.toThrow(
      /^training diverged: the loss became (NaN|Infinity) at epoch 1, batch \d+, with learning rate 10000000000\. Lower the learning rate, for example to 1000000000\.$/,
    );
  });

  it('rejects a split that leaves no training images', async () => {
    const run = mlp.run(
      parse({ optimizer: 'sgd', learningRate: 0.1, trainLimit: 1, testLimit: 1 }),
      context,
    );

    await expect(run).rejects.toThrow(
      'mlp: no training images left: 1 images with validationSplit 0.1 leave none for ' +
        'training. Raise trainLimit or lower validationSplit.',
    );
  });
});

describe('mlp gradients', () => {
  it('match tf.grads on a tiny batch', () => {
    const batchSize = 6;
    const inputs = 12;
    const hidden = 5;
    const random = createRandom(3);

    const results = tf.tidy(() => {
      const initial = initMlpParams(tf, inputs, hidden, random);
      // Nonzero biases, so that the bias gradients are checked away from zero.
      const params: MlpParams = {
        ...initial,
        b1: tf.randomUniform([hidden], -0.1, 0.1, 'float32', 1),
        b2: tf.randomUniform([10], -0.1, 0.1, 'float32', 2),
      };
      const pixels = Array.from({ length: batchSize * inputs }, () => random());
      const x = tf.tensor2d(pixels, [batchSize, inputs]);
      const labels = tf.tensor1d([0, 3, 9, 3, 5, 1], 'int32');
      const oneHot = tf.cast(tf.oneHot(labels, 10), 'float32') as MlpParams['w1'];

      const byHand = computeGradients(tf, params, x, oneHot);
      const lossOf = (w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) =>
        computeLoss(tf, { w1, b1, w2, b2 } as MlpParams, x, oneHot);
      const automatic = tf.grads(lossOf)(PARAM_NAMES.map((name) => params[name]));

      return {
        lossByHand: byHand.loss.dataSync(),
        loss: lossOf(params.w1, params.b1, params.w2, params.b2).dataSync(),
        byHand: PARAM_NAMES.map((name) => byHand.gradients[name].dataSync()),
        automatic: automatic.map((gradient) => gradient.dataSync()),
      };
    });

    expect(results.lossByHand[0]).toBeCloseTo(results.loss[0]!, 6);
    PARAM_NAMES.forEach((name, i) => {
      const expected = results.automatic[i]!;
      const actual = results.byHand[i]!;
      expect(actual.length, name).toBe(expected.length);
      const differences = Array.from(actual, (value, j) => Math.abs(value - expected[j]!));
      expect(Math.max(...differences), name).toBeLessThan(1e-5);
    });
  });
});
