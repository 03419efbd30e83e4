import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const tinyFixture = path.join(repoRoot, 'test/fixtures/tiny');

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/folio.js ARGS` from the repository root and returns its output and exit code. */
export async function runFolio(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const { FOLIO_DATA_DIR: _data, FOLIO_CHROMIUM: _chromium, ...inherited } = process.env;
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['bin/folio.js', ...args], {
      cwd: repoRoot,
      env: { ...inherited, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { exitCode: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { exitCode: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** Runs a command-line tool such as pdftotext and returns its standard output. */
export async function runTool(command: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(command, args, { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}
