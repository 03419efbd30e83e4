import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';

import type { Language } from '../config/manifest.ts';
import { describeError, isFolioError } from '../errors.ts';
import type { RunEvent } from '../experiments/runner.ts';
import type { BackendName } from '../experiments/types.ts';
import { acquireBuildLock } from '../lock.ts';
import type { Logger, LogLevel } from '../logger.ts';
import { formatDiagnostic, type Diagnostic } from '../pipeline/diagnostics.ts';
import { createRunReporter, type RunTally } from '../progress.ts';
import { onInterrupt } from '../shutdown.ts';
import { BuildThread, type BuildReply } from './build-thread.ts';
import type { BuildError, BuildRequest } from './build-worker.ts';
import { isLoopbackHost, startDevServer } from './dev-server.ts';
import type { BuildProblem, DevStatus } from './reload-client.ts';
import { isInside } from './site-files.ts';
import { watchSources } from './watch.ts';

export interface DevSessionOptions {
  contentDir: string;
  outDir: string;
  cacheDir: string;
  templatesDir: string;
  /** Folder of the experiment modules. A change there starts a new build worker. */
  experimentsDir: string;
  /** Address to listen on. Only a loopback address keeps the site on this machine. */
  host: string;
  /** Port to listen on, or 0 for any free port. */
  port: number;
  /** Languages to build (default: all in the manifest). */
  languages?: Language[];
  backend?: BackendName;
  logger: Logger;
  logLevel: LogLevel;
  /** Shows a progress bar per running experiment, which only suits a terminal. */
  interactive: boolean;
  /** Prints the stack trace of an unexpected build error. */
  debug?: boolean;
}

