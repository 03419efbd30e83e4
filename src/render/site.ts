import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import Handlebars from 'handlebars';

import { languageSchema, localize, type Language, type Manifest } from '../config/manifest.ts';
import type { RenderedChapter } from '../pipeline/render-chapter.ts';
import { onInterrupt } from '../shutdown.ts';
import { stringsFor } from './i18n.ts';

const require = createRequire(import.meta.url);

/** Escapes text for a double-quoted CSS string inside a <style> element. */
function cssString(value: unknown): string {
  return String(value ?? '')
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/[\n\r]+/g, ' ')
    .replace(/</g, '\\3C ');
}

const handlebars = Handlebars.create();
handlebars.registerHelper('css', cssString);

const pageCounters = {
  zh: '"第 " counter(page) " 页，共 " counter(pages) " 页"',
  en: '"Page " counter(page) " of " counter(pages)',
} satisfies Record<Language, string>;

export interface LanguagePage {
  language: Language;
  chapters: RenderedChapter[];
  references: string;
  provenance: string;
}

/** Fills the report template for one language and returns the HTML document. */
export function renderPage(templatesDir: string, manifest: Manifest, page: LanguagePage): string {
  const template = handlebars.compile(readFileSync(path.join(templatesDir, 'report.hbs'), 'utf8'), {
    strict: false,
  });
  const text = stringsFor(page.language);
  return template({
    language: page.language,
    htmlLang: page.language === 'zh' ? 'zh-CN' : 'en',
    assets: '../assets',
    title: localize(manifest.title, page.language),
    subtitle: localize(manifest.subtitle, page.language),
    authors: manifest.authors
      .map((author) => localize(author, page.language))
      .join(page.language === 'zh' ? '、' : ', '),
    keywords: manifest.keywords.map((keyword) => localize(keyword, page.language)).join(', '),
    date: manifest.date,
    text,
    otherLanguages: manifest.languages
      .filter((language) => language !== page.language)
      .map((language) => ({ code: language, name: stringsFor(language).languageName })),
    chapters: page.chapters.map((rendered, index) => ({
      id:
        (rendered.chapter.tree.data as { chapterId?: string } | undefined)?.chapterId ??
        rendered.chapter.name,
      number: String(index + 1),
      label: text.chapter(index + 1),
      title: rendered.chapter.frontMatter.title,
      html: rendered.html,
      sections: rendered.headings.filter((heading) => heading.depth <= 3),
    })),
    references: page.references,
    provenance: page.provenance,
    pageCounter: pageCounters[page.language],
    runningHeaders: [
      ...page.chapters.map((rendered, index) => ({
        page: `chapter-${index + 1}`,
        text: `${text.chapter(index + 1)} ${rendered.chapter.frontMatter.title}`,
      })),
      { page: 'references', text: text.references },
      { page: 'provenance', text: text.provenance },
    ],
  });
}

/**
 * Writes the site into `siteDir` as a whole: pages and assets go to a fresh folder first, which
 * then replaces the old one, so an interrupted build leaves the previous site in place.
 */
export function writeSite(
  siteDir: string,
  templatesDir: string,
  pages: Map<Language, string>,
  images: Map<string, string> = new Map(),
): void {
  const staging = stageSite(siteDir, templatesDir, pages, images);
  try {
    publishSite(staging, siteDir);
  } finally {
    discardStaging(staging);
  }
}

/** A site written to a temporary folder beside its final place, not yet visible there. */
export interface StagedSite {
  folder: string;
  unregister: () => void;
}

/**
 * Writes the pages and assets to a fresh folder beside `siteDir`. The caller prints from it and
 * then publishes it with `publishSite`, or drops it with `discardStaging`.
 */
export function stageSite(
  siteDir: string,
  templatesDir: string,
  pages: Map<Language, string>,
  images: Map<string, string> = new Map(),
): StagedSite {
  const staging = `${siteDir}.new-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const unregister = onInterrupt(() => rmSync(staging, { recursive: true, force: true }));
  mkdirSync(path.join(staging, 'assets'), { recursive: true });

  for (const [language, html] of pages) {
    mkdirSync(path.join(staging, language), { recursive: true });
    writeFileSync(path.join(staging, language, 'index.html'), html);
  }
  // A build of some languages (--lang) keeps the pages of the others, so their links still work.
  for (const language of languageSchema.options) {
    const previous = path.join(siteDir, language);
    if (!pages.has(language) && existsSync(previous)) {
      cpSync(previous, path.join(staging, language), { recursive: true });
    }
  }
  const previousImages = path.join(siteDir, 'assets', 'images');
  if (existsSync(previousImages)) {
    cpSync(previousImages, path.join(staging, 'assets', 'images'), { recursive: true });
  }
  const first = [...pages.keys()][0];
  if (first) {
    writeFileSync(
      path.join(staging, 'index.html'),
      `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0; url=${first}/index.html"><title>folio</title><a href="${first}/index.html">${first}</a>\n`,
    );
  }
  cpSync(path.join(templatesDir, 'style.css'), path.join(staging, 'assets', 'style.css'));
  const katexDist = path.dirname(require.resolve('katex/dist/katex.min.css'));
  mkdirSync(path.join(staging, 'assets', 'katex'), { recursive: true });
  cpSync(
    path.join(katexDist, 'katex.min.css'),
    path.join(staging, 'assets', 'katex', 'katex.min.css'),
  );
  cpSync(path.join(katexDist, 'fonts'), path.join(staging, 'assets', 'katex', 'fonts'), {
    recursive: true,
  });

  if (images.size > 0) mkdirSync(path.join(staging, 'assets', 'images'), { recursive: true });
  for (const [source, name] of images) cpSync(source, path.join(staging, 'assets', 'images', name));

  return { folder: staging, unregister };
}

/** Replaces the site with a staged one through renames, so the old site stays whole until then. */
export function publishSite(staged: StagedSite, siteDir: string): void {
  const previous = `${siteDir}.old-${process.pid}`;
  if (existsSync(siteDir)) renameSync(siteDir, previous);
  renameSync(staged.folder, siteDir);
  rmSync(previous, { recursive: true, force: true });
}

export function discardStaging(staged: StagedSite): void {
  rmSync(staged.folder, { recursive: true, force: true });
  staged.unregister();
}
