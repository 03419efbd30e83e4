import type { Paragraph, Root } from 'mdast';
import rehypeStringify from 'rehype-stringify';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import { describe, expect, it } from 'vitest';

import { restoreDollarAmounts } from '../../src/pipeline/dollar-signs.ts';
import { parseMarkdown } from '../../src/pipeline/parse-chapter.ts';

/** Parses Markdown the way chapters are parsed and returns the first paragraph's HTML. */
async function paragraphHtml(markdown: string): Promise<string> {
  const tree = parseMarkdown(markdown);
  restoreDollarAmounts(tree, markdown);
  const processor = unified().use(remarkRehype).use(rehypeStringify);
  const hast = await processor.run(tree as Root);
  return String(processor.stringify(hast as never));
}

function firstParagraph(markdown: string): Paragraph {
  const tree = parseMarkdown(markdown);
  restoreDollarAmounts(tree, markdown);
  return tree.children[0] as Paragraph;
}

describe('Chinese text', () => {
  it('emphasis ends before Chinese text', async () => {
    expect(await paragraphHtml('**结论。**后文')).toBe('<p><strong>结论。</strong>后文</p>');
  });

  it('emphasis after Chinese punctuation', async () => {
    expect(await paragraphHtml('前文，**重点**：后文')).toBe(
      '<p>前文，<strong>重点</strong>：后文</p>',
    );
  });
});

describe('dollar signs', () => {
  it('two prices stay text', () => {
    const paragraph = firstParagraph('from $3 to $7 a month');
    expect(paragraph.children.every((child) => child.type === 'text')).toBe(true);
    expect(paragraph.children.map((child) => (child as { value: string }).value).join('')).toBe(
      'from $3 to $7 a month',
    );
  });

  it('inline math still parses', () => {
    const paragraph = firstParagraph('the loss $L = -\\log p$ here');
    expect(paragraph.children[1]).toMatchObject({ type: 'inlineMath', value: 'L = -\\log p' });
  });

  it('closing dollar before a digit is text', () => {
    const paragraph = firstParagraph('a $x$5 b');
    expect(paragraph.children.some((child) => child.type === 'inlineMath')).toBe(false);
  });
});
