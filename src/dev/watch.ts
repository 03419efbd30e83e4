import path from 'node:path';

import chokidar from 'chokidar';

import type { Logger } from '../logger.ts';

export interface WatchOptions {
  /** Time in ms without further changes before `onChange` runs (default 100). */
  debounceMs?: number;
  logger: Logger;
  /** Receives every file that was added, changed or removed since the last call. */
  onChange: (files: string[]) => void;
}

export interface SourceWatcher {
  /** Resolves once the initial scan is done and changes are reported. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Watches folders recursively and reports changed files in batches. Hidden files and editor
 * backups (names that start with `.` or end with `~`) are ignored.
 *
 * It uses chokidar because `fs.watch(dir, { recursive: true })` of Node.js 20.20.2 on Linux
 * stops reporting changes to a file once an editor has saved it by renaming a temporary file
 * over it (measured; test/dev.test.ts covers that case).
 */
export function watchSources(folders: string[], options: WatchOptions): SourceWatcher {
  const debounceMs = options.debounceMs ?? 100;
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;

  const watcher = chokidar.watch(folders, {
    ignoreInitial: true,
    ignored: (file) => {
      const name = path.basename(file);
      return !folders.includes(file) && (name.startsWith('.') || name.endsWith('~'));
    },
  });

  watcher.on('all', (_event, file) => {
    changed.add(path.resolve(file));
    clearTimeout(timer);
    timer = setTimeout(() => {
      const files = [...changed];
      changed.clear();
      options.onChange(files);
    }, debounceMs);
  });
  watcher.on('error', (error) =>
    options.logger.warn(
      `watching for changes failed: ${String(error)}; restart folio dev if edits stop showing`,
    ),
  );

  return {
    ready: new Promise((resolve) => watcher.once('ready', () => resolve())),
    async close() {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
