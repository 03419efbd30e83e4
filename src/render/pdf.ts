import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import puppeteer, { type Browser } from 'puppeteer-core';

import { FolioError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { escapeHtml } from '../pipeline/html-node.ts';

export const defaultChromiumPath = '/usr/bin/chromium';

/** The Chromium binary: FOLIO_CHROMIUM, then PUPPETEER_EXECUTABLE_PATH, then Debian's chromium. */
export function resolveChromium(): string {
  return process.env.FOLIO_CHROMIUM ?? process.env.PUPPETEER_EXECUTABLE_PATH ?? defaultChromiumPath;
}

/** Starts headless Chromium with no network access beyond this machine and no background services. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = resolveChromium();
  if (!existsSync(executablePath)) {
    throw new FolioError('CHROMIUM_NOT_FOUND', `Chromium not found at ${executablePath}`, {
      hint: 'run `npm run setup` (it installs Debian\'s chromium package), or set FOLIO_CHROMIUM to a Chromium binary',
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
    throw new FolioError('CHROMIUM_NOT_FOUND', `Chromium at ${executablePath} failed to start: ${(error as Error).message}`, {
      hint: 'check that the binary runs (`chromium --version`), or set FOLIO_CHROMIUM to another one',
      cause: error,
    });
  }
}

export interface PrintOptions {
  /** The site's HTML page of this language. */
  htmlFile: string;
  pdfFile: string;
  title: string;
  language: string;
  logger: Logger;
}

/**
 * Prints one language's page to PDF. Only files under the site folder and data: URLs load; any
 * other request is blocked and reported. Fails when a font face fails to load.
 */
export async function printPdf(browser: Browser, options: PrintOptions): Promise<void> {
  const siteRoot = pathToFileURL(path.dirname(path.dirname(options.htmlFile))).href;
  const page = await browser.newPage();
  const problems: string[] = [];
  try {
    await page.setJavaScriptEnabled(true);
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      const url = request.url();
      if (url.startsWith(siteRoot + '/') || url.startsWith('data:')) {
        void request.continue();
      } else {
        options.logger.warn(`blocked a request from the ${options.language} page: ${url}`);
        void request.abort('blockedbyclient');
      }
    });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${(error as Error).message}`));
    page.on('requestfailed', (request) => {
      const url = request.url();
      if (url.startsWith(siteRoot)) problems.push(`failed to load ${url}: ${request.failure()?.errorText ?? ''}`);
    });

    await page.goto(pathToFileURL(options.htmlFile).href, { waitUntil: 'load' });
    await page.emulateMediaType('print');
    const failedFonts = await page.evaluate(async () => {
      await document.fonts.ready;
      // Load every declared face, so that KaTeX fonts the page does not use yet are checked too.
      await Promise.allSettled([...document.fonts].map((face) => face.load()));
      return [...document.fonts].filter((face) => face.status === 'error').map((face) => `${face.family} ${face.weight} ${face.style}`);
    });
    if (failedFonts.length > 0) {
      throw new FolioError('FONT_MISSING', `font faces failed to load in the ${options.language} page: ${failedFonts.join(', ')}`, {
        hint: 'the KaTeX fonts are copied from node_modules/katex/dist/fonts; run `npm run setup` to reinstall',
      });
    }
    if (problems.length > 0) {
      throw new FolioError('PDF_FAILED', `the ${options.language} page reported errors:\n${problems.join('\n')}`);
    }

    const headerStyle = `font-family: 'Noto Sans CJK SC', sans-serif; font-size: 8pt; color: #5f6368; width: 100%; padding: 0 18mm;`;
    const pdf = await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: `<div style="${headerStyle} text-align: right;">${escapeHtml(options.title)}</div>`,
      footerTemplate: `<div style="${headerStyle} text-align: center;"><span class="pageNumber"></span> / <span class="totalPages"></span></div>`,
      preferCSSPageSize: true,
      outline: true,
      tagged: true,
      timeout: 120_000,
    });
    mkdirSync(path.dirname(options.pdfFile), { recursive: true });
    const temporary = `${options.pdfFile}.${process.pid}.tmp`;
    writeFileSync(temporary, pdf);
    renameSync(temporary, options.pdfFile);
  } finally {
    await page.close();
  }
}
