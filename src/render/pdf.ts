import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { PDFDocument } from 'pdf-lib';
import type { Browser, Page } from 'puppeteer-core';

import { FolioError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { describeCharacters, findMissingGlyphs, reportFonts } from './glyphs.ts';
import { readInternalLinks } from './pdf-inspect.ts';
import { writeOutline, type OutlineItem } from './pdf-outline.ts';

export interface PdfMetadata {
  title: string;
  author: string;
  subject: string;
  keywords: string[];
  /** BCP 47 tag, such as zh-CN or en. */
  language: string;
}

export interface PrintOptions {
  /** The site's HTML page of this language. */
  htmlFile: string;
  metadata: PdfMetadata;
  logger: Logger;
}

/**
 * Prints one language's page to PDF: checks fonts and glyphs, prints once to learn the page of
 * every table-of-contents entry, writes those numbers into the page, prints again, and sets the
 * document metadata. Only files under the site folder and data: URLs load; any other request is
 * blocked and logged.
 */
export async function printPdf(browser: Browser, options: PrintOptions): Promise<Uint8Array> {
  const page = await browser.newPage();
  try {
    const problems = await openOffline(page, options);
    await checkFonts(page, options.metadata.language);
    if (problems.length > 0) {
      throw new FolioError(
        'PDF_FAILED',
        `the ${options.metadata.language} page reported errors:\n${problems.join('\n')}`,
        {
          hint: 'the page must load without errors; run with --log-level debug to see every request',
        },
      );
    }

    const tocEntries = await page.$$eval('.toc a', (links) =>
      links.map((link) => {
        const number = link.querySelector('.toc-number')?.textContent?.trim() ?? '';
        const text = link.querySelector('.toc-text')?.textContent?.trim() ?? '';
        const item = link.closest('li');
        const depth = item?.classList.contains('toc-depth-3')
          ? 2
          : item?.classList.contains('toc-depth-2')
            ? 1
            : 0;
        return { title: number ? `${number} ${text}` : text, depth };
      }),
    );
    let pdf = await printPage(page);
    let targets: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      targets = (await readInternalLinks(pdf))
        .slice(0, tocEntries.length)
        .map((link) => link.target);
      const changed = await page.$$eval(
        '.toc a .toc-page',
        (cells, numbers) => {
          let differs = false;
          cells.forEach((cell, index) => {
            const text = String(numbers[index] ?? '');
            if (cell.textContent !== text) differs = true;
            cell.textContent = text;
          });
          return differs;
        },
        targets,
      );
      if (!changed) break;
      pdf = await printPage(page);
    }

    const outline = tocEntries.map((entry, index) => ({ ...entry, page: targets[index] ?? 0 }));
    return await finishDocument(pdf, options.metadata, outline);
  } finally {
    await page.close();
  }
}

async function openOffline(page: Page, options: PrintOptions): Promise<string[]> {
  const siteRoot = pathToFileURL(path.dirname(path.dirname(options.htmlFile))).href + '/';
  const problems: string[] = [];
  // The report needs no script: its math and charts are rendered at build time.
  await page.setJavaScriptEnabled(false);
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = request.url();
    if (url.startsWith(siteRoot) || url.startsWith('data:')) {
      void request.continue();
    } else {
      options.logger.warn(`blocked a request from the ${options.metadata.language} page: ${url}`);
      void request.abort('blockedbyclient');
    }
  });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${(error as Error).message}`));
  page.on('requestfailed', (request) => {
    const url = request.url();
    if (url.startsWith(siteRoot))
      problems.push(`failed to load ${url}: ${request.failure()?.errorText ?? ''}`);
  });
  await page.goto(pathToFileURL(options.htmlFile).href, { waitUntil: 'load' });
  await page.emulateMediaType('print');
  return problems;
}

/** Fails when a font face failed to load or when the text has characters no report font can draw. */
async function checkFonts(page: Page, language: string): Promise<void> {
  // Evaluated in the page: JavaScript is off for page scripts, but puppeteer's own evaluation runs.
  const { failed, text } = await page.evaluate(async () => {
    await document.fonts.ready;
    // Load every declared face, so that KaTeX fonts the page does not use yet are checked too.
    await Promise.allSettled([...document.fonts].map((face) => face.load()));
    const failedFaces = [...document.fonts]
      .filter((face) => face.status === 'error')
      .map((face) => `${face.family} ${face.weight} ${face.style}`);
    // KaTeX sets math in its own fonts, which were checked above; the rest uses the report fonts.
    const clone = document.body.cloneNode(true) as HTMLElement;
    clone.querySelectorAll('.katex, svg image').forEach((element) => element.remove());
    const chartText = [...document.querySelectorAll('svg text')]
      .map((element) => element.textContent ?? '')
      .join(' ');
    return {
      failed: failedFaces,
      text: `${clone.textContent ?? ''} ${chartText} ${document.title}`,
    };
  });
  if (failed.length > 0) {
    throw new FolioError(
      'FONT_MISSING',
      `font faces failed to load in the ${language} page: ${failed.join(', ')}`,
      {
        hint: 'the KaTeX fonts are copied from node_modules/katex/dist/fonts; run `npm run setup` to reinstall',
      },
    );
  }
  const missing = findMissingGlyphs(text);
  if (missing.length > 0) {
    throw new FolioError(
      'FONT_MISSING',
      `the ${language} report has characters with no glyph in ${reportFonts.map((font) => font.family).join(', ')}: ${describeCharacters(missing)}`,
      { hint: 'replace those characters in the content, or write them as math or an image' },
    );
  }
}

async function printPage(page: Page): Promise<Uint8Array> {
  return page.pdf({
    printBackground: true,
    preferCSSPageSize: true,
    displayHeaderFooter: false,
    outline: false,
    tagged: true,
    timeout: 180_000,
  });
}

/** Sets the document metadata and writes the bookmarks. */
async function finishDocument(
  pdf: Uint8Array,
  metadata: PdfMetadata,
  outline: OutlineItem[],
): Promise<Uint8Array> {
  const document = await PDFDocument.load(pdf, { updateMetadata: false });
  writeOutline(document, outline);
  document.setTitle(metadata.title, { showInWindowTitleBar: true });
  document.setAuthor(metadata.author);
  document.setSubject(metadata.subject);
  document.setKeywords(metadata.keywords);
  document.setLanguage(metadata.language);
  document.setCreator('folio');
  document.setProducer('folio with Chromium (Skia/PDF) and pdf-lib');
  return document.save({ useObjectStreams: false });
}
