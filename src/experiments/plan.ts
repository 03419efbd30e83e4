import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Block } from '../pipeline/blocks.ts';
import type { Diagnostics } from '../pipeline/diagnostics.ts';
import { stableStringify } from './cache.ts';
import { experimentModules } from './registry.ts';
import type { ExperimentModule } from './types.ts';

export const experimentsDir = path.dirname(fileURLToPath(import.meta.url));

/** One experiment to run or fetch from the cache, after its parameters were validated. */
export interface ExperimentPlan {
  id: string;
  model: string;
  module: ExperimentModule;
  /** The module file; it and its local imports are part of the cache key. */
  sourceFile: string;
  /** Parameters after defaults were applied. */
  params: Record<string, unknown>;
  /** Where the block was first declared, for messages. */
  declaredAt: { file: string; line: number; column: number };
}

type ExperimentBlock = Extract<Block, { kind: 'experiment' }>;

/**
 * Turns the experiment blocks of every chapter into plans. Reports an unknown model, invalid
 * parameters, and an id declared with different parameters in two places (for example in the
 * zh and en chapters) at the block's position; such experiments get no plan.
 */
export function planExperiments(
  blocks: Block[],
  diagnostics: Diagnostics,
): Map<string, ExperimentPlan> {
  const plans = new Map<string, ExperimentPlan>();
  const firstBlock = new Map<string, ExperimentBlock>();
  const rejected = new Set<string>();

  for (const block of blocks) {
    if (block.kind !== 'experiment') continue;
    const at = block.position;
    const file = block.chapter.file;

    const earlier = firstBlock.get(block.id);
    if (earlier) {
      const same =
        earlier.model === block.model &&
        stableStringify(earlier.params) === stableStringify(block.params);
      if (earlier.chapter.language === block.chapter.language) {
        diagnostics.error(
          file,
          at,
          `experiment "${block.id}" is declared twice in ${block.chapter.language}; it was first declared at ${earlier.chapter.file}:${earlier.position.line}`,
          'experiment-duplicate',
        );
      } else if (!same) {
        diagnostics.error(
          file,
          at,
          `experiment "${block.id}" has different parameters in ${block.chapter.language} and ${earlier.chapter.language} (${earlier.chapter.file}:${earlier.position.line}); the languages must run the same experiment`,
          'parity-experiment',
        );
      }
      continue;
    }
    firstBlock.set(block.id, block);

    const module = Object.hasOwn(experimentModules, block.model)
      ? experimentModules[block.model]
      : undefined;
    if (!module) {
      const known = Object.keys(experimentModules).sort().join(', ');
      diagnostics.error(
        file,
        at,
        `experiment "${block.id}" names unknown model "${block.model}"; known models: ${known}`,
        'experiment-unknown-model',
      );
      rejected.add(block.id);
      continue;
    }

    const parsed = module.schema.safeParse(block.params);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.map(String).join('.');
        const message = field
          ? `experiment "${block.id}": invalid parameter ${field}: ${issue.message}`
          : `experiment "${block.id}": ${issue.message}`;
        diagnostics.error(file, at, message, 'experiment-params');
      }
      rejected.add(block.id);
      continue;
    }

    plans.set(block.id, {
      id: block.id,
      model: block.model,
      module,
      sourceFile: path.join(experimentsDir, `${block.model}.ts`),
      params: parsed.data as Record<string, unknown>,
      declaredAt: { file, line: at.line, column: at.column },
    });
  }
  return plans;
}
