import { CST, isMap, isNode, isScalar, LineCounter, parseDocument, Parser } from 'yaml';
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
    // An unclosed bracket or quote makes the parser repeat one message on later lines; the
    // first of them is the one to fix.
    const errors = document.errors.filter(
      (error, index) =>
        document.errors.findIndex((other) => other.message === error.message) === index,
    );
    return {
      ok: false,
      problems: errors.map((error) => {
        const unclosed = error.code === 'MISSING_CHAR' ? findUnclosedQuote(text) : undefined;
        const offset = unclosed ?? error.pos[0];
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

  const input: unknown = document.toJS() ?? {};
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };

  return {
    ok: false,
    problems: explainSchemaIssues(parsed.error.issues, input).map((problem) => {
      const point = locateNode(document, lineCounter, problem.path, problem.kind === 'unknown');
      return { ...point, message: formatSchemaProblem(problem), ruleId: 'schema' as const };
    }),
  };
}

/**
 * Returns where the first quoted value that has no closing quote starts. The parser reports a
 * missing closing quote at the end of the text, which is far from the value to fix.
 */
function findUnclosedQuote(text: string): number | undefined {
  let offset: number | undefined;
  for (const document of new Parser().parse(text)) {
    if (document.type !== 'document') continue;
    CST.visit(document, (item) => {
      for (const token of [item.key, item.value]) {
        if (offset !== undefined || !token) continue;
        let quote: string | undefined;
        if (token.type === 'double-quoted-scalar') quote = '"';
        if (token.type === 'single-quoted-scalar') quote = "'";
        const source = 'source' in token ? token.source.trimEnd() : '';
        if (quote && (source.length < 2 || !source.endsWith(quote))) offset = token.offset;
      }
    });
  }
  return offset;
}

type Key = string | number;

/** A schema violation on one value: an unknown key, a missing required one, or an invalid value. */
export interface SchemaProblem {
  kind: 'unknown' | 'missing' | 'invalid';
  path: Key[];
  /** The reason for an invalid value, such as "Too small: expected number to be >0". */
  detail: string;
}

type SchemaIssue = z.ZodError['issues'][number];

/**
 * Turns zod issues into one problem per offending value. Unknown keys get one problem each, a
 * union reports the branch that matched deepest (so `title.en: 5` is blamed on `title.en`), and a
 * value absent from `input` is reported as missing instead of as "received undefined".
 */
export function explainSchemaIssues(
  issues: readonly SchemaIssue[],
  input: unknown,
  prefix: Key[] = [],
): SchemaProblem[] {
  return issues.flatMap((issue): SchemaProblem[] => {
    const path = [
      ...prefix,
      ...issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key)),
    ];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        kind: 'unknown',
        path: [...path, key],
        detail: issue.message,
      }));
    }
    const value = valueAt(input, path);
    if (value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) {
      return [{ kind: 'missing', path, detail: issue.message }];
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const depth = (branch: readonly SchemaIssue[]) =>
        Math.max(0, ...branch.map((inner) => inner.path.length));
      const deepest = issue.errors.reduce((best, branch) =>
        depth(branch) > depth(best) ? branch : best,
      );
      if (depth(deepest) > 0) return explainSchemaIssues(deepest, input, path);
      const branchIssues = issue.errors.flat();
      if (branchIssues.every((inner) => inner.code === 'invalid_type')) {
        // zod names a YAML mapping "record" or "object".
        const names = branchIssues.map((inner) =>
          inner.code === 'invalid_type' ? inner.expected : '',
        );
        const expected = [
          ...new Set(names.map((name) => (name === 'record' || name === 'object' ? 'map' : name))),
        ];
        return [
          {
            kind: 'invalid',
            path,
            detail: `Invalid input: expected ${expected.join(' or ')}, received ${typeName(value)}`,
          },
        ];
      }
    }
    return [{ kind: 'invalid', path, detail: issue.message }];
  });
}

/** Formats a problem of a YAML file's fields, such as `unknown field "colour"`. */
export function formatSchemaProblem(problem: SchemaProblem): string {
  const name = problem.path.join('.');
  if (problem.kind === 'unknown') return `unknown field "${name}"`;
  if (problem.kind === 'missing') return `missing required field "${name}"`;
  return name ? `${name}: ${problem.detail}` : problem.detail;
}

function valueAt(input: unknown, path: Key[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<Key, unknown>)[key];
  }
  return current;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  return typeof value;
}

/**
 * Finds where `path` is in a YAML text (1-based), for messages about a value parsed from it:
 * the key itself when `atKey` is set, else the value, or its deepest parent that exists.
 */
export function locateYamlPath(text: string, path: Key[], atKey = false): SourcePoint {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  return locateNode(document, lineCounter, path, atKey);
}

function locateNode(
  document: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  path: Key[],
  atKey: boolean,
): SourcePoint {
  if (atKey && path.length > 0) {
    const parent = path.length === 1 ? document.contents : document.getIn(path.slice(0, -1), true);
    const pair = isMap(parent)
      ? parent.items.find((item) => isScalar(item.key) && item.key.value === path.at(-1))
      : undefined;
    if (pair && isNode(pair.key) && pair.key.range) {
      const point = lineCounter.linePos(pair.key.range[0]);
      return { line: point.line, column: point.col };
    }
  }
  // The deepest node on the path that exists, so a missing key points at its parent.
  for (let length = path.length; length >= 0; length--) {
    const node = length === 0 ? document.contents : document.getIn(path.slice(0, length), true);
    if (isNode(node) && node.range) {
      const point = lineCounter.linePos(node.range[0]);
      return { line: point.line, column: point.col };
    }
  }
  return { line: 1, column: 1 };
}
