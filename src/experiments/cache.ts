import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { ExperimentResult } from './result.ts';

/** Bumped whenever the layout of a cached result or the key's inputs change meaning. */
export const cacheSchemaVersion = 1;

/** Everything a result depends on. The cache key is the hash of this and nothing else. */
export interface CacheKeyInputs {
  schemaVersion: number;
  model: string;
  params: Record<string, unknown>;
  /** Content hashes of the experiment module and the local modules it imports. */
  sources: Record<string, string>;
  /** Content hashes of the dataset files, by file name. */
  inputs: Record<string, string>;
  tfjsVersion: string;
  backend: string;
}

export function computeCacheKey(inputs: CacheKeyInputs): string {
  return createHash('sha256').update(stableStringify(inputs)).digest('hex');
}

/** JSON with object keys sorted at every level, so equal values always hash the same. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => compareCodeUnits(a, b));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${stableStringify(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Orders strings by UTF-16 code units, unlike localeCompare, so the order never depends on the locale. */
function compareCodeUnits(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

export type CacheLookup =
  | { state: 'hit'; result: ExperimentResult }
  | { state: 'miss' }
  | { state: 'corrupt'; reason: string; file: string };

/** Successful experiment results stored by cache key, one JSON file each. */
export class ExperimentCache {
  constructor(readonly directory: string) {}

  fileFor(key: string): string {
    return path.join(this.directory, `${key}.json`);
  }

  read(key: string): CacheLookup {
    const file = this.fileFor(key);
    if (!existsSync(file)) return { state: 'miss' };
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'), reviveNumbers);
      if (!isCachedResult(parsed, key)) {
        return { state: 'corrupt', reason: 'the entry does not hold a result for this key', file };
      }
      return { state: 'hit', result: parsed };
    } catch (error) {
      return {
        state: 'corrupt',
        // JSON.parse quotes the start of the text, newlines included; the warning is one line.
        reason: (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' '),
        file,
      };
    }
  }

  /** Writes an entry through a temporary file and a rename, so a reader never sees half of one. */
  write(result: ExperimentResult): void {
    mkdirSync(this.directory, { recursive: true });
    writeJsonAtomic(this.fileFor(result.cacheKey), result);
  }
}

function isCachedResult(value: unknown, key: string): value is ExperimentResult {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return record.cacheKey === key && record.status === 'ok' && typeof record.id === 'string';
}

/** Writes JSON via a temporary file in the same folder and a rename. NaN and ±Infinity survive as strings. */
export function writeJsonAtomic(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, JSON.stringify(value, replaceNumbers, 2) + '\n');
  renameSync(temporary, file);
}

/** Keeps NaN and infinities readable in JSON, where JSON.stringify would write null. */
export function replaceNumbers(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

export function reviveNumbers(_key: string, value: unknown): unknown {
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return value;
}
