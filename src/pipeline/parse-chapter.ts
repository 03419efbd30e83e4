import { existsSync, readFileSync } from 'node:fs';

import type { Root, Yaml } from 'mdast';
import remarkFrontmatter from 'remark-frontmatter';
import remarkCjkFriendly from 'remark-cjk-friendly';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { z } from 'zod';

import { parseYamlWithSchema } from '../config/yaml.ts';
import type { Language } from '../config/manifest.ts';
import { FolioError } from '../errors.ts';
import type { Diagnostics } from './diagnostics.ts';
import { restoreDollarAmounts } from './dollar-signs.ts';

export const frontMatterSchema = z
  .object({
    title: z.string().min(1).describe('Chapter title, in the language of the file.'),
    subtitle: z.string().optional(),
    numbered: z.boolean().default(true).describe('Whether the chapter gets a number.'),
  })
  .strict();

export type FrontMatter = z.output<typeof frontMatterSchema>;

/** One chapter file in one language, parsed but not yet rendered. */
export interface Chapter {
  name: string;
  language: Language;
  file: string;
  /** 1-based position in the manifest's chapter list. */
  index: number;
  frontMatter: FrontMatter;
  tree: Root;
}

const parser = unified()
  .use(remarkParse)
  .use(remarkFrontmatter, ['yaml'])
  .use(remarkGfm)
  .use(remarkCjkFriendly)
  .use(remarkMath);

/** Parses Markdown text into an mdast tree with positions. */
export function parseMarkdown(text: string): Root {
  return parser.parse(text);
}

/**
 * Reads a chapter file and validates its front matter. Front matter problems are reported on
 * `diagnostics` at their line; the chapter still parses, with its file name as the title.
 */
export function readChapter(
  file: string,
  name: string,
  language: Language,
  index: number,
  diagnostics: Diagnostics,
): Chapter {
  if (!existsSync(file)) {
    throw new FolioError(
      'CHAPTER_NOT_FOUND',
      `chapter "${name}" has no ${language} file: ${file}`,
      {
        hint: `create ${file}, or remove "${name}" from the chapters list in report.yaml`,
      },
    );
  }
  const source = readFileSync(file, 'utf8');
  const tree = parseMarkdown(source);
  restoreDollarAmounts(tree, source);
  const frontMatter = readFrontMatter(tree, source, file, name, diagnostics);
  return { name, language, file, index, frontMatter, tree };
}

function readFrontMatter(
  tree: Root,
  source: string,
  file: string,
  name: string,
  diagnostics: Diagnostics,
): FrontMatter {
  const fallback: FrontMatter = { title: name, numbered: true };
  const node = tree.children[0];
  if (!node || node.type !== 'yaml') {
    // remark-frontmatter needs a closing fence; without one, the opening `---` is a thematic break.
    const message = /^---[ \t]*\r?\n/.test(source)
      ? 'front matter is not closed; add a line with only --- after its last field'
      : 'missing front matter; start the file with a line ---, then title: <chapter title>, then ---';
    diagnostics.error(file, { line: 1, column: 1 }, message, 'front-matter');
    return fallback;
  }
  tree.children.shift();

  const result = parseYamlWithSchema((node as Yaml).value, frontMatterSchema);
  if (result.ok) return result.value;

  // The YAML text starts on the line after the opening `---`.
  const firstLine = (node.position?.start.line ?? 1) + 1;
  const yamlLines = (node as Yaml).value.split('\n');
  const fullWidthLine = yamlLines.findIndex((line) => /^\s*[A-Za-z_][\w-]*\s*：/.test(line));
  if (fullWidthLine >= 0) {
    // `title：背景` (a full-width colon) is one plain string to YAML, not a key and a value.
    diagnostics.error(
      file,
      {
        line: firstLine + fullWidthLine,
        column: (yamlLines[fullWidthLine] ?? '').indexOf('：') + 1,
      },
      'front matter: a full-width colon (：) after a key; write an ASCII colon and a space, as in "title: 背景"',
      'front-matter',
    );
    return fallback;
  }
  for (const problem of result.problems) {
    diagnostics.error(
      file,
      { line: firstLine + problem.line - 1, column: problem.column },
      `front matter: ${problem.message}`,
      'front-matter',
    );
  }
  return fallback;
}
