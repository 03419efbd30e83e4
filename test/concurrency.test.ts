import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { runFolio, tinyFixture } from './support/cli.ts';

const workDir = mkdtempSync(path.join(tmpdir(), 'folio-concurrent-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('two builds at once', () => {
  it('both succeed and leave whole outputs', async () => {
    const outDir = path.join(workDir, 'out');
    const env = { FOLIO_CACHE_DIR: path.join(workDir, 'cache') };
    const args = ['build', '--content', tinyFixture, '--out', outDir, '--format', 'html'];
    const [first, second] = await Promise.all([runFolio(args, env), runFolio(args, env)]);

    expect(first.exitCode).toBe(0);
    expect(second.exitCode).toBe(0);
    expect(first.stderr + second.stderr).toContain('waiting for another build');

    for (const language of ['zh', 'en']) {
      const html = readFileSync(path.join(outDir, 'site', language, 'index.html'), 'utf8');
      expect(html).toMatch(/<\/html>\s*$/);
    }
    const result = JSON.parse(readFileSync(path.join(outDir, 'results', 'tiny-sgd.json'), 'utf8'));
    expect(result.status).toBe('ok');
    const cacheEntries = readdirSync(path.join(workDir, 'cache'));
    expect(cacheEntries.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    for (const entry of cacheEntries)
      expect(() =>
        JSON.parse(readFileSync(path.join(workDir, 'cache', entry), 'utf8')),
      ).not.toThrow();
    expect(
      readdirSync(outDir).filter((name) => name.includes('.new-') || name.includes('.old-')),
    ).toEqual([]);
    expect(existsSync(path.join(outDir, 'site', 'assets', 'style.css'))).toBe(true);
  });
});
