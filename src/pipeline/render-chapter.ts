import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

import type { Root as HastRoot } from 'hast';
import type { Image, InlineCode, Root, Text } from 'mdast';
import type { Math as MathNode } from 'mdast-util-math';
import rehypeKatex from 'rehype-katex';
import rehypeRaw from 'rehype-raw';
import rehypeStringify from 'rehype-stringify';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import type { Node, Parent } from 'unist';
import { SKIP, visit } from 'unist-util-visit';
import { VFile } from 'vfile';

import type { Language } from '../config/manifest.ts';
import type { ExperimentResult } from '../experiments/result.ts';
import {
  experimentSummaryHtml,
  renderChartSvg,
  resultsTableHtml,
} from '../render/experiment-html.ts';
import { stringsFor, type Strings } from '../render/i18n.ts';
import { blockKindOf, type Block } from './blocks.ts';
import { formatReference, type Bibliography } from './citations.ts';
import type { Diagnostics, Position } from './diagnostics.ts';
import { escapeHtml, htmlBlockNode, inlineNode } from './html-node.ts';
import type { CaptionedFigure } from './captions.ts';
import { unknownExperimentMessage } from './experiment-references.ts';
import { didYouMean } from './suggest.ts';
import type { LabelTarget } from './labels.ts';
import { resolveImageUrl, rehypeRawImages } from './images.ts';
import { generatedProperty, rehypeSanitizeChapter } from './sanitize-html.ts';
import type { Chapter } from './parse-chapter.ts';
import {
  evaluateExpression,
  ExpressionError,
  formatValue,
  parseResultExpression,
  readResultPath,
} from './result-expression.ts';

/** A number computed from results and printed in the text, with what it came from. */
export interface ComputedValue {
  chapter: string;
  file: string;
  line: number;
  expression: string;
  value: number;
  text: string;
  experiments: string[];
}

/** State shared by the chapters of one language while they render. */
export interface LanguageContext {
  language: Language;
  text: Strings;
  contentDir: string;
  results: Map<string, ExperimentResult>;
  /** Ids of every declared experiment, including ones whose run was rejected. */
  declaredExperiments: Set<string>;
  labels: Map<string, LabelTarget>;
  bibliography: Bibliography | undefined;
  /** Cited keys in order of first citation; the position + 1 is the reference number. */
  citationOrder: string[];
  /** Keys cited in the chapter being rendered, for the parity check; reset per chapter. */
  chapterCitations: string[];
  computedValues: ComputedValue[];
  /** `{result}` expressions of the chapter being rendered, for the parity check; reset per chapter. */
  chapterExpressions: string[];
  /** Local images the chapters use: source file to its name under the site's assets/images. */
  images: Map<string, string>;
  diagnostics: Diagnostics;
}

/** The parts of a language context that the caller provides; the rest starts empty. */
export type LanguageContextOptions = Omit<
  LanguageContext,
  'text' | 'citationOrder' | 'chapterCitations' | 'computedValues' | 'chapterExpressions'
>;

/** Creates the shared state for rendering the chapters of one language, in reading order. */
export function createLanguageContext(options: LanguageContextOptions): LanguageContext {
  return {
    ...options,
    text: stringsFor(options.language),
    citationOrder: [],
    chapterCitations: [],
    computedValues: [],
    chapterExpressions: [],
  };
}

export interface RenderedChapter {
  chapter: Chapter;
  html: string;
  /** Sections for the table of contents: level-2 and level-3 headings. */
  headings: { depth: number; id: string; number: string; text: string }[];
}

const citationPattern = /\[(-?@[A-Za-z0-9_:.-]+(?:\s*;\s*-?@[A-Za-z0-9_:.-]+)*)\]/g;
const referencePattern = /(?<![\w@.])@((?:sec|fig|tbl|eq)-[A-Za-z0-9_-]*[A-Za-z0-9_])/g;

