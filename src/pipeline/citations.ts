import { existsSync, readFileSync } from 'node:fs';

import { Cite } from '@citation-js/core';
import '@citation-js/plugin-csl';

import type { Diagnostics } from './diagnostics.ts';

/** A CSL-JSON entry; only the id is needed here, citation-js reads the rest. */
export interface CslEntry {
  id: string;
  [field: string]: unknown;
}

export interface Bibliography {
  file: string;
  entries: Map<string, CslEntry>;
}

/** Reads a CSL-JSON bibliography; problems are reported at the file and give an empty bibliography. */
export function loadBibliography(file: string, diagnostics: Diagnostics): Bibliography {
  const entries = new Map<string, CslEntry>();
  if (!existsSync(file)) {
    diagnostics.error(file, undefined, 'bibliography file not found; fix the bibliography field of report.yaml', 'bibliography');
    return { file, entries };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    diagnostics.error(file, undefined, `bibliography is not valid JSON: ${(error as Error).message}`, 'bibliography');
    return { file, entries };
  }
  if (!Array.isArray(parsed)) {
    diagnostics.error(file, undefined, 'bibliography must be a CSL-JSON array of entries', 'bibliography');
    return { file, entries };
  }
  parsed.forEach((entry: unknown, index) => {
    const id = (entry as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || id === '') {
      diagnostics.error(file, undefined, `bibliography entry ${index + 1} has no string id`, 'bibliography');
      return;
    }
    if (entries.has(id)) diagnostics.error(file, undefined, `bibliography id "${id}" appears twice`, 'bibliography');
    entries.set(id, entry as CslEntry);
  });
  return { file, entries };
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
  return (match?.[1] ?? html).trim();
}
