import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

import lockfile from 'proper-lockfile';

import { FolioError } from './errors.ts';
import type { Logger } from './logger.ts';

/**
 * Takes the build lock of an output folder, waiting while another build holds it, so that two
 * builds started at once write their outputs one after the other. A lock left by a killed
 * process goes stale after 30 s and is taken over. Returns the function that releases it.
 */
export async function acquireBuildLock(
  outDir: string,
  logger: Logger,
  waitSeconds = 1800,
): Promise<() => Promise<void>> {
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) {
    throw new FolioError(
      'OUTPUT_NOT_WRITABLE',
      `cannot use ${outDir} as the output folder: it is a file`,
      {
        hint: 'choose a folder with --out',
      },
    );
  }
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (error) {
    throw new FolioError(
      'OUTPUT_NOT_WRITABLE',
      `cannot create the output folder ${outDir}: ${(error as Error).message}`,
      {
        hint: 'choose a writable folder with --out, or fix the permissions',
      },
    );
  }
  const options = {
    lockfilePath: path.join(outDir, '.folio-build.lock'),
    stale: 30_000,
    update: 10_000,
  };
  try {
    return await lockfile.lock(outDir, { ...options, retries: 0 });
  } catch (error) {
    if ((error as { code?: string }).code !== 'ELOCKED') throw lockError(outDir, error);
  }
  logger.info(`waiting for another build that is writing ${outDir}`);
  try {
    return await lockfile.lock(outDir, {
      ...options,
      retries: { retries: waitSeconds, minTimeout: 1000, maxTimeout: 1000, factor: 1 },
    });
  } catch (error) {
    throw lockError(outDir, error);
  }
}

function lockError(outDir: string, error: unknown): FolioError {
  const code = (error as { code?: string }).code;
  if (code === 'ELOCKED') {
    return new FolioError('LOCKED', `another build is still writing ${outDir}`, {
      hint: 'wait for it to finish, or use another --out folder',
    });
  }
  return new FolioError(
    'OUTPUT_NOT_WRITABLE',
    `cannot lock the output folder ${outDir}: ${(error as Error).message}`,
    {
      hint: 'choose a writable folder with --out, or fix the permissions',
    },
  );
}
