import type { BackendName, ExperimentOutput } from './types.ts';

/** Origin and inputs of a result, printed in the provenance appendix. */
export interface Provenance {
  cacheKey: string;
  backend: BackendName;
  tfjsVersion: string;
  nodeVersion: string;
  seed: number | undefined;
  /** sha256 of each dataset file, by file name. */
  datasets: Record<string, string>;
  /** sha256 of each source file the experiment imports, by path. */
  sources: Record<string, string>;
  /** When the result was computed (ISO 8601), which is older than this build when cached. */
  computedAt: string;
  wallSeconds: number;
  samplesPerSecond: number | undefined;
}

interface ResultBase {
  id: string;
  model: string;
  params: Record<string, unknown>;
  backend: BackendName;
  cacheKey: string;
  /** True when this build reused a stored result instead of running the experiment. */
  cached: boolean;
  wallSeconds: number;
  provenance: Provenance;
}

export type ExperimentResult =
  | (ResultBase & { status: 'ok' } & ExperimentOutput)
  | (ResultBase & { status: 'failed'; error: string });
