import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const tinyDir = path.join(repoRoot, 'test/fixtures/tiny');
const languages = ['zh', 'en'] as const;

interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the folio CLI from the repository root. The environment drops FOLIO_DATA_DIR and
 * FOLIO_CHROMIUM, so only `env` sets them.
 */
async function runFolio(args: string[], env: Record<string, string>): Promise<CliRun> {
  const { FOLIO_DATA_DIR: _data, FOLIO_CHROMIUM: _chromium, ...inherited } = process.env;
  const options = { cwd: repoRoot, env: { ...inherited, ...env }, maxBuffer: 16 * 1024 * 1024 };
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      ['bin/folio.js', ...args],
      options,
    );
    return { exitCode: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { exitCode: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

function buildTiny(outDir: string, cacheDir: string, env: Record<string, string> = {}) {
  return runFolio(['build', '--content', tinyDir, '--out', outDir], {
    FOLIO_CACHE_DIR: cacheDir,
    ...env,
  });
}

async function runTool(command: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(command, args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** sha256 of every file under `dir`, by relative path. */
function hashTree(dir: string): Map<string, string> {
  const hashes = new Map<string, string>();
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    hashes.set(
      path.relative(dir, file),
      createHash('sha256').update(readFileSync(file)).digest('hex'),
    );
  }
  return hashes;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function readResult(outDir: string, id: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(outDir, 'results', `${id}.json`), 'utf8'));
}

let scratchDir: string;
let cacheDir: string;
/** The output of the first build, which later builds must not disturb. */
let firstOut: string;
let firstBuild: CliRun;

function freshDir(name: string): string {
  return mkdtempSync(path.join(scratchDir, `${name}-`));
}

/** A copy of the first build's output folder, for a build that must leave it unchanged. */
function copyOfFirstOut(): string {
  const outDir = path.join(freshDir('out'), 'out');
  cpSync(firstOut, outDir, { recursive: true });
  return outDir;
}

beforeAll(async () => {
  scratchDir = mkdtempSync(path.join(tmpdir(), 'folio-build-'));
  cacheDir = path.join(scratchDir, 'cache');
  firstOut = path.join(scratchDir, 'first', 'out');
  firstBuild = await buildTiny(firstOut, cacheDir);
});

afterAll(() => {
  rmSync(scratchDir, { recursive: true, force: true });
});

describe('folio build', () => {
  it('exits 0', () => {
    expect(firstBuild.stderr).toContain('wrote ');
    expect(firstBuild.exitCode).toBe(0);
  });

  it('writes both PDFs and pages', () => {
    for (const language of languages) {
      expect(existsSync(path.join(firstOut, `report.${language}.pdf`))).toBe(true);
      expect(existsSync(path.join(firstOut, 'site', language, 'index.html'))).toBe(true);
    }
  });

  it('prints the test accuracy in both PDFs', async () => {
    const result = readResult(firstOut, 'tiny-sgd');
    const accuracy = (result.test as { accuracy: number }).accuracy;
    const formattedAccuracy = `${(accuracy * 100).toFixed(1)}%`;

    for (const language of languages) {
      const text = await runTool('pdftotext', [path.join(firstOut, `report.${language}.pdf`), '-']);
      expect(text).toContain(formattedAccuracy);
    }
  });

  it('keeps Chinese text selectable', async () => {
    const text = await runTool('pdftotext', [path.join(firstOut, 'report.zh.pdf'), '-']);

    expect(text).toContain('实验结果');
    expect(text).toContain('小型测试报告');
    expect(text).toContain('交叉熵定义为');
  });

  it('embeds every PDF font', async () => {
    for (const language of languages) {
      const listing = await runTool('pdffonts', [path.join(firstOut, `report.${language}.pdf`)]);
      // Rows follow two header lines and end with the emb, sub and uni flags, the object number and
      // the generation number.
      const rows = listing.trimEnd().split('\n').slice(2);
      const notEmbedded = rows.filter(
        (row) => !/\syes\s+(?:yes|no)\s+(?:yes|no)\s+\d+\s+\d+$/.test(row),
      );

      expect(rows.length).toBeGreaterThan(0);
      expect(notEmbedded).toEqual([]);
    }
  });

  it('writes pages with only the switcher script', () => {
    for (const language of languages) {
      const html = readFileSync(path.join(firstOut, 'site', language, 'index.html'), 'utf8');
      const scripts = html.match(/<script[^>]*>/gi) ?? [];
      // The language switcher's inline script is the only one; math is rendered at build time.
      expect(scripts).toEqual(['<script>']);
      expect(html).not.toMatch(/katex(?:\.min)?\.js/);
    }
  });

  it('links KaTeX CSS from assets', () => {
    for (const language of languages) {
      const html = readFileSync(path.join(firstOut, 'site', language, 'index.html'), 'utf8');
      expect(html).toContain('<link rel="stylesheet" href="../assets/katex/katex.min.css">');
    }
    expect(existsSync(path.join(firstOut, 'site/assets/katex/katex.min.css'))).toBe(true);
  });

  it('copies the KaTeX CSS of the renderer', () => {
    // KaTeX's CSS classes change between releases, so the markup needs the stylesheet of the
    // release that rendered it, which is the katex package that rehype-katex resolves.
    const rendererRequire = createRequire(
      path.join(repoRoot, 'node_modules/rehype-katex/package.json'),
    );
    const rendererVersion = (rendererRequire('katex/package.json') as { version: string }).version;
    const css = readFileSync(path.join(firstOut, 'site/assets/katex/katex.min.css'), 'utf8');
    const cssVersion = /\.katex-version:after\{content:"([^"]+)"\}/.exec(css)?.[1];

    expect(cssVersion).toBe(rendererVersion);
  });

  it('writes the result of each experiment', () => {
    const result = readResult(firstOut, 'tiny-sgd');
    const epochs = result.epochs as Record<string, unknown>[];
    const test = result.test as Record<string, unknown>;

    expect(result.id).toBe('tiny-sgd');
    expect(['tensorflow', 'wasm', 'cpu']).toContain(result.backend);
    expect(result.params).toEqual({
      dataset: 'fashion-mnist',
      optimizer: 'sgd',
      learningRate: 0.1,
      batchSize: 128,
      epochs: 2,
      hidden: 64,
      seed: 42,
      validationSplit: 0.1,
      trainLimit: 600,
      testLimit: 200,
    });
    expect(epochs).toHaveLength(2);
    for (const epoch of epochs) {
      expect(epoch).toEqual(
        expect.objectContaining({
          loss: expect.any(Number),
          accuracy: expect.any(Number),
          valLoss: expect.any(Number),
          valAccuracy: expect.any(Number),
        }),
      );
    }
    expect(test.loss).toEqual(expect.any(Number));
    expect(test.accuracy).toEqual(expect.any(Number));
    expect(test.accuracy).toBeGreaterThan(0);
    expect(test.accuracy).toBeLessThanOrEqual(1);
    expect(result.wallSeconds).toBeGreaterThan(0);
    expect(result.cached).toBe(false);
  });

  it('reuses the cache on a second build', async () => {
    const outDir = copyOfFirstOut();
    const second = await buildTiny(outDir, cacheDir);

    expect(second.exitCode).toBe(0);
    expect(second.stderr).toContain(
      'experiments: 0 run, 2 cached, 0 failed; nothing trained: every result came from the cache\n',
    );
    for (const name of readdirSync(path.join(outDir, 'results'))) {
      const result = JSON.parse(readFileSync(path.join(outDir, 'results', name), 'utf8'));
      expect(result.cached, name).toBe(true);
    }
    expect(readResult(outDir, 'tiny-sgd').test).toEqual(readResult(firstOut, 'tiny-sgd').test);
  });
});

describe('folio build with bad input', () => {
  it('rejects an unknown model', async () => {
    const contentDir = path.join(freshDir('content'), 'tiny');
    cpSync(tinyDir, contentDir, { recursive: true });
    for (const language of languages) {
      const file = path.join(contentDir, language, 'results.md');
      writeFileSync(file, readFileSync(file, 'utf8').replace('model: mlp\n', 'model: cnn\n'));
    }
    const outDir = copyOfFirstOut();
    const before = hashTree(outDir);

    const run = await runFolio(['build', '--content', contentDir, '--out', outDir], {
      FOLIO_CACHE_DIR: cacheDir,
    });

    expect(run.stderr).toBe(
      `${contentDir}/zh/results.md:7:1  error  experiment "tiny-sgd" names unknown model "cnn"; known models: mlp, worked-examples  experiment-unknown-model\n` +
        'the content has 1 error(s); nothing was written\n' +
        '  what to do: fix the errors listed above (run `folio check` to list them without building)\n',
    );
    expect(run.exitCode).toBe(1);
    expect(hashTree(outDir)).toEqual(before);
  });

  it('names a missing dataset', async () => {
    const emptyDir = freshDir('empty-data');
    const outDir = copyOfFirstOut();
    const before = hashTree(outDir);

    const run = await buildTiny(outDir, freshDir('cache'), { FOLIO_DATA_DIR: emptyDir });
    const [message = '', hint = ''] = run.stderr.trimEnd().split('\n');

    expect(run.stderr).not.toContain('unexpected error');
    expect(message).toMatch(
      new RegExp(
        `^dataset "fashion-mnist" for experiment "tiny-sgd" \\(${escapeRegExp(tinyDir)}/zh/results\\.md:7:1\\) is missing: `,
      ),
    );
    expect(message).toContain(emptyDir);
    expect(hint).toBe(
      "  what to do: run `npm run setup` (it installs Debian's dataset-fashion-mnist), or set FOLIO_DATA_DIR to a folder with the four IDX files",
    );
    expect(run.exitCode).toBe(1);
    expect(hashTree(outDir)).toEqual(before);
  });

  it('names a missing Chromium', async () => {
    const outDir = copyOfFirstOut();
    const pdfsBefore = languages.map((language) =>
      readFileSync(path.join(outDir, `report.${language}.pdf`)),
    );

    const run = await buildTiny(outDir, cacheDir, { FOLIO_CHROMIUM: '/nonexistent' });

    expect(run.stderr).toContain(
      'Chromium not found at /nonexistent\n' +
        "  what to do: run `npm run setup` (it installs Debian's chromium package), or set FOLIO_CHROMIUM to a Chromium binary\n",
    );
    expect(run.exitCode).toBe(1);
    languages.forEach((language, index) => {
      const after = readFileSync(path.join(outDir, `report.${language}.pdf`));
      expect(after.equals(pdfsBefore[index]!), `report.${language}.pdf changed`).toBe(true);
    });
  });
});
