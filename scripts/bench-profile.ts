import type { Optimizer } from '../src/experiments/mlp-optimizer.ts';
import type { Tf } from '../src/experiments/types.ts';

/** Milliseconds and call counts per category of op. */
export type OpTimes = Map<string, { milliseconds: number; calls: number }>;

/** Ops whose calls the profile times. Other tf functions run untimed. */
const TIMED_OPS = [
  'add',
  'argMax',
  'cast',
  'div',
  'equal',
  'exp',
  'gather',
  'logSoftmax',
  'matMul',
  'mul',
  'neg',
  'relu',
  'slice',
  'sqrt',
  'square',
  'stack',
  'step',
  'sub',
  'sum',
  'tensor2d',
  'transpose',
  'zerosLike',
] as const;

export interface OpProfiler {
  /** A copy of the tf namespace whose timed ops record their wall time. */
  tf: Tf;
  /** Wraps an optimizer so that the ops of its updates count as "optimizer update". */
  wrapOptimizer(optimizer: Optimizer): Optimizer;
  times: OpTimes;
}

/**
 * Creates a profiler that times each tfjs op call by wall clock. This measures the op itself
 * only on backends that run kernels synchronously, such as wasm and cpu, but not webgl.
 */
export function createOpProfiler(tf: Tf): OpProfiler {
  const times: OpTimes = new Map();
  let inOptimizer = false;
  // The forward pass of the two-layer model makes the first two products of each step, and the
  // backward pass makes the rest. An optimizer update ends the step.
  let matMulsInStep = 0;

  const categorize = (name: string, args: unknown[]): string => {
    if (inOptimizer) return 'optimizer update';
    if (name === 'tensor2d') return 'upload';
    if (name === 'transpose') return 'transpose';
    if (name === 'matMul') {
      matMulsInStep += 1;
      return matMulsInStep <= 2 ? 'forward matMul' : 'backward matMul';
    }
    return `other: ${name}`;
  };

  const timed = { ...tf } as Record<string, unknown>;
  for (const name of TIMED_OPS) {
    const op = tf[name] as (...args: unknown[]) => unknown;
    timed[name] = (...args: unknown[]) => {
      const start = performance.now();
      const result = op(...args);
      const milliseconds = performance.now() - start;
      const category = categorize(name, args);
      const entry = times.get(category) ?? { milliseconds: 0, calls: 0 };
      entry.milliseconds += milliseconds;
      entry.calls += 1;
      times.set(category, entry);
      return result;
    };
  }

  return {
    tf: timed as unknown as Tf,
    times,
    wrapOptimizer(optimizer) {
      return {
        apply(params, gradients) {
          inOptimizer = true;
          try {
            return optimizer.apply(params, gradients);
          } finally {
            inOptimizer = false;
            matMulsInStep = 0;
          }
        },
        dispose: () => optimizer.dispose(),
      };
    },
  };
}
