import type { Heading, Paragraph, Root, Text } from 'mdast';
import GithubSlugger from 'github-slugger';
import { toString } from 'mdast-util-to-string';
import { visit } from 'unist-util-visit';

import { blockKindOf } from './blocks.ts';
import type { CaptionedFigure } from './captions.ts';
import type { Chapter } from './parse-chapter.ts';
import type { Diagnostics, Position } from './diagnostics.ts';

export type LabelKind = 'sec' | 'fig' | 'tbl' | 'eq';

/** A numbered target of cross-references in one language. */
export interface LabelTarget {
  kind: LabelKind;
  label: string;
  /** "2.3" for a section, "4" for a figure, table or equation. */
  number: string;
  chapter: string;
  file: string;
  position: Position;
}

const labelSuffix = /\s*\{#((?:sec|fig|tbl|eq)-[A-Za-z0-9_-]+)\}\s*$/;
export const labelPattern = /^(sec|fig|tbl|eq)-[A-Za-z0-9_-]+$/;

/**
 * Numbers the sections, figures, tables and equations of one language's chapters in reading
 * order and gives every heading a unique id. Headings keep their text in the id (Chinese
 * characters included); `{#sec-name}` sets the id explicitly.
 */
export function indexLabels(
  chapters: Chapter[],
  diagnostics: Diagnostics,
): Map<string, LabelTarget> {
  const targets = new Map<string, LabelTarget>();
  const slugger = new GithubSlugger();
  const counters = { fig: 0, tbl: 0, eq: 0 };

  const define = (target: LabelTarget) => {
    const earlier = targets.get(target.label);
    if (earlier) {
      diagnostics.error(
        target.file,
        target.position,
        `label "${target.label}" is already defined at ${earlier.file}:${earlier.position.line}`,
        'label-duplicate',
      );
      return;
    }
    targets.set(target.label, target);
  };

  chapters.forEach((chapter, chapterIndex) => {
    const chapterNumber = chapterIndex + 1;
    chapter.tree.data = {
      ...chapter.tree.data,
      chapterId: slugger.slug(`chapter-${chapter.name}`),
    } as Root['data'];
    const sectionCounters = [0, 0, 0, 0, 0, 0];

    visit(chapter.tree, (node) => {
      const position = {
        line: node.position?.start.line ?? 1,
        column: node.position?.start.column ?? 1,
      };
      if (node.type === 'heading') {
        const heading = node as Heading;
        const label = takeTrailingLabel(heading);
        // Level 2 is a section of the chapter; deeper levels are numbered below it.
        const depth = Math.max(heading.depth, 2);
        sectionCounters[depth - 2]! += 1;
        sectionCounters.fill(0, depth - 1);
        const number = [chapterNumber, ...sectionCounters.slice(0, depth - 1)].join('.');
        const id = label ? slugger.slug(label) : slugger.slug(toString(heading));
        heading.data = {
          ...heading.data,
          hProperties: { id },
          sectionNumber: number,
        } as Heading['data'];
        if (label)
          define({
            kind: 'sec',
            label,
            number,
            chapter: chapter.name,
            file: chapter.file,
            position,
          });
        return;
      }
      if (node.type === 'code') {
        const kind = blockKindOf(node);
        const label = (node.meta ?? '').trim();
        if ((kind === 'chart' || kind === 'results') && labelPattern.test(label)) {
          const labelKind = kind === 'chart' ? 'fig' : 'tbl';
          if (!label.startsWith(`${labelKind}-`)) {
            diagnostics.warn(
              chapter.file,
              position,
              `a {${kind}} label should start with "${labelKind}-", found "${label}"`,
              'label-prefix',
            );
          }
          counters[labelKind] += 1;
          define({
            kind: labelKind,
            label,
            number: String(counters[labelKind]),
            chapter: chapter.name,
            file: chapter.file,
            position,
          });
        }
        return;
      }
      if ((node.type as string) === 'folioFigure') {
        const figure = node as unknown as CaptionedFigure;
        counters[figure.kind] += 1;
        figure.number = counters[figure.kind];
        if (figure.label) {
          define({
            kind: figure.kind,
            label: figure.label,
            number: String(figure.number),
            chapter: chapter.name,
            file: chapter.file,
            position,
          });
        }
        return;
      }
      if (node.type === 'math') {
        const label = (node.data as { label?: string } | undefined)?.label;
        if (label) {
          counters.eq += 1;
          define({
            kind: 'eq',
            label,
            number: String(counters.eq),
            chapter: chapter.name,
            file: chapter.file,
            position,
          });
        }
      }
    });
  });
  return targets;
}

/** Removes a trailing `{#label}` from a heading's text and returns the label. */
function takeTrailingLabel(heading: Heading): string | undefined {
  const last = heading.children.at(-1);
  if (!last || last.type !== 'text') return undefined;
  const match = labelSuffix.exec(last.value);
  if (!match) return undefined;
  last.value = last.value.slice(0, match.index);
  if (last.value === '') heading.children.pop();
  return match[1];
}

/**
 * Turns a paragraph that contains only `$$ … $$` (with an optional `{#eq-label}` after it) into
 * display math, and reads `{#eq-label}` from the opening line of a `$$` block.
 */
export function promoteDisplayMath(tree: Root, source: string): void {
  visit(tree, (node, index, parent) => {
    if (node.type === 'math') {
      const match = /^\{#(eq-[A-Za-z0-9_-]+)\}$/.exec((node.meta ?? '').trim());
      if (match) node.data = { ...node.data, label: match[1] } as typeof node.data;
      return;
    }
    if (node.type !== 'paragraph' || !parent || index === undefined) return;
    const paragraph = node as Paragraph;
    const [first, second, ...rest] = paragraph.children;
    if (!first || first.type !== 'inlineMath' || rest.length > 0) return;
    const start = first.position?.start.offset;
    if (start === undefined || !source.startsWith('$$', start)) return;

    let label: string | undefined;
    if (second) {
      const match =
        second.type === 'text'
          ? /^\s*\{#(eq-[A-Za-z0-9_-]+)\}\s*$/.exec((second as Text).value)
          : null;
      if (!match) return;
      label = match[1];
    }
    parent.children[index] = {
      type: 'math',
      value: first.value,
      position: paragraph.position,
      data: {
        hName: 'div',
        hProperties: { className: ['math', 'math-display'] },
        hChildren: [{ type: 'text', value: first.value }],
        ...(label ? { label } : {}),
      },
    } as Root['children'][number];
  });
}
