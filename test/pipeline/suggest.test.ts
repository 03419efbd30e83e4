import { describe, expect, it } from 'vitest';

import { didYouMean } from '../../src/pipeline/suggest.ts';
import { readResultPath } from '../../src/pipeline/result-expression.ts';

describe('didYouMean', () => {
  it('suggests a one-letter typo', () => {
    expect(didYouMean('acuracy', ['accuracy', 'loss'])).toBe('; did you mean "accuracy"?');
  });

  it('suggests the closest long label', () => {
    expect(didYouMean('sec-math-los', ['sec-math-loss', 'sec-math-adam'])).toBe(
      '; did you mean "sec-math-loss"?',
    );
  });

  it('stays silent when nothing is close', () => {
    expect(didYouMean('eq-mse', ['eq-ce', 'eq-gd'])).toBe('');
  });

  it('stays silent without candidates', () => {
    expect(didYouMean('anything', [])).toBe('');
  });
});

describe('result path suggestions', () => {
  const result = { test: { accuracy: 0.85, loss: 0.4 }, epochs: [{ loss: 1 }] };

  it('name the mistyped key', () => {
    expect(readResultPath(result, 'mlp-sgd', ['test', 'acuracy'])).toBe(
      'result of "mlp-sgd" has no mlp-sgd.test.acuracy; did you mean "accuracy"?',
    );
  });

  it('do not guess an index', () => {
    expect(readResultPath(result, 'mlp-sgd', ['epochs', '5', 'loss'])).toBe(
      'result of "mlp-sgd" has no mlp-sgd.epochs.5.loss',
    );
  });
});
