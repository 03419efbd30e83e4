import { FolioError } from './errors.ts';

/**
 * Cleanup to run when the process is interrupted (Ctrl-C): closing Chromium, stopping worker
 * threads, removing half-written staging folders. Library code registers cleanup here; only the
 * CLI entry decides to exit.
 */
const cleanups = new Set<() => Promise<void> | void>();
let interrupted = false;

/** True once an interrupt started, so that long steps stop before writing anything more. */
export function isInterrupted(): boolean {
  return interrupted;
}

/** Throws INTERRUPTED once an interrupt started; called before each step that writes outputs. */
export function throwIfInterrupted(): void {
  if (interrupted)
    throw new FolioError(
      'INTERRUPTED',
      'the build was interrupted; the previous outputs are unchanged',
    );
}

/** Registers a cleanup and returns a function that unregisters it. */
export function onInterrupt(cleanup: () => Promise<void> | void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Runs every registered cleanup once, in reverse order of registration, ignoring their errors. */
export async function runInterruptCleanups(): Promise<void> {
  interrupted = true;
  const pending = [...cleanups].reverse();
  cleanups.clear();
  for (const cleanup of pending) {
    try {
      await cleanup();
    } catch {
      // Cleanup is best effort: the process is exiting either way.
    }
  }
}
