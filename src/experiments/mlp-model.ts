import type { Scalar, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';

import { glorotUniform, type Random } from './random.ts';
import type { Tf } from './types.ts';

/** Number of classes in MNIST and Fashion-MNIST. */
export const CLASS_COUNT = 10;

/**
 * Weights of Dense(hidden, relu) followed by Dense(10, softmax). Kernels are [inputs, outputs]
 * as in Keras. A type alias rather than an interface, so that `tf.tidy` accepts it as a
 * TensorContainer.
 */
export type MlpParams<T1 = Tensor1D, T2 = Tensor2D> = {
  w1: T2;
  b1: T1;
  w2: T2;
  b2: T1;
};

export const PARAM_NAMES = ['w1', 'b1', 'w2', 'b2'] as const;

/** Creates Glorot-uniform kernels and zero biases, drawing from `random` in w1, w2 order. */
export function initMlpParams(tf: Tf, inputs: number, hidden: number, random: Random): MlpParams {
  const w1 = glorotUniform(inputs, hidden, random);
  const w2 = glorotUniform(hidden, CLASS_COUNT, random);
  return {
    w1: tf.tensor2d(w1, [inputs, hidden]),
    b1: tf.zeros([hidden]),
    w2: tf.tensor2d(w2, [hidden, CLASS_COUNT]),
    b2: tf.zeros([CLASS_COUNT]),
  };
}

export interface ForwardPass {
  /** Hidden activations after relu, [batch, hidden]. */
  hidden: Tensor2D;
  /** Pre-softmax outputs, [batch, 10]. */
  logits: Tensor2D;
}

export function forward(tf: Tf, params: MlpParams, x: Tensor2D): ForwardPass {
  const hidden = tf.relu(tf.add(tf.matMul(x, params.w1), params.b1)) as Tensor2D;
  const logits = tf.add(tf.matMul(hidden, params.w2), params.b2) as Tensor2D;
  return { hidden, logits };
}

/** Sums the categorical cross-entropy of each row: −Σ y·log softmax(logits). */
export function sumCrossEntropy(tf: Tf, logits: Tensor2D, oneHot: Tensor2D): Scalar {
  return tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits))));
}

/** Mean categorical cross-entropy over the batch, the loss that training minimizes. */
export function computeLoss(tf: Tf, params: MlpParams, x: Tensor2D, oneHot: Tensor2D): Scalar {
  const { logits } = forward(tf, params, x);
  return tf.div(sumCrossEntropy(tf, logits, oneHot), x.shape[0]);
}

export interface BatchGradients {
  gradients: MlpParams;
  /** Mean loss over the batch. */
  loss: Scalar;
  /** Number of rows whose highest logit is at the true class. */
  correct: Scalar;
}

/**
 * Computes the mean loss of a batch and its gradient with respect to each parameter by
 * backpropagation written out by hand. Call it inside `tf.tidy`. `xTransposed`, when given,
 * must equal `tf.transpose(x)`, and saves that transpose.
 *
 * Every product uses an explicit `tf.transpose` and never the transpose flags of `tf.matMul`:
 * with tfjs-backend-wasm 4.22, a transposed operand made a 128x784 by 128x64 product about five
 * times slower, and the autodiff gradient of matMul uses those flags.
 */
export function computeGradients(
  tf: Tf,
  params: MlpParams,
  x: Tensor2D,
  oneHot: Tensor2D,
  xTransposed: Tensor2D = tf.transpose(x),
): BatchGradients {
  const batchSize = x.shape[0];
  const { hidden, logits } = forward(tf, params, x);
  const logProbabilities = tf.logSoftmax(logits);
  const loss = tf.div(tf.neg(tf.sum(tf.mul(oneHot, logProbabilities))), batchSize) as Scalar;

  // The gradient of mean cross-entropy with respect to the logits of softmax is (p − y) / batch.
  const dLogits = tf.div(tf.sub(tf.exp(logProbabilities), oneHot), batchSize) as Tensor2D;
  const dW2 = tf.matMul(tf.transpose(hidden), dLogits) as Tensor2D;
  const db2 = tf.sum(dLogits, 0) as Tensor1D;

  // relu passes the gradient only where its output, and so its input, is positive.
  const dHidden = tf.matMul(dLogits, tf.transpose(params.w2));
  const dPreActivation = tf.mul(dHidden, tf.step(hidden));
  const dW1 = tf.matMul(xTransposed, dPreActivation) as Tensor2D;
  const db1 = tf.sum(dPreActivation, 0) as Tensor1D;

  const predicted = tf.argMax(logits, 1);
  const correct = tf.sum(tf.equal(predicted, tf.argMax(oneHot, 1))) as Scalar;
  return { gradients: { w1: dW1, b1: db1, w2: dW2, b2: db2 }, loss, correct };
}

export function disposeParams(params: MlpParams<{ dispose(): void }, { dispose(): void }>): void {
  for (const name of PARAM_NAMES) {
    params[name].dispose();
  }
}
