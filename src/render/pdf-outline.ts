import { PDFDocument, PDFHexString, PDFName, PDFNumber, type PDFRef } from 'pdf-lib';

export interface OutlineItem {
  title: string;
  /** 1-based page the item opens. */
  page: number;
  /** 0 for a chapter, 1 for its sections, 2 below them. */
  depth: number;
}

interface OutlineNode extends OutlineItem {
  ref: PDFRef;
  children: OutlineNode[];
}

/**
 * Writes the PDF's bookmarks from the table of contents. Chromium's own outline repeats the
 * title of a heading that starts a page and drops the space where a heading wraps, so folio
 * builds the outline itself from clean titles and the pages read back from the first print.
 */
export function writeOutline(document: PDFDocument, items: OutlineItem[]): void {
  const context = document.context;
  const pages = document.getPages();
  const root: OutlineNode[] = [];
  const stack: OutlineNode[] = [];
  for (const item of items) {
    const page = pages[item.page - 1];
    if (!page) continue;
    const node: OutlineNode = { ...item, ref: context.nextRef(), children: [] };
    while (stack.length > 0 && stack[stack.length - 1]!.depth >= item.depth) stack.pop();
    const parent = stack[stack.length - 1];
    (parent ? parent.children : root).push(node);
    stack.push(node);
  }
  if (root.length === 0) return;

  const outlinesRef = context.nextRef();
  const countAll = (nodes: OutlineNode[]): number =>
    nodes.reduce((sum, node) => sum + 1 + countAll(node.children), 0);

  const writeLevel = (nodes: OutlineNode[], parentRef: PDFRef) => {
    nodes.forEach((node, index) => {
      const entries: Record<string, unknown> = {
        Title: PDFHexString.fromText(node.title),
        Parent: parentRef,
        Dest: context.obj([pages[node.page - 1]!.ref, PDFName.of('Fit')]),
      };
      if (index > 0) entries.Prev = nodes[index - 1]!.ref;
      if (index < nodes.length - 1) entries.Next = nodes[index + 1]!.ref;
      if (node.children.length > 0) {
        entries.First = node.children[0]!.ref;
        entries.Last = node.children[node.children.length - 1]!.ref;
        // A positive count opens the item, so chapters show their sections.
        entries.Count = PDFNumber.of(countAll(node.children));
      }
      context.assign(node.ref, context.obj(entries as never));
      writeLevel(node.children, node.ref);
    });
  };
  writeLevel(root, outlinesRef);

  context.assign(
    outlinesRef,
    context.obj({
      Type: 'Outlines',
      First: root[0]!.ref,
      Last: root[root.length - 1]!.ref,
      Count: PDFNumber.of(countAll(root)),
    }),
  );
  document.catalog.set(PDFName.of('Outlines'), outlinesRef);
  document.catalog.set(PDFName.of('PageMode'), PDFName.of('UseOutlines'));
}
