/**
 * Benchmarks the mlp experiment: IDX load time, training seconds per epoch on our tfjs stack,
 * a profile of one epoch by op category, and the same training in PyTorch when it is installed.
 *
 * Usage: npx tsx scripts/bench.ts [--epochs N] [--data-dir DIR] [--backend wasm|cpu|tensorflow]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { initBackend, tfjsVersion } from '../src/experiments/backend.ts';
import { findMnistFiles, loadMnistFormat, readIdx } from '../src/experiments/idx.ts';
import { gatherBatch, loadMnistCached, splitValidation } from '../src/experiments/mlp-data.ts';
import { initMlpParams, disposeParams } from '../src/experiments/mlp-model.ts';
import { createSgd } from '../src/experiments/mlp-optimizer.ts';
import { trainMlp } from '../src/experiments/mlp-train.ts';
import { mlp, mlpSchema } from '../src/experiments/mlp.ts';
import { createRandom, shuffleInPlace } from '../src/experiments/random.ts';
import type { BackendName } from '../src/experiments/types.ts';
import { createOpProfiler } from './bench-profile.ts';
import { compareTranspose } from './bench-transpose.ts';

const { values: options } = parseArgs({
  options: {
    epochs: { type: 'string', default: '2' },
    'data-dir': { type: 'string', default: '/usr/share/datasets/fashion-mnist' },
    backend: { type: 'string' },
  },
});
const epochs = Number(options.epochs);
if (!Number.isInteger(epochs) || epochs < 1) {
  throw new Error(`invalid --epochs ${options.epochs}: expected a positive integer.`);
}
const dataDir = options['data-dir'];
/** The benchmarked configuration: all 60,000 training images, no validation split. */
const SETTINGS = {
  optimizer: 'sgd',
  learningRate: 0.01,
  batchSize: 128,
  hidden: 64,
  seed: 42,
} as const;

const seconds = (milliseconds: number) => (milliseconds / 1000).toFixed(3);
/** Takes the median rather than the mean, because the first epoch also pays for warm-up. */
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const printLoad = (when: string) =>
  console.log(
    `load average ${when}: ${loadavg()
      .map((value) => value.toFixed(2))
      .join(', ')}`,
  );

printMachine();
printLoad('at start');
measureIdxLoad();
const { tf, backend } = await initBackend(options.backend as BackendName | undefined);
console.log(`backend: ${backend}`);
const ours = await measureTraining();
await profileEpoch();
measureTransposeChange();
const torch = measureTorch();
if (torch !== undefined) {
  console.log(`\nratio ours/torch: ${(ours / torch).toFixed(2)} (median seconds per epoch)`);
}
printLoad('at end');

function printMachine(): void {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? 'unknown';
  console.log(`machine: ${availableParallelism()} cores, ${model}, Node ${process.version}`);
  console.log(`tfjs-core ${tfjsVersion}`);
}

function measureIdxLoad(): void {
  const [trainImages] = findMnistFiles(dataDir);
  const imagesOnly: number[] = [];
  const bothSplits: number[] = [];
  for (let i = 0; i < 3; i++) {
    let start = performance.now();
    readIdx(trainImages!);
    imagesOnly.push(performance.now() - start);
    start = performance.now();
    loadMnistFormat(dataDir);
    bothSplits.push(performance.now() - start);
  }
  console.log(
    `IDX load, training images (gunzip and parse): ${imagesOnly.map(seconds).join(', ')} s`,
  );
  console.log(
    `IDX load, loadMnistFormat (both splits, scaled to float32): ` +
      `${bothSplits.map(seconds).join(', ')} s`,
  );
}

/** Trains through the experiment module and returns the median seconds per epoch. */
async function measureTraining(): Promise<number> {
  const params = mlpSchema.parse({ ...SETTINGS, epochs, validationSplit: 0 });
  const output = await mlp.run(params, { tf, backend, dataDir });
  const perEpoch = output.epochs!.map((epoch) => epoch.seconds);
  console.log(`\nours: ${perEpoch.map((value) => value.toFixed(3)).join(', ')} s per epoch`);
  console.log(`ours: loss ${output.epochs!.map((epoch) => epoch.loss.toFixed(4)).join(', ')}`);
  console.log(`ours: ${Math.round(output.samplesPerSecond!)} training images per second`);
  return median(perEpoch);
}

