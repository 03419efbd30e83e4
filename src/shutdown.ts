/**
 * Cleanup to run when the process is interrupted (Ctrl-C): closing Chromium, stopping worker
 * threads, removing half-written staging folders. Library code registers cleanup here; only the
 * CLI entry decides to exit.
 */
const cleanups = new Set<() => Promise<void> | void>();

/** Registers a cleanup and returns a function that unregisters it. */
export function onInterrupt(cleanup: () => Promise<void> | void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Runs every registered cleanup once, in reverse order of registration, ignoring their errors. */
export async function runInterruptCleanups(): Promise<void> {
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
