import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

import { FolioError } from '../errors.ts';
import { onInterrupt } from '../shutdown.ts';
import type { Logger } from '../logger.ts';
import { initBackend, tfjsVersion } from './backend.ts';
import {
  cacheSchemaVersion,
  computeCacheKey,
  ExperimentCache,
  type CacheKeyInputs,
} from './cache.ts';
import type { ExperimentPlan } from './plan.ts';
import type { ExperimentResult, Provenance } from './result.ts';
import { collectLocalSources, hashFiles } from './source-hash.ts';
import type { BackendName, EpochProgress, ExperimentOutput } from './types.ts';
import type { WorkerMessage } from './worker.ts';

const projectRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

export type RunEvent =
  | { type: 'cached'; id: string; result: ExperimentResult }
  | { type: 'start'; id: string }
  | { type: 'progress'; id: string; progress: EpochProgress }
  | { type: 'done'; id: string; result: ExperimentResult }
  | { type: 'failed'; id: string; result: ExperimentResult }
  | { type: 'warning'; message: string };

export interface RunExperimentsOptions {
  cacheDir: string;
  /** Folder of the IDX files; defaults to FOLIO_DATA_DIR, then /usr/share/datasets/<dataset>. */
  dataDir?: string;
  /** Backend to use; by default the first of tensorflow, wasm and cpu that loads. */
  backend?: BackendName;
  /** `true` re-runs every experiment; a list re-runs those ids. */
  force?: boolean | string[];
  /** Experiments run at once, each in its own worker thread (default: the number of cores). */
  jobs?: number;
  logger: Logger;
  onEvent?: (event: RunEvent) => void;
}

/** Default folder of a dataset's IDX files: FOLIO_DATA_DIR if set, else Debian's dataset package. */
export function resolveDataDir(dataset: string, override?: string): string {
  return override ?? process.env.FOLIO_DATA_DIR ?? `/usr/share/datasets/${dataset}`;
}

interface PreparedPlan {
  plan: ExperimentPlan;
  dataDir: string;
  /** The dataset files the module reads, as listed by its inputFiles(). */
  inputFiles: string[];
  keyInputs: CacheKeyInputs;
  cacheKey: string;
}

/**
 * Runs every planned experiment or takes its result from the cache. Failed runs come back as
 * results with status 'failed' and are never cached. Throws FolioError for problems that stop
 * the build before anything runs, such as a missing dataset or an unwritable cache folder, and
 * after the runs for a dataset file that an experiment found to be corrupt.
 */
export async function runExperiments(
  plans: ExperimentPlan[],
  options: RunExperimentsOptions,
): Promise<Map<string, ExperimentResult>> {
  const results = new Map<string, ExperimentResult>();
  if (plans.length === 0) return results;

  const backend = await selectBackend(options.backend);
  const cache = new ExperimentCache(options.cacheDir);
  const emit = options.onEvent ?? (() => {});
  const prepared = plans.map((plan) => preparePlan(plan, backend, options.dataDir));

  const pending: PreparedPlan[] = [];
  for (const item of prepared) {
    const forced =
      options.force === true ||
      (Array.isArray(options.force) && options.force.includes(item.plan.id));
    const lookup = forced ? { state: 'miss' as const } : cache.read(item.cacheKey);
    if (lookup.state === 'hit') {
      const result = { ...lookup.result, id: item.plan.id, cached: true };
      results.set(item.plan.id, result);
      emit({ type: 'cached', id: item.plan.id, result });
      continue;
    }
    if (lookup.state === 'corrupt') {
      emit({
        type: 'warning',
        message: `cache entry for ${item.plan.id} is unreadable and will be recomputed: ${lookup.file}: ${lookup.reason}`,
      });
    }
    pending.push(item);
  }

  if (pending.length > 0) checkCacheFolder(options.cacheDir);
  const jobs = Math.max(1, Math.min(options.jobs ?? os.availableParallelism(), pending.length));
  const queue = [...pending];
  const datasetFailures: { item: PreparedPlan; error: string }[] = [];
  const runNext = async (): Promise<void> => {
    const item = queue.shift();
    if (!item) return;
    emit({ type: 'start', id: item.plan.id });
    const result = await runInWorker(item, backend, (progress) =>
      emit({ type: 'progress', id: item.plan.id, progress }),
    );
    results.set(item.plan.id, result);
    if (result.status === 'ok') {
      storeResult(cache, result, emit);
      emit({ type: 'done', id: item.plan.id, result });
    } else if (isDatasetFailure(item, result.error)) {
      // Thrown below instead of shown as a failed run, because the build must stop before it
      // replaces the previous report.
      datasetFailures.push({ item, error: result.error });
    } else {
      emit({ type: 'failed', id: item.plan.id, result });
    }
    await runNext();
  };
  await Promise.all(Array.from({ length: jobs }, runNext));
  const [failure] = datasetFailures;
  if (failure) throw invalidDatasetError(failure.item, failure.error);
  return results;
}

