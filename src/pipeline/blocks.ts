import type { Code } from 'mdast';
import { visit } from 'unist-util-visit';
import { z } from 'zod';

import { parseYamlWithSchema } from '../config/yaml.ts';
import type { Chapter } from './parse-chapter.ts';
import type { Diagnostics, Position } from './diagnostics.ts';

export const blockKinds = ['experiment', 'chart', 'results'] as const;
export type BlockKind = (typeof blockKinds)[number];

const idPattern = /^[a-z][a-z0-9-]*$/;

const experimentBody = z.looseObject({ model: z.string().min(1) });

export const chartTypes = ['loss', 'accuracy', 'confusion', 'samples', 'data'] as const;

const chartBody = z
  .object({
    type: z.enum(chartTypes),
    experiments: z.array(z.string()).optional(),
    caption: z.string().min(1),
    file: z.string().optional(),
    mark: z.enum(['bar', 'line', 'arc']).default('bar'),
    x: z.string().optional(),
    y: z.string().default('count'),
    color: z.string().optional(),
    xTitle: z.string().optional(),
    yTitle: z.string().optional(),
    colorTitle: z.string().optional(),
    labels: z
      .record(z.string(), z.string())
      .optional()
      .describe(
        'Display names of data values in the x and color columns, in the chapter language.',
      ),
  })
  .strict()
  .superRefine((body, context) => {
    if (body.type === 'data') {
      if (!body.file)
        context.addIssue({ code: 'custom', path: ['file'], message: 'a data chart needs file' });
      if (!body.x)
        context.addIssue({ code: 'custom', path: ['x'], message: 'a data chart needs x' });
    } else if (!body.experiments || body.experiments.length === 0) {
      context.addIssue({
        code: 'custom',
        path: ['experiments'],
        message: `a ${body.type} chart needs experiments`,
      });
    } else if (
      (body.type === 'confusion' || body.type === 'samples') &&
      body.experiments.length !== 1
    ) {
      context.addIssue({
        code: 'custom',
        path: ['experiments'],
        message: `a ${body.type} chart takes exactly one experiment`,
      });
    }
  });

const resultsBody = z
  .object({ experiments: z.array(z.string()).min(1), caption: z.string().min(1) })
  .strict();

export type ChartOptions = z.output<typeof chartBody>;
export type ResultsOptions = z.output<typeof resultsBody>;

interface BlockBase {
  id: string;
  chapter: Chapter;
  node: Code;
  position: Position;
}

export type Block =
  | (BlockBase & { kind: 'experiment'; model: string; params: Record<string, unknown> })
  | (BlockBase & { kind: 'chart'; options: ChartOptions })
  | (BlockBase & { kind: 'results'; options: ResultsOptions });

/** Reads the `{experiment}`, `{chart}` and `{results}` fenced blocks of a chapter. */
export function collectBlocks(chapter: Chapter, diagnostics: Diagnostics): Block[] {
  const blocks: Block[] = [];
  visit(chapter.tree, 'code', (node: Code) => {
    const kind = blockKindOf(node);
    const position = {
      line: node.position?.start.line ?? 1,
      column: node.position?.start.column ?? 1,
    };
    if (!kind) {
      // A misspelt keyword would otherwise print the block's YAML as a code sample.
      const unknown = /^\{([a-z-]+)\}$/.exec(node.lang ?? '')?.[1];
      if (unknown) {
        const message = `unknown block {${unknown}}; use {experiment}, {chart} or {results}, or a language name for a code sample`;
        diagnostics.warn(chapter.file, position, message, 'block-kind');
      }
      return;
    }

    const id = (node.meta ?? '').trim();
    if (!idPattern.test(id)) {
      diagnostics.error(
        chapter.file,
        position,
        `a {${kind}} block needs an id of lowercase letters, digits and hyphens after the keyword, found "${id}"`,
        'block-id',
      );
      return;
    }

    const schemas = { experiment: experimentBody, chart: chartBody, results: resultsBody };
    const result = parseYamlWithSchema(node.value, schemas[kind] as z.ZodType);
    if (!result.ok) {
      for (const problem of result.problems) {
        // The body starts on the line after the opening fence.
        const at = { line: position.line + problem.line, column: problem.column };
        diagnostics.error(
          chapter.file,
          at,
          `{${kind}} ${id}: ${problem.message}`,
          `${kind}-options`,
        );
      }
      return;
    }

    const base = { id, chapter, node, position };
    if (kind === 'experiment') {
      const { model, ...params } = result.value as z.output<typeof experimentBody>;
      blocks.push({ ...base, kind, model, params });
    } else if (kind === 'chart') {
      blocks.push({ ...base, kind, options: result.value as ChartOptions });
    } else {
      blocks.push({ ...base, kind, options: result.value as ResultsOptions });
    }
  });
  return blocks;
}

export function blockKindOf(node: Code): BlockKind | undefined {
  const match = /^\{([a-z-]+)\}$/.exec(node.lang ?? '');
  const kind = match?.[1];
  return blockKinds.find((known) => known === kind);
}
