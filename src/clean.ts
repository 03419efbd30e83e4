import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';

import { FolioError } from './errors.ts';

/**
 * Top-level names that a build writes into the output folder: the site, results, PDFs, the lock
 * and print state, and the temporary names a build uses while it writes them.
 */
const outputEntry =
  /^(?:site|results|report\.[a-z]+\.pdf|\.folio-[\w.-]+|site\.(?:new|old)-\d+|report\.[a-z]+\.pdf\.\d+\.tmp)$/;

/** Cache entries are `<sha256>.json`, written through `<entry>.<pid>.<time>.tmp`. */
const cacheEntry = /^[0-9a-f]{64}\.json(?:\.\d+\.\d+\.tmp)?$/;

export type FolderKind = 'output' | 'cache';

/**
 * Deletes output and cache folders, but only when everything at the top level of each is
 * something folio writes there, so that a mistyped `--out` or FOLIO_CACHE_DIR cannot delete a
 * content folder or other files. Every folder is checked before any is deleted. A folder that
 * does not exist is skipped.
 */
export function removeFolioFolders(folders: { folder: string; kind: FolderKind }[]): void {
  const present = folders.filter(({ folder }) => existsSync(folder));
  for (const { folder, kind } of present) checkFolioFolder(folder, kind);
  for (const { folder } of present) rmSync(folder, { recursive: true, force: true });
}

function checkFolioFolder(folder: string, kind: FolderKind): void {
  const setting = kind === 'output' ? '--out' : 'FOLIO_CACHE_DIR';
  if (!statSync(folder).isDirectory()) {
    throw new FolioError(
      'NOT_A_FOLIO_FOLDER',
      `did not delete ${folder}: it is a file, not a folder`,
      {
        hint: `check ${setting}`,
      },
    );
  }
  const pattern = kind === 'output' ? outputEntry : cacheEntry;
  const foreign = readdirSync(folder).filter((name) => !pattern.test(name));
  if (foreign.length > 0) {
    const listed =
      foreign.slice(0, 5).join(', ') +
      (foreign.length > 5 ? `, and ${foreign.length - 5} more` : '');
    throw new FolioError(
      'NOT_A_FOLIO_FOLDER',
      `did not delete ${folder}: it is not a folio ${kind} folder, because it contains ${listed}`,
      { hint: `check ${setting}; if the folder really should go, delete it yourself` },
    );
  }
}
