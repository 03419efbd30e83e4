import { describe, expect, it } from 'vitest';

import {
  experimentModules,
  getExperimentModule,
  UnknownModelError,
} from '../../src/experiments/registry.ts';

describe('experiment registry', () => {
  it('lists mlp and worked-examples', () => {
    expect(Object.keys(experimentModules).sort()).toEqual(['mlp', 'worked-examples']);
  });

  it('finds a module by name', () => {
    expect(getExperimentModule('mlp').name).toBe('mlp');
    expect(getExperimentModule('worked-examples').name).toBe('worked-examples');
  });

  it('rejects an unknown model', () => {
    expect(() => getExperimentModule('cnn')).toThrow(UnknownModelError);
    expect(() => getExperimentModule('cnn')).toThrow(
      "unknown experiment model 'cnn'. Use one of: mlp, worked-examples.",
    );
  });

  it('rejects inherited property names', () => {
    expect(() => getExperimentModule('toString')).toThrow(UnknownModelError);
  });
});