function checkCacheFolder(cacheDir: string): void {
  try {
    mkdirSync(cacheDir, { recursive: true });
    accessSync(cacheDir, constants.W_OK);
  } catch (error) {
    throw new FolioError(
      'CACHE_NOT_WRITABLE',
      `cannot write the experiment cache folder ${cacheDir}: ${(error as Error).message}`,
      {
        hint: 'set FOLIO_CACHE_DIR to a writable folder',
        cause: error,
      },
    );
  }
}

/** Stores a result; a failed write costs only a re-run next time, so it is a warning. */
function storeResult(
  cache: ExperimentCache,
  result: ExperimentResult,
  emit: (event: RunEvent) => void,
): void {
  try {
    cache.write(result);
  } catch (error) {
    emit({
      type: 'warning',
      message: `could not store the result of ${result.id} in the cache ${cache.directory}: ${(error as Error).message}; the next build runs it again`,
    });
  }
}

/**
 * Checks whether a run failed on one of its dataset files. The worker sends only the error
 * message, and the IDX reader starts each message with the path of the file at fault.
 */
function isDatasetFailure(item: PreparedPlan, error: string): boolean {
  return item.inputFiles.some((file) => error.startsWith(`${file}: `));
}

function invalidDatasetError(item: PreparedPlan, error: string): FolioError {
  const { plan } = item;
  const dataset = typeof plan.params.dataset === 'string' ? plan.params.dataset : 'fashion-mnist';
  const where = `${plan.declaredAt.file}:${plan.declaredAt.line}:${plan.declaredAt.column}`;
  const hint =
    item.dataDir === '/usr/share/datasets/fashion-mnist'
      ? "reinstall Debian's dataset-fashion-mnist (`apt-get install --reinstall dataset-fashion-mnist`), or set FOLIO_DATA_DIR to a folder with intact IDX files"
      : `replace the file in ${item.dataDir}, or set FOLIO_DATA_DIR to a folder with intact ${dataset} IDX files`;
  return new FolioError(
    'DATASET_INVALID',
    `dataset "${dataset}" for experiment "${plan.id}" (${where}) is invalid: ${error}`,
    { hint },
  );
}

const cacheStateNames = { hit: 'cached', miss: 'not cached', corrupt: 'corrupt' } as const;

export interface ExperimentState {
  id: string;
  model: string;
  cacheKey: string;
  state: 'cached' | 'not cached' | 'corrupt';
  declaredAt: string;
}

/** Computes each experiment's cache key and whether the cache contains its result, without running anything. */
export async function inspectExperiments(
  plans: ExperimentPlan[],
  options: Pick<RunExperimentsOptions, 'cacheDir' | 'dataDir' | 'backend'>,
): Promise<ExperimentState[]> {
  const backend = await selectBackend(options.backend);
  const cache = new ExperimentCache(options.cacheDir);
  return plans.map((plan) => {
    const item = preparePlan(plan, backend, options.dataDir);
    const lookup = cache.read(item.cacheKey);
    return {
      id: plan.id,
      model: plan.model,
      cacheKey: item.cacheKey,
      state: cacheStateNames[lookup.state],
      declaredAt: `${plan.declaredAt.file}:${plan.declaredAt.line}:${plan.declaredAt.column}`,
    };
  });
}

/**
 * Returns the cached results of the plans that have one, without running anything, so that
 * `folio check` can validate result references against real results. Plans whose dataset is
 * missing or whose entry is absent or unreadable are left out.
 */
export async function readCachedResults(
  plans: ExperimentPlan[],
  options: Pick<RunExperimentsOptions, 'cacheDir' | 'dataDir' | 'backend'>,
): Promise<Map<string, ExperimentResult>> {
  const results = new Map<string, ExperimentResult>();
  if (plans.length === 0) return results;
  const backend = await selectBackend(options.backend);
  const cache = new ExperimentCache(options.cacheDir);
  for (const plan of plans) {
    let item: PreparedPlan;
    try {
      item = preparePlan(plan, backend, options.dataDir);
    } catch {
      // A missing dataset is reported by the build that needs it; check has nothing to read.
      continue;
    }
    const lookup = cache.read(item.cacheKey);
    if (lookup.state === 'hit')
      results.set(plan.id, { ...lookup.result, id: plan.id, cached: true });
  }
  return results;
}

async function selectBackend(preferred?: BackendName): Promise<BackendName> {
  try {
    return (await initBackend(preferred)).backend;
  } catch (error) {
    throw new FolioError(
      'BACKEND_UNAVAILABLE',
      error instanceof Error ? error.message : String(error),
      {
        hint:
          preferred === 'tensorflow'
            ? 'leave out --backend to use the first backend that loads, or pass --backend wasm'
            : 'run `npm run setup` to reinstall the dependencies, or pass --backend cpu',
        cause: error,
      },
    );
  }
}

