import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, it } from 'vitest';

const execFileAsync = promisify(execFile);

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = 'test/fixtures/diagnostics';

interface CheckRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

let scratchDir: string;

beforeAll(() => {
  scratchDir = mkdtempSync(path.join(tmpdir(), 'folio-check-'));
});

afterAll(() => {
  rmSync(scratchDir, { recursive: true, force: true });
});

/**
 * Runs `folio check` from the repository root, so diagnostics print paths relative to it.
 * Each run gets its own empty output folder and cache folder.
 */
async function runCheck(contentDir: string): Promise<CheckRun & { outDir: string }> {
  const runDir = mkdtempSync(path.join(scratchDir, 'run-'));
  const outDir = path.join(runDir, 'out');
  const args = ['bin/folio.js', 'check', '--content', contentDir, '--out', outDir];
  const options = {
    cwd: repoRoot,
    env: { ...process.env, FOLIO_CACHE_DIR: path.join(runDir, 'cache') },
  };
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, args, options);
    return { exitCode: 0, stdout, stderr, outDir };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return {
      exitCode: failed.code,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
      outDir,
    };
  }
}

/** Builds the expected stderr of `folio check`, which is one line per diagnostic and then the count. */
function checkOutput(lines: string[]): string {
  return [...lines, `${lines.length} error(s), 0 warning(s)`].join('\n') + '\n';
}

function absolute(relativePath: string): string {
  return path.join(repoRoot, relativePath);
}

describe.concurrent('folio check', () => {
  it('passes the tiny report', async ({ expect }) => {
    const run = await runCheck('test/fixtures/tiny');

    expect(run.stderr).toBe('0 error(s), 0 warning(s)\n');
    expect(run.exitCode).toBe(0);
  });

  it('writes no output', async ({ expect }) => {
    const run = await runCheck('test/fixtures/tiny');

    expect(run.exitCode).toBe(0);
    expect(readdirSync(path.dirname(run.outDir))).toEqual([]);
  });

  it('reports an unknown model', async ({ expect }) => {
    const run = await runCheck(`${fixtures}/unknown-model`);

    expect(run.stderr).toBe(
      checkOutput([
        `${fixtures}/unknown-model/zh/intro.md:5:1  error  experiment "tiny-cnn" names unknown model "cnn"; known models: mlp, worked-examples  experiment-unknown-model`,
      ]),
    );
    expect(run.exitCode).toBe(1);
  });

  it('reports invalid mlp parameters', async ({ expect }) => {
    const run = await runCheck(`${fixtures}/invalid-params`);
    const file = `${fixtures}/invalid-params/zh/intro.md`;

    expect(run.stderr).toBe(
      checkOutput([
        `${file}:8:15  error  experiment "negative-rate": invalid parameter learningRate: Too small: expected number to be >0  experiment-params`,
        `${file}:15:12  error  experiment "zero-batch": invalid parameter batchSize: Too small: expected number to be >0  experiment-params`,
        `${file}:20:12  error  experiment "unknown-optimizer": invalid parameter optimizer: Invalid option: expected one of "sgd"|"adam"  experiment-params`,
        `${file}:28:9  error  experiment "fractional-epochs": invalid parameter epochs: Invalid input: expected int, received number  experiment-params`,
      ]),
    );
    expect(run.exitCode).toBe(1);
  });

  it('reports a colon in front matter', async ({ expect }) => {
    const run = await runCheck(`${fixtures}/front-matter-colon`);

    expect(run.stderr).toBe(
      checkOutput([
        `${fixtures}/front-matter-colon/en/intro.md:2:8  error  front matter: Nested mappings are not allowed in compact mappings (if a value contains ": ", quote the whole value, for example title: "Part 1: Overview")  front-matter`,
      ]),
    );
    expect(run.exitCode).toBe(1);
  });

  it('reports an unknown cross-reference', async ({ expect }) => {
    const run = await runCheck(`${fixtures}/unknown-xref`);

    expect(run.stderr).toBe(
      checkOutput([
        `${fixtures}/unknown-xref/zh/intro.md:7:4  error  cross-reference to unknown label "sec-method"  xref-unknown`,
        `${fixtures}/unknown-xref/en/intro.md:7:5  error  cross-reference to unknown label "sec-method"  xref-unknown`,
      ]),
    );
    expect(run.exitCode).toBe(1);
  });

  it('reports an unknown citation', async ({ expect }) => {
    const run = await runCheck(`${fixtures}/unknown-citation`);

    expect(run.stderr).toBe(
      checkOutput([
        `${fixtures}/unknown-citation/zh/intro.md:5:25  error  unknown citation key "nobody2020"; add it to the bibliography  citation-unknown`,
        `${fixtures}/unknown-citation/en/intro.md:5:46  error  unknown citation key "nobody2020"; add it to the bibliography  citation-unknown`,
      ]),
    );
    expect(run.exitCode).toBe(1);
  });

  it('reports a chapter missing in en', async ({ expect }) => {
    const run = await runCheck(`${fixtures}/missing-chapter`);
    const missingFile = absolute(`${fixtures}/missing-chapter/en/method.md`);

    // Line 8 is `chapters: [intro, method]`, and "method" starts at column 19.
    expect(run.stderr).toBe(
      checkOutput([
        `${fixtures}/missing-chapter/report.yaml:8:19  error  chapter "method" exists in zh but not in en: create ${missingFile}  parity-chapter`,
      ]),
    );
    expect(run.exitCode).toBe(1);
  });

  it('reports different experiment parameters', async ({ expect }) => {
    const run = await runCheck(`${fixtures}/experiment-parity`);
    const zhFile = absolute(`${fixtures}/experiment-parity/zh/intro.md`);

    expect(run.stderr).toBe(
      checkOutput([
        `${fixtures}/experiment-parity/en/intro.md:5:1  error  experiment "tiny-sgd" has different parameters in en and zh (${zhFile}:5); the languages must run the same experiment  parity-experiment`,
      ]),
    );
    expect(run.exitCode).toBe(1);
  });

  it('reports a KaTeX error', async ({ expect }) => {
    const run = await runCheck(`${fixtures}/katex-error`);
    const reason =
      "Could not render math with KaTeX: KaTeX parse error: Unexpected end of input in a macro argument, expected '}' at end of input: \\frac{1}{";

    expect(run.stderr).toBe(
      checkOutput([
        `${fixtures}/katex-error/zh/intro.md:5:4  error  ${reason}  katex`,
        `${fixtures}/katex-error/en/intro.md:5:14  error  ${reason}  katex`,
      ]),
    );
    expect(run.stderr).not.toContain('unexpected error');
    expect(run.exitCode).toBe(1);
  });

  it('reports an unknown result experiment', async ({ expect }) => {
    const run = await runCheck(`${fixtures}/unknown-result`);

    expect(run.stderr).toBe(
      checkOutput([
        `${fixtures}/unknown-result/zh/intro.md:5:6  error  unknown experiment "ghost"; declare it with an {experiment} block  experiment-unknown`,
        `${fixtures}/unknown-result/en/intro.md:5:17  error  unknown experiment "ghost"; declare it with an {experiment} block  experiment-unknown`,
      ]),
    );
    expect(run.exitCode).toBe(1);
  });
});
