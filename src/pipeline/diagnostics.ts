import path from 'node:path';

export type Severity = 'error' | 'warning';

/** A problem in the content, located in its source file. Lines and columns are 1-based. */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  severity: Severity;
  message: string;
  ruleId: string;
}

export interface Position {
  line: number;
  column: number;
}

/** Collects content problems during a build or check, in the order they were found. */
export class Diagnostics {
  readonly items: Diagnostic[] = [];

  add(
    file: string,
    position: Position | undefined,
    severity: Severity,
    message: string,
    ruleId: string,
  ): void {
    const line = position?.line ?? 1;
    const column = position?.column ?? 1;
    const duplicate = this.items.some(
      (item) =>
        item.file === file &&
        item.line === line &&
        item.column === column &&
        item.message === message,
    );
    if (!duplicate) this.items.push({ file, line, column, severity, message, ruleId });
  }

  error(file: string, position: Position | undefined, message: string, ruleId: string): void {
    this.add(file, position, 'error', message, ruleId);
  }

  warn(file: string, position: Position | undefined, message: string, ruleId: string): void {
    this.add(file, position, 'warning', message, ruleId);
  }

  get errorCount(): number {
    return this.items.filter((item) => item.severity === 'error').length;
  }

  get warningCount(): number {
    return this.items.filter((item) => item.severity === 'warning').length;
  }
}

/** Formats one diagnostic as `path:line:column  severity  message  rule-id`. */
export function formatDiagnostic(item: Diagnostic, cwd = process.cwd()): string {
  const relative = path.relative(cwd, item.file);
  const shown = relative.startsWith('..') ? item.file : relative;
  return `${shown}:${item.line}:${item.column}  ${item.severity}  ${item.message}  ${item.ruleId}`;
}