/** Renders one chapter's tree to HTML, splicing in results, charts, numbers and references. */
export async function renderChapter(
  chapter: Chapter,
  blocks: Block[],
  context: LanguageContext,
): Promise<RenderedChapter> {
  context.chapterCitations = [];
  context.chapterExpressions = [];
  const renderedBlocks = await renderBlocks(chapter, blocks, context);
  attachCaptions(chapter.tree, context);

  visit(chapter.tree, (node, index, parent) => {
    if (!parent || index === undefined) return;
    if (node.type === 'code' && blockKindOf(node)) {
      const replacement = renderedBlocks.get(node);
      if (replacement) parent.children[index] = replacement as never;
      return SKIP;
    }
    if (node.type === 'inlineCode') {
      const replacement = renderInlineValue(node as InlineCode, chapter, context);
      if (replacement) parent.children[index] = replacement as never;
      return SKIP;
    }
    if (node.type === 'math') {
      labelEquation(node as MathNode, context);
      return SKIP;
    }
    if (node.type === 'image') {
      const image = node as Image;
      image.url = resolveImageUrl(image.url, chapter.file, positionOf(image), context) ?? '';
      // Resolved here, so the sanitizer passes it as it is and rehypeRawImages skips it.
      image.data = {
        ...image.data,
        hProperties: { ...image.data?.hProperties, [generatedProperty]: '' },
      };
      return SKIP;
    }
    if (node.type === 'text') {
      const replacements = expandText(node as Text, chapter, context);
      if (replacements) {
        (parent as Parent).children.splice(index, 1, ...replacements);
        return [SKIP, index + replacements.length];
      }
    }
    return undefined;
  });

  const headings = collectHeadings(chapter.tree);
  numberHeadings(chapter.tree);
  const file = new VFile({ path: chapter.file });
  const processor = unified()
    .use(remarkRehype, {
      // Footnote ids get the chapter name so that the same label in two chapters stays unique.
      clobberPrefix: `${chapter.name}-`,
      allowDangerousHtml: true,
      footnoteLabel: context.language === 'zh' ? '脚注' : 'Footnotes',
      footnoteBackLabel: context.language === 'zh' ? '返回正文' : 'Back to content',
    })
    .use(rehypeRaw)
    .use(rehypeRawImages, { chapterFile: chapter.file, context })
    .use(rehypeSanitizeChapter)
    .use(prefixFootnoteLabel, `${chapter.name}-`)
    .use(rehypeKatex, { output: 'html', strict: 'error' })
    .use(rehypeStringify);
  const hast = await processor.run(chapter.tree as Root, file);
  const html = processor.stringify(hast as never, file);
  for (const message of file.messages) {
    const at = { line: message.line ?? 1, column: message.column ?? 1 };
    if (message.source === 'rehype-katex') {
      const cause =
        message.cause instanceof Error ? `: ${message.cause.message.split('\n')[0]}` : '';
      // KaTeX's fonts have no Chinese glyphs, so text in math mode must go through \text{}.
      const hint = cause.includes('unicodeTextInMathMode') ? '; write text inside \\text{…}' : '';
      context.diagnostics.error(chapter.file, at, `${message.reason}${cause}${hint}`, 'katex');
    } else {
      context.diagnostics.warn(chapter.file, at, message.reason, message.ruleId ?? 'html');
    }
  }
  return { chapter, html: String(html), headings };
}

/**
 * Prefixes the id of a chapter's footnote heading. remark-rehype gives every chapter the id
 * "footnote-label" even with a clobber prefix, so a page of several chapters would repeat it.
 */
function prefixFootnoteLabel(prefix: string) {
  return (tree: HastRoot) => {
    visit(tree, 'element', (element) => {
      if (element.properties.id === 'footnote-label')
        element.properties.id = `${prefix}footnote-label`;
      const describedBy = element.properties.ariaDescribedBy;
      if (Array.isArray(describedBy)) {
        element.properties.ariaDescribedBy = describedBy.map((id) =>
          id === 'footnote-label' ? `${prefix}footnote-label` : id,
        );
      }
    });
  };
}

/** Turns each captioned table or image into a figure element with its numbered caption. */
function attachCaptions(tree: Root, context: LanguageContext): void {
  visit(tree, (node) => {
    if ((node.type as string) !== 'folioFigure') return;
    const figure = node as unknown as CaptionedFigure;
    const prefix =
      figure.kind === 'tbl'
        ? context.text.table(figure.number ?? 0)
        : context.text.figure(figure.number ?? 0);
    const caption = {
      type: 'folioCaption',
      data: { hName: 'figcaption' },
      children: [
        {
          type: 'folioInline',
          data: { hName: 'span', hProperties: { className: ['caption-label'] } },
          children: [{ type: 'text', value: prefix }],
        },
        { type: 'text', value: context.text.captionSeparator },
        ...figure.caption,
      ],
    } as unknown as Node;
    figure.data = {
      hName: 'figure',
      hProperties: {
        className: [figure.kind === 'tbl' ? 'table' : 'image'],
        ...(figure.label ? { id: figure.label } : {}),
      },
    } as never;
    if (figure.kind === 'tbl') figure.children.unshift(caption);
    else figure.children.push(caption);
  });
}

