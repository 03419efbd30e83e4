import type { Element, Root, RootContent } from 'hast';
import { find, html } from 'property-information';
import type { VFile } from 'vfile';

/** Property marking a subtree that folio generated (charts, tables), which is trusted as it is. */
export const generatedProperty = 'dataFolioGenerated';

/**
 * Elements allowed in chapters: what Markdown itself produces plus a few inline and block
 * elements that Markdown has no syntax for. Everything else is removed with a warning.
 */
export const allowedTags = new Set([
  // Produced by Markdown, GFM and math.
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'a',
  'em',
  'strong',
  'del',
  'code',
  'pre',
  'blockquote',
  'ul',
  'ol',
  'li',
  'hr',
  'br',
  'img',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'input',
  'section',
  'sup',
  'span',
  'div',
  // Raw HTML that editors may use.
  'sub',
  'details',
  'summary',
  'kbd',
  'abbr',
  'mark',
  'small',
  'dl',
  'dt',
  'dd',
  'figure',
  'figcaption',
  'caption',
]);

/** Attributes allowed on any element, as hast property names. */
const allowedProperties = new Set([
  'id',
  'className',
  'title',
  'lang',
  'dir',
  'href',
  'src',
  'alt',
  'width',
  'height',
  'align',
  'colSpan',
  'rowSpan',
  'start',
  'type',
  'checked',
  'disabled',
  'open',
  'ariaHidden',
  'ariaLabel',
  'ariaDescribedBy',
  'ariaLabelledBy',
  'dataFootnoteRef',
  'dataFootnoteBackref',
  'dataFootnotes',
  'role',
]);

const urlProperties = new Set(['href', 'src']);
const safeUrl = /^(?:https?:|mailto:|#|\.{0,2}\/|[^:/?#]+(?:[/?#]|$))/i;

export interface SanitizeOptions {
  /** Called once per removed element or attribute, with where it was. */
  report?: (message: string, position: { line: number; column: number } | undefined) => void;
}

/**
 * rehype plugin that removes elements and attributes outside the allowlist from chapter HTML:
 * scripts, iframes, event handlers (`on*`), `style`, and `javascript:` or other non-http URLs.
 * Each removal is reported with its position, so that editors learn what was dropped.
 */
export function rehypeSanitizeChapter(options: SanitizeOptions = {}) {
  return (tree: Root, file: VFile) => {
    const report =
      options.report ??
      ((message: string, position?: { line: number; column: number }) =>
        file.message(message, { place: position, ruleId: 'html-removed', source: 'folio' }));
    sanitizeChildren(tree, report);
  };
}

function sanitizeChildren(
  parent: Root | Element,
  report: NonNullable<SanitizeOptions['report']>,
): void {
  const kept: RootContent[] = [];
  for (const child of parent.children as RootContent[]) {
    if (child.type === 'comment' || child.type === 'doctype') continue;
    if (child.type !== 'element') {
      kept.push(child);
      continue;
    }
    if (child.properties[generatedProperty] !== undefined) {
      delete child.properties[generatedProperty];
      kept.push(child);
      continue;
    }
    const position = child.position
      ? { line: child.position.start.line, column: child.position.start.column }
      : undefined;
    if (!allowedTags.has(child.tagName)) {
      report(`removed <${child.tagName}> element: it is not in the allowed HTML list`, position);
      continue;
    }
    for (const [name, value] of Object.entries(child.properties)) {
      const attribute = find(html, name).attribute;
      if (!allowedProperties.has(name)) {
        report(
          `removed attribute ${attribute} from <${child.tagName}>: it is not in the allowed HTML list`,
          position,
        );
        delete child.properties[name];
      } else if (
        urlProperties.has(name) &&
        typeof value === 'string' &&
        !safeUrl.test(value.trim())
      ) {
        report(
          `removed ${attribute}="${value}" from <${child.tagName}>: only http, https, mailto and relative URLs are allowed`,
          position,
        );
        delete child.properties[name];
      }
    }
    sanitizeChildren(child, report);
    kept.push(child);
  }
  parent.children = kept as never;
}
