/** A function that returns uniform floats in [0, 1), like `Math.random`. */
export type Random = () => number;

/**
 * Creates a seeded generator (mulberry32: a 32-bit state advanced by a Weyl step and mixed by
 * two multiply-xorshift rounds). The same seed gives the same sequence on every platform.
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles `values` in place with the Fisher-Yates algorithm and returns it. */
export function shuffleInPlace<T extends { [index: number]: number; length: number }>(
  values: T,
  random: Random,
): T {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const value = values[i]!;
    values[i] = values[j]!;
    values[j] = value;
  }
  return values;
}

/**
 * Draws a fanIn x fanOut weight matrix, row-major, from the Glorot (Xavier) uniform
 * distribution U(-limit, limit) with limit = sqrt(6 / (fanIn + fanOut)), as Keras initializes
 * Dense kernels.
 */
export function glorotUniform(fanIn: number, fanOut: number, random: Random): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const weights = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < weights.length; i++) {
    weights[i] = (random() * 2 - 1) * limit;
  }
  return weights;
}