/** Prefixes each section heading with its number, which cross-references print too. */
function numberHeadings(tree: Root): void {
  visit(tree, 'heading', (node) => {
    const number = (node.data as { sectionNumber?: string } | undefined)?.sectionNumber;
    if (!number || node.depth > 3) return;
    node.children.unshift({
      type: 'folioInline',
      data: { hName: 'span', hProperties: { className: ['section-number'] } },
      children: [{ type: 'text', value: number }],
    } as never);
    node.children.splice(1, 0, { type: 'text', value: ' ' });
  });
}

function positionOf(node: Node): Position {
  return { line: node.position?.start.line ?? 1, column: node.position?.start.column ?? 1 };
}

function lookupResults(
  ids: string[],
  context: LanguageContext,
  file: string,
  at: Position,
): ExperimentResult[] | undefined {
  const results: ExperimentResult[] = [];
  for (const id of ids) {
    const result = context.results.get(id);
    if (!result) {
      if (!context.declaredExperiments.has(id)) {
        context.diagnostics.error(
          file,
          at,
          unknownExperimentMessage(id, context.declaredExperiments),
          'experiment-unknown',
        );
      }
      return undefined;
    }
    results.push(result);
  }
  return results;
}

function errorBox(message: string, node: Node): Node {
  return htmlBlockNode(
    'div',
    { className: ['folio-error'] },
    `<p>${escapeHtml(message)}</p>`,
    node.position,
  );
}

