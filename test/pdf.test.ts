import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readInternalLinks, readOutline } from '../src/render/pdf-inspect.ts';
import { runFolio, runTool, tinyFixture } from './support/cli.ts';

let workDir: string;
let outDir: string;
let cacheDir: string;

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'folio-pdf-'));
  outDir = path.join(workDir, 'out');
  cacheDir = path.join(workDir, 'cache');
  const run = await runFolio(['build', '--content', tinyFixture, '--out', outDir], {
    FOLIO_CACHE_DIR: cacheDir,
  });
  expect(run.stderr).toContain('done in');
  expect(run.exitCode).toBe(0);
});

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const pdfOf = (language: string) => path.join(outDir, `report.${language}.pdf`);

async function pageText(language: string, page: number): Promise<string> {
  return runTool('pdftotext', [
    '-layout',
    '-f',
    String(page),
    '-l',
    String(page),
    pdfOf(language),
    '-',
  ]);
}

async function pageCount(language: string): Promise<number> {
  const info = await runTool('pdfinfo', [pdfOf(language)]);
  return Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
}

/** Reads the table of contents page into entries of title and printed page number. */
async function readContents(language: string): Promise<{ title: string; page: number }[]> {
  const text = await pageText(language, 2);
  return text
    .split('\n')
    .map((line) => /^\s*(?:\d+(?:\.\d+)*\s+)?(.+?)\s{2,}(\d+)\s*$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ title: match[1]!.trim(), page: Number(match[2]) }));
}

describe.each(['zh', 'en'])('PDF in %s', (language) => {
  const chapterTitle = language === 'zh' ? '实验结果' : 'Results';
  const footer = (page: number, total: number) =>
    language === 'zh' ? `第 ${page} 页，共 ${total} 页` : `Page ${page} of ${total}`;

  it('cover has no running header or footer', async () => {
    const cover = await pageText(language, 1);
    expect(cover).toContain(language === 'zh' ? '小型测试报告' : 'A Tiny Test Report');
    expect(cover).not.toMatch(language === 'zh' ? /第 \d+ 页/ : /Page \d+ of/);
  });

  it('later pages show page n of N', async () => {
    const total = await pageCount(language);
    expect(await pageText(language, 2)).toContain(footer(2, total));
    expect(await pageText(language, total)).toContain(footer(total, total));
  });

  it('running header names the chapter', async () => {
    const contents = await readContents(language);
    const entry = contents.find((item) => item.title === chapterTitle);
    expect(entry).toBeDefined();
    const text = await pageText(language, entry!.page);
    const header = text.split('\n').find((line) => line.trim() !== '') ?? '';
    expect(header).toContain(chapterTitle);
    expect(header).toContain(language === 'zh' ? '小型测试报告' : 'A Tiny Test Report');
  });

  it('contents page numbers match headings', async () => {
    const contents = await readContents(language);
    expect(contents.length).toBeGreaterThanOrEqual(5);
    for (const entry of contents) {
      const text = (await pageText(language, entry.page)).replace(/\s+/g, ' ');
      expect(text, `"${entry.title}" on page ${entry.page}`).toContain(entry.title);
    }
  });

  it('contents links target the printed pages', async () => {
    const contents = await readContents(language);
    const links = await readInternalLinks(new Uint8Array(readFileSync(pdfOf(language))));
    expect(links.slice(0, contents.length).map((link) => link.target)).toEqual(
      contents.map((entry) => entry.page),
    );
  });

  it('chapters start on a new page', async () => {
    const contents = await readContents(language);
    const chapters = contents.filter(
      (entry) =>
        entry.title === chapterTitle ||
        entry.title === (language === 'zh' ? '引言' : 'Introduction'),
    );
    for (const chapter of chapters) {
      const text = await pageText(language, chapter.page);
      const body = text.split('\n').filter((line) => line.trim() !== '');
      // The first line is the running header; the chapter title comes right after it.
      expect(body[1]).toContain(chapter.title);
    }
  });

  it('outline nests sections under chapters', async () => {
    const outline = await readOutline(new Uint8Array(readFileSync(pdfOf(language))));
    const chapter = outline.find((entry) => entry.title.includes(chapterTitle));
    expect(chapter).toBeDefined();
    const section = outline.find(
      (entry) => entry.title === (language === 'zh' ? '2.1 训练' : '2.1 Training'),
    );
    expect(section).toBeDefined();
    expect(section!.depth).toBe(chapter!.depth + 1);
    expect(section!.page).toBe(chapter!.page);
    const contents = await readContents(language);
    expect(chapter!.page).toBe(contents.find((entry) => entry.title === chapterTitle)!.page);
    for (const entry of outline) {
      // Each bookmark is one clean title: no doubled text and no words run together.
      const half = entry.title.slice(0, entry.title.length / 2);
      expect(entry.title, entry.title).not.toBe(half + half);
    }
    expect(outline.map((entry) => entry.title)).toContain(
      language === 'zh' ? '1 引言' : '1 Introduction',
    );
  });

  it('caption shares a page with its chart', async () => {
    const total = await pageCount(language);
    const caption = language === 'zh' ? '每轮损失。' : 'Loss per epoch.';
    const axisTitle = language === 'zh' ? '轮次' : 'Epoch';
    let found = false;
    for (let page = 1; page <= total; page++) {
      const text = await pageText(language, page);
      if (!text.includes(caption)) continue;
      found = true;
      expect(text).toContain(axisTitle);
    }
    expect(found).toBe(true);
  });

  it('embeds every font and sets metadata', async () => {
    const fonts = await runTool('pdffonts', [pdfOf(language)]);
    const rows = fonts
      .split('\n')
      .slice(2)
      .filter((line) => line.trim() !== '');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows)
      expect(row, row).toMatch(/\byes\s+(?:yes|no)\s+(?:yes|no)\s+\d+\s+\d+\s*$/);

    const info = await runTool('pdfinfo', [pdfOf(language)]);
    expect(info).toMatch(
      new RegExp(`^Title:\\s+${language === 'zh' ? '小型测试报告' : 'A Tiny Test Report'}$`, 'm'),
    );
    expect(info).toMatch(new RegExp(`^Author:\\s+${language === 'zh' ? '测试' : 'Tester'}$`, 'm'));
    expect(info).toMatch(/^Tagged:\s+yes$/m);
    const catalog = await runTool('pdfinfo', ['-meta', pdfOf(language)]).catch(() => '');
    expect(typeof catalog).toBe('string');
  });
});

describe('missing glyphs', () => {
  it('fail the build and name the character', async () => {
    const content = path.join(workDir, 'glyph-content');
    cpSync(tinyFixture, content, { recursive: true });
    const chapter = path.join(content, 'en', 'intro.md');
    writeFileSync(chapter, readFileSync(chapter, 'utf8') + '\nA face: \u{1F642}\n');
    const glyphOut = path.join(workDir, 'glyph-out');
    const run = await runFolio(['build', '--content', content, '--out', glyphOut], {
      FOLIO_CACHE_DIR: cacheDir,
    });
    expect(run.exitCode).toBe(1);
    // Line 29 column 9 is where the face follows "A face: ", after the fixture's 27 lines and a blank one.
    expect(run.stderr).toContain(
      `${chapter}:29:9  error  character "\u{1F642}" (U+1F642) has no glyph in Noto Serif CJK SC`,
    );
    expect(run.stderr).toContain('replace it, or write it as math or an image  glyph-missing');
  });
});
