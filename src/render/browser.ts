import { existsSync } from 'node:fs';

import puppeteer, { type Browser } from 'puppeteer-core';

import { FolioError } from '../errors.ts';

export const defaultChromiumPath = '/usr/bin/chromium';

/** Returns the Chromium binary: FOLIO_CHROMIUM, then PUPPETEER_EXECUTABLE_PATH, then Debian's chromium. */
export function resolveChromium(): string {
  return process.env.FOLIO_CHROMIUM ?? process.env.PUPPETEER_EXECUTABLE_PATH ?? defaultChromiumPath;
}

/** Starts headless Chromium without background services, which would try to reach the network. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = resolveChromium();
  if (!existsSync(executablePath)) {
    throw new FolioError('CHROMIUM_NOT_FOUND', `Chromium not found at ${executablePath}`, {
      hint: "run `npm run setup` (it installs Debian's chromium package), or set FOLIO_CHROMIUM to a Chromium binary",
    });
  }
  try {
    return await puppeteer.launch({
      executablePath,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
        '--font-render-hinting=none',
      ],
    });
  } catch (error) {
    // puppeteer's message spans lines, with Chromium's stderr and a link to its troubleshooting page.
    const reason = (error as Error).message
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('TROUBLESHOOTING:'))
      .join(' ');
    throw new FolioError(
      'CHROMIUM_NOT_FOUND',
      `Chromium at ${executablePath} failed to start: ${reason}`,
      {
        hint: 'check that the binary runs (`chromium --version`), or set FOLIO_CHROMIUM to another one',
        cause: error,
      },
    );
  }
}
