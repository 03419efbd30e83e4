// Runs `build()` inside a worker thread for `folio dev`. A thread has its own module cache, so
// the dev session starts a new one when the experiment sources change, and the new thread loads
// the edited modules. The main thread meanwhile keeps serving pages.
import { parentPort } from 'node:worker_threads';

import { build, type BuildOptions } from '../build.ts';
import type { RunEvent } from '../experiments/runner.ts';
import { isFolioError } from '../errors.ts';
import type { Logger, LogLevel } from '../logger.ts';
import type { Diagnostic } from '../pipeline/diagnostics.ts';
import { runInterruptCleanups } from '../shutdown.ts';

/** The build options that can cross a thread boundary, plus the log level. */
export type BuildRequest = Omit<BuildOptions, 'logger' | 'onRunEvent'> & { logLevel: LogLevel };

export type BuildCommand = { type: 'build'; request: BuildRequest } | { type: 'interrupt' };

/** A thrown error as plain data. `code` and `hint` are set only for a FolioError. */
export interface BuildError {
  code?: string;
  message: string;
  hint?: string;
  stack?: string;
}

export type BuildWorkerMessage =
  | { type: 'log'; level: 'info' | 'warn' | 'verbose' | 'debug'; message: string }
  | { type: 'run-event'; event: RunEvent }
  | { type: 'built'; diagnostics: Diagnostic[]; outputs: string[] }
  | { type: 'failed'; error: BuildError }
  | { type: 'interrupted' };

const port = parentPort;
if (!port)
  throw new Error('Internal error: build-worker.ts runs only in the thread of BuildThread');
const post = (message: BuildWorkerMessage) => port.postMessage(message);

function createForwardingLogger(level: LogLevel): Logger {
  return {
    level,
    info: (message) => post({ type: 'log', level: 'info', message }),
    warn: (message) => post({ type: 'log', level: 'warn', message }),
    verbose: (message) => post({ type: 'log', level: 'verbose', message }),
    debug: (message) => post({ type: 'log', level: 'debug', message }),
  };
}

async function runBuild(request: BuildRequest): Promise<void> {
  const { logLevel, ...options } = request;
  try {
    const summary = await build({
      ...options,
      logger: createForwardingLogger(logLevel),
      onRunEvent: (event) => post({ type: 'run-event', event }),
    });
    post({ type: 'built', diagnostics: summary.diagnostics.items, outputs: summary.outputs });
  } catch (error) {
    post({ type: 'failed', error: toBuildError(error) });
  }
}

function toBuildError(error: unknown): BuildError {
  if (isFolioError(error)) {
    // As in the CLI, --debug shows the stack of the cause, because a FolioError's own stack
    // only shows where it was thrown.
    const cause = error.cause instanceof Error ? error.cause.stack : undefined;
    return { code: error.code, message: error.message, hint: error.hint, stack: cause };
  }
  if (error instanceof Error) return { message: error.message, stack: error.stack };
  return { message: String(error) };
}

port.on('message', (command: BuildCommand) => {
  if (command.type === 'build') {
    void runBuild(command.request);
  } else {
    // Stops experiment workers and removes half-written staging folders before the main
    // thread terminates this one.
    void runInterruptCleanups().then(() => post({ type: 'interrupted' }));
  }
});
