import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

// Value imports of relative modules: `import x from './a.ts'`, `export * from './b.ts'`,
// `import './c.ts'` and `import('./d.ts')`. Type-only imports are left out because they
// cannot change what the code computes.
const importPattern =
  /(?:^|[\s;])(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/gm;

/**
 * Lists an experiment module's source file and every local module it imports for its values,
 * transitively, sorted by path.
 */
export function collectLocalSources(entryFile: string): string[] {
  const seen = new Set<string>();
  const pending = [path.resolve(entryFile)];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(importPattern)) {
      const specifier = match[1] ?? match[2];
      if (!specifier) continue;
      const resolved = resolveLocal(path.dirname(file), specifier);
      if (resolved) pending.push(resolved);
    }
  }
  return [...seen].sort();
}

function resolveLocal(directory: string, specifier: string): string | undefined {
  const base = path.resolve(directory, specifier);
  const candidates = [
    base,
    base.replace(/\.js$/, '.ts'),
    `${base}.ts`,
    path.join(base, 'index.ts'),
  ];
  return candidates.find((candidate) => existsSync(candidate) && !candidate.endsWith('/'));
}

/** Hashes the contents of files, keyed by their path relative to `root` so a moved checkout hashes the same. */
export function hashFiles(files: string[], root: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const file of files) {
    const relative = path.relative(root, file).split(path.sep).join('/');
    hashes[relative] = createHash('sha256').update(readFileSync(file)).digest('hex');
  }
  return hashes;
}
