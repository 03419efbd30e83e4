import type { ElementContent } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import type { Node } from 'unist';

import { generatedProperty } from './sanitize-html.ts';

export const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Builds an mdast node that remark-rehype turns into the given HTML element, so generated
 * markup (charts, tables) reaches the output without allowing raw HTML from chapters.
 */
export function htmlBlockNode(
  tagName: string,
  properties: Record<string, string | string[]>,
  innerHtml: string,
  position?: Node['position'],
): Node {
  const children = fromHtml(innerHtml, { fragment: true }).children as ElementContent[];
  return {
    type: 'folioHtml',
    position,
    data: {
      hName: tagName,
      hProperties: { ...properties, [generatedProperty]: '' },
      hChildren: children,
    },
  } as Node;
}

/** Builds an inline span with text, for computed values and cross-references. */
export function inlineNode(
  tagName: string,
  properties: Record<string, string | string[]>,
  text: string,
  position?: Node['position'],
): Node {
  return {
    type: 'folioInline',
    position,
    data: {
      hName: tagName,
      hProperties: { ...properties, [generatedProperty]: '' },
      hChildren: [{ type: 'text', value: text }],
    },
  } as Node;
}
