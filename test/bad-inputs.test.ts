// One test per row of docs/bad-inputs.md. Each feeds folio one bad input and checks every line
// the user sees apart from progress lines, the exit code, and that the previous output folder
// stays as it was.
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { repoRoot, runFolio, tinyFixture, type CliRun } from './support/cli.ts';

const datasetDir = '/usr/share/datasets/fashion-mnist';
const idxFiles = [
  'train-images-idx3-ubyte.gz',
  'train-labels-idx1-ubyte.gz',
  't10k-images-idx3-ubyte.gz',
  't10k-labels-idx1-ubyte.gz',
];

let scratchDir: string;
/** The cache every test shares, filled by the first build so that later builds train nothing. */
let cacheDir: string;
/** The output of the first build, which each test copies and must leave unchanged. */
let firstOut: string;
let firstBuild: CliRun;

beforeAll(async () => {
  scratchDir = mkdtempSync(path.join(tmpdir(), 'folio-bad-inputs-'));
  cacheDir = path.join(scratchDir, 'cache');
  firstOut = path.join(scratchDir, 'first', 'out');
  firstBuild = await runFolio(['build', '--content', tinyFixture, '--out', firstOut], {
    FOLIO_CACHE_DIR: cacheDir,
  });
});

afterAll(() => {
  rmSync(scratchDir, { recursive: true, force: true });
});

function freshDir(name: string): string {
  return mkdtempSync(path.join(scratchDir, `${name}-`));
}

type Edit = ((text: string) => string) | string | null;

/**
 * Copies the tiny fixture and applies edits by relative path: a function rewrites the file, a
 * string replaces it, and null deletes it. Returns the content folder.
 */
function contentWith(edits: Record<string, Edit>): string {
  const contentDir = path.join(freshDir('content'), 'tiny');
  cpSync(tinyFixture, contentDir, { recursive: true });
  for (const [relative, edit] of Object.entries(edits)) {
    const file = path.join(contentDir, relative);
    if (edit === null) rmSync(file, { recursive: true, force: true });
    else if (typeof edit === 'string') writeFileSync(file, edit);
    else writeFileSync(file, edit(readFileSync(file, 'utf8')));
  }
  return contentDir;
}

/** An edit that replaces text, and fails when the text is absent, so a fixture change is noticed. */
function replace(from: string, to: string): (text: string) => string {
  return (text) => {
    if (!text.includes(from)) throw new Error(`fixture text not found: ${JSON.stringify(from)}`);
    return text.replace(from, to);
  };
}

function append(extra: string): (text: string) => string {
  return (text) => text + extra;
}

/** Returns the same edit for a chapter's zh and en files. */
function inBoth(chapter: string, edit: Edit): Record<string, Edit> {
  return { [`zh/${chapter}`]: edit, [`en/${chapter}`]: edit };
}

/** sha256 of every file under `dir`, by relative path. */
function hashTree(dir: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    hashes[path.relative(dir, file)] = createHash('sha256')
      .update(readFileSync(file))
      .digest('hex');
  }
  return hashes;
}

/** Returns the lines a user reads, without progress lines, whose timings change from run to run. */
function shownLines(stderr: string): string[] {
  const progress = /^(?:cached |trained |experiments: |wrote |kept |done in )/;
  return stderr.split('\n').filter((line) => line !== '' && !progress.test(line));
}

const contentErrors = (count: number) => [
  `the content has ${count} error(s); nothing was written`,
  '  what to do: fix the errors listed above (run `folio check` to list them without building)',
];

interface BadBuild extends CliRun {
  lines: string[];
  outDir: string;
  before: Record<string, string>;
  after: Record<string, string>;
  cacheBefore: Record<string, string>;
  cacheAfter: Record<string, string>;
}

/**
 * Runs `folio build` on a copy of the first build's output folder, by default for HTML only,
 * and hashes that folder and the shared cache before and after.
 */
async function buildOverFirstOutput(
  contentDir: string,
  options: { args?: string[]; env?: Record<string, string> } = {},
): Promise<BadBuild> {
  const outDir = path.join(freshDir('out'), 'out');
  cpSync(firstOut, outDir, { recursive: true });
  const before = hashTree(outDir);
  const cacheBefore = hashTree(cacheDir);
  const args = options.args ?? ['--format', 'html'];
  const run = await runFolio(['build', '--content', contentDir, '--out', outDir, ...args], {
    FOLIO_CACHE_DIR: cacheDir,
    ...options.env,
  });
  return {
    ...run,
    lines: shownLines(run.stderr),
    outDir,
    before,
    after: hashTree(outDir),
    cacheBefore,
    cacheAfter: hashTree(cacheDir),
  };
}

/** Copies the dataset into a new folder, rewrites its file `name` with `corrupt`, and returns the folder. */
function datasetWith(name: string, corrupt: (bytes: Buffer) => Buffer): string {
  const dir = freshDir('data');
  for (const file of idxFiles) cpSync(path.join(datasetDir, file), path.join(dir, file));
  writeFileSync(path.join(dir, name), corrupt(readFileSync(path.join(datasetDir, name))));
  return dir;
}

