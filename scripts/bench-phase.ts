// Times the whole experiment phase of the default report, as a build runs it, against PyTorch
// running the same two trainings one after the other on the same machine, and prints the ratio.
//
// Usage: npx tsx scripts/bench-phase.ts [--epochs N]   (default 10, as in the report)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { planExperiments } from '../src/experiments/plan.ts';
import { runExperiments } from '../src/experiments/runner.ts';
import { silentLogger } from '../src/logger.ts';
import type { Block } from '../src/pipeline/blocks.ts';
import { Diagnostics } from '../src/pipeline/diagnostics.ts';

const epochsArgument = process.argv.indexOf('--epochs');
const epochs = epochsArgument > 0 ? Number(process.argv[epochsArgument + 1]) : 10;
const dataDir = process.env.FOLIO_DATA_DIR ?? '/usr/share/datasets/fashion-mnist';
const runs = [
  { id: 'mlp-sgd', optimizer: 'sgd', learningRate: 0.01 },
  { id: 'mlp-adam', optimizer: 'adam', learningRate: 0.001 },
];

console.log(
  `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.version}`,
);
console.log(
  `load average at start: ${os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')}`,
);

// Blocks as the chapters declare them; the planner only reads these fields.
const blocks = runs.map(
  (run) =>
    ({
      kind: 'experiment',
      id: run.id,
      model: 'mlp',
      params: { optimizer: run.optimizer, learningRate: run.learningRate, epochs },
      chapter: { file: 'bench', language: 'en' },
      position: { line: 1, column: 1 },
    }) as unknown as Block,
);
const plans = planExperiments(blocks, new Diagnostics());
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'folio-bench-phase-'));
const started = performance.now();
const results = await runExperiments([...plans.values()], {
  cacheDir,
  dataDir,
  logger: silentLogger,
});
const ours = (performance.now() - started) / 1000;
rmSync(cacheDir, { recursive: true, force: true });
for (const result of results.values()) {
  const accuracy = result.status === 'ok' ? result.test?.accuracy.toFixed(4) : result.status;
  console.log(
    `  ${result.id}: ${result.wallSeconds.toFixed(2)} s in its worker, test accuracy ${accuracy}`,
  );
}
console.log(
  `ours: experiment phase ${ours.toFixed(2)} s (both runs in parallel worker threads, ${results.values().next().value?.backend})`,
);

const python = ['/usr/bin/python3', 'python3'].find(
  (candidate) => spawnSync(candidate, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0,
);
if (python === undefined) {
  console.log(
    'torch: skipped, because no python3 can import torch (Debian: apt-get install -y python3-torch libopenblas0-pthread)',
  );
} else {
  const script = path.join(import.meta.dirname, 'bench_torch.py');
  const torchStarted = performance.now();
  for (const run of runs) {
    const output = execFileSync(
      python,
      [
        script,
        dataDir,
        `--epochs=${epochs}`,
        `--optimizer=${run.optimizer}`,
        `--learning-rate=${run.learningRate}`,
      ],
      { encoding: 'utf8' },
    );
    const report = JSON.parse(output) as { threads: number; epochs: { seconds: number }[] };
    const total = report.epochs.reduce((sum, epoch) => sum + epoch.seconds, 0);
    console.log(`  torch ${run.id}: ${total.toFixed(2)} s of epochs, ${report.threads} threads`);
  }
  const torch = (performance.now() - torchStarted) / 1000;
  console.log(
    `torch: both trainings one after the other, processes included, ${torch.toFixed(2)} s`,
  );
  console.log(`ratio ours/torch: ${(ours / torch).toFixed(2)}`);
}
console.log(
  `load average at end: ${os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')}`,
);
