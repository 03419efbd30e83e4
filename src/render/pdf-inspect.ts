import type { getDocument as GetDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

type PdfDocument = Awaited<ReturnType<typeof GetDocument>['promise']>;

export interface OutlineEntry {
  title: string;
  /** 1-based page number of the target. */
  page: number;
  depth: number;
}

export interface PageLink {
  /** 1-based page the link is on. */
  page: number;
  /** 1-based page it points to. */
  target: number;
  /** Top of the link on its page, in PDF units from the bottom. */
  top: number;
}

export async function openPdf(bytes: Uint8Array): Promise<PdfDocument> {
  // Imported on first use: pdf.js's legacy build (the one that runs on Node.js 20) installs
  // core-js polyfills, among them a replacement JSON.parse, which other code should not get.
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  // pdf.js takes ownership of the buffer, so it gets a copy.
  return getDocument({ data: new Uint8Array(bytes), verbosity: 0, isEvalSupported: false }).promise;
}

async function pageOfDestination(
  document: PdfDocument,
  destination: unknown,
): Promise<number | undefined> {
  const explicit =
    typeof destination === 'string' ? await document.getDestination(destination) : destination;
  if (!Array.isArray(explicit) || explicit.length === 0) return undefined;
  const reference = explicit[0];
  if (typeof reference === 'number') return reference + 1;
  return (await document.getPageIndex(reference)) + 1;
}

/** Reads the bookmarks of a PDF with the page each one opens. */
export async function readOutline(bytes: Uint8Array): Promise<OutlineEntry[]> {
  const document = await openPdf(bytes);
  const entries: OutlineEntry[] = [];
  const walk = async (
    items: Awaited<ReturnType<PdfDocument['getOutline']>> | null,
    depth: number,
  ) => {
    for (const item of items ?? []) {
      entries.push({
        title: item.title,
        page: (await pageOfDestination(document, item.dest)) ?? 0,
        depth,
      });
      await walk(item.items, depth + 1);
    }
  };
  await walk(await document.getOutline(), 0);
  await document.destroy();
  return entries;
}

/** Lists the internal links of the first `pageCount` pages in reading order, with their targets. */
export async function readInternalLinks(
  bytes: Uint8Array,
  pageCount = Number.POSITIVE_INFINITY,
): Promise<PageLink[]> {
  const document = await openPdf(bytes);
  const links: PageLink[] = [];
  for (let number = 1; number <= Math.min(document.numPages, pageCount); number++) {
    const page = await document.getPage(number);
    const annotations = (await page.getAnnotations()) as {
      subtype: string;
      dest?: unknown;
      rect: number[];
    }[];
    const pageLinks: PageLink[] = [];
    for (const annotation of annotations) {
      if (annotation.subtype !== 'Link' || annotation.dest === undefined) continue;
      const target = await pageOfDestination(document, annotation.dest);
      if (target !== undefined)
        pageLinks.push({ page: number, target, top: annotation.rect[3] ?? 0 });
    }
    pageLinks.sort((a, b) => b.top - a.top);
    links.push(...pageLinks);
  }
  await document.destroy();
  return links;
}

/** Extracts the text of every page. */
export async function readPageTexts(bytes: Uint8Array): Promise<string[]> {
  const document = await openPdf(bytes);
  const texts: string[] = [];
  for (let number = 1; number <= document.numPages; number++) {
    const content = await (await document.getPage(number)).getTextContent();
    let text = '';
    for (const item of content.items) {
      if (!('str' in item)) continue;
      text += item.hasEOL ? `${item.str}\n` : item.str;
    }
    texts.push(text);
  }
  await document.destroy();
  return texts;
}