it('first build succeeds', () => {
  expect(firstBuild.stderr).toContain('wrote ');
  expect(firstBuild.exitCode).toBe(0);
});

describe.concurrent('bad manifest', () => {
  it('manifest YAML syntax error', async ({ expect }) => {
    const content = contentWith({
      'report.yaml': replace('  en: A Tiny Test Report', '  en: "A Tiny Test Report'),
    });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/report.yaml:3:7  error  Missing closing "quote  manifest`,
      'the report manifest has 1 error(s); nothing was written',
      '  what to do: fix the lines listed above; docs/content-format.md lists every field',
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('missing manifest', async ({ expect }) => {
    const content = contentWith({ 'report.yaml': null });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `report manifest not found: ${content}/report.yaml`,
      '  what to do: create report.yaml in the content folder, or pass --content <dir>',
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('manifest field of the wrong type', async ({ expect }) => {
    const content = contentWith({ 'report.yaml': replace('languages: [zh, en]', 'languages: zh') });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/report.yaml:7:12  error  languages: Invalid input: expected array, received string  manifest`,
      'the report manifest has 1 error(s); nothing was written',
      '  what to do: fix the lines listed above; docs/content-format.md lists every field',
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('manifest title wrong in one language', async ({ expect }) => {
    const content = contentWith({ 'report.yaml': replace('  en: A Tiny Test Report', '  en: 5') });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/report.yaml:3:7  error  title.en: Invalid input: expected string, received number  manifest`,
      'the report manifest has 1 error(s); nothing was written',
      '  what to do: fix the lines listed above; docs/content-format.md lists every field',
    ]);
    expect(run.exitCode).toBe(1);
  });

  it('unknown manifest field', async ({ expect }) => {
    const content = contentWith({ 'report.yaml': append('colour: red\n') });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/report.yaml:10:1  error  unknown field "colour"  manifest`,
      'the report manifest has 1 error(s); nothing was written',
      '  what to do: fix the lines listed above; docs/content-format.md lists every field',
    ]);
    expect(run.exitCode).toBe(1);
  });

  it('missing manifest field', async ({ expect }) => {
    const content = contentWith({ 'report.yaml': replace('date: 2026-12-04\n', '') });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/report.yaml:1:1  error  missing required field "date"  manifest`,
      'the report manifest has 1 error(s); nothing was written',
      '  what to do: fix the lines listed above; docs/content-format.md lists every field',
    ]);
    expect(run.exitCode).toBe(1);
  });

  it('missing chapter file', async ({ expect }) => {
    const content = contentWith({
      'report.yaml': replace('chapters: [intro, results]', 'chapters: [intro, results, extra]'),
    });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/report.yaml:9:28  error  chapter "extra" is listed in report.yaml but ${content}/zh/extra.md does not exist  chapter-missing`,
      `${content}/report.yaml:9:28  error  chapter "extra" is listed in report.yaml but ${content}/en/extra.md does not exist  chapter-missing`,
      ...contentErrors(2),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('chapter in one language only', async ({ expect }) => {
    const content = contentWith({ 'en/results.md': null });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/report.yaml:9:19  error  chapter "results" exists in zh but not in en: create ${content}/en/results.md  parity-chapter`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('chapter path that is a folder', async ({ expect }) => {
    const content = contentWith({ 'en/results.md': null });
    mkdirSync(path.join(content, 'en', 'results.md'));

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/report.yaml:9:19  error  chapter "results" exists in zh but not in en: create ${content}/en/results.md  parity-chapter`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
  });
});

describe.concurrent('bad bibliography', () => {
  it('missing bibliography file', async ({ expect }) => {
    const content = contentWith({ 'references.json': null });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/report.yaml:8:15  error  bibliography file not found: ${content}/references.json  bibliography`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('bibliography that is not JSON', async ({ expect }) => {
    const content = contentWith({ 'references.json': '[\n  { "id": "kingma2015", }\n]\n' });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/references.json:2:25  error  bibliography is not valid JSON: Expected double-quoted property name in JSON at position 26  bibliography`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('bibliography entry without id', async ({ expect }) => {
    const content = contentWith({
      'references.json': replace(
        '  {\n    "id": "kingma2015",',
        '  { "title": "No id" },\n  {\n    "id": "kingma2015",',
      ),
    });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/references.json:2:3  error  bibliography entry 1 has no string id  bibliography`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
  });

  it('bibliography entry citation-js rejects', async ({ expect }) => {
    const content = contentWith({
      'references.json': replace(
        '"author": [{ "family": "Kingma", "given": "Diederik P." }, { "family": "Ba", "given": "Jimmy" }]',
        '"author": [{ "family": 3 }]',
      ),
    });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/references.json:2:3  error  bibliography entry "kingma2015" cannot be formatted (name.family.replace is not a function); check its CSL-JSON fields  bibliography`,
      ...contentErrors(1),
    ]);
    expect(run.stderr).not.toContain('unexpected error');
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });
});

describe.concurrent('bad front matter', () => {
  it('unquoted colon in a title', async ({ expect }) => {
    const content = contentWith({
      'en/results.md': replace('title: Results', 'title: Results: part 1'),
    });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/en/results.md:2:8  error  front matter: Nested mappings are not allowed in compact mappings (if a value contains ": ", quote the whole value, for example title: "Part 1: Overview")  front-matter`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('missing front matter', async ({ expect }) => {
    const content = contentWith({ 'en/results.md': replace('---\ntitle: Results\n---\n', '') });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/en/results.md:1:1  error  missing front matter; start the file with a line ---, then title: <chapter title>, then ---  front-matter`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('full-width colon in front matter', async ({ expect }) => {
    const content = contentWith({ 'zh/intro.md': replace('title: 引言', 'title：引言') });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/zh/intro.md:2:6  error  front matter: a full-width colon (：) after a key; write an ASCII colon and a space, as in "title: 背景"  front-matter`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('unclosed front matter', async ({ expect }) => {
    const content = contentWith({
      'en/results.md': replace('title: Results\n---\n', 'title: Results\n'),
    });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/en/results.md:1:1  error  front matter is not closed; add a line with only --- after its last field  front-matter`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
  });

  it('front matter without title', async ({ expect }) => {
    const content = contentWith({ 'en/results.md': replace('title: Results', 'numbered: true') });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/en/results.md:2:1  error  front matter: missing required field "title"  front-matter`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
  });

  it('unknown front matter field', async ({ expect }) => {
    const content = contentWith({
      'en/results.md': replace('title: Results\n', 'title: Results\nauthor: Tester\n'),
    });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/en/results.md:3:1  error  front matter: unknown field "author"  front-matter`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
  });
});

describe.concurrent('bad experiment blocks', () => {
  it('unknown experiment model', async ({ expect }) => {
    const content = contentWith(inBoth('results.md', replace('model: mlp\n', 'model: cnn\n')));

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/zh/results.md:7:1  error  experiment "tiny-sgd" names unknown model "cnn"; known models: mlp, worked-examples  experiment-unknown-model`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('negative learning rate', async ({ expect }) => {
    const content = contentWith(
      inBoth('results.md', replace('learningRate: 0.1', 'learningRate: -0.1')),
    );

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/zh/results.md:10:15  error  experiment "tiny-sgd": invalid parameter learningRate: Too small: expected number to be >0  experiment-params`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('batch size 0', async ({ expect }) => {
    const content = contentWith(
      inBoth('results.md', replace('epochs: 2\n', 'epochs: 2\nbatchSize: 0\n')),
    );

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/zh/results.md:12:12  error  experiment "tiny-sgd": invalid parameter batchSize: Too small: expected number to be >0  experiment-params`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
  });

  it('unknown optimizer', async ({ expect }) => {
    const content = contentWith(
      inBoth('results.md', replace('optimizer: sgd', 'optimizer: rmsprop')),
    );

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/zh/results.md:9:12  error  experiment "tiny-sgd": invalid parameter optimizer: Invalid option: expected one of "sgd"|"adam"  experiment-params`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
  });

  it('fractional epochs', async ({ expect }) => {
    const content = contentWith(inBoth('results.md', replace('epochs: 2', 'epochs: 2.5')));

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/zh/results.md:11:9  error  experiment "tiny-sgd": invalid parameter epochs: Invalid input: expected int, received number  experiment-params`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
  });

  it('unknown experiment parameter', async ({ expect }) => {
    const content = contentWith(
      inBoth('results.md', replace('epochs: 2\n', 'epochs: 2\nmomentum: 0.9\n')),
    );

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/zh/results.md:12:1  error  experiment "tiny-sgd": unknown parameter "momentum"; docs/content-format.md lists the parameters of each model  experiment-params`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
  });

  it('missing required parameter', async ({ expect }) => {
    const content = contentWith(inBoth('results.md', replace('learningRate: 0.1\n', '')));

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/zh/results.md:7:1  error  experiment "tiny-sgd": missing required parameter "learningRate"  experiment-params`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
  });

  it('parameters differ between zh and en', async ({ expect }) => {
    const content = contentWith({
      'en/results.md': replace('learningRate: 0.1', 'learningRate: 0.2'),
    });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/en/results.md:7:1  error  experiment "tiny-sgd" has different parameters in en and zh (${content}/zh/results.md:7); the languages must run the same experiment  parity-experiment`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('unknown block keyword', async ({ expect }) => {
    const content = contentWith(
      inBoth('results.md', replace('```{results} tbl-results', '```{result} tbl-results')),
    );

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/zh/results.md:24:1  warning  unknown block {result}; use {experiment}, {chart} or {results}, or a language name for a code sample  block-kind`,
      `${content}/en/results.md:24:1  warning  unknown block {result}; use {experiment}, {chart} or {results}, or a language name for a code sample  block-kind`,
      `${content}/zh/results.md:16:67  error  cross-reference to unknown label "tbl-results"  xref-unknown`,
      `${content}/en/results.md:16:91  error  cross-reference to unknown label "tbl-results"  xref-unknown`,
      ...contentErrors(2),
    ]);
    expect(run.exitCode).toBe(1);
  });
});

describe.concurrent('bad result references', () => {
  it('result of an unknown experiment', async ({ expect }) => {
    const content = contentWith(
      inBoth('results.md', replace('{result} tiny-sgd.', '{result} tiny-adam.')),
    );

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/zh/results.md:16:13  error  unknown experiment "tiny-adam"; declare it with an {experiment} block  experiment-unknown`,
      `${content}/en/results.md:16:32  error  unknown experiment "tiny-adam"; declare it with an {experiment} block  experiment-unknown`,
      ...contentErrors(2),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('result path that does not exist', async ({ expect }) => {
    const content = contentWith(
      inBoth('results.md', replace('tiny-sgd.test.accuracy', 'tiny-sgd.test.acc')),
    );

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/zh/results.md:16:13  error  result reference "tiny-sgd.test.acc | .1%": result of "tiny-sgd" has no tiny-sgd.test.acc  result-path`,
      `${content}/en/results.md:16:32  error  result reference "tiny-sgd.test.acc | .1%": result of "tiny-sgd" has no tiny-sgd.test.acc  result-path`,
      ...contentErrors(2),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('result with an unknown format type', async ({ expect }) => {
    const content = contentWith(inBoth('results.md', replace('| .1%`', '| .1Q`')));

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/zh/results.md:16:13  error  invalid result reference "tiny-sgd.test.accuracy | .1Q": invalid format ".1Q"; use a d3-format specifier such as .1% or .3f  result-syntax`,
      `${content}/en/results.md:16:32  error  invalid result reference "tiny-sgd.test.accuracy | .1Q": invalid format ".1Q"; use a d3-format specifier such as .1% or .3f  result-syntax`,
      ...contentErrors(2),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('result expression that ends early', async ({ expect }) => {
    const content = contentWith(
      inBoth('results.md', replace('tiny-sgd.test.accuracy | .1%', 'tiny-sgd.test.accuracy +')),
    );

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/zh/results.md:16:13  error  invalid result reference "tiny-sgd.test.accuracy +": the expression ends too early  result-syntax`,
      `${content}/en/results.md:16:32  error  invalid result reference "tiny-sgd.test.accuracy +": the expression ends too early  result-syntax`,
      ...contentErrors(2),
    ]);
    expect(run.exitCode).toBe(1);
  });

  it('result divided by zero', async ({ expect }) => {
    const content = contentWith(
      inBoth('results.md', replace('tiny-sgd.test.accuracy | .1%', 'tiny-sgd.test.accuracy / 0')),
    );

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/zh/results.md:16:13  error  result reference "tiny-sgd.test.accuracy / 0" evaluates to Infinity, not a finite number; check for a division by zero  result-value`,
      `${content}/en/results.md:16:32  error  result reference "tiny-sgd.test.accuracy / 0" evaluates to Infinity, not a finite number; check for a division by zero  result-value`,
      ...contentErrors(2),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });
});

describe.concurrent('bad math, citations and references', () => {
  it('KaTeX error in a display block', async ({ expect }) => {
    const content = contentWith({ 'en/intro.md': append('\n$$\n\\frac{1}\n$$\n') });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/en/intro.md:29:1  error  Could not render math with KaTeX: KaTeX parse error: Unexpected end of input in a macro argument, expected '}' at end of input: \\frac{1}  katex`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('Chinese text in math mode', async ({ expect }) => {
    const content = contentWith({ 'en/intro.md': append('\nLoss $损失 = 1$ here.\n') });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/en/intro.md:29:6  error  Could not render math with KaTeX: KaTeX parse error: LaTeX-incompatible input and strict mode is set to 'error': Unicode text character "损" used in math mode [unicodeTextInMathMode] at position 1: 损̲失 = 1; write text inside \\text{…}  katex`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('KaTeX error in inline math', async ({ expect }) => {
    const content = contentWith({ 'en/intro.md': append('\nInline $\\badmacro{x}$ here.\n') });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/en/intro.md:29:8  error  Could not render math with KaTeX: KaTeX parse error: Undefined control sequence: \\badmacro at position 1: \\̲b̲a̲d̲m̲a̲c̲r̲o̲{x}  katex`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
  });

  it('unknown citation key', async ({ expect }) => {
    const content = contentWith(inBoth('intro.md', replace('[@kingma2015]', '[@kingma2016]')));

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/zh/intro.md:7:27  error  unknown citation key "kingma2016"; did you mean "kingma2015"?  citation-unknown`,
      `${content}/en/intro.md:7:72  error  unknown citation key "kingma2016"; did you mean "kingma2015"?  citation-unknown`,
      ...contentErrors(2),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('unknown cross-reference', async ({ expect }) => {
    const content = contentWith(inBoth('intro.md', replace('@eq-ce', '@eq-mse')));

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/zh/intro.md:7:8  error  cross-reference to unknown label "eq-mse"  xref-unknown`,
      `${content}/en/intro.md:7:29  error  cross-reference to unknown label "eq-mse"  xref-unknown`,
      ...contentErrors(2),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('duplicate label', async ({ expect }) => {
    const content = contentWith(inBoth('results.md', replace('{#sec-training}', '{#sec-loss}')));

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/zh/results.md:5:1  error  label "sec-loss" is already defined at ${content}/zh/intro.md:5  label-duplicate`,
      `${content}/en/results.md:5:1  error  label "sec-loss" is already defined at ${content}/en/intro.md:5  label-duplicate`,
      ...contentErrors(2),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });
});

describe.concurrent('bad charts, images and HTML', () => {
  it('data chart missing CSV file', async ({ expect }) => {
    const content = contentWith(
      inBoth('intro.md', replace('file: models.csv', 'file: releases.csv')),
    );

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/zh/intro.md:21:1  error  data file not found: ${content}/data/releases.csv  chart-data`,
      `${content}/en/intro.md:21:1  error  data file not found: ${content}/data/releases.csv  chart-data`,
      ...contentErrors(2),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('data chart missing column', async ({ expect }) => {
    const content = contentWith(inBoth('intro.md', replace('x: weights', 'x: licence')));

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/zh/intro.md:21:1  error  chart fig-share: column "licence" not found in models.csv; its columns are name, organisation, quarter, weights  chart`,
      `${content}/en/intro.md:21:1  error  chart fig-share: column "licence" not found in models.csv; its columns are name, organisation, quarter, weights  chart`,
      ...contentErrors(2),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('data chart with text y', async ({ expect }) => {
    const content = contentWith(
      inBoth('intro.md', replace('x: weights\n', 'x: weights\ny: name\n')),
    );

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/zh/intro.md:21:1  error  chart fig-share: column "name" of models.csv has "A" on line 2, which is not a number; choose a numeric column, or y: count to count rows  chart`,
      `${content}/en/intro.md:21:1  error  chart fig-share: column "name" of models.csv has "A" on line 2, which is not a number; choose a numeric column, or y: count to count rows  chart`,
      ...contentErrors(2),
    ]);
    expect(run.exitCode).toBe(1);
  });

  it('data file outside the data folder', async ({ expect }) => {
    const content = contentWith(
      inBoth('intro.md', replace('file: models.csv', 'file: ../../../../../../etc/hostname')),
    );

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/zh/intro.md:21:1  error  data file "../../../../../../etc/hostname" is outside the data folder ${content}/data; move it there  chart-data`,
      `${content}/en/intro.md:21:1  error  data file "../../../../../../etc/hostname" is outside the data folder ${content}/data; move it there  chart-data`,
      ...contentErrors(2),
    ]);
    expect(run.exitCode).toBe(1);
  });

  it('image outside the content folder', async ({ expect }) => {
    const content = contentWith({ 'en/intro.md': append('\n![x](../../etc/passwd)\n') });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/en/intro.md:29:1  error  image "../../etc/passwd" is outside the content folder ${content}  image-outside`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('raw HTML image outside content', async ({ expect }) => {
    const content = contentWith({
      'en/intro.md': append('\n<img src="../../etc/passwd" alt="x">\n'),
    });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/en/intro.md:29:1  error  image "../../etc/passwd" is outside the content folder ${content}  image-outside`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('image URL bad percent escape', async ({ expect }) => {
    const content = contentWith({ 'en/intro.md': append('\n![x](chart%zz.png)\n') });

    const run = await buildOverFirstOutput(content);

    expect(run.lines).toEqual([
      `${content}/en/intro.md:29:1  error  image "chart%zz.png" is not a valid URL path; write a space as %20 and a percent sign as %25  image-missing`,
      ...contentErrors(1),
    ]);
    expect(run.stderr).not.toContain('unexpected error');
    expect(run.exitCode).toBe(1);
  });

  it('script, event handler and javascript URL', async ({ expect }) => {
    const content = contentWith({
      'en/intro.md': append(
        '\n<script>alert(1)</script>\n\nA <a href="javascript:alert(1)">link</a> and <span onclick="alert(1)">text</span>.\n',
      ),
    });

    const run = await buildOverFirstOutput(content);
    const html = readFileSync(path.join(run.outDir, 'site', 'en', 'index.html'), 'utf8');

    expect(run.lines).toEqual([
      `${content}/en/intro.md:29:1  warning  removed <script> element: it is not in the allowed HTML list  html-removed`,
      `${content}/en/intro.md:31:3  warning  removed href="javascript:alert(1)" from <a>: only http, https, mailto and relative URLs are allowed  html-removed`,
      `${content}/en/intro.md:31:46  warning  removed attribute onclick from <span>: it is not in the allowed HTML list  html-removed`,
    ]);
    expect(run.exitCode).toBe(0);
    expect(html).not.toContain('alert(1)');
    expect(html).toContain('<span>text</span>');
  });

  it('raw HTML warnings with --strict', async ({ expect }) => {
    const content = contentWith({ 'en/intro.md': append('\n<script>alert(1)</script>\n') });

    const run = await buildOverFirstOutput(content, { args: ['--format', 'html', '--strict'] });

    expect(run.lines).toEqual([
      `${content}/en/intro.md:29:1  warning  removed <script> element: it is not in the allowed HTML list  html-removed`,
      'the content has 1 warning(s) and --strict is set; nothing was written',
      '  what to do: fix the warnings listed above, or build without --strict',
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });
});

describe.concurrent('bad datasets and cache', () => {
  it('missing dataset', async ({ expect }) => {
    const emptyDir = freshDir('empty-data');

    const run = await buildOverFirstOutput(tinyFixture, { env: { FOLIO_DATA_DIR: emptyDir } });

    expect(run.lines).toHaveLength(2);
    expect(run.lines[0]).toMatch(
      new RegExp(
        `^dataset "fashion-mnist" for experiment "tiny-sgd" \\(.*/zh/results\\.md:7:1\\) is missing: `,
      ),
    );
    expect(run.lines[0]).toContain(emptyDir);
    expect(run.lines[1]).toBe(
      "  what to do: run `npm run setup` (it installs Debian's dataset-fashion-mnist), or set FOLIO_DATA_DIR to a folder with the four IDX files",
    );
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('truncated gzip IDX file', async ({ expect }) => {
    const dataDir = datasetWith('train-labels-idx1-ubyte.gz', (bytes) => bytes.subarray(0, 10_000));
    const file = path.join(dataDir, 'train-labels-idx1-ubyte.gz');

    const run = await buildOverFirstOutput(tinyFixture, { env: { FOLIO_DATA_DIR: dataDir } });

    expect(run.lines).toEqual([
      `dataset "fashion-mnist" for experiment "tiny-sgd" (${tinyFixture}/zh/results.md:7:1) is invalid: ${file}: gzip decompression failed (unexpected end of file), so the file is truncated or corrupt. Download the file again or reinstall the package that provides it.`,
      `  what to do: replace the file in ${dataDir}, or set FOLIO_DATA_DIR to a folder with intact fashion-mnist IDX files`,
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('IDX file shorter than header', async ({ expect }) => {
    const shorten = (bytes: Buffer) => gzipSync(gunzipSync(bytes).subarray(0, 300));
    const dataDir = datasetWith('train-labels-idx1-ubyte.gz', shorten);
    const file = path.join(dataDir, 'train-labels-idx1-ubyte.gz');

    const run = await buildOverFirstOutput(tinyFixture, { env: { FOLIO_DATA_DIR: dataDir } });

    expect(run.lines).toEqual([
      `dataset "fashion-mnist" for experiment "tiny-sgd" (${tinyFixture}/zh/results.md:7:1) is invalid: ${file}: truncated IDX file: the header declares 60000 labels, so expected 60000 data bytes, found 292. Download the file again or reinstall the package that provides it.`,
      `  what to do: replace the file in ${dataDir}, or set FOLIO_DATA_DIR to a folder with intact fashion-mnist IDX files`,
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
    expect(run.cacheAfter).toEqual(run.cacheBefore);
  });

  it('corrupt cache entry', async ({ expect }) => {
    const ownCache = path.join(freshDir('cache'), 'cache');
    cpSync(cacheDir, ownCache, { recursive: true });
    // The key is asked for now rather than read from the first build, because an edit of the
    // experiment sources since then would change it.
    const listing = await runFolio(['experiments', '--content', tinyFixture, '--json'], {
      FOLIO_CACHE_DIR: ownCache,
    });
    const states = JSON.parse(listing.stdout) as { id: string; cacheKey: string }[];
    const cacheKey = states.find((state) => state.id === 'tiny-sgd')?.cacheKey ?? '';
    const entry = path.join(ownCache, `${cacheKey}.json`);
    expect(cacheKey).toMatch(/^[0-9a-f]{64}$/);
    writeFileSync(entry, 'garbage{\n');
    const outDir = path.join(freshDir('out'), 'out');

    const run = await runFolio(
      ['build', '--content', tinyFixture, '--out', outDir, '--format', 'html'],
      {
        FOLIO_CACHE_DIR: ownCache,
      },
    );

    expect(shownLines(run.stderr)).toEqual([
      `warning: cache entry for tiny-sgd is unreadable and will be recomputed: ${entry}: Unexpected token 'g', "garbage{ " is not valid JSON`,
    ]);
    expect(run.stderr).toMatch(/^trained tiny-sgd {2}2 epochs/m);
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(entry, 'utf8')).cacheKey).toBe(cacheKey);
  });

  it('diverging training', async ({ expect }) => {
    const content = contentWith(
      inBoth('results.md', replace('learningRate: 0.1', 'learningRate: 1e20')),
    );

    const run = await buildOverFirstOutput(content);
    const result = JSON.parse(
      readFileSync(path.join(run.outDir, 'results', 'tiny-sgd.json'), 'utf8'),
    ) as {
      status: string;
      cacheKey: string;
    };
    const html = readFileSync(path.join(run.outDir, 'site', 'en', 'index.html'), 'utf8');

    expect(run.lines).toHaveLength(3);
    expect(run.lines[0]).toMatch(
      /^failed {2}tiny-sgd {2}training diverged: the loss became NaN at epoch 1/,
    );
    expect(run.lines.slice(1)).toEqual([
      '1 experiment(s) failed; the report shows them as failed',
      '  what to do: read the reason above, fix the parameters or the experiment, and build again',
    ]);
    expect(run.exitCode).toBe(1);
    expect(result.status).toBe('failed');
    expect(html).toContain('experiment-failed');
    expect(existsSync(path.join(cacheDir, `${result.cacheKey}.json`))).toBe(false);
  });

  it('cache folder under a regular file', async ({ expect }) => {
    const file = path.join(freshDir('file'), 'cache-file');
    writeFileSync(file, 'not a folder\n');
    const outDir = path.join(freshDir('out'), 'out');
    cpSync(firstOut, outDir, { recursive: true });
    const before = hashTree(outDir);

    // --force makes the build run experiments, which is when it needs the cache folder.
    const run = await runFolio(
      ['build', '--content', tinyFixture, '--out', outDir, '--format', 'html', '--force'],
      {
        FOLIO_CACHE_DIR: path.join(file, 'cache'),
      },
    );

    expect(shownLines(run.stderr)).toEqual([
      `cannot write the experiment cache folder ${file}/cache: ENOTDIR: not a directory, mkdir '${file}/cache'`,
      '  what to do: set FOLIO_CACHE_DIR to a writable folder',
    ]);
    expect(run.exitCode).toBe(1);
    expect(hashTree(outDir)).toEqual(before);
  });
});

describe.concurrent('bad printing set-up', () => {
  /** Content whose pages differ from the first build's, so that the PDFs must be printed again. */
  const changedContent = () =>
    contentWith({
      'en/intro.md': append('\nOne more sentence.\n'),
      'zh/intro.md': append('\n再加一句。\n'),
    });

  it('missing Chromium', async ({ expect }) => {
    const run = await buildOverFirstOutput(changedContent(), {
      args: [],
      env: { FOLIO_CHROMIUM: '/nonexistent' },
    });

    expect(run.lines).toEqual([
      'Chromium not found at /nonexistent',
      "  what to do: run `npm run setup` (it installs Debian's chromium package), or set FOLIO_CHROMIUM to a Chromium binary",
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('Chromium that fails to start', async ({ expect }) => {
    const fake = path.join(freshDir('chromium'), 'chromium');
    writeFileSync(fake, '#!/bin/sh\necho "cannot open display" >&2\nexit 1\n');
    chmodSync(fake, 0o755);

    const run = await buildOverFirstOutput(changedContent(), {
      args: [],
      env: { FOLIO_CHROMIUM: fake },
    });

    expect(run.lines).toHaveLength(2);
    expect(run.lines[0]).toMatch(
      new RegExp(
        `^Chromium at ${fake} failed to start: Failed to launch the browser process.*cannot open display$`,
      ),
    );
    expect(run.lines[1]).toBe(
      '  what to do: check that the binary runs (`chromium --version`), or set FOLIO_CHROMIUM to another one',
    );
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('character with no glyph', async ({ expect }) => {
    const content = contentWith({ 'en/intro.md': append('\nThe sign 𓀀 and math $x$.\n') });

    const run = await buildOverFirstOutput(content, { args: [] });

    expect(run.lines).toEqual([
      `${content}/en/intro.md:29:10  error  character "𓀀" (U+13000) has no glyph in Noto Serif CJK SC, Noto Sans CJK SC, Noto Sans Mono CJK SC, DejaVu Serif, DejaVu Sans; replace it, or write it as math or an image  glyph-missing`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('character with no glyph in data', async ({ expect }) => {
    const content = contentWith({
      'data/models.csv': replace('C,Org1,2023Q2,open', 'C,Org1,2023Q2,𓀀'),
    });

    const run = await buildOverFirstOutput(content, { args: [] });

    expect(run.lines).toEqual([
      `${content}/data/models.csv:4:15  error  character "𓀀" (U+13000) has no glyph in Noto Serif CJK SC, Noto Sans CJK SC, Noto Sans Mono CJK SC, DejaVu Serif, DejaVu Sans; replace it, or write it as math or an image  glyph-missing`,
      ...contentErrors(1),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('missing CJK font', async ({ expect }) => {
    // fontconfig then finds no fonts at all, as on a machine without fonts-noto-cjk.
    const fontsDir = freshDir('fonts');
    const config = path.join(fontsDir, 'fonts.conf');
    writeFileSync(
      config,
      `<?xml version="1.0"?>\n<fontconfig><dir>${fontsDir}/none</dir><cachedir>${fontsDir}/cache</cachedir></fontconfig>\n`,
    );

    const run = await buildOverFirstOutput(changedContent(), {
      args: [],
      env: { FONTCONFIG_FILE: config },
    });

    expect(run.lines).toEqual([
      'font "Noto Serif CJK SC" is not installed (fontconfig found "nothing")',
      "  what to do: run `npm run setup`, which installs Debian's fonts-noto-cjk and fonts-dejavu-core",
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.after).toEqual(run.before);
  });

  it('output folder under a regular file', async ({ expect }) => {
    const file = path.join(freshDir('file'), 'out-file');
    writeFileSync(file, 'not a folder\n');

    const run = await runFolio(
      ['build', '--content', tinyFixture, '--out', path.join(file, 'out'), '--format', 'html'],
      {
        FOLIO_CACHE_DIR: cacheDir,
      },
    );

    expect(run.stderr).toBe(
      `cannot create the output folder ${file}/out: ENOTDIR: not a directory, mkdir '${file}/out'\n` +
        '  what to do: choose a writable folder with --out, or fix the permissions\n',
    );
    expect(run.exitCode).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe('not a folder\n');
  });

  it('output folder that is a file', async ({ expect }) => {
    const file = path.join(freshDir('file'), 'out-file');
    writeFileSync(file, 'not a folder\n');

    const run = await runFolio(
      ['build', '--content', tinyFixture, '--out', file, '--format', 'html'],
      {
        FOLIO_CACHE_DIR: cacheDir,
      },
    );

    expect(run.stderr).toBe(
      `cannot use ${file} as the output folder: it is a file\n` +
        '  what to do: choose a folder with --out\n',
    );
    expect(run.exitCode).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe('not a folder\n');
  });

  it('clean of a content folder', async ({ expect }) => {
    const content = contentWith({});
    const before = hashTree(content);

    const run = await runFolio(['clean', '--out', content], { FOLIO_CACHE_DIR: cacheDir });

    expect(run.stderr).toBe(
      `did not delete ${content}: it is not a folio output folder, because it contains data, en, references.json, report.yaml, zh\n` +
        '  what to do: check --out; if the folder really should go, delete it yourself\n',
    );
    expect(run.exitCode).toBe(1);
    expect(hashTree(content)).toEqual(before);
  });
});

describe.concurrent('bad command line', () => {
  /** Builds the tiny fixture with extra arguments over a copy of the first build's output. */
  const buildTinyWith = async (args: string[]) => {
    const outDir = path.join(freshDir('out'), 'out');
    cpSync(firstOut, outDir, { recursive: true });
    const before = hashTree(outDir);
    const run = await runFolio(['build', '--content', tinyFixture, '--out', outDir, ...args], {
      FOLIO_CACHE_DIR: cacheDir,
    });
    return { ...run, lines: shownLines(run.stderr), before, after: hashTree(outDir) };
  };

  it('unknown option', async ({ expect }) => {
    const run = await buildTinyWith(['--colour']);

    expect(run.lines).toEqual(["error: unknown option '--colour'", '(run folio --help for usage)']);
    expect(run.exitCode).toBe(2);
    expect(run.after).toEqual(run.before);
  });

  it('unknown command', async ({ expect }) => {
    const run = await runFolio(['biuld', '--content', tinyFixture], { FOLIO_CACHE_DIR: cacheDir });

    expect(run.stderr).toBe(
      "error: unknown command 'biuld'; use one of build, check, experiments, dev, clean, help\n" +
        '(run folio --help for usage)\n',
    );
    expect(run.exitCode).toBe(2);
  });

  it('unknown language', async ({ expect }) => {
    const run = await buildTinyWith(['--lang', 'zh,fr']);

    expect(run.lines).toEqual([
      `error: option '--lang <languages>' argument 'zh,fr' is invalid. unknown language "fr"; use zh, en or zh,en`,
      '(run folio --help for usage)',
    ]);
    expect(run.exitCode).toBe(2);
  });

  it('unknown format', async ({ expect }) => {
    const run = await buildTinyWith(['--format', 'docx']);

    expect(run.lines).toEqual([
      `error: option '--format <formats>' argument 'docx' is invalid. unknown format "docx"; use html, pdf or html,pdf`,
      '(run folio --help for usage)',
    ]);
    expect(run.exitCode).toBe(2);
  });

  it('unknown backend', async ({ expect }) => {
    const run = await buildTinyWith(['--backend', 'gpu']);

    expect(run.lines).toEqual([
      "error: option '--backend <name>' argument 'gpu' is invalid. Allowed choices are tensorflow, wasm, cpu.",
      '(run folio --help for usage)',
    ]);
    expect(run.exitCode).toBe(2);
  });

  it('jobs of zero', async ({ expect }) => {
    const run = await buildTinyWith(['--jobs', '0']);

    expect(run.lines).toEqual([
      "error: option '--jobs <n>' argument '0' is invalid. jobs must be a positive whole number",
      '(run folio --help for usage)',
    ]);
    expect(run.exitCode).toBe(2);
  });

  it('force of an unknown experiment', async ({ expect }) => {
    const run = await buildTinyWith(['--format', 'html', '--force', 'tiny-adam']);

    expect(run.lines).toEqual([
      '--force names unknown experiment(s): tiny-adam',
      "  what to do: use ids of the report's experiments (worked, tiny-sgd), or --force alone to re-run all",
    ]);
    expect(run.exitCode).toBe(2);
    expect(run.after).toEqual(run.before);
  });

  const nativeBinding = path.join(
    repoRoot,
    'node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node',
  );

  it.skipIf(existsSync(nativeBinding))(
    'tensorflow backend without its native library',
    async ({ expect }) => {
      const run = await buildTinyWith(['--format', 'html', '--backend', 'tensorflow']);

      expect(run.lines).toHaveLength(2);
      expect(run.lines[0]).toMatch(
        /^tfjs backend 'tensorflow' failed to load \(tensorflow: importing @tensorflow\/tfjs-node failed: /,
      );
      expect(run.lines[1]).toBe(
        '  what to do: leave out --backend to use the first backend that loads, or pass --backend wasm',
      );
      expect(run.exitCode).toBe(1);
      expect(run.after).toEqual(run.before);
    },
  );
});
