import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

import * as fontkit from 'fontkit';

import { FolioError } from '../errors.ts';

/**
 * The font families of the report's CSS font stacks, by the PostScript name of their regular
 * face. Noto CJK covers Chinese and basic Latin; DejaVu follows it in each stack for Latin
 * Extended, Greek and symbols that Noto CJK lacks (such as "Ł" in author names).
 */
export const reportFonts = [
  { family: 'Noto Serif CJK SC', postscriptName: 'NotoSerifCJKsc-Regular' },
  { family: 'Noto Sans CJK SC', postscriptName: 'NotoSansCJKsc-Regular' },
  { family: 'Noto Sans Mono CJK SC', postscriptName: 'NotoSansMonoCJKsc-Regular' },
  { family: 'DejaVu Serif', postscriptName: 'DejaVuSerif' },
  { family: 'DejaVu Sans', postscriptName: 'DejaVuSans' },
];

interface GlyphSource {
  family: string;
  hasGlyph(codePoint: number): boolean;
}

let loadedFonts: GlyphSource[] | undefined;

/** Finds the report fonts through fontconfig and opens them; throws FONT_MISSING if one is absent. */
export function loadReportFonts(): GlyphSource[] {
  if (loadedFonts) return loadedFonts;
  loadedFonts = reportFonts.map(({ family, postscriptName }) => {
    let file = '';
    try {
      file = execFileSync('fc-match', ['-f', '%{file}', `${family}:style=Regular`], {
        encoding: 'utf8',
      }).trim();
    } catch {
      // fontconfig missing: reported below as a missing font.
    }
    const opened = file && existsSync(file) ? fontkit.openSync(file) : undefined;
    const font =
      opened && 'fonts' in opened
        ? opened.fonts.find((face) => face.postscriptName === postscriptName)
        : opened && opened.postscriptName === postscriptName
          ? opened
          : undefined;
    if (!font || !('hasGlyphForCodePoint' in font)) {
      throw new FolioError(
        'FONT_MISSING',
        `font "${family}" is not installed (fontconfig found "${file || 'nothing'}")`,
        {
          hint: "run `npm run setup`, which installs Debian's fonts-noto-cjk and fonts-dejavu-core",
        },
      );
    }
    return { family, hasGlyph: (codePoint: number) => font.hasGlyphForCodePoint(codePoint) };
  });
  return loadedFonts;
}

/**
 * Returns the characters of `text` that none of the report fonts can draw, so that the build can
 * fail instead of printing empty boxes. Whitespace and control characters are skipped.
 */
export function findMissingGlyphs(
  text: string,
  fonts: GlyphSource[] = loadReportFonts(),
): string[] {
  const missing = new Set<string>();
  const seen = new Set<number>();
  for (const character of text) {
    const codePoint = character.codePointAt(0) ?? 0;
    if (seen.has(codePoint)) continue;
    seen.add(codePoint);
    if (/[\s\p{Cc}\p{Cf}]/u.test(character)) continue;
    if (!fonts.some((font) => font.hasGlyph(codePoint))) missing.add(character);
  }
  return [...missing];
}

export function describeCharacters(characters: string[]): string {
  return characters
    .map(
      (character) =>
        `"${character}" (U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')})`,
    )
    .join(', ');
}
