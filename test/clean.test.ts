import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { runFolio, tinyFixture } from './support/cli.ts';

const workDir = mkdtempSync(path.join(tmpdir(), 'folio-clean-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('folio clean', () => {
  it('removes a built output folder', async () => {
    const outDir = path.join(workDir, 'out');
    const env = { FOLIO_CACHE_DIR: path.join(workDir, 'cache') };
    const build = await runFolio(
      ['build', '--content', tinyFixture, '--out', outDir, '--format', 'html'],
      env,
    );
    expect(build.exitCode).toBe(0);

    const run = await runFolio(['clean', '--out', outDir, '--json'], env);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe(`removed ${outDir}\n`);
    expect(JSON.parse(run.stdout)).toEqual({ removed: [{ folder: outDir, removed: true }] });
    expect(existsSync(outDir)).toBe(false);
  });

  it('says when there is nothing to remove', async () => {
    const missing = path.join(workDir, 'never-built');
    const run = await runFolio(['clean', '--out', missing]);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe(`nothing to remove: ${missing} does not exist\n`);
  });
});
