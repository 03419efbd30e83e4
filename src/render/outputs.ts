import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

import type { Language } from '../config/manifest.ts';
import type { Logger } from '../logger.ts';
import { onInterrupt, throwIfInterrupted } from '../shutdown.ts';
import { launchBrowser } from './browser.ts';
import { printPdf, type PdfMetadata } from './pdf.ts';
import { discardStaging, publishSite, stageSite } from './site.ts';

export interface WriteOutputsOptions {
  outDir: string;
  templatesDir: string;
  pages: Map<Language, string>;
  images: Map<string, string>;
  metadata: Map<Language, PdfMetadata>;
  pdf: boolean;
  logger: Logger;
}

/** Hashes of what each PDF was printed from, so an unchanged page is not printed again. */
interface PrintState {
  [language: string]: string;
}

const printStateFile = (outDir: string) => path.join(outDir, '.folio-print-state.json');

/**
 * Writes the site and the PDFs as one step: the site is staged, the PDFs are printed from the
 * staged pages into temporary files, and only when every PDF printed are the new files renamed
 * into place. A failure anywhere leaves the previous site and PDFs as they were. A PDF whose page,
 * styles and metadata are unchanged since it was printed is kept instead of printed again.
 * Returns the files written.
 */
export async function writeOutputs(options: WriteOutputsOptions): Promise<string[]> {
  const siteDir = path.join(options.outDir, 'site');
  throwIfInterrupted();
  removeLeftovers(options.outDir);
  const staged = stageSite(siteDir, options.templatesDir, options.pages, options.images);
  const temporaries: { temporary: string; final: string }[] = [];
  const written: string[] = [];
  try {
    const state = readPrintState(options.outDir);
    const nextState: PrintState = { ...state };
    if (options.pdf) {
      const styles = readFileSync(path.join(staged.folder, 'assets', 'style.css'));
      const toPrint = [...options.pages.keys()].filter((language) => {
        const pdfFile = path.join(options.outDir, `report.${language}.pdf`);
        nextState[language] = hashPrintInputs(
          options.pages.get(language) ?? '',
          styles,
          options.metadata.get(language),
        );
        const unchanged = state[language] === nextState[language] && existsSync(pdfFile);
        if (unchanged)
          options.logger.info(
            `kept ${path.relative(process.cwd(), pdfFile)}: its page has not changed`,
          );
        return !unchanged;
      });
      if (toPrint.length > 0) {
        const browser = await launchBrowser();
        const unregister = onInterrupt(() => browser.close());
        try {
          for (const language of toPrint) {
            const final = path.join(options.outDir, `report.${language}.pdf`);
            options.logger.verbose(`printing ${final}`);
            const bytes = await printPdf(browser, {
              htmlFile: path.join(staged.folder, language, 'index.html'),
              metadata: options.metadata.get(language)!,
              logger: options.logger,
            });
            const temporary = `${final}.${process.pid}.tmp`;
            mkdirSync(options.outDir, { recursive: true });
            writeFileSync(temporary, bytes);
            temporaries.push({ temporary, final });
          }
        } finally {
          unregister();
          await browser.close();
        }
      }
    }

    throwIfInterrupted();
    publishSite(staged, siteDir);
    for (const language of options.pages.keys())
      written.push(path.join(siteDir, language, 'index.html'));
    for (const { temporary, final } of temporaries) {
      renameSync(temporary, final);
      written.push(final);
    }
    if (options.pdf)
      writeFileSync(printStateFile(options.outDir), JSON.stringify(nextState, null, 2) + '\n');
    return written;
  } finally {
    discardStaging(staged);
    for (const { temporary } of temporaries) rmSync(temporary, { force: true });
  }
}

/**
 * Removes staging folders and temporary PDFs that a killed build left behind. The caller holds
 * the build lock, so no other build is using them.
 */
function removeLeftovers(outDir: string): void {
  if (!existsSync(outDir)) return;
  for (const name of readdirSync(outDir)) {
    if (/^site\.(?:new|old)-\d+$/.test(name) || /^report\.\w+\.pdf\.\d+\.tmp$/.test(name)) {
      rmSync(path.join(outDir, name), { recursive: true, force: true });
    }
  }
}

function readPrintState(outDir: string): PrintState {
  try {
    const parsed: unknown = JSON.parse(readFileSync(printStateFile(outDir), 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as PrintState) : {};
  } catch {
    // No state, or an unreadable one: every PDF is printed.
    return {};
  }
}

function hashPrintInputs(html: string, styles: Buffer, metadata: PdfMetadata | undefined): string {
  const hash = createHash('sha256');
  hash
    .update(html)
    .update(styles)
    .update(JSON.stringify(metadata ?? {}));
  // The printing code itself shapes the PDF, so a change to it prints again.
  for (const file of ['pdf.ts', 'browser.ts', 'glyphs.ts']) {
    hash.update(readFileSync(new URL(`./${file}`, import.meta.url)));
  }
  return hash.digest('hex');
}
