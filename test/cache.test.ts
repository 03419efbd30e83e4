import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadContent } from '../src/build.ts';
import { planExperiments, type ExperimentPlan } from '../src/experiments/plan.ts';
import type { ExperimentResult } from '../src/experiments/result.ts';
import { runExperiments, type RunEvent } from '../src/experiments/runner.ts';
import { silentLogger } from '../src/logger.ts';
import { Diagnostics } from '../src/pipeline/diagnostics.ts';

const fixtureDir = fileURLToPath(new URL('./fixtures/cache/', import.meta.url));
const datasetDir = '/usr/share/datasets/fashion-mnist';

interface Run {
  results: Map<string, ExperimentResult>;
  /** Events without the per-batch progress, as `type id` or `warning message`. */
  events: string[];
}

let scratchDir: string;
/** A cache filled by one run of the fixture's two experiments, copied by each test. */
let seededCache: string;
let seedRun: Run;

function freshDir(name: string): string {
  return mkdtempSync(path.join(scratchDir, `${name}-`));
}

/** Plans the fixture's experiments, from the fixture itself or an edited copy of it. */
function planContent(contentDir: string): ExperimentPlan[] {
  const diagnostics = new Diagnostics();
  const content = loadContent(contentDir, diagnostics);
  const plans = planExperiments(content.blocks, diagnostics);
  expect(diagnostics.items).toEqual([]);
  return [...plans.values()];
}

/** Copies the fixture and replaces text in both language versions of its chapter. */
function editedFixture(
  search: string,
  replacement: string,
  zhSearch = search,
  zhReplacement = replacement,
): string {
  const contentDir = freshDir('content');
  cpSync(fixtureDir, contentDir, { recursive: true });
  const edits = [
    ['en', search, replacement],
    ['zh', zhSearch, zhReplacement],
  ] as const;
  for (const [language, from, to] of edits) {
    const file = path.join(contentDir, language, 'runs.md');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(from);
    writeFileSync(file, text.replace(from, to));
  }
  return contentDir;
}

/** Runs the plans one at a time on the wasm backend, so the event order is fixed. */
async function run(
  plans: ExperimentPlan[],
  cacheDir: string,
  options: { force?: boolean | string[]; dataDir?: string } = {},
): Promise<Run> {
  const events: string[] = [];
  const onEvent = (event: RunEvent) => {
    if (event.type === 'warning') events.push(`warning ${event.message}`);
    else if (event.type !== 'progress') events.push(`${event.type} ${event.id}`);
  };
  const results = await runExperiments(plans, {
    cacheDir,
    dataDir: options.dataDir ?? datasetDir,
    backend: 'wasm',
    force: options.force,
    jobs: 1,
    logger: silentLogger,
    onEvent,
  });
  return { results, events };
}

function resultOf(run: Run, id: string): ExperimentResult {
  const result = run.results.get(id);
  if (!result) throw new Error(`no result for ${id}`);
  return result;
}

/** Picks the numbers a result adds to the report, leaving out timings and provenance. */
function metricsOf(result: ExperimentResult) {
  if (result.status !== 'ok') throw new Error(`${result.id} failed: ${result.error}`);
  return {
    values: result.values,
    epochs: result.epochs,
    test: result.test,
    confusion: result.confusion,
  };
}

function seededCacheCopy(): string {
  const cacheDir = freshDir('cache');
  cpSync(seededCache, cacheDir, { recursive: true });
  return cacheDir;
}

function entryFile(cacheDir: string, run: Run, id: string): string {
  return path.join(cacheDir, `${resultOf(run, id).cacheKey}.json`);
}

beforeAll(async () => {
  scratchDir = mkdtempSync(path.join(tmpdir(), 'folio-cache-'));
  seededCache = path.join(scratchDir, 'seeded');
  seedRun = await run(planContent(fixtureDir), seededCache);
});

afterAll(() => {
  rmSync(scratchDir, { recursive: true, force: true });
});

