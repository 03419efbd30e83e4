import { existsSync, readFileSync } from 'node:fs';

import { Cite } from '@citation-js/core';
import '@citation-js/plugin-csl';

import { locateYamlPath } from '../config/yaml.ts';
import type { Diagnostics, Position } from './diagnostics.ts';

/** A CSL-JSON entry; only the id is needed here, citation-js reads the rest. */
export interface CslEntry {
  id: string;
  [field: string]: unknown;
}

export interface Bibliography {
  file: string;
  entries: Map<string, CslEntry>;
  /** Start position of each entry in the file, for messages about it. */
  positions: Map<string, Position>;
}

/** Reads a CSL-JSON bibliography; problems are reported at the file and give an empty bibliography. */
export function loadBibliography(file: string, diagnostics: Diagnostics): Bibliography {
  const entries = new Map<string, CslEntry>();
  const positions = new Map<string, Position>();
  if (!existsSync(file)) {
    diagnostics.error(
      file,
      undefined,
      'bibliography file not found; fix the bibliography field of report.yaml',
      'bibliography',
    );
    return { file, entries, positions };
  }
  const text = readFileSync(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    diagnostics.error(
      file,
      jsonErrorPosition(text, message),
      `bibliography is not valid JSON: ${message}`,
      'bibliography',
    );
    return { file, entries, positions };
  }
  if (!Array.isArray(parsed)) {
    diagnostics.error(
      file,
      undefined,
      'bibliography must be a CSL-JSON array of entries',
      'bibliography',
    );
    return { file, entries, positions };
  }
  parsed.forEach((entry: unknown, index) => {
    // JSON is YAML, so the YAML parser can tell where each entry starts.
    const at = locateYamlPath(text, [index]);
    const id = (entry as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || id === '') {
      diagnostics.error(
        file,
        at,
        `bibliography entry ${index + 1} has no string id`,
        'bibliography',
      );
      return;
    }
    if (entries.has(id))
      diagnostics.error(file, at, `bibliography id "${id}" appears twice`, 'bibliography');
    entries.set(id, entry as CslEntry);
    positions.set(id, at);
  });
  return { file, entries, positions };
}

/** Reads the position out of a JSON.parse message: "(line 2 column 5)" or "at position 21". */
function jsonErrorPosition(text: string, message: string): Position | undefined {
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lineColumn) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  const offset = /at position (\d+)/.exec(message);
  if (!offset) return undefined;
  const before = text.slice(0, Number(offset[1])).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/** Formats one entry as an HTML string in APA style. */
export function formatReference(entry: CslEntry): string {
  const html: string = new Cite(entry).format('bibliography', {
    format: 'html',
    template: 'apa',
    // NOTE: citation-js ships no zh-CN locale, so Chinese pages use English terms in entries.
    lang: 'en-US',
  });
  const match = /<div[^>]*class="csl-entry"[^>]*>([\s\S]*?)<\/div>/.exec(html);
  const body = (match?.[1] ?? html).trim();
  // citation-js prints the URL as text; a link makes it clickable on the site and in the PDF.
  return body.replace(/https?:\/\/[^\s<"]+[^\s<".,;)]/g, (url) => {
    let shown = url;
    try {
      shown = decodeURI(url);
    } catch {
      // A URL with a malformed escape is shown as it is.
    }
    return `<a href="${url}">${shown}</a>`;
  });
}