/** Trains one more epoch with every tfjs op timed, and prints where the time went. */
async function profileEpoch(): Promise<void> {
  const data = loadMnistCached(dataDir);
  const { train, validation } = splitValidation(data.train, 0);

  // Data slicing runs in JavaScript, so it is timed on its own over one epoch of batches.
  const order = shuffleInPlace(
    Int32Array.from({ length: train.count }, (_, i) => i),
    createRandom(1),
  );
  let start = performance.now();
  for (let batchStart = 0; batchStart < train.count; batchStart += SETTINGS.batchSize) {
    gatherBatch(train, order, batchStart, Math.min(batchStart + SETTINGS.batchSize, train.count));
  }
  const slicing = performance.now() - start;

  const profiler = createOpProfiler(tf);
  const random = createRandom(SETTINGS.seed);
  const initial = initMlpParams(tf, data.rows * data.columns, SETTINGS.hidden, random);
  start = performance.now();
  const result = await trainMlp(profiler.tf, initial, train, validation, {
    optimizer: profiler.wrapOptimizer(createSgd(profiler.tf, SETTINGS.learningRate)),
    learningRate: SETTINGS.learningRate,
    batchSize: SETTINGS.batchSize,
    epochs: 1,
    random,
  });
  const total = performance.now() - start;
  disposeParams(result.params);

  const rows = [...profiler.times.entries()].sort((a, b) => b[1].milliseconds - a[1].milliseconds);
  const timed = rows.reduce((sum, [, entry]) => sum + entry.milliseconds, 0);
  console.log(`\nprofile of one epoch: ${seconds(total)} s with timers`);
  const print = (label: string, milliseconds: number, calls?: number) =>
    console.log(
      `  ${label.padEnd(38)} ${seconds(milliseconds).padStart(7)} s ` +
        `${((100 * milliseconds) / total).toFixed(1).padStart(5)} %` +
        (calls === undefined ? '' : `  ${calls} calls`),
    );
  for (const [category, entry] of rows) {
    print(category, entry.milliseconds, entry.calls);
  }
  print('untimed: slicing, tidy, dispose, read', total - timed);
  print('  of which data slicing (timed alone)', slicing);
}

/** Compares the transposed upload of the training loop with the tf.transpose it replaced. */
function measureTransposeChange(): void {
  const { train } = splitValidation(loadMnistCached(dataDir).train, 0);
  const { seconds: perVariant } = compareTranspose(tf, train, { ...SETTINGS, epochs });
  console.log('\nfirst-layer weight gradient, epochs alternating between the two ways:');
  for (const [variant, values] of Object.entries(perVariant)) {
    const list = values.map((value) => value.toFixed(3)).join(', ');
    console.log(`  ${variant.padEnd(18)} ${list} s, median ${median(values).toFixed(3)} s`);
  }
  const ratio = median(perVariant['tf.transpose']) / median(perVariant['transposed upload']);
  console.log(`  before/after: ${ratio.toFixed(2)}`);
}

/** Runs scripts/bench_torch.py when a Python with torch is found; returns seconds per epoch. */
function measureTorch(): number | undefined {
  // Debian's python3-torch installs into /usr/bin/python3, which a pyenv python3 on PATH hides.
  const python = ['/usr/bin/python3', 'python3'].find(
    (candidate) => spawnSync(candidate, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0,
  );
  if (python === undefined) {
    console.log('\ntorch: skipped, because no python3 can import torch.');
    console.log('  On Debian: apt-get install -y python3-torch libopenblas0-pthread');
    return undefined;
  }

  const script = join(import.meta.dirname, 'bench_torch.py');
  const args = [
    script,
    dataDir,
    `--epochs=${epochs}`,
    `--batch-size=${SETTINGS.batchSize}`,
    `--learning-rate=${SETTINGS.learningRate}`,
    `--hidden=${SETTINGS.hidden}`,
    `--seed=${SETTINGS.seed}`,
  ];
  const report = JSON.parse(execFileSync(python, args, { encoding: 'utf8' })) as {
    torch: string;
    threads: number;
    loadSeconds: number;
    epochs: { loss: number; seconds: number }[];
  };
  const perEpoch = report.epochs.map((epoch) => epoch.seconds);
  console.log(`\ntorch ${report.torch} (${python}, ${report.threads} threads)`);
  console.log(`torch: IDX load with gzip and numpy: ${report.loadSeconds.toFixed(3)} s`);
  console.log(`torch: ${perEpoch.map((value) => value.toFixed(3)).join(', ')} s per epoch`);
  console.log(`torch: loss ${report.epochs.map((epoch) => epoch.loss.toFixed(4)).join(', ')}`);
  return median(perEpoch);
}