async function renderBlocks(
  chapter: Chapter,
  blocks: Block[],
  context: LanguageContext,
): Promise<Map<Node, Node>> {
  const rendered = new Map<Node, Node>();
  const { text } = context;
  for (const block of blocks) {
    if (block.chapter !== chapter) continue;
    const at = block.position;
    if (block.kind === 'experiment') {
      const result = context.results.get(block.id);
      rendered.set(
        block.node,
        result
          ? htmlBlockNode(
              'aside',
              { className: ['experiment', `experiment-${result.status}`], id: `exp-${block.id}` },
              experimentSummaryHtml(result, text),
              block.node.position,
            )
          : errorBox(text.experimentFailed(block.id, 'not run'), block.node),
      );
      continue;
    }

    const label = context.labels.get(block.id);
    const caption = `<figcaption><span class="caption-label">${escapeHtml(
      block.kind === 'chart'
        ? text.figure(Number(label?.number ?? 0))
        : text.table(Number(label?.number ?? 0)),
    )}</span>${escapeHtml(text.captionSeparator)}${escapeHtml(block.options.caption)}</figcaption>`;

    if (block.kind === 'results') {
      const results = lookupResults(block.options.experiments, context, chapter.file, at);
      if (!results) {
        rendered.set(
          block.node,
          errorBox(
            `${text.table(Number(label?.number ?? 0))}: ${text.valueUnavailable}`,
            block.node,
          ),
        );
        continue;
      }
      rendered.set(
        block.node,
        htmlBlockNode(
          'figure',
          { className: ['table'], id: block.id },
          caption + resultsTableHtml(results, text),
          block.node.position,
        ),
      );
      continue;
    }

    const results =
      block.options.type === 'data'
        ? []
        : lookupResults(block.options.experiments ?? [], context, chapter.file, at);
    if (!results) {
      rendered.set(
        block.node,
        errorBox(
          `${text.figure(Number(label?.number ?? 0))}: ${text.valueUnavailable}`,
          block.node,
        ),
      );
      continue;
    }
    if (block.options.type === 'data') {
      const dataDir = path.resolve(context.contentDir, 'data');
      const dataFile = path.resolve(dataDir, block.options.file ?? '');
      const relative = path.relative(dataDir, dataFile);
      let problem: string | undefined;
      if (relative.startsWith('..') || path.isAbsolute(relative)) {
        problem = `data file "${block.options.file}" is outside the data folder ${dataDir}; move it there`;
      } else if (!existsSync(dataFile) || !statSync(dataFile).isFile()) {
        problem = `data file not found: ${dataFile}`;
      }
      if (problem) {
        context.diagnostics.error(chapter.file, at, problem, 'chart-data');
        rendered.set(
          block.node,
          errorBox(
            `${text.figure(Number(label?.number ?? 0))}: ${text.valueUnavailable}`,
            block.node,
          ),
        );
        continue;
      }
    }
    try {
      const svg = await renderChartSvg(block.options, results, context.contentDir, text);
      rendered.set(
        block.node,
        htmlBlockNode(
          'figure',
          { className: ['chart', `chart-${block.options.type}`], id: block.id },
          `<div class="chart-body">${svg}</div>${caption}`,
          block.node.position,
        ),
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const failedRun = results.some((result) => result.status === 'failed');
      if (!failedRun)
        context.diagnostics.error(chapter.file, at, `chart ${block.id}: ${message}`, 'chart');
      rendered.set(
        block.node,
        htmlBlockNode(
          'figure',
          { className: ['chart', 'chart-failed'], id: block.id },
          `<p class="folio-error">${escapeHtml(message)}</p>${caption}`,
          block.node.position,
        ),
      );
    }
  }
  return rendered;
}

function renderInlineValue(
  node: InlineCode,
  chapter: Chapter,
  context: LanguageContext,
): Node | undefined {
  const match = /^\{result\}\s*([\s\S]*)$/.exec(node.value);
  if (!match) return undefined;
  const at = positionOf(node);
  const source = (match[1] ?? '').trim();
  const unavailable = () =>
    inlineNode(
      'span',
      { className: ['computed', 'computed-missing'] },
      context.text.valueUnavailable,
      node.position,
    );

  let expression;
  try {
    expression = parseResultExpression(source);
  } catch (error) {
    context.diagnostics.error(
      chapter.file,
      at,
      `invalid result reference "${source}": ${(error as Error).message}`,
      'result-syntax',
    );
    return unavailable();
  }
  context.chapterExpressions.push(source);
  const results = lookupResults(expression.experiments, context, chapter.file, at);
  if (!results) return unavailable();
  const failed = results.find((result) => result.status === 'failed');
  if (failed)
    return inlineNode(
      'span',
      { className: ['computed', 'computed-failed'] },
      `${context.text.failed} (${failed.id})`,
      node.position,
    );

  try {
    const value = evaluateExpression(expression.ast, (experiment, pathParts) =>
      readResultPath(context.results.get(experiment), experiment, pathParts),
    );
    if (!Number.isFinite(value)) {
      const reason = `evaluates to ${value}, not a finite number; check for a division by zero`;
      context.diagnostics.error(
        chapter.file,
        at,
        `result reference "${source}" ${reason}`,
        'result-value',
      );
      return unavailable();
    }
    const shown = formatValue(value, expression.format);
    context.computedValues.push({
      chapter: chapter.name,
      file: chapter.file,
      line: at.line,
      expression: source,
      value,
      text: shown,
      experiments: expression.experiments,
    });
    const keys = results.map((result) => `${result.id} ${result.cacheKey.slice(0, 12)}`).join(', ');
    return inlineNode(
      'span',
      { className: ['computed'], title: `${source} (${keys})`, 'data-expression': source },
      shown,
      node.position,
    );
  } catch (error) {
    const reason = error instanceof ExpressionError ? error.message : String(error);
    context.diagnostics.error(
      chapter.file,
      at,
      `result reference "${source}": ${reason}`,
      'result-path',
    );
    return unavailable();
  }
}

function labelEquation(node: MathNode, context: LanguageContext): void {
  const label = (node.data as { label?: string } | undefined)?.label;
  if (!label) {
    // remark-math gives the element that rehype-katex renders no position, so a KaTeX error in a
    // `$$` block would point at 1:1 without this.
    const element = node.data?.hChildren?.[0];
    if (element && !element.position) element.position = node.position;
    return;
  }
  const target = context.labels.get(label);
  node.data = {
    hName: 'div',
    hProperties: { className: ['equation'], id: label },
    hChildren: [
      {
        type: 'element',
        tagName: 'div',
        properties: { className: ['math', 'math-display'] },
        children: [{ type: 'text', value: `${node.value} \\tag{${target?.number ?? '?'}}` }],
        position: node.position,
      },
    ],
  } as MathNode['data'];
}

/** Splits a text node at cross-references and citations; returns undefined when it has neither. */
function expandText(node: Text, chapter: Chapter, context: LanguageContext): Node[] | undefined {
  const value = node.value;
  const pattern = new RegExp(`${citationPattern.source}|${referencePattern.source}`, 'g');
  const pieces: Node[] = [];
  let last = 0;
  for (const match of value.matchAll(pattern)) {
    const start = match.index ?? 0;
    const at = offsetPosition(node, start);
    if (start > last) pieces.push({ type: 'text', value: value.slice(last, start) } as Text);
    if (match[1]) pieces.push(renderCitation(match[1], chapter, context, at));
    else if (match[2]) pieces.push(renderReference(match[2], chapter, context, at));
    last = start + match[0].length;
  }
  if (pieces.length === 0) return undefined;
  if (last < value.length) pieces.push({ type: 'text', value: value.slice(last) } as Text);
  return pieces;
}

function offsetPosition(node: Text, offset: number): Position {
  const start = positionOf(node);
  const before = node.value.slice(0, offset);
  const lines = before.split('\n');
  if (lines.length === 1) return { line: start.line, column: start.column + offset };
  return { line: start.line + lines.length - 1, column: (lines.at(-1)?.length ?? 0) + 1 };
}

function renderReference(
  label: string,
  chapter: Chapter,
  context: LanguageContext,
  at: Position,
): Node {
  const target = context.labels.get(label);
  if (!target) {
    context.diagnostics.error(
      chapter.file,
      at,
      `cross-reference to unknown label "${label}"${didYouMean(label, context.labels.keys())}`,
      'xref-unknown',
    );
    return inlineNode('span', { className: ['xref-missing'] }, `@${label}`);
  }
  const { text } = context;
  const shown =
    target.kind === 'fig'
      ? text.figure(Number(target.number))
      : target.kind === 'tbl'
        ? text.table(Number(target.number))
        : target.kind === 'eq'
          ? text.equation(Number(target.number))
          : text.section(target.number);
  return {
    type: 'link',
    url: `#${label}`,
    data: { hProperties: { className: ['xref'] } },
    children: [{ type: 'text', value: shown }],
  } as Node;
}

function renderCitation(
  inner: string,
  chapter: Chapter,
  context: LanguageContext,
  at: Position,
): Node {
  const keys = inner.split(';').map((part) => part.trim().replace(/^-?@/, ''));
  const numbers: { key: string; number: number }[] = [];
  for (const key of keys) {
    if (!context.bibliography?.entries.has(key)) {
      context.diagnostics.error(
        chapter.file,
        at,
        `unknown citation key "${key}"${didYouMean(key, context.bibliography?.entries.keys() ?? []) || '; add it to the bibliography'}`,
        'citation-unknown',
      );
      continue;
    }
    context.chapterCitations.push(key);
    let index = context.citationOrder.indexOf(key);
    if (index < 0) index = context.citationOrder.push(key) - 1;
    numbers.push({ key, number: index + 1 });
  }
  if (numbers.length === 0)
    return inlineNode('span', { className: ['citation-missing'] }, `[${inner}]`);
  const children: Node[] = [{ type: 'text', value: '[' } as Text];
  numbers.forEach(({ key, number }, index) => {
    if (index > 0) children.push({ type: 'text', value: ', ' } as Text);
    children.push({
      type: 'link',
      url: `#ref-${key}`,
      children: [{ type: 'text', value: String(number) }],
    } as Node);
  });
  children.push({ type: 'text', value: ']' } as Text);
  return {
    type: 'folioInline',
    data: { hName: 'span', hProperties: { className: ['citation'] } },
    children,
  } as Node;
}

function collectHeadings(tree: Root): RenderedChapter['headings'] {
  const headings: RenderedChapter['headings'] = [];
  visit(tree, 'heading', (node) => {
    if (node.depth > 3) return;
    const data = node.data as { hProperties?: { id?: string }; sectionNumber?: string } | undefined;
    headings.push({
      depth: node.depth,
      id: data?.hProperties?.id ?? '',
      number: data?.sectionNumber ?? '',
      text: plainText(node),
    });
  });
  return headings;
}

function plainText(node: Node): string {
  if ('value' in node && typeof node.value === 'string') return node.value;
  if ('children' in node && Array.isArray(node.children))
    return (node.children as Node[]).map(plainText).join('');
  return '';
}

/** Renders the references list of one language, in order of first citation. */
export function renderReferences(context: LanguageContext): string {
  if (!context.bibliography || context.citationOrder.length === 0) return '';
  const bibliography = context.bibliography;
  const items = context.citationOrder
    .map((key, index) => {
      const entry = bibliography.entries.get(key)!;
      let formatted: string;
      try {
        formatted = formatReference(entry);
      } catch (error) {
        // citation-js throws on some fields of the wrong type, such as a family name that is a number.
        const reason = error instanceof Error ? error.message : String(error);
        const message = `bibliography entry "${key}" cannot be formatted (${reason}); check its CSL-JSON fields`;
        context.diagnostics.error(
          bibliography.file,
          bibliography.positions.get(key),
          message,
          'bibliography',
        );
        formatted = escapeHtml(key);
      }
      return `<li id="ref-${escapeHtml(key)}"><span class="ref-number">[${index + 1}]</span> ${formatted}</li>`;
    })
    .join('\n');
  return `<ol class="references">${items}</ol>`;
}
