import { describe, expect, it } from 'vitest';

import {
  evaluateExpression,
  ExpressionError,
  formatValue,
  parseResultExpression,
  readResultPath,
} from '../../src/pipeline/result-expression.ts';

/** Result objects as the runner stores them, reduced to the fields the expressions read. */
const results: Record<string, unknown> = {
  'mlp-sgd': { test: { loss: 0.41, accuracy: 0.8534 }, epochs: [{ loss: 0.9 }, { loss: 0.5 }] },
  'mlp-adam': { test: { loss: 0.35, accuracy: 0.8712 } },
  'mlp-sgd-2': { test: { accuracy: 0.8 } },
  'worked-examples': { values: { crossEntropy: 0.9163, gdStep: [1.05, 1.03] } },
  diverged: { test: { loss: Number.NaN, accuracy: 0.1 } },
};

/** Parses, evaluates against `results` and formats, as the inline `{result}` renders. */
function formatResult(source: string): string {
  const expression = parseResultExpression(source);
  const value = evaluateExpression(expression.ast, (experiment, path) =>
    readResultPath(results[experiment], experiment, path),
  );
  return formatValue(value, expression.format);
}

function parseError(source: string): string {
  try {
    parseResultExpression(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    return (error as Error).message;
  }
  throw new Error(`expected parseResultExpression to reject "${source}"`);
}

describe('parseResultExpression', () => {
  it('splits path and format', () => {
    const expression = parseResultExpression('mlp-sgd.test.accuracy | .1%');

    expect(expression.format).toBe('.1%');
    expect(expression.experiments).toEqual(['mlp-sgd']);
    expect(expression.ast).toEqual({
      kind: 'path',
      experiment: 'mlp-sgd',
      path: ['test', 'accuracy'],
    });
  });

  it('leaves format undefined without a bar', () => {
    expect(parseResultExpression('mlp-sgd.test.accuracy').format).toBeUndefined();
  });

  it('keeps hyphens inside ids', () => {
    const expression = parseResultExpression('mlp-sgd-2.test.accuracy - mlp-sgd.test.accuracy');

    expect(expression.experiments).toEqual(['mlp-sgd-2', 'mlp-sgd']);
    expect(expression.ast).toEqual({
      kind: 'binary',
      operator: '-',
      left: { kind: 'path', experiment: 'mlp-sgd-2', path: ['test', 'accuracy'] },
      right: { kind: 'path', experiment: 'mlp-sgd', path: ['test', 'accuracy'] },
    });
  });

  it('lists each experiment once', () => {
    const expression = parseResultExpression(
      '(mlp-adam.test.accuracy - mlp-sgd.test.accuracy) / mlp-sgd.test.accuracy',
    );

    expect(expression.experiments).toEqual(['mlp-adam', 'mlp-sgd']);
  });

  it('reads a vector index as a path key', () => {
    const expression = parseResultExpression('worked-examples.values.gdStep.0');

    expect(expression.ast).toEqual({
      kind: 'path',
      experiment: 'worked-examples',
      path: ['values', 'gdStep', '0'],
    });
  });

  it('rejects an invalid format', () => {
    expect(parseError('mlp-sgd.test.accuracy | percent')).toBe(
      'invalid format "percent"; use a d3-format specifier such as .1% or .3f',
    );
  });

  it('rejects an empty expression', () => {
    const message = 'the expression is empty; write a result path such as mlp-sgd.test.accuracy';

    expect(parseError('')).toBe(message);
    expect(parseError('   ')).toBe(message);
    expect(parseError(' | .1%')).toBe(message);
  });

  it('rejects an unclosed parenthesis', () => {
    expect(parseError('(mlp-sgd.test.accuracy + 1')).toBe('a "(" has no matching ")"');
  });

  it('rejects a trailing operator', () => {
    expect(parseError('mlp-sgd.test.accuracy +')).toBe('the expression ends too early');
  });

  it('rejects two operands in a row', () => {
    expect(parseError('mlp-sgd.test.accuracy 2')).toBe('unexpected "2"');
  });

  it('rejects an id without a path', () => {
    expect(parseError('mlp-sgd')).toBe(
      'cannot read "mlp-sgd"; a result path looks like mlp-sgd.test.accuracy',
    );
  });
});

describe('evaluateExpression', () => {
  const lookupNothing = () => 'no paths in this expression';
  const evaluate = (source: string) =>
    evaluateExpression(parseResultExpression(source).ast, lookupNothing);

  it('multiplies before adding', () => {
    expect(evaluate('2 + 3 * 4')).toBe(14);
    expect(evaluate('2 * 3 + 4')).toBe(10);
    expect(evaluate('10 - 6 / 2')).toBe(7);
  });

  it('groups with parentheses', () => {
    expect(evaluate('(2 + 3) * 4')).toBe(20);
    expect(evaluate('2 * (3 + 4)')).toBe(14);
    expect(evaluate('((1 + 1) * (2 + 2))')).toBe(8);
  });

  it('associates to the left', () => {
    expect(evaluate('10 - 4 - 3')).toBe(3);
    expect(evaluate('8 / 4 / 2')).toBe(1);
  });

  it('negates a factor', () => {
    expect(evaluate('-2 * 3')).toBe(-6);
    expect(evaluate('2 * -3')).toBe(-6);
    expect(evaluate('-(1 + 2)')).toBe(-3);
  });

  it('reads numbers with exponents', () => {
    expect(evaluate('1.5e3 + 0.25')).toBe(1500.25);
  });

  it('subtracts two results', () => {
    expect(formatResult('mlp-adam.test.accuracy - mlp-sgd.test.accuracy | +.1%')).toBe('+1.8%');
  });

  it('signs a negative difference', () => {
    // d3-format writes U+2212 MINUS SIGN, and the report prints an ASCII hyphen-minus instead.
    expect(formatResult('mlp-sgd.test.accuracy - mlp-adam.test.accuracy | +.1%')).toBe('-1.8%');
  });

  it('reads a vector element', () => {
    expect(formatResult('worked-examples.values.gdStep.1 | .2f')).toBe('1.03');
  });

  it('names an unknown path', () => {
    expect(() => formatResult('mlp-sgd.test.precision')).toThrow(
      new ExpressionError('result of "mlp-sgd" has no mlp-sgd.test.precision'),
    );
  });

  it('names a path that is not a number', () => {
    expect(() => formatResult('mlp-sgd.test')).toThrow(
      new ExpressionError('mlp-sgd.test is not a number; add a key or an index to the path'),
    );
  });
});

describe('readResultPath', () => {
  it('returns the number at the path', () => {
    expect(readResultPath(results['mlp-sgd'], 'mlp-sgd', ['test', 'accuracy'])).toBe(0.8534);
    expect(readResultPath(results['mlp-sgd'], 'mlp-sgd', ['epochs', '1', 'loss'])).toBe(0.5);
  });

  it('names a missing key', () => {
    expect(readResultPath(results['mlp-sgd'], 'mlp-sgd', ['test', 'precision'])).toBe(
      'result of "mlp-sgd" has no mlp-sgd.test.precision',
    );
  });

  it('names an index past the end', () => {
    expect(readResultPath(results['mlp-sgd'], 'mlp-sgd', ['epochs', '5', 'loss'])).toBe(
      'result of "mlp-sgd" has no mlp-sgd.epochs.5.loss',
    );
  });

  it('names a missing result', () => {
    expect(readResultPath(undefined, 'ghost', ['test', 'accuracy'])).toBe(
      'result of "ghost" has no ghost.test.accuracy',
    );
  });

  it('names a vector without an index', () => {
    expect(
      readResultPath(results['worked-examples'], 'worked-examples', ['values', 'gdStep']),
    ).toBe('worked-examples.values.gdStep is not a number; add a key or an index to the path');
  });
});

describe('formatValue', () => {
  it('prints a percentage', () => {
    expect(formatValue(0.8534, '.1%')).toBe('85.3%');
  });

  it('prints fixed decimals', () => {
    expect(formatValue(0.91629, '.3f')).toBe('0.916');
  });

  it('prints four significant digits by default', () => {
    expect(formatValue(0.916291, undefined)).toBe('0.9163');
    expect(formatValue(85, undefined)).toBe('85');
    expect(formatValue(12345.6, undefined)).toBe('1.235e+4');
  });

  it('prints NaN as NaN', () => {
    expect(formatValue(Number.NaN, '.1%')).toBe('NaN');
    expect(formatValue(Number.NaN, undefined)).toBe('NaN');
  });

  it('prints NaN from a result', () => {
    expect(formatResult('diverged.test.loss | .3f')).toBe('NaN');
    expect(formatResult('diverged.test.loss - diverged.test.accuracy | +.1%')).toBe('NaN');
  });

  it('prints NaN from zero over zero', () => {
    expect(formatResult('0 / 0 | .1%')).toBe('NaN');
  });

  it('prints a negative value with a hyphen-minus', () => {
    expect(formatValue(-0.25, '.2f')).toBe('-0.25');
  });
});
