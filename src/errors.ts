/**
 * Failures that stop a command. Each has a stable code, a message that names what failed and on
 * which value, and a hint with what to do next. Library code throws them, and only the CLI entry
 * turns them into output and an exit code.
 */
export type FolioErrorCode =
  | 'MANIFEST_NOT_FOUND'
  | 'MANIFEST_INVALID'
  | 'CHAPTER_NOT_FOUND'
  | 'CONTENT_ERRORS'
  | 'DATASET_NOT_FOUND'
  | 'DATASET_INVALID'
  | 'BACKEND_UNAVAILABLE'
  | 'CHROMIUM_NOT_FOUND'
  | 'FONT_MISSING'
  | 'PDF_FAILED'
  | 'EXPERIMENT_FAILED'
  | 'OUTPUT_NOT_WRITABLE'
  | 'CACHE_NOT_WRITABLE'
  | 'NOT_A_FOLIO_FOLDER'
  | 'LOCKED'
  | 'INTERRUPTED'
  | 'USAGE';

export class FolioError extends Error {
  readonly code: FolioErrorCode;
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(
    code: FolioErrorCode,
    message: string,
    options: { hint?: string; cause?: unknown; exitCode?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'FolioError';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? (code === 'INTERRUPTED' ? 130 : 1);
  }
}

export function isFolioError(error: unknown): error is FolioError {
  return error instanceof FolioError;
}

/** Returns the message of any thrown value, for logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
