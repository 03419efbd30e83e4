import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/experiments/backend.ts';
import type { ExperimentContext } from '../../src/experiments/types.ts';
import { workedExamples, workedExamplesSchema } from '../../src/experiments/worked-examples.ts';

let context: ExperimentContext;

beforeAll(async () => {
  const { tf, backend } = await initBackend('wasm');
  context = { tf, backend, dataDir: '' };
});

async function computeValues(input: Record<string, unknown> = {}) {
  const output = await workedExamples.run(workedExamplesSchema.parse(input), context);
  return output.values ?? {};
}

function expectVector(actual: unknown, expected: number[]): void {
  expect(Array.isArray(actual)).toBe(true);
  const vector = actual as number[];
  expect(vector).toHaveLength(expected.length);
  expected.forEach((value, i) => expect(Math.abs(vector[i]! - value)).toBeLessThan(1e-6));
}

describe('worked-examples', () => {
  it('computes cross-entropy with the natural log', async () => {
    const values = await computeValues();

    expect(Math.abs((values.crossEntropy as number) - -Math.log(0.4))).toBeLessThan(1e-6);
    expect(values.crossEntropy).toBeCloseTo(0.916, 3);
  });

  it('computes half the squared error', async () => {
    const values = await computeValues();

    expect(Math.abs((values.squaredError as number) - 0.04)).toBeLessThan(1e-6);
  });

  it('takes a gradient descent step', async () => {
    const values = await computeValues();

    expectVector(values.gdStep, [1.05, 1.03]);
  });

  it('takes a first Adam step', async () => {
    const values = await computeValues();

    expectVector(values.adamM, [-0.05, -0.03]);
    expectVector(values.adamV, [0.00025, 0.00009]);
    // After one step the bias correction recovers g and g² exactly.
    expectVector(values.adamMHat, [-0.5, -0.3]);
    expectVector(values.adamVHat, [0.25, 0.09]);
    expectVector(values.adamTheta, [
      1 + 0.001 * (0.5 / (0.5 + 1e-8)),
      1 + 0.001 * (0.3 / (0.3 + 1e-8)),
    ]);
  });

  it('reports exactly these values', async () => {
    const values = await computeValues();

    expect(Object.keys(values).sort()).toEqual([
      'adamM',
      'adamMHat',
      'adamTheta',
      'adamV',
      'adamVHat',
      'crossEntropy',
      'gdStep',
      'squaredError',
    ]);
  });

  it('uses overridden inputs', async () => {
    const values = await computeValues({ probabilities: [0.25, 0.75], oneHot: [1, 0] });

    expect(Math.abs((values.crossEntropy as number) - Math.log(4))).toBeLessThan(1e-6);
  });

  it('needs no input files', () => {
    expect(workedExamples.inputFiles(workedExamplesSchema.parse({}), '/nowhere')).toEqual([]);
  });

  it('rejects an unknown key', () => {
    const result = workedExamplesSchema.safeParse({ alpha: 0.1 });

    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.code).toBe('unrecognized_keys');
  });

  it('rejects vectors of different lengths', () => {
    const result = workedExamplesSchema.safeParse({ theta: [1, 1, 1] });

    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['gradient']);
    expect(result.error?.issues[0]?.message).toBe(
      'gradient has 2 values but theta has 3. Give both the same length.',
    );
  });
});
