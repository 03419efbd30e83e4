import { isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';

export interface SourcePoint {
  line: number;
  column: number;
}

/** A problem found in a YAML text, with its position in that text (1-based). */
export interface YamlProblem extends SourcePoint {
  message: string;
  ruleId: 'yaml-syntax' | 'schema';
}

export type YamlParseResult<T> = { ok: true; value: T } | { ok: false; problems: YamlProblem[] };

const colonHint =
  'if a value contains ": ", quote the whole value, for example title: "Part 1: Overview"';

/**
 * Parses YAML text and validates it with a zod schema. Syntax errors and schema violations come
 * back as problems located in the text; nothing throws.
 */
export function parseYamlWithSchema<S extends z.ZodType>(
  text: string,
  schema: S,
): YamlParseResult<z.output<S>> {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: document.errors.map((error) => {
        const offset = error.pos[0];
        const point = lineCounter.linePos(offset);
        const isColonProblem = /mapping values|implicit map keys|nested mappings/i.test(
          error.message,
        );
        const firstLine = error.message.split('\n')[0] ?? error.message;
        return {
          line: point.line,
          column: point.col,
          message: isColonProblem ? `${firstLine} (${colonHint})` : firstLine,
          ruleId: 'yaml-syntax' as const,
        };
      }),
    };
  }

  const parsed = schema.safeParse(document.toJS() ?? {});
  if (parsed.success) return { ok: true, value: parsed.data };

  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => {
      const path = issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key));
      const point = locatePath(document, lineCounter, path);
      const where = path.length > 0 ? `${path.join('.')}: ` : '';
      return { ...point, message: `${where}${issue.message}`, ruleId: 'schema' as const };
    }),
  };
}

/** Finds the deepest node on `path` that exists in the document, so a missing key points at its parent. */
function locatePath(
  document: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  path: (string | number)[],
): SourcePoint {
  for (let length = path.length; length >= 0; length--) {
    const node = length === 0 ? document.contents : document.getIn(path.slice(0, length), true);
    if (isNode(node) && node.range) {
      const point = lineCounter.linePos(node.range[0]);
      return { line: point.line, column: point.col };
    }
  }
  return { line: 1, column: 1 };
}
