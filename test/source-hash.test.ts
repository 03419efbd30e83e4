import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { collectLocalSources, hashFiles } from '../src/experiments/source-hash.ts';
import { experimentsDir } from '../src/experiments/plan.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'folio-sources-'));
  writeFileSync(
    path.join(dir, 'experiment.ts'),
    "import { helper } from './helper.ts';\nimport type { Shape } from './types.ts';\nexport * from './reexported.ts';\nexport const run = () => helper();\n",
  );
  writeFileSync(
    path.join(dir, 'helper.ts'),
    "import { deep } from './deep.js';\nexport const helper = () => deep + 1;\n",
  );
  writeFileSync(path.join(dir, 'deep.ts'), 'export const deep = 41;\n');
  writeFileSync(path.join(dir, 'reexported.ts'), 'export const extra = 1;\n');
  writeFileSync(path.join(dir, 'types.ts'), 'export interface Shape { size: number }\n');
  writeFileSync(path.join(dir, 'unrelated.ts'), 'export const unrelated = true;\n');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const keyOf = () =>
  JSON.stringify(hashFiles(collectLocalSources(path.join(dir, 'experiment.ts')), dir));

describe('experiment source hashing', () => {
  it('follows value imports transitively', () => {
    const files = collectLocalSources(path.join(dir, 'experiment.ts')).map((file) =>
      path.basename(file),
    );
    expect(files).toEqual(['deep.ts', 'experiment.ts', 'helper.ts', 'reexported.ts']);
  });

  it('changes when an imported helper changes', () => {
    const before = keyOf();
    writeFileSync(path.join(dir, 'deep.ts'), 'export const deep = 42;\n');
    expect(keyOf()).not.toBe(before);
  });

  it('ignores type-only imports and other files', () => {
    const before = keyOf();
    writeFileSync(
      path.join(dir, 'types.ts'),
      'export interface Shape { size: number; name: string }\n',
    );
    writeFileSync(path.join(dir, 'unrelated.ts'), 'export const unrelated = false;\n');
    expect(keyOf()).toBe(before);
  });

  it('ignores modification times', () => {
    const before = keyOf();
    const later = new Date(Date.now() + 3_600_000);
    for (const name of ['experiment.ts', 'helper.ts', 'deep.ts'])
      utimesSync(path.join(dir, name), later, later);
    expect(keyOf()).toBe(before);
  });

  it('covers the mlp module and its helpers', () => {
    const files = collectLocalSources(path.join(experimentsDir, 'mlp.ts')).map((file) =>
      path.basename(file),
    );
    expect(files).toContain('mlp.ts');
    expect(files).toContain('idx.ts');
    expect(files.some((file) => file.startsWith('mlp-'))).toBe(true);
    expect(files).not.toContain('types.ts');
  });
});
