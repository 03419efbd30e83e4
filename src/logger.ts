export type LogLevel = 'silent' | 'info' | 'verbose' | 'debug';

const levelOrder: Record<LogLevel, number> = { silent: 0, info: 1, verbose: 2, debug: 3 };

/**
 * The only way library code reports progress. The CLI passes one that prints to stderr;
 * tests pass `silentLogger` or one that records lines.
 */
export interface Logger {
  level: LogLevel;
  info(message: string): void;
  warn(message: string): void;
  verbose(message: string): void;
  debug(message: string): void;
}

export function createLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): Logger {
  const enabled = (required: LogLevel) => levelOrder[level] >= levelOrder[required];
  return {
    level,
    info: (message) => enabled('info') && write(message),
    // Warnings print at every level except silent, like info.
    warn: (message) => enabled('info') && write(message),
    verbose: (message) => enabled('verbose') && write(message),
    debug: (message) => enabled('debug') && write(message),
  };
}

export const silentLogger: Logger = createLogger('silent');

/** Creates a logger that keeps its lines in memory, for tests. */
export function createRecordingLogger(level: LogLevel = 'debug'): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(
    createLogger(level, (line) => lines.push(line)),
    { lines },
  );
}
