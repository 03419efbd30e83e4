import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { contentTypeFor, resolveSitePath } from '../src/dev/site-files.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const cli = path.join(projectRoot, 'bin', 'folio.js');

/** A `folio dev` child process with everything it printed so far. */
interface DevProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the first match of `pattern` in the output after `from` characters. */
  waitForOutput: (pattern: RegExp, timeoutMs: number, from?: number) => Promise<RegExpMatchArray>;
  exitCode: Promise<number | null>;
}

interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let workDir: string;
let contentDir: string;
let outDir: string;
let dev: DevProcess;
let port: number;
let baseUrl: string;
let browser: Browser;
let page: Page;

function startDev(args: string[]): DevProcess {
  const child = spawn(process.execPath, [cli, 'dev', ...args], {
    cwd: projectRoot,
    env: { ...process.env, FOLIO_CACHE_DIR: path.join(workDir, 'cache') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exitCode = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => resolve(code)),
  );

  const waitForOutput = (pattern: RegExp, timeoutMs: number, from = 0) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = output.slice(from).match(pattern);
        if (!match) return;
        listeners.delete(check);
        clearTimeout(timer);
        resolve(match);
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(
          new Error(`no output matching ${pattern} within ${timeoutMs} ms; output:\n${output}`),
        );
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  return { child, output: () => output, waitForOutput, exitCode };
}

/** Sends a GET with the request target exactly as given, which fetch() would normalize. */
function request(target: string, headers: Record<string, string> = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { host: '127.0.0.1', port, path: target, headers },
      (incoming) => {
        let body = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => (body += chunk));
        incoming.on('end', () =>
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

function chapterFile(language: string, chapter: string): string {
  return path.join(contentDir, language, `${chapter}.md`);
}

function headingTexts(target: Page): Promise<string[]> {
  return target.$$eval('h2', (headings) => headings.map((heading) => heading.textContent ?? ''));
}

beforeAll(async () => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'folio-dev-'));
  contentDir = path.join(workDir, 'content');
  outDir = path.join(workDir, 'out');
  cpSync(path.join(projectRoot, 'test', 'fixtures', 'tiny'), contentDir, { recursive: true });

  dev = startDev(['--content', contentDir, '--out', outDir, '--port', '0']);
  const [, url, portText] = await dev.waitForOutput(/at (http:\/\/127\.0\.0\.1:(\d+)\/)/, 20_000);
  baseUrl = url ?? '';
  port = Number(portText);
  // The first build trains the two small experiments of the fixture into the empty cache.
  await dev.waitForOutput(/built the site in/, 45_000);
  await dev.waitForOutput(/watching .* for changes/, 10_000);

  browser = await puppeteer.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  page = await browser.newPage();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  if (dev && dev.child.exitCode === null) dev.child.kill('SIGTERM');
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('resolveSitePath', () => {
  const site = '/srv/out/site';

  it('maps site paths', () => {
    expect(resolveSitePath(site, '/')).toBe(site);
    expect(resolveSitePath(site, '/zh/')).toBe(`${site}/zh`);
    expect(resolveSitePath(site, '/zh/index.html?reload=1#top')).toBe(`${site}/zh/index.html`);
    expect(resolveSitePath(site, '/assets/%E5%9B%BE.svg')).toBe(`${site}/assets/图.svg`);
  });

  it('rejects escapes and hidden files', () => {
    const targets = [
      '/../out/results/x.json',
      '/zh/../../results/x.json',
      '/%2e%2e/results/x.json',
      '/%2E%2e/etc/passwd',
      '/..%2fresults',
      '/assets/..%5cresults',
      '//etc/passwd',
      '/%2fetc%2fpasswd',
      '/zh/./index.html',
      '/.folio-build.lock',
      '/index.html%00.css',
      '/%zz',
      'http://127.0.0.1/zh/index.html',
      '*',
    ];
    for (const target of targets) expect(resolveSitePath(site, target), target).toBeUndefined();
  });
});

describe('folio dev', () => {
  it('loads the page without errors', async () => {
    const consoleErrors: string[] = [];
    const failedRequests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error')
        consoleErrors.push(`${message.text()} ${message.location().url ?? ''}`);
    });
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
    page.on('requestfailed', (failed) =>
      failedRequests.push(`${failed.url()} ${failed.failure()?.errorText}`),
    );
    page.on('response', (response) => {
      if (response.status() >= 400) failedRequests.push(`${response.url()} ${response.status()}`);
    });

    const eventStream = page.waitForResponse((response) =>
      response.url().endsWith('/__folio/events'),
    );
    await page.goto(`${baseUrl}en/index.html`, { waitUntil: 'load' });
    await eventStream;

    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await headingTexts(page)).toContainEqual(expect.stringContaining('Loss functions'));
    expect(consoleErrors).toEqual([]);
    expect(failedRequests).toEqual([]);
  }, 20_000);

  it('shows an edited heading without training', async () => {
    const file = chapterFile('en', 'intro');
    const from = dev.output().length;
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('## Loss functions', '## Loss functions, edited'),
    );

    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('h2')].some((h) =>
          h.textContent?.includes('Loss functions, edited'),
        ),
      { timeout: 5000 },
    );
    await dev.waitForOutput(/rebuilt the site in/, 5000, from);
    expect(dev.output().slice(from)).not.toContain('trained');
  }, 15_000);

  it('follows an atomic save', async () => {
    // Editors that save atomically write a temporary file and rename it over the original.
    const file = chapterFile('en', 'intro');
    const temporary = `${file}.tmp-save`;
    writeFileSync(
      temporary,
      readFileSync(file, 'utf8').replace('Loss functions, edited', 'Loss functions, renamed'),
    );
    renameSync(temporary, file);
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('h2')].some((h) =>
          h.textContent?.includes('Loss functions, renamed'),
        ),
      { timeout: 5000 },
    );

    // A second edit checks that the watcher still follows the file after the rename.
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('Loss functions, renamed', 'Loss functions, again'),
    );
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('h2')].some((h) =>
          h.textContent?.includes('Loss functions, again'),
        ),
      { timeout: 5000 },
    );
  }, 15_000);

  it('reports a content error', async () => {
    const file = chapterFile('en', 'intro');
    const original = readFileSync(file, 'utf8');
    const from = dev.output().length;
    writeFileSync(file, `${original}\nSee @sec-missing.\n`);
    const line = original.split('\n').length + 1;
    const location = `${file}:${line}:5`;

    const overlay = await page.waitForSelector('#folio-dev-overlay', { timeout: 5000 });
    const text = await overlay?.evaluate((node) => node.textContent ?? '');
    expect(text).toContain(location);
    expect(text).toContain('cross-reference to unknown label "sec-missing"');
    expect(text).toContain('xref-unknown');
    await dev.waitForOutput(/build failed with \d+ error/, 5000, from);
    expect(dev.output().slice(from)).toContain(
      `${location}  error  cross-reference to unknown label "sec-missing"  xref-unknown`,
    );
    // The failed build wrote nothing, so the page still shows the last good build.
    expect(await headingTexts(page)).toContainEqual(
      expect.stringContaining('Loss functions, again'),
    );

    writeFileSync(file, original);
    await page.waitForFunction(() => !document.getElementById('folio-dev-overlay'), {
      timeout: 5000,
    });
  }, 15_000);

  it('rejects path traversal with 404', async () => {
    const results = path.join(outDir, 'results', 'tiny-sgd.json');
    const targets = [
      '/../results/tiny-sgd.json',
      '/en/../../results/tiny-sgd.json',
      '/%2e%2e/results/tiny-sgd.json',
      '/%2E%2E/%2E%2E/etc/passwd',
      '/..%2fresults%2ftiny-sgd.json',
      '/assets/..%5c..%5cresults%5ctiny-sgd.json',
      '//etc/passwd',
      '/%2fetc%2fpasswd',
      '/etc/passwd',
      results,
      '/assets/',
      '/assets/katex/fonts/',
      '/%zz',
      '/en/index.html%00.css',
    ];
    expect((await request('/en/index.html')).status).toBe(200);
    for (const target of targets) {
      const response = await request(target);
      expect(response.status, target).toBe(404);
      expect(response.body, target).not.toContain('cacheKey');
      expect(response.body, target).not.toContain('root:');
    }
  }, 15_000);

  it('rejects a foreign Host header', async () => {
    const response = await request('/en/index.html', { Host: 'rebinding.invalid' });
    expect(response.status).toBe(403);
  });

  it('serves files with their content types', async () => {
    const cases: Array<[string, string]> = [
      ['/en/index.html', 'text/html; charset=utf-8'],
      ['/assets/style.css', 'text/css; charset=utf-8'],
      ['/assets/katex/fonts/KaTeX_Main-Regular.woff2', 'font/woff2'],
      ['/__folio/client.js', 'text/javascript; charset=utf-8'],
    ];
    for (const [target, type] of cases) {
      const response = await request(target);
      expect(response.status, target).toBe(200);
      expect(response.headers['content-type'], target).toBe(type);
    }
    expect(contentTypeFor('chart.svg')).toBe('image/svg+xml');
    expect(contentTypeFor('grid.png')).toBe('image/png');
    expect(contentTypeFor('result.json')).toBe('application/json; charset=utf-8');
  });

  it('adds the reload script to responses only', async () => {
    const served = await request('/en/index.html');
    expect(served.body).toContain('<script src="/__folio/client.js"');
    const onDisk = readFileSync(path.join(outDir, 'site', 'en', 'index.html'), 'utf8');
    expect(onDisk).not.toContain('__folio');
  });

  it('redirects a folder without a slash', async () => {
    const response = await request('/en');
    expect(response.status).toBe(301);
    expect(response.headers.location).toBe('/en/');
    expect((await request('/en/')).status).toBe(200);
  });

  it('fails on a port in use', async () => {
    const second = startDev(['--content', contentDir, '--out', outDir, '--port', String(port)]);
    expect(await second.exitCode).toBe(1);
    expect(second.output()).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(second.output()).toContain('choose another port with --port <n>');
  }, 20_000);

  it('stops on SIGINT with exit code 130', async () => {
    dev.child.kill('SIGINT');
    expect(await dev.exitCode).toBe(130);
    await expect(request('/en/index.html')).rejects.toThrow(/ECONNREFUSED/);
  }, 15_000);
});
