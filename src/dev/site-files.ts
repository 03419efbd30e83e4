import path from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.pdf': 'application/pdf',
};

/** Returns the Content-Type of a file from its extension, or application/octet-stream. */
export function contentTypeFor(file: string): string {
  return contentTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps a request target such as `/zh/index.html?x=1` to a path inside `siteDir`. Returns
 * undefined for a target that could leave the folder or name a hidden file:
 * - one that does not start with `/`, such as absolute-form `http://host/x` or `*`;
 * - an empty segment (`//`), or a `.` or `..` segment, raw or percent-encoded;
 * - a segment that starts with a dot, or that decodes to a slash, backslash or NUL byte;
 * - invalid percent-encoding.
 * The caller must still compare real paths, because a symbolic link can point outside.
 */
export function resolveSitePath(siteDir: string, target: string): string | undefined {
  if (!target.startsWith('/')) return undefined;
  const pathname = target.split(/[?#]/, 1)[0] ?? '';
  const segments = pathname.slice(1).split('/');
  const names: string[] = [];
  for (const [index, segment] of segments.entries()) {
    // Only the last segment may be empty, as in `/zh/`, which requests the folder's index.html.
    if (segment === '') {
      if (index === segments.length - 1) continue;
      return undefined;
    }
    let name: string;
    try {
      name = decodeURIComponent(segment);
    } catch {
      return undefined;
    }
    if (name.startsWith('.') || /[/\\\0]/.test(name)) return undefined;
    names.push(name);
  }
  const file = path.join(siteDir, ...names);
  return isInside(siteDir, file) ? file : undefined;
}

/** Tells whether `file` is `dir` itself or lies inside it. Both must be resolved paths. */
export function isInside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
