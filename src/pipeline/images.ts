import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

import type { Root } from 'hast';
import { visit } from 'unist-util-visit';

import type { Diagnostics, Position } from './diagnostics.ts';
import { generatedProperty } from './sanitize-html.ts';

export interface ImageContext {
  contentDir: string;
  /** Local images the chapters use: source file to its name under the site's assets/images. */
  images: Map<string, string>;
  diagnostics: Diagnostics;
}

/**
 * Returns the site URL of an image that a chapter names, and records the file to copy under the
 * site's assets. Only files inside the content folder are allowed, because the PDF is printed
 * offline and must not read other files of the machine. A remote URL, a path that leaves the
 * folder, an absolute path elsewhere and a missing file are errors, reported on `diagnostics`,
 * and the function then returns undefined.
 */
export function resolveImageUrl(
  url: string,
  chapterFile: string,
  at: Position,
  context: ImageContext,
): string | undefined {
  const { diagnostics } = context;
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    diagnostics.error(
      chapterFile,
      at,
      `image "${url}" is not a local file; copy it into the content folder`,
      'image-remote',
    );
    return undefined;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.split(/[?#]/)[0] ?? '');
  } catch {
    diagnostics.error(
      chapterFile,
      at,
      `image "${url}" is not a valid URL path; write a space as %20 and a percent sign as %25`,
      'image-missing',
    );
    return undefined;
  }
  const contentRoot = path.resolve(context.contentDir);
  const file = path.resolve(path.dirname(chapterFile), decoded);
  const relative = path.relative(contentRoot, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    diagnostics.error(
      chapterFile,
      at,
      `image "${url}" is outside the content folder ${contentRoot}`,
      'image-outside',
    );
    return undefined;
  }
  if (!existsSync(file) || !statSync(file).isFile()) {
    diagnostics.error(chapterFile, at, `image not found: ${file}`, 'image-missing');
    return undefined;
  }
  const name = relative.split(path.sep).join('-');
  context.images.set(file, name);
  return `../assets/images/${encodeURIComponent(name)}`;
}

/**
 * rehype plugin that treats each `<img>` written as raw HTML like a Markdown image: its `src`
 * must be a file inside the content folder, which is copied into the site. Markdown images are
 * resolved before and carry the generated marker, so they are skipped.
 */
export function rehypeRawImages(options: { chapterFile: string; context: ImageContext }) {
  return (tree: Root) => {
    visit(tree, 'element', (element) => {
      if (element.tagName !== 'img' || element.properties[generatedProperty] !== undefined) return;
      const source = element.properties.src;
      if (typeof source !== 'string') return;
      const at = {
        line: element.position?.start.line ?? 1,
        column: element.position?.start.column ?? 1,
      };
      const url = resolveImageUrl(source, options.chapterFile, at, options.context);
      if (url === undefined) delete element.properties.src;
      else element.properties.src = url;
    });
  };
}
