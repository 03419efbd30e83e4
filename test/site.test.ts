import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runFolio, tinyFixture } from './support/cli.ts';

let workDir: string;
let outDir: string;
let browser: Browser;

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'folio-site-'));
  outDir = path.join(workDir, 'out');
  const run = await runFolio(
    ['build', '--content', tinyFixture, '--out', outDir, '--format', 'html'],
    {
      FOLIO_CACHE_DIR: path.join(workDir, 'cache'),
    },
  );
  expect(run.exitCode).toBe(0);
  browser = await puppeteer.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  rmSync(workDir, { recursive: true, force: true });
});

/** Opens a page of the site and records console errors, page errors and requests that failed or left the site. */
async function openPage(url: string, width: number, height: number) {
  const page = await browser.newPage();
  await page.setViewport({ width, height });
  const problems: string[] = [];
  const siteRoot = pathToFileURL(path.join(outDir, 'site')).href;
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${(error as Error).message}`));
  page.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`));
  page.on('request', (request) => {
    if (!request.url().startsWith(siteRoot) && !request.url().startsWith('data:'))
      problems.push(`left the site: ${request.url()}`);
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems };
}

/** Headings of level 1 and 2 whose top is inside the viewport. */
async function visibleHeadings(page: Page): Promise<string[]> {
  return page.$$eval('main h1, main h2', (headings) =>
    headings
      .filter((heading) => {
        const box = heading.getBoundingClientRect();
        return box.height > 0 && box.top >= 0 && box.top < window.innerHeight;
      })
      .map((heading) => (heading.textContent ?? '').trim()),
  );
}

const siteUrl = (language: string, hash = '') =>
  pathToFileURL(path.join(outDir, 'site', language, 'index.html')).href + hash;

describe.each([
  { name: 'desktop', width: 1400, height: 900 },
  { name: 'phone', width: 390, height: 844 },
])('site on $name', ({ name, width, height }) => {
  it.each(['zh', 'en'])('%s loads cleanly with its headings', async (language) => {
    const { page, problems } = await openPage(siteUrl(language, '#chapter-results'), width, height);
    const screenshot = path.join(workDir, `${name}-${language}.png`);
    await page.screenshot({ path: screenshot });
    expect(problems).toEqual([]);
    expect(statSync(screenshot).size).toBeGreaterThan(5000);
    expect(await visibleHeadings(page)).toContain(
      language === 'zh' ? '第 2 章 实验结果' : 'Chapter 2 Results',
    );
    const katexLoaded = await page.$eval(
      '.katex',
      (element) => getComputedStyle(element).fontFamily,
    );
    expect(katexLoaded).toContain('KaTeX_Main');
    await page.close();
  });
});

describe('language switcher', () => {
  it('keeps the chapter in view', async () => {
    const { page, problems } = await openPage(siteUrl('zh', '#chapter-results'), 1200, 800);
    await Promise.all([page.waitForNavigation(), page.click('a.language-link')]);
    expect(page.url()).toBe(siteUrl('en', '#chapter-results'));
    expect(await visibleHeadings(page)).toContain('Chapter 2 Results');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('table of contents links to sections', async () => {
    const { page } = await openPage(siteUrl('en'), 1400, 900);
    const targets = await page.$$eval('.toc a', (links) =>
      links.map((link) => link.getAttribute('href') ?? ''),
    );
    expect(targets.length).toBeGreaterThan(4);
    for (const target of targets) expect(await page.$(target), target).not.toBeNull();
    await page.close();
  });

  it('site has no script but the switcher', () => {
    const html = readFileSync(path.join(outDir, 'site', 'en', 'index.html'), 'utf8');
    expect(html.match(/<script/g)?.length).toBe(1);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)[^"'\s]*\.(?:js|css)/);
  });
});

describe('partial language build', () => {
  it('keeps the other language pages', async () => {
    const zhPage = path.join(outDir, 'site', 'zh', 'index.html');
    const before = readFileSync(zhPage, 'utf8');
    const run = await runFolio(
      ['build', '--content', tinyFixture, '--out', outDir, '--format', 'html', '--lang', 'en'],
      { FOLIO_CACHE_DIR: path.join(workDir, 'cache') },
    );
    expect(run.exitCode).toBe(0);
    expect(readFileSync(zhPage, 'utf8')).toBe(before);
    expect(statSync(path.join(outDir, 'site', 'en', 'index.html')).size).toBeGreaterThan(0);
  });
});
