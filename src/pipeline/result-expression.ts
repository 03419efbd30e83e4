import { format as d3Format, formatSpecifier } from 'd3-format';

import { didYouMean } from './suggest.ts';

/**
 * An inline value such as `mlp-adam.test.accuracy - mlp-sgd.test.accuracy | +.1%`: an
 * arithmetic expression over result paths and numbers, then an optional d3-format specifier.
 * Operators need spaces around them, because experiment ids contain hyphens.
 */
export interface ResultExpression {
  source: string;
  ast: ExpressionNode;
  format: string | undefined;
  /** Experiment ids the expression reads. */
  experiments: string[];
}

export type ExpressionNode =
  | { kind: 'number'; value: number }
  | { kind: 'path'; experiment: string; path: string[] }
  | { kind: 'negate'; operand: ExpressionNode }
  | {
      kind: 'binary';
      operator: '+' | '-' | '*' | '/';
      left: ExpressionNode;
      right: ExpressionNode;
    };

const tokenPattern =
  /\s*(?:(?<path>[a-z][a-z0-9-]*(?:\.[A-Za-z0-9_]+)+)|(?<number>\d+(?:\.\d+)?(?:e[+-]?\d+)?)|(?<op>[-+*/()]))/y;

export class ExpressionError extends Error {}

export function parseResultExpression(source: string): ResultExpression {
  const [expressionText = '', ...formatParts] = source.split('|');
  const format = formatParts.length > 0 ? formatParts.join('|').trim() : undefined;
  if (format !== undefined && !isValidFormat(format)) {
    throw new ExpressionError(
      `invalid format "${format}"; use a d3-format specifier such as .1% or .3f`,
    );
  }

  const tokens = tokenize(expressionText.trim());
  let index = 0;
  const peek = () => tokens[index];
  const next = () => tokens[index++];

  const parseFactor = (): ExpressionNode => {
    const token = next();
    if (!token) throw new ExpressionError('the expression ends too early');
    if (token.kind === 'number') return { kind: 'number', value: token.value };
    if (token.kind === 'path')
      return { kind: 'path', experiment: token.experiment, path: token.path };
    if (token.text === '-') return { kind: 'negate', operand: parseFactor() };
    if (token.text === '(') {
      const inner = parseSum();
      if (next()?.text !== ')') throw new ExpressionError('a "(" has no matching ")"');
      return inner;
    }
    throw new ExpressionError(`unexpected "${token.text}"`);
  };
  const parseProduct = (): ExpressionNode => {
    let left = parseFactor();
    while (peek()?.text === '*' || peek()?.text === '/') {
      const operator = next()!.text as '*' | '/';
      left = { kind: 'binary', operator, left, right: parseFactor() };
    }
    return left;
  };
  const parseSum = (): ExpressionNode => {
    let left = parseProduct();
    while (peek()?.text === '+' || peek()?.text === '-') {
      const operator = next()!.text as '+' | '-';
      left = { kind: 'binary', operator, left, right: parseProduct() };
    }
    return left;
  };

  if (tokens.length === 0)
    throw new ExpressionError(
      'the expression is empty; write a result path such as mlp-sgd.test.accuracy',
    );
  const ast = parseSum();
  if (index < tokens.length) throw new ExpressionError(`unexpected "${tokens[index]!.text}"`);
  const experiments = tokens.flatMap((token) => (token.kind === 'path' ? [token.experiment] : []));
  return { source, ast, format, experiments: [...new Set(experiments)] };
}

/** Format types that d3-format 3 defines. It formats a value with any other letter as "g", without an error. */
const formatTypes = new Set([
  '',
  'e',
  'f',
  'g',
  'r',
  's',
  '%',
  'p',
  'b',
  'o',
  'd',
  'x',
  'X',
  'c',
  'n',
]);

function isValidFormat(format: string): boolean {
  try {
    return formatTypes.has(formatSpecifier(format).type);
  } catch {
    return false;
  }
}

type Token =
  | { kind: 'number'; value: number; text: string }
  | { kind: 'path'; experiment: string; path: string[]; text: string }
  | { kind: 'op'; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  tokenPattern.lastIndex = 0;
  while (tokenPattern.lastIndex < text.length) {
    const start = tokenPattern.lastIndex;
    const match = tokenPattern.exec(text);
    if (!match?.groups) {
      throw new ExpressionError(
        `cannot read "${text.slice(start).trim()}"; a result path looks like mlp-sgd.test.accuracy`,
      );
    }
    const { path, number, op } = match.groups;
    if (path) {
      const [experiment = '', ...rest] = path.split('.');
      tokens.push({ kind: 'path', experiment, path: rest, text: path });
    } else if (number) {
      tokens.push({ kind: 'number', value: Number(number), text: number });
    } else if (op) {
      tokens.push({ kind: 'op', text: op });
    }
  }
  return tokens;
}

/** Looks a path up in an experiment's result; returns a reason string when it is not a number. */
export type PathLookup = (experiment: string, path: string[]) => number | string;

export function evaluateExpression(node: ExpressionNode, lookup: PathLookup): number {
  switch (node.kind) {
    case 'number':
      return node.value;
    case 'path': {
      const value = lookup(node.experiment, node.path);
      if (typeof value === 'string') throw new ExpressionError(value);
      return value;
    }
    case 'negate':
      return -evaluateExpression(node.operand, lookup);
    case 'binary': {
      const left = evaluateExpression(node.left, lookup);
      const right = evaluateExpression(node.right, lookup);
      if (node.operator === '+') return left + right;
      if (node.operator === '-') return left - right;
      if (node.operator === '*') return left * right;
      return left / right;
    }
  }
}

/** Formats a computed value; NaN prints as NaN, not as an empty or null string. */
export function formatValue(value: number, format: string | undefined): string {
  if (Number.isNaN(value)) return 'NaN';
  if (format === undefined) return d3Format('.4~g')(value);
  return d3Format(format)(value).replace('−', '-');
}

/** Reads `path` from a result object, returning the number found or why there is none. */
export function readResultPath(
  result: unknown,
  experiment: string,
  path: string[],
): number | string {
  let current: unknown = result;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !(key in current)) {
      // Suggest a key for a mistyped name, but not an index for an index past the end.
      const keys =
        current !== null && typeof current === 'object' && !Array.isArray(current)
          ? Object.keys(current)
          : [];
      return `result of "${experiment}" has no ${[experiment, ...path].join('.')}${didYouMean(key, keys)}`;
    }
    current = (current as Record<string, unknown>)[key];
  }
  if (typeof current !== 'number') {
    return `${[experiment, ...path].join('.')} is not a number; add a key or an index to the path`;
  }
  return current;
}
