import { describe, expect, it } from 'vitest';

import { BackendError, initBackend, tfjsVersion } from '../../src/experiments/backend.ts';

describe('initBackend', () => {
  it('activates the requested backend', async () => {
    const { tf, backend } = await initBackend('cpu');

    expect(backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('falls back to a backend that loads', async () => {
    const { tf, backend } = await initBackend();

    expect(['tensorflow', 'wasm', 'cpu']).toContain(backend);
    expect(tf.getBackend()).toBe(backend);
  });

  it('names the failed backend', async () => {
    let loaded = true;
    try {
      await import('@tensorflow/tfjs-node');
    } catch {
      loaded = false;
    }
    // Without the native TensorFlow library, requesting it must fail with a clear message.
    if (loaded) return;

    const error = await initBackend('tensorflow').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).message).toMatch(
      /^tfjs backend 'tensorflow' failed to load \(tensorflow: importing @tensorflow\/tfjs-node failed: .+\)\. Check that @tensorflow\/tfjs-node and its native library are installed, or choose another backend \(wasm, cpu\)\.$/,
    );
  });

  it('reports the tfjs-core version', () => {
    expect(tfjsVersion).toMatch(/^4\.\d+\.\d+$/);
  });
});
