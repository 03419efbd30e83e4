import { parentPort, workerData } from 'node:worker_threads';

import { initBackend } from './backend.ts';
import { getExperimentModule } from './registry.ts';
import type { BackendName } from './types.ts';

export interface WorkerJob {
  model: string;
  params: Record<string, unknown>;
  dataDir: string;
  backend: BackendName;
}

export type WorkerMessage =
  | {
      type: 'progress';
      epoch: number;
      epochs: number;
      batch: number;
      batches: number;
      loss: number;
    }
  | { type: 'done'; output: unknown; seconds: number }
  | { type: 'failed'; error: string };

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');

const job = workerData as WorkerJob;
const send = (message: WorkerMessage) => port.postMessage(message);

try {
  const { tf, backend } = await initBackend(job.backend);
  const module = getExperimentModule(job.model);
  const params = module.schema.parse(job.params);
  const started = performance.now();
  const output = await module.run(params, {
    tf,
    backend,
    dataDir: job.dataDir,
    onProgress: (progress) => send({ type: 'progress', ...progress }),
  });
  send({ type: 'done', output, seconds: (performance.now() - started) / 1000 });
} catch (error) {
  send({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
}
