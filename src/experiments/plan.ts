import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { explainSchemaIssues, locateYamlPath, type SchemaProblem } from '../config/yaml.ts';
import type { Block } from '../pipeline/blocks.ts';
import type { Diagnostics, Position } from '../pipeline/diagnostics.ts';
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
  /** Position of the block that first declared the experiment, for messages. */
  declaredAt: { file: string; line: number; column: number };
}

type ExperimentBlock = Extract<Block, { kind: 'experiment' }>;

/**
 * Turns the experiment blocks of every chapter into plans. An unknown model, invalid parameters,
 * or an id declared with different parameters in two places (such as the zh and en chapters) is
 * reported at the block's position, and that experiment gets no plan.
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
      for (const problem of explainSchemaIssues(parsed.error.issues, block.params)) {
        diagnostics.error(
          file,
          locateParameter(block, problem),
          describeParameterProblem(block.id, problem),
          'experiment-params',
        );
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

function describeParameterProblem(id: string, problem: SchemaProblem): string {
  const field = problem.path.join('.');
  if (problem.kind === 'unknown')
    return `experiment "${id}": unknown parameter "${field}"; docs/content-format.md lists the parameters of each model`;
  if (problem.kind === 'missing')
    return `experiment "${id}": missing required parameter "${field}"`;
  return field
    ? `experiment "${id}": invalid parameter ${field}: ${problem.detail}`
    : `experiment "${id}": ${problem.detail}`;
}

/** Finds a parameter in the block's YAML body; a missing one points at the opening fence. */
function locateParameter(block: ExperimentBlock, problem: SchemaProblem): Position {
  if (problem.kind === 'missing' || problem.path.length === 0) return block.position;
  const point = locateYamlPath(block.node.value, problem.path, problem.kind === 'unknown');
  // The body starts on the line after the opening fence.
  return {
    line: block.position.line + point.line,
    column: block.position.column + point.column - 1,
  };
}
