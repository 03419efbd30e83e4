import type { Tensor1D } from '@tensorflow/tfjs-core';
import { z } from 'zod';

import { adamStep } from './mlp-optimizer.ts';
import type { ExperimentModule, Tf } from './types.ts';

const PAIRED_VECTORS = [
  ['probabilities', 'oneHot'],
  ['predictions', 'targets'],
  ['theta', 'gradient'],
] as const;

const vector = (defaults: number[]) =>
  z
    .array(z.number())
    .nonempty()
    .default(defaults as [number, ...number[]]);

export const workedExamplesSchema = z
  .strictObject({
    probabilities: vector([0.6, 0.4]).describe('Predicted class probabilities p for crossEntropy.'),
    oneHot: vector([0, 1]).describe('One-hot true class y for crossEntropy.'),
    predictions: vector([2.2, 2.8]).describe('Predictions ŷ for squaredError.'),
    targets: vector([2.0, 3.0]).describe('Targets y for squaredError.'),
    theta: vector([1.0, 1.0]).describe('Parameters θ before the gradient descent and Adam steps.'),
    gradient: vector([-0.5, -0.3]).describe('Gradient g at θ.'),
    learningRate: z.number().positive().default(0.1).describe('Step size α of gdStep.'),
    adamLearningRate: z.number().positive().default(0.001).describe('Step size of adamStep.'),
    beta1: z.number().min(0).lt(1).default(0.9).describe('Adam decay rate of the first moment.'),
    beta2: z.number().min(0).lt(1).default(0.999).describe('Adam decay rate of the second moment.'),
    epsilon: z
      .number()
      .positive()
      .default(1e-8)
      .describe('Adam ε, added to √v̂ in the denominator.'),
  })
  .superRefine((params, context) => {
    for (const [first, second] of PAIRED_VECTORS) {
      if (params[first].length !== params[second].length) {
        context.addIssue({
          code: 'custom',
          path: [second],
          message:
            `${second} has ${params[second].length} values but ${first} has ` +
            `${params[first].length}. Give both the same length.`,
        });
      }
    }
  });

export type WorkedExamplesParameters = z.output<typeof workedExamplesSchema>;

/**
 * Small calculations that the report works through by hand, computed with the same tfjs ops as
 * training: cross-entropy, squared error, a gradient descent step and a first Adam step.
 * Vectors are reported as arrays, and the Adam step as adamM, adamV, adamMHat, adamVHat and
 * adamTheta.
 */
export const workedExamples: ExperimentModule<typeof workedExamplesSchema> = {
  name: 'worked-examples',
  schema: workedExamplesSchema,

  inputFiles() {
    return [];
  },

  async run(params, context) {
    return { values: computeValues(context.tf, params) };
  },
};

export default workedExamples;

function computeValues(
  tf: Tf,
  params: WorkedExamplesParameters,
): Record<string, number | number[]> {
  const read = (tensor: { dataSync(): ArrayLike<number> }) => Array.from(tensor.dataSync());

  return tf.tidy(() => {
    // −Σ y·ln p, with the natural logarithm.
    const crossEntropy = tf.neg(
      tf.sum(tf.mul(tf.tensor1d(params.oneHot), tf.log(tf.tensor1d(params.probabilities)))),
    );
    const squaredError = tf.mul(
      0.5,
      tf.sum(tf.squaredDifference(tf.tensor1d(params.predictions), tf.tensor1d(params.targets))),
    );

    const theta = tf.tensor1d(params.theta);
    const gradient = tf.tensor1d(params.gradient);
    const gdStep = tf.sub(theta, tf.mul(gradient, params.learningRate));

    const zeros = tf.zerosLike(theta);
    const adam = adamStep<Tensor1D>(
      tf,
      {
        learningRate: params.adamLearningRate,
        beta1: params.beta1,
        beta2: params.beta2,
        epsilon: params.epsilon,
      },
      1,
      theta,
      gradient,
      zeros,
      zeros,
    );

    return {
      crossEntropy: read(crossEntropy)[0]!,
      squaredError: read(squaredError)[0]!,
      gdStep: read(gdStep),
      adamM: read(adam.m),
      adamV: read(adam.v),
      adamMHat: read(adam.mHat),
      adamVHat: read(adam.vHat),
      adamTheta: read(adam.theta),
    };
  });
}
