import { readFileSync } from 'node:fs';

import type { Root } from 'mdast';
import { visit } from 'unist-util-visit';

import {
  describeCharacters,
  findMissingGlyphs,
  loadReportFonts,
  reportFonts,
} from '../render/glyphs.ts';
import type { Diagnostics } from './diagnostics.ts';

/** A file to check, with the parsed tree of a chapter so that its math can be skipped. */
export interface GlyphCheckFile {
  file: string;
  tree?: Root;
}

/**
 * Reports each character of the given files that none of the report fonts can draw, at its first
 * position in the file. A PDF build calls it before training, so that such a character fails the
 * build early instead of printing as an empty box. Math in chapters is skipped, because KaTeX
 * sets it in its own fonts. Every character of a file counts, including ones the PDF never
 * prints, such as those of a CSV column that no chart uses.
 */
export function checkGlyphs(sources: GlyphCheckFile[], diagnostics: Diagnostics): void {
  const fonts = loadReportFonts();
  const families = reportFonts.map((font) => font.family).join(', ');
  for (const source of sources) {
    const text = readFileSync(source.file, 'utf8');
    const skipped = source.tree ? mathRanges(source.tree) : [];
    // Math becomes spaces of the same length, so offsets into `checked` are offsets into `text`.
    let checked = '';
    for (const character of text) {
      const offset = checked.length;
      const inMath = skipped.some(([begin, end]) => offset >= begin && offset < end);
      checked += inMath ? ' '.repeat(character.length) : character;
    }
    for (const character of findMissingGlyphs(checked, fonts)) {
      const at = positionOf(text, checked.indexOf(character));
      const message = `character ${describeCharacters([character])} has no glyph in ${families}; replace it, or write it as math or an image`;
      diagnostics.error(source.file, at, message, 'glyph-missing');
    }
  }
}

/** Offsets [start, end) of the math in a chapter, in UTF-16 code units like `String.indexOf`. */
function mathRanges(tree: Root): [number, number][] {
  const ranges: [number, number][] = [];
  visit(tree, (node) => {
    if (node.type !== 'math' && node.type !== 'inlineMath') return;
    const start = node.position?.start.offset;
    const end = node.position?.end.offset;
    if (start !== undefined && end !== undefined) ranges.push([start, end]);
  });
  return ranges;
}

function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}
