import type { InlineCode } from 'mdast';
import { visit } from 'unist-util-visit';

import type { Block } from './blocks.ts';
import type { Diagnostics, Position } from './diagnostics.ts';
import type { Chapter } from './parse-chapter.ts';
import { parseResultExpression } from './result-expression.ts';
import { didYouMean } from './suggest.ts';

export function unknownExperimentMessage(id: string, declared: Iterable<string>): string {
  const suggestion = didYouMean(id, declared);
  return suggestion
    ? `unknown experiment "${id}"${suggestion}`
    : `unknown experiment "${id}"; declare it with an {experiment} block`;
}

/**
 * Reports `{result}` values, charts and results tables that name an experiment no block
 * declares. It runs before training, so a typo fails the build at once instead of after the
 * experiments ran. Rendering reports the same problems with the same text, and the two merge.
 */
export function checkExperimentReferences(
  chapters: Chapter[],
  blocks: Block[],
  diagnostics: Diagnostics,
): void {
  const declared = new Set(
    blocks.filter((block) => block.kind === 'experiment').map((block) => block.id),
  );
  const report = (file: string, at: Position, id: string) => {
    if (!declared.has(id))
      diagnostics.error(file, at, unknownExperimentMessage(id, declared), 'experiment-unknown');
  };

  for (const block of blocks) {
    if (block.kind === 'experiment') continue;
    const ids =
      block.kind === 'results' ? block.options.experiments : (block.options.experiments ?? []);
    for (const id of ids) report(block.chapter.file, block.position, id);
  }

  for (const chapter of chapters) {
    visit(chapter.tree, 'inlineCode', (node: InlineCode) => {
      const match = /^\{result\}\s*([\s\S]*)$/.exec(node.value);
      if (!match) return;
      let experiments: string[];
      try {
        experiments = parseResultExpression((match[1] ?? '').trim()).experiments;
      } catch {
        // Syntax errors are reported with their reason when the chapter renders.
        return;
      }
      const at = { line: node.position?.start.line ?? 1, column: node.position?.start.column ?? 1 };
      for (const id of experiments) report(chapter.file, at, id);
    });
  }
}
