import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { repoRoot, runFolio, tinyFixture } from './support/cli.ts';

const workDir = mkdtempSync(path.join(tmpdir(), 'folio-interrupt-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function hashTree(dir: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  const walk = (current: string) => {
    for (const name of readdirSync(current)) {
      const file = path.join(current, name);
      if (statSync(file).isDirectory()) walk(file);
      else
        hashes[path.relative(dir, file)] = createHash('sha256')
          .update(readFileSync(file))
          .digest('hex');
    }
  };
  walk(dir);
  return hashes;
}

describe('Ctrl-C during a build', () => {
  it('exits 130 and keeps the previous outputs', async () => {
    const outDir = path.join(workDir, 'out');
    const cacheDir = path.join(workDir, 'cache');
    const first = await runFolio(['build', '--content', tinyFixture, '--out', outDir], {
      FOLIO_CACHE_DIR: cacheDir,
    });
    expect(first.exitCode).toBe(0);
    const before = hashTree(outDir);

    const child = spawn(
      process.execPath,
      ['bin/folio.js', 'build', '--content', tinyFixture, '--out', outDir, '--force'],
      {
        cwd: repoRoot,
        env: { ...process.env, FOLIO_CACHE_DIR: cacheDir },
      },
    );
    let stderr = '';
    const exitCode = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        // Interrupt as soon as the first experiment finished, while the rest of the build runs.
        if (/trained /.test(stderr) && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (code) => resolve(code));
    });

    expect(stderr).toContain('interrupted: stopping workers and Chromium');
    expect(exitCode).toBe(130);
    const after = hashTree(outDir);
    delete before['.folio-print-state.json'];
    delete after['.folio-print-state.json'];
    expect(after).toEqual(before);
    expect(
      readdirSync(outDir).filter((name) => name.endsWith('.tmp') || name.includes('.new-')),
    ).toEqual([]);
  });
});