describe('runExperiments cache', () => {
  it('misses on the first run', () => {
    expect(seedRun.events).toEqual([
      'start worked',
      'done worked',
      'start tiny-mlp',
      'done tiny-mlp',
    ]);
    expect(resultOf(seedRun, 'worked').cached).toBe(false);
    expect(resultOf(seedRun, 'tiny-mlp').cached).toBe(false);
  });

  it('writes one entry per result', () => {
    for (const id of ['worked', 'tiny-mlp']) {
      const result = resultOf(seedRun, id);
      const stored = JSON.parse(readFileSync(entryFile(seededCache, seedRun, id), 'utf8'));
      expect(stored.id).toBe(id);
      expect(stored.status).toBe('ok');
      expect(stored.cacheKey).toBe(result.cacheKey);
    }
    expect(readdirSync(seededCache)).toHaveLength(2);
  });

  it('hits on the second run', async () => {
    const second = await run(planContent(fixtureDir), seededCacheCopy());

    expect(second.events).toEqual(['cached worked', 'cached tiny-mlp']);
    for (const id of ['worked', 'tiny-mlp']) {
      expect(resultOf(second, id).cached).toBe(true);
      expect(resultOf(second, id).cacheKey).toBe(resultOf(seedRun, id).cacheKey);
      expect(metricsOf(resultOf(second, id))).toEqual(metricsOf(resultOf(seedRun, id)));
    }
  });

  it('misses after a parameter change', async () => {
    const contentDir = editedFixture('learningRate: 0.1', 'learningRate: 0.2');
    const changed = await run(planContent(contentDir), seededCacheCopy());

    expect(changed.events).toEqual(['cached worked', 'start tiny-mlp', 'done tiny-mlp']);
    expect(resultOf(changed, 'tiny-mlp').cacheKey).not.toBe(resultOf(seedRun, 'tiny-mlp').cacheKey);
    expect(resultOf(changed, 'tiny-mlp').params.learningRate).toBe(0.2);
  });

  it('hits after a prose change', async () => {
    const contentDir = editedFixture(
      'The results of the two experiments below are kept in the cache.',
      'Both experiments below are cached.\n\nA second paragraph of prose.',
      '下面两个实验的结果保存在缓存中。',
      '下面的实验都有缓存。\n\n另一段正文。',
    );
    const edited = await run(planContent(contentDir), seededCacheCopy());

    expect(edited.events).toEqual(['cached worked', 'cached tiny-mlp']);
    expect(resultOf(edited, 'worked').cacheKey).toBe(resultOf(seedRun, 'worked').cacheKey);
    expect(resultOf(edited, 'tiny-mlp').cacheKey).toBe(resultOf(seedRun, 'tiny-mlp').cacheKey);
  });

  it('hits from a copy of the dataset', async () => {
    const dataDir = freshDir('data');
    cpSync(datasetDir, dataDir, { recursive: true });
    const copied = await run(planContent(fixtureDir), seededCacheCopy(), { dataDir });

    expect(copied.events).toEqual(['cached worked', 'cached tiny-mlp']);
    expect(resultOf(copied, 'tiny-mlp').cacheKey).toBe(resultOf(seedRun, 'tiny-mlp').cacheKey);
  });

  it('hits after touching the dataset', async () => {
    const dataDir = freshDir('data');
    cpSync(datasetDir, dataDir, { recursive: true });
    const cacheDir = freshDir('cache');
    const plans = planContent(fixtureDir).filter((plan) => plan.id === 'tiny-mlp');
    const first = await run(plans, cacheDir, { dataDir });

    // A whole second a day ahead, because utimes takes seconds and mtimeMs would round otherwise.
    const later = new Date((Math.floor(Date.now() / 1000) + 86_400) * 1000);
    for (const name of readdirSync(dataDir)) utimesSync(path.join(dataDir, name), later, later);
    for (const name of readdirSync(dataDir)) {
      expect(statSync(path.join(dataDir, name)).mtimeMs).toBe(later.getTime());
    }
    const touched = await run(plans, cacheDir, { dataDir });

    expect(first.events).toEqual(['start tiny-mlp', 'done tiny-mlp']);
    expect(touched.events).toEqual(['cached tiny-mlp']);
    expect(resultOf(touched, 'tiny-mlp').cacheKey).toBe(resultOf(first, 'tiny-mlp').cacheKey);
  });

  it('warns about a corrupt entry', async () => {
    const cacheDir = seededCacheCopy();
    const file = entryFile(cacheDir, seedRun, 'worked');
    const truncated = readFileSync(file, 'utf8').slice(0, 40);
    writeFileSync(file, truncated);
    const reason = parseErrorOf(truncated);

    const rerun = await run(planContent(fixtureDir), cacheDir);

    expect(rerun.events).toEqual([
      `warning cache entry for worked is unreadable and will be recomputed: ${file}: ${reason}`,
      'cached tiny-mlp',
      'start worked',
      'done worked',
    ]);
    expect(resultOf(rerun, 'worked').cached).toBe(false);
    expect(JSON.parse(readFileSync(file, 'utf8')).status).toBe('ok');
  });

  it('warns about an entry for another key', async () => {
    const cacheDir = seededCacheCopy();
    const file = entryFile(cacheDir, seedRun, 'worked');
    cpSync(entryFile(cacheDir, seedRun, 'tiny-mlp'), file);

    const rerun = await run(planContent(fixtureDir), cacheDir);

    expect(rerun.events).toEqual([
      `warning cache entry for worked is unreadable and will be recomputed: ${file}: the entry does not hold a result for this key`,
      'cached tiny-mlp',
      'start worked',
      'done worked',
    ]);
    expect(metricsOf(resultOf(rerun, 'worked'))).toEqual(metricsOf(resultOf(seedRun, 'worked')));
  });

  it('re-runs everything when forced', async () => {
    const forced = await run(planContent(fixtureDir), seededCacheCopy(), { force: true });

    expect(forced.events).toEqual([
      'start worked',
      'done worked',
      'start tiny-mlp',
      'done tiny-mlp',
    ]);
    expect(resultOf(forced, 'worked').cached).toBe(false);
    expect(resultOf(forced, 'tiny-mlp').cached).toBe(false);
  });

  it('re-runs only the forced ids', async () => {
    const forced = await run(planContent(fixtureDir), seededCacheCopy(), { force: ['worked'] });

    expect(forced.events).toEqual(['cached tiny-mlp', 'start worked', 'done worked']);
    expect(resultOf(forced, 'worked').cached).toBe(false);
    expect(resultOf(forced, 'tiny-mlp').cached).toBe(true);
  });

  it('leaves no temporary files', async () => {
    const cacheDir = seededCacheCopy();
    await run(planContent(fixtureDir), cacheDir, { force: true });

    const names = readdirSync(cacheDir);
    expect(names.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(names.sort()).toEqual(
      ['worked', 'tiny-mlp'].map((id) => `${resultOf(seedRun, id).cacheKey}.json`).sort(),
    );
  });

  it('creates a missing cache folder', async () => {
    const cacheDir = path.join(freshDir('cache'), 'nested', 'folder');
    const plans = planContent(fixtureDir).filter((plan) => plan.id === 'worked');
    await run(plans, cacheDir);

    expect(existsSync(entryFile(cacheDir, seedRun, 'worked'))).toBe(true);
  });
});

function parseErrorOf(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the text to be invalid JSON');
}
