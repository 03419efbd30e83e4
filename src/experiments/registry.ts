import { mlp } from './mlp.ts';
import type { ExperimentModule } from './types.ts';
import { workedExamples } from './worked-examples.ts';

/** Experiment modules by the name that a Markdown block gives in its `model:` field. */
export const experimentModules: Record<string, ExperimentModule> = {
  [mlp.name]: mlp,
  [workedExamples.name]: workedExamples,
};

/** A `model:` name that no experiment module has. */
export class UnknownModelError extends Error {
  readonly model: string;

  constructor(model: string) {
    super(
      `unknown experiment model '${model}'. ` +
        `Use one of: ${Object.keys(experimentModules).join(', ')}.`,
    );
    this.name = 'UnknownModelError';
    this.model = model;
  }
}

/** Looks up an experiment module by name and throws `UnknownModelError` if there is none. */
export function getExperimentModule(name: string): ExperimentModule {
  const module = Object.hasOwn(experimentModules, name) ? experimentModules[name] : undefined;
  if (module === undefined) {
    throw new UnknownModelError(name);
  }
  return module;
}