export interface DevSession {
  url: string;
  /** Resolves once `close` has stopped the watcher, the build worker and the server. */
  closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts `folio dev`. It serves the HTML site and builds it once, training what the cache lacks.
 * After every change to the content, the templates or the experiment sources it rebuilds the
 * HTML, then sends open pages a reload or the build's errors. Throws FolioError when the server
 * cannot listen.
 */
export async function startDevSession(options: DevSessionOptions): Promise<DevSession> {
  const { logger } = options;
  const siteDir = path.join(options.outDir, 'site');
  const server = await startDevServer({ siteDir, host: options.host, port: options.port, logger });
  if (!isLoopbackHost(options.host)) {
    logger.warn(
      `listening on ${options.host}: other machines that reach this address can open the site`,
    );
  }
  logger.info(`serving ${displayPath(siteDir)} at ${server.url} (Ctrl-C stops)`);

  // Build ids differ between sessions, so pages left open across a restart reload too.
  const sessionId = randomBytes(4).toString('hex');
  let builds = 0;
  let status: DevStatus = { build: `${sessionId}-0`, errors: [] };
  server.publish(status);

  const thread = new BuildThread();
  const request: BuildRequest = {
    contentDir: options.contentDir,
    outDir: options.outDir,
    cacheDir: options.cacheDir,
    templatesDir: options.templatesDir,
    languages: options.languages,
    formats: ['html'],
    train: true,
    backend: options.backend,
    logLevel: options.logLevel,
  };

  let closing = false;
  /** Files changed since the last build started, or undefined when no build is due. */
  let changed: Set<string> | undefined = new Set();
  /** The running loop of builds, if any. Changes that arrive meanwhile queue the next build. */
  let loop: Promise<void> | undefined;

  const requestBuild = (files: string[]) => {
    if (closing) return;
    changed ??= new Set();
    for (const file of files) changed.add(file);
    loop ??= drainBuilds();
  };

  async function drainBuilds(): Promise<void> {
    while (changed && !closing) {
      const files = [...changed];
      changed = undefined;
      await rebuild(files);
    }
    loop = undefined;
  }

  async function rebuild(files: string[]): Promise<void> {
    const started = performance.now();
    if (files.some((file) => isInside(options.experimentsDir, file))) {
      logger.verbose('the experiment sources changed; starting a new build worker to load them');
      await thread.restart();
    }
    let reply: BuildReply;
    let tally: RunTally | undefined;
    try {
      const release = await acquireBuildLock(options.outDir, logger);
      const unregister = onInterrupt(release);
      const reporter = createRunReporter(logger, options.interactive);
      // After the first build, a line per cached result on every save is noise.
      const quiet = builds > 0 && logger.level === 'info';
      const onRunEvent = (event: RunEvent) => {
        if (closing || (quiet && event.type === 'cached')) return;
        reporter.onEvent(event);
      };
      try {
        reply = await thread.run(request, { logger, onRunEvent });
      } finally {
        tally = reporter.finish();
        unregister();
        await release();
      }
    } catch (error) {
      reply = {
        type: 'failed',
        error: isFolioError(error) ? error : { message: describeError(error) },
      };
    }
    if (closing) return;
    const seconds = (performance.now() - started) / 1000;
    if (reply.type === 'failed') {
      reportFailure(reply.error);
    } else {
      reportBuild(reply.diagnostics, files, seconds, tally);
    }
  }

  function reportFailure(error: BuildError): void {
    logger.info(`build failed: ${error.message}`);
    if (error.hint) logger.info(`  what to do: ${error.hint}`);
    if (options.debug && error.stack) logger.info(error.stack);
    const problem: BuildProblem = {
      location: '',
      message: error.hint ? `${error.message}. What to do: ${error.hint}` : error.message,
      ruleId: error.code ?? 'internal-error',
    };
    publish({ build: status.build, errors: [problem] });
  }

  function reportBuild(
    diagnostics: Diagnostic[],
    files: string[],
    seconds: number,
    tally?: RunTally,
  ): void {
    for (const item of diagnostics) logger.info(formatDiagnostic(item));
    const errors = diagnostics.filter((item) => item.severity === 'error');
    if (errors.length > 0) {
      logger.info(
        `build failed with ${errors.length} error(s); ${displayPath(siteDir)} keeps the ` +
          'previous build, and open pages show the errors',
      );
      publish({ build: status.build, errors: errors.map(toProblem) });
      return;
    }
    builds += 1;
    const reason = files.length === 0 ? '' : ` after a change to ${describeFiles(files)}`;
    logger.info(
      `${builds === 1 ? 'built' : 'rebuilt'} the site in ${seconds.toFixed(1)} s${reason}`,
    );
    if (tally && tally.failed > 0) {
      logger.info(`${tally.failed} experiment(s) failed; the pages show them as failed`);
    }
    publish({ build: `${sessionId}-${builds}`, errors: [] });
  }

  function publish(next: DevStatus): void {
    status = next;
    server.publish(next);
  }

  const watched = [options.contentDir, options.templatesDir, options.experimentsDir];
  const watcher = watchSources(watched, { logger, onChange: requestBuild });
  void watcher.ready.then(() => {
    if (!closing) logger.info(`watching ${watched.map(displayPath).join(', ')} for changes`);
  });
  loop = drainBuilds();

  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  return {
    url: server.url,
    closed,
    async close() {
      if (closing) return closed;
      closing = true;
      await watcher.close();
      await thread.close();
      await server.close();
      markClosed();
    },
  };
}

function toProblem(item: Diagnostic): BuildProblem {
  return {
    location: `${displayPath(item.file)}:${item.line}:${item.column}`,
    message: item.message,
    ruleId: item.ruleId,
  };
}

/** Shows a path relative to the working folder when it lies inside it, as diagnostics do. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === '' ? '.' : relative.startsWith('..') ? file : relative;
}

/** Names the changed files, leaving out those already gone, such as an editor's temporary files. */
function describeFiles(files: string[]): string {
  const existing = files.filter((file) => existsSync(file));
  const listed = existing.length > 0 ? existing : files;
  const first = displayPath(listed[0] ?? '');
  return listed.length === 1 ? first : `${first} and ${listed.length - 1} other file(s)`;
}
