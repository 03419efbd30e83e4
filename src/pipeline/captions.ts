import type { Paragraph, PhrasingContent, Root, RootContent, Text } from 'mdast';
import type { Node, Parent } from 'unist';
import { visit } from 'unist-util-visit';

/**
 * A Markdown table or image promoted to a numbered figure by a caption. `number` is set when
 * labels are indexed; the caption gets its "表 2" or "Figure 3" prefix when the chapter renders.
 */
export interface CaptionedFigure extends Parent {
  type: 'folioFigure';
  kind: 'tbl' | 'fig';
  label: string | undefined;
  caption: PhrasingContent[];
  number?: number;
}

const tableCaptionPrefix = /^(?:Table:|表:|表：|:)\s*/;
const trailingLabel = /\s*\{#((?:tbl|fig)-[A-Za-z0-9_-]+)\}\s*$/;

/**
 * Wraps tables and images that have a Pandoc-style caption in a figure. A paragraph that starts
 * with `: ` (or `Table: `) right after a table captions the table. A paragraph that contains only
 * an image becomes a figure whose caption is the image's alt text. Either caption may end with a
 * `{#tbl-name}` or `{#fig-name}` label.
 */
export function promoteCaptions(tree: Root): void {
  visit(tree, (node, index, parent) => {
    if (!parent || index === undefined) return;
    const siblings = parent.children as RootContent[];

    if (node.type === 'table') {
      const next = siblings[index + 1];
      if (!next || next.type !== 'paragraph') return;
      const first = next.children[0];
      if (!first || first.type !== 'text' || !tableCaptionPrefix.test(first.value)) return;
      const caption = structuredClone(next.children);
      (caption[0] as Text).value = (caption[0] as Text).value.replace(tableCaptionPrefix, '');
      const label = takeLabel(caption, 'tbl');
      const figure: CaptionedFigure = {
        type: 'folioFigure',
        kind: 'tbl',
        label,
        caption,
        children: [node],
        position: { start: node.position!.start, end: next.position!.end },
      };
      siblings.splice(index, 2, figure as never);
      return 'skip';
    }

    if (node.type === 'paragraph') {
      const paragraph = node as Paragraph;
      const [image, after, ...rest] = paragraph.children;
      if (!image || image.type !== 'image' || rest.length > 0) return;
      let label: string | undefined;
      if (after) {
        const match =
          after.type === 'text' ? /^\s*\{#(fig-[A-Za-z0-9_-]+)\}\s*$/.exec(after.value) : null;
        if (!match) return;
        label = match[1];
      }
      if (!image.alt) return;
      const figure: CaptionedFigure = {
        type: 'folioFigure',
        kind: 'fig',
        label,
        caption: [{ type: 'text', value: image.alt }],
        children: [image as unknown as Node],
        position: paragraph.position,
      };
      siblings.splice(index, 1, figure as never);
      return 'skip';
    }
    return undefined;
  });
}

function takeLabel(caption: PhrasingContent[], kind: 'tbl' | 'fig'): string | undefined {
  const last = caption.at(-1);
  if (!last || last.type !== 'text') return undefined;
  const match = trailingLabel.exec(last.value);
  if (!match || !match[1]?.startsWith(`${kind}-`)) return undefined;
  last.value = last.value.slice(0, match.index);
  return match[1];
}