function preparePlan(
  plan: ExperimentPlan,
  backend: BackendName,
  dataDirOverride?: string,
): PreparedPlan {
  const dataset = typeof plan.params.dataset === 'string' ? plan.params.dataset : 'fashion-mnist';
  const dataDir = resolveDataDir(dataset, dataDirOverride);
  const where = `${plan.declaredAt.file}:${plan.declaredAt.line}:${plan.declaredAt.column}`;
  const hint =
    dataset === 'fashion-mnist'
      ? "run `npm run setup` (it installs Debian's dataset-fashion-mnist), or set FOLIO_DATA_DIR to a folder with the four IDX files"
      : `set FOLIO_DATA_DIR to a folder with the four ${dataset} IDX files`;
  let inputFiles: string[];
  try {
    inputFiles = plan.module.inputFiles(plan.params as never, dataDir);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FolioError(
      'DATASET_NOT_FOUND',
      `dataset "${dataset}" for experiment "${plan.id}" (${where}) is missing: ${reason}`,
      { hint, cause: error },
    );
  }
  const missing = inputFiles.filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new FolioError(
      'DATASET_NOT_FOUND',
      `dataset "${dataset}" for experiment "${plan.id}" (${where}) is missing: ${missing.join(', ')}`,
      { hint },
    );
  }

  const inputs: Record<string, string> = {};
  for (const [file, hash] of Object.entries(
    hashFiles(inputFiles, path.dirname(inputFiles[0] ?? '.')),
  )) {
    inputs[path.basename(file)] = hash;
  }
  const keyInputs: CacheKeyInputs = {
    schemaVersion: cacheSchemaVersion,
    model: plan.model,
    params: plan.params,
    sources: hashFiles(collectLocalSources(plan.sourceFile), projectRoot),
    inputs,
    tfjsVersion,
    backend,
  };
  return { plan, dataDir, inputFiles, keyInputs, cacheKey: computeCacheKey(keyInputs) };
}

function runInWorker(
  item: PreparedPlan,
  backend: BackendName,
  onProgress: (progress: EpochProgress) => void,
): Promise<ExperimentResult> {
  const entry = new URL('./worker-entry.mjs', import.meta.url);
  const started = performance.now();
  return new Promise((resolve) => {
    const worker = new Worker(entry, {
      workerData: {
        model: item.plan.model,
        params: item.plan.params,
        dataDir: item.dataDir,
        backend,
      },
    });
    let settled = false;
    const unregister = onInterrupt(() => worker.terminate().then(() => undefined));
    const finish = (result: ExperimentResult) => {
      if (settled) return;
      settled = true;
      unregister();
      void worker.terminate();
      resolve(result);
    };
    const wallSeconds = () => (performance.now() - started) / 1000;

    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') {
        const { type: _type, ...progress } = message;
        onProgress(progress);
      } else if (message.type === 'done') {
        finish(buildResult(item, backend, message.output as ExperimentOutput, wallSeconds()));
      } else {
        finish(buildFailure(item, backend, message.error, wallSeconds()));
      }
    });
    worker.on('error', (error) =>
      finish(buildFailure(item, backend, error.message, wallSeconds())),
    );
    worker.on('exit', (code) =>
      finish(buildFailure(item, backend, `worker exited with code ${code}`, wallSeconds())),
    );
  });
}

function provenanceOf(
  item: PreparedPlan,
  backend: BackendName,
  wallSeconds: number,
  samplesPerSecond?: number,
): Provenance {
  return {
    cacheKey: item.cacheKey,
    backend,
    tfjsVersion: item.keyInputs.tfjsVersion,
    nodeVersion: process.version,
    seed: typeof item.plan.params.seed === 'number' ? item.plan.params.seed : undefined,
    datasets: item.keyInputs.inputs,
    sources: item.keyInputs.sources,
    computedAt: new Date().toISOString(),
    wallSeconds,
    samplesPerSecond,
  };
}

function buildResult(
  item: PreparedPlan,
  backend: BackendName,
  output: ExperimentOutput,
  wallSeconds: number,
): ExperimentResult {
  const failure = findNonFinite(output);
  if (failure) return buildFailure(item, backend, failure, wallSeconds);
  return {
    ...output,
    status: 'ok',
    id: item.plan.id,
    model: item.plan.model,
    params: item.plan.params,
    backend,
    cacheKey: item.cacheKey,
    cached: false,
    wallSeconds,
    provenance: provenanceOf(item, backend, wallSeconds, output.samplesPerSecond),
  };
}

function buildFailure(
  item: PreparedPlan,
  backend: BackendName,
  error: string,
  wallSeconds: number,
): ExperimentResult {
  return {
    status: 'failed',
    error,
    id: item.plan.id,
    model: item.plan.model,
    params: item.plan.params,
    backend,
    cacheKey: item.cacheKey,
    cached: false,
    wallSeconds,
    provenance: provenanceOf(item, backend, wallSeconds),
  };
}

/** Returns why a run failed when its final metrics are not finite, even if the module did not notice. */
function findNonFinite(output: ExperimentOutput): string | undefined {
  const last = output.epochs?.at(-1);
  if (last && !Number.isFinite(last.loss))
    return `training loss is ${last.loss} after epoch ${last.epoch}`;
  if (output.test && !Number.isFinite(output.test.loss)) return `test loss is ${output.test.loss}`;
  return undefined;
}
