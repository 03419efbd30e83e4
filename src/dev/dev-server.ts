import { readFile, realpath, stat } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import path from 'node:path';

import { FolioError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import {
  clientScriptPath,
  eventsPath,
  injectReloadScript,
  reloadClientSource,
  type DevStatus,
} from './reload-client.ts';
import { contentTypeFor, isInside, resolveSitePath } from './site-files.ts';

export interface DevServerOptions {
  /** Folder served at `/`, usually `out/site`. It may not exist until the first build. */
  siteDir: string;
  host: string;
  /** Port to listen on, or 0 for any free port. */
  port: number;
  logger: Logger;
}

export interface DevServer {
  /** Base URL, such as `http://127.0.0.1:4321/`. */
  url: string;
  /** Stores the status and sends it to every open page. */
  publish(status: DevStatus): void;
  close(): Promise<void>;
}

const loopbackHosts = new Set(['localhost', '127.0.0.1', '::1']);

/** Tells whether listening on `host` keeps the server reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  return loopbackHosts.has(host);
}

/**
 * Starts the HTTP server of `folio dev`. It serves the files of `siteDir` with the reload
 * script added to HTML responses, the script itself, and the event stream of build statuses.
 * Throws FolioError when the port is in use or the address cannot be bound.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  let status: DevStatus = { build: '', errors: [] };
  const clients = new Set<ServerResponse>();
  // Host names that a loopback-only server responds to. Any name is accepted elsewhere.
  const allowedHosts = isLoopbackHost(options.host) ? loopbackHosts : undefined;

  const server = http.createServer((request, response) => {
    handleRequest(request, response).catch((error: unknown) => {
      options.logger.warn(`dev server: ${request.method} ${request.url} failed: ${String(error)}`);
      if (!response.headersSent) sendText(response, 500, 'internal error; see the terminal');
      else response.destroy();
    });
  });

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const target = request.url ?? '/';
    if (allowedHosts && !allowedHosts.has(hostName(request.headers.host))) {
      // Guards against DNS rebinding: a page on another site can point its own domain name at
      // 127.0.0.1, but its requests then carry that name as Host.
      const host = request.headers.host ?? '';
      sendText(response, 403, `host "${host}" is not allowed; open the site at 127.0.0.1`);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      sendText(response, 405, `method ${request.method} is not allowed`);
      return;
    }
    const pathname = target.split(/[?#]/, 1)[0];
    if (pathname === eventsPath) {
      openEventStream(response);
      return;
    }
    if (pathname === clientScriptPath) {
      send(response, request, 200, 'text/javascript; charset=utf-8', reloadClientSource);
      return;
    }
    await serveSiteFile(request, response, target);
  }

  async function serveSiteFile(
    request: IncomingMessage,
    response: ServerResponse,
    target: string,
  ): Promise<void> {
    let file = resolveSitePath(options.siteDir, target);
    let info = file ? await stat(file).catch(() => undefined) : undefined;
    if (file && info?.isDirectory()) {
      const pathname = target.split(/[?#]/, 1)[0] ?? '/';
      if (!pathname.endsWith('/')) {
        // Relative links such as ../assets resolve from the folder, so it needs the slash.
        response.writeHead(301, { Location: `${pathname}/`, 'Cache-Control': 'no-store' });
        response.end();
        return;
      }
      // A folder is served by its index.html, never as a listing.
      file = path.join(file, 'index.html');
      info = await stat(file).catch(() => undefined);
    }
    // The build replaces the site folder with two renames, so a file found by stat may be gone
    // a moment later. That request gets a 404, and the page reloads after the build anyway.
    const body = file && info?.isFile() ? await readSiteFile(file) : undefined;
    if (!file || !body) {
      if (target === '/favicon.ico') {
        // Browsers request it for every page, and the report has none. A 404 would log a
        // console error on every page.
        response.writeHead(204, { 'Cache-Control': 'no-store' });
        response.end();
        return;
      }
      sendNotFound(request, response);
      return;
    }
    const type = contentTypeFor(file);
    if (type.startsWith('text/html')) {
      send(response, request, 200, type, injectReloadScript(body.toString('utf8'), status.build));
    } else {
      send(response, request, 200, type, body);
    }
  }

  /**
   * Reads a file of the site. Returns undefined when it no longer exists or is reached through a
   * symbolic link that points outside the site.
   */
  async function readSiteFile(file: string): Promise<Buffer | undefined> {
    try {
      const [realSite, realFile] = await Promise.all([realpath(options.siteDir), realpath(file)]);
      if (!isInside(realSite, realFile)) return undefined;
      return await readFile(realFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  function sendNotFound(request: IncomingMessage, response: ServerResponse): void {
    // An HTML page, with the reload script, so that a page opened before the first build
    // succeeded shows its errors and reloads once the site exists.
    const page =
      '<!doctype html><meta charset="utf-8"><title>Not found</title>' +
      '<body><p>Not found. folio dev serves only the files of the built site.</p></body>';
    send(
      response,
      request,
      404,
      'text/html; charset=utf-8',
      injectReloadScript(page, status.build),
    );
  }

  function openEventStream(response: ServerResponse): void {
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    // Browsers reconnect after this many milliseconds when the server restarts.
    response.write('retry: 1000\n\n');
    response.write(statusEvent(status));
    clients.add(response);
    response.on('close', () => clients.delete(response));
  }

  await listen(server, options.host, options.port);
  const address = server.address() as AddressInfo;
  const shownHost = isIP(options.host) === 6 ? `[${options.host}]` : options.host;

  return {
    url: `http://${shownHost}:${address.port}/`,
    publish(next) {
      status = next;
      const event = statusEvent(next);
      for (const client of clients) client.write(event);
    },
    async close() {
      for (const client of clients) client.end();
      clients.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function statusEvent(status: DevStatus): string {
  return `event: status\ndata: ${JSON.stringify(status)}\n\n`;
}

function send(
  response: ServerResponse,
  request: IncomingMessage,
  statusCode: number,
  contentType: string,
  body: string | Buffer,
): void {
  response.writeHead(statusCode, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

function sendText(response: ServerResponse, statusCode: number, text: string): void {
  response.writeHead(statusCode, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(text);
}

/** Returns the host name of a Host header without its port, such as `::1` for `[::1]:4321`. */
function hostName(header: string | undefined): string {
  if (!header) return '';
  if (header.startsWith('[')) return header.slice(1, header.indexOf(']'));
  return header.replace(/:\d+$/, '').toLowerCase();
}

function listen(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(error, host, port));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  if (error.code === 'EADDRINUSE') {
    return new FolioError('USAGE', `port ${port} on ${host} is already in use`, {
      hint: 'stop the program that uses it, or choose another port with --port <n>',
      cause: error,
    });
  }
  if (error.code === 'EACCES') {
    return new FolioError('USAGE', `no permission to listen on port ${port} on ${host}`, {
      hint: 'choose a port above 1023 with --port <n>',
      cause: error,
    });
  }
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
    return new FolioError('USAGE', `cannot listen on ${host}: no such address on this machine`, {
      hint: 'leave out --host to use 127.0.0.1, or give an address of this machine',
      cause: error,
    });
  }
  return error;
}
