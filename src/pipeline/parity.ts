import type { Language } from '../config/manifest.ts';
import type { Block } from './blocks.ts';
import type { Diagnostics } from './diagnostics.ts';
import type { LabelTarget } from './labels.ts';

/** References of one chapter in one language, compared across languages. */
export interface ChapterFacts {
  language: Language;
  chapter: string;
  file: string;
  experiments: string[];
  labels: string[];
  citations: string[];
  values: string[];
}

export function chapterFacts(
  language: Language,
  chapter: string,
  file: string,
  blocks: Block[],
  labels: Map<string, LabelTarget>,
  citations: string[],
  expressions: string[],
): ChapterFacts {
  return {
    language,
    chapter,
    file,
    experiments: blocks.filter((block) => block.kind === 'experiment').map((block) => block.id),
    labels: [...labels.values()]
      .filter((target) => target.chapter === chapter)
      .map((target) => target.label),
    citations: [...new Set(citations)],
    values: expressions.map((expression) => expression.replace(/\s+/g, ' ')),
  };
}

const aspects = [
  ['experiments', 'experiments', 'parity-experiment'],
  ['labels', 'labelled sections, figures, tables and equations', 'parity-label'],
  ['citations', 'citations', 'parity-citation'],
  ['values', 'computed values', 'parity-value'],
] as const;

/** Reports every experiment, label, citation or computed value that one language of a chapter has and another lacks. */
export function checkParity(facts: ChapterFacts[], diagnostics: Diagnostics): void {
  const byChapter = new Map<string, ChapterFacts[]>();
  for (const fact of facts)
    byChapter.set(fact.chapter, [...(byChapter.get(fact.chapter) ?? []), fact]);

  for (const versions of byChapter.values()) {
    for (const version of versions) {
      for (const other of versions) {
        if (other === version) continue;
        for (const [key, description, ruleId] of aspects) {
          const missing = countDifference(other[key], version[key]);
          if (missing.length > 0) {
            diagnostics.error(
              version.file,
              undefined,
              `${version.language} lacks ${description} that ${other.language} has in chapter "${version.chapter}": ${missing.join(', ')}`,
              ruleId,
            );
          }
        }
      }
    }
  }
}

/** Items of `expected` not matched in `actual`, counting repeats. */
function countDifference(expected: string[], actual: string[]): string[] {
  const remaining = [...actual];
  const missing: string[] = [];
  for (const item of expected) {
    const index = remaining.indexOf(item);
    if (index >= 0) remaining.splice(index, 1);
    else missing.push(item);
  }
  return missing;
}
