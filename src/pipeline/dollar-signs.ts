import type { Root, Text } from 'mdast';
import { visit } from 'unist-util-visit';

/**
 * Turns inline math that is really two prices ("from $3 to $7") back into text. remark-math
 * pairs any two dollar signs. Like Pandoc, folio accepts `$…$` as math only when the opening `$`
 * is followed by a non-space, and the closing `$` is preceded by a non-space and not followed by
 * a digit.
 */
export function restoreDollarAmounts(tree: Root, source: string): void {
  visit(tree, 'inlineMath', (node, index, parent) => {
    if (!parent || index === undefined) return;
    const start = node.position?.start.offset;
    const end = node.position?.end.offset;
    if (start === undefined || end === undefined) return;
    const raw = source.slice(start, end);
    if (raw.startsWith('$$')) return;
    const inner = raw.slice(1, -1);
    const followedByDigit = /\d/.test(source[end] ?? '');
    if (!/^\s/.test(inner) && !/\s$/.test(inner) && !followedByDigit) return;
    parent.children[index] = { type: 'text', value: raw, position: node.position } as Text;
  });
}
