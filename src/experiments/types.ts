import type * as tfCore from '@tensorflow/tfjs-core';
import type { z } from 'zod';

/** The tfjs-core namespace, whichever backend package registered itself on it. */
export type Tf = typeof tfCore;

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** Progress of one training epoch, sent while an experiment runs. */
export interface EpochProgress {
  epoch: number;
  epochs: number;
  /** Batches finished in this epoch and their total. */
  batch: number;
  batches: number;
  loss: number;
}

export interface ExperimentContext {
  tf: Tf;
  backend: BackendName;
  /** Folder with the IDX files of the dataset the parameters name. */
  dataDir: string;
  onProgress?: (progress: EpochProgress) => void;
}

/** Metrics of one finished epoch. Validation is measured on a held-out part of the training set. */
export interface EpochMetrics {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  seconds: number;
}

/**
 * Output of an experiment. Every field is plain JSON, so that it can be cached and read back.
 * `values` contains named scalars or vectors (worked examples), and `epochs` and `test` contain
 * the metrics of a training run.
 */
export interface ExperimentOutput {
  values?: Record<string, number | number[]>;
  epochs?: EpochMetrics[];
  test?: { loss: number; accuracy: number };
  /** confusion[trueLabel][predictedLabel] counts on the test set. */
  confusion?: number[][];
  /** A few test images with their labels, for the sample grid. */
  samples?: { pixels: number[]; label: number; predicted: number }[];
  classNames?: string[];
  /** Training examples processed per second, summed over all epochs. */
  samplesPerSecond?: number;
}

export interface ExperimentModule<Schema extends z.ZodType = z.ZodType> {
  /** The name a Markdown block uses in its `model:` field. */
  name: string;
  /** Parameters with their defaults; a block's overrides are parsed by it. */
  schema: Schema;
  /** Files whose contents the result depends on (dataset files), for the cache key. */
  inputFiles(params: z.output<Schema>, dataDir: string): string[];
  run(params: z.output<Schema>, context: ExperimentContext): Promise<ExperimentOutput>;
}
