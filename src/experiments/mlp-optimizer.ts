import type { Tensor } from '@tensorflow/tfjs-core';

import type { Tf } from './types.ts';

export interface AdamConfig {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Defaults of tf.keras.optimizers.Adam (TensorFlow 2.7 API docs), apart from the learning rate. */
export const KERAS_ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;

export interface AdamStep<T extends Tensor> {
  /** First-moment estimate m and second-moment estimate v after this step. */
  m: T;
  v: T;
  /** Bias-corrected moments m / (1 − β1^t) and v / (1 − β2^t). */
  mHat: T;
  vHat: T;
  theta: T;
}

/**
 * Computes one Adam update of `theta` at step `t` (counting from 1): θ − lr·m̂ / (√v̂ + ε).
 * Call it inside `tf.tidy`.
 *
 * tf.keras adds its ε to √v before the bias correction instead ("epsilon hat" in its docs). That
 * equals ε / √(1 − β2^t) here, so the two differ noticeably only where √v̂ is about that small.
 */
export function adamStep<T extends Tensor>(
  tf: Tf,
  config: AdamConfig,
  t: number,
  theta: T,
  gradient: T,
  m: T,
  v: T,
): AdamStep<T> {
  const { learningRate, beta1, beta2, epsilon } = config;
  // Scalars are combined in float64 before they reach float32 tensors, so that 1 − β2^t keeps
  // its precision.
  const nextM = tf.add(tf.mul(m, beta1), tf.mul(gradient, 1 - beta1)) as T;
  const nextV = tf.add(tf.mul(v, beta2), tf.mul(tf.square(gradient), 1 - beta2)) as T;
  const mHat = tf.div(nextM, 1 - beta1 ** t) as T;
  const vHat = tf.div(nextV, 1 - beta2 ** t) as T;
  const update = tf.div(tf.mul(mHat, learningRate), tf.add(tf.sqrt(vHat), epsilon));
  return { m: nextM, v: nextV, mHat, vHat, theta: tf.sub(theta, update) as T };
}

/** Parameters by name, such as the kernels and biases of a model. */
export type ParamSet = Record<string, Tensor>;

/**
 * A first-order optimizer over a fixed set of named parameters. It owns its state tensors until
 * `dispose`.
 */
export interface Optimizer {
  /**
   * Returns the updated parameters, and replaces the state tensors by their next values.
   * Call it inside `tf.tidy`, which then keeps only the returned parameters and the new state.
   */
  apply<P extends ParamSet>(params: P, gradients: P): P;
  dispose(): void;
}

export function createSgd(tf: Tf, learningRate: number): Optimizer {
  return {
    apply(params, gradients) {
      return mapParams(params, (name, value) =>
        tf.sub(value, tf.mul(gradients[name]!, learningRate)),
      );
    },
    dispose() {},
  };
}

export function createAdam(tf: Tf, config: AdamConfig): Optimizer {
  let t = 0;
  const moments = new Map<string, { m: Tensor; v: Tensor }>();

  return {
    apply(params, gradients) {
      t += 1;
      return mapParams(params, (name, value) => {
        const previous = moments.get(name) ?? {
          m: tf.keep(tf.zerosLike(value)),
          v: tf.keep(tf.zerosLike(value)),
        };
        const step = adamStep(tf, config, t, value, gradients[name]!, previous.m, previous.v);
        moments.set(name, { m: tf.keep(step.m), v: tf.keep(step.v) });
        previous.m.dispose();
        previous.v.dispose();
        return step.theta;
      });
    },
    dispose() {
      for (const { m, v } of moments.values()) {
        m.dispose();
        v.dispose();
      }
      moments.clear();
    },
  };
}

function mapParams<P extends ParamSet>(
  params: P,
  update: (name: string, value: Tensor) => Tensor,
): P {
  const next: ParamSet = {};
  for (const [name, value] of Object.entries(params)) {
    next[name] = update(name, value);
  }
  return next as P;
}
