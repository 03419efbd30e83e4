import * as tf from '@tensorflow/tfjs-core';

import type { BackendName, Tf } from './types.ts';

/** The version of @tensorflow/tfjs-core that runs the experiments. */
export const tfjsVersion: string = tf.version_core;

/** Backends in the order `initBackend` tries them: fastest first. */
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

const BACKEND_PACKAGES: Record<BackendName, string> = {
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/** A tfjs backend that failed to load. `causes` lists the failure of each backend tried. */
export class BackendError extends Error {
  readonly causes: { backend: BackendName; reason: string }[];

  constructor(message: string, causes: { backend: BackendName; reason: string }[]) {
    super(message);
    this.name = 'BackendError';
    this.causes = causes;
  }
}

export interface InitializedBackend {
  tf: Tf;
  backend: BackendName;
}

/**
 * Loads a tfjs backend and makes it the active one. Without `preferred`, tries the native
 * TensorFlow binding (@tensorflow/tfjs-node), then WebAssembly, then plain JavaScript, and keeps
 * the first that loads. With `preferred`, tries only that backend and throws `BackendError` if it
 * fails.
 */
export async function initBackend(preferred?: BackendName): Promise<InitializedBackend> {
  const candidates = preferred === undefined ? BACKEND_ORDER : [preferred];
  const causes: { backend: BackendName; reason: string }[] = [];

  for (const backend of candidates) {
    const reason = await activateBackend(backend);
    if (reason === undefined) {
      return { tf, backend };
    }
    causes.push({ backend, reason });
  }

  const details = causes.map(({ backend, reason }) => `${backend}: ${reason}`).join('; ');
  if (preferred === undefined) {
    const message =
      `no tfjs backend could be loaded (${details}). ` +
      'Reinstall the dependencies with `npm install`.';
    throw new BackendError(message, causes);
  }
  const requirement =
    preferred === 'tensorflow'
      ? `${BACKEND_PACKAGES.tensorflow} and its native library are installed`
      : `${BACKEND_PACKAGES[preferred]} is installed`;
  const others = BACKEND_ORDER.filter((name) => name !== preferred).join(', ');
  const message =
    `tfjs backend '${preferred}' failed to load (${details}). ` +
    `Check that ${requirement}, or choose another backend (${others}).`;
  throw new BackendError(message, causes);
}

/** Imports and activates one backend. Returns why it failed, or undefined on success. */
async function activateBackend(backend: BackendName): Promise<string | undefined> {
  // After a failed setBackend, getBackend still returns the failed name, so the registry of
  // initialized backends is checked as well.
  if (tf.getBackend() === backend && tf.engine().registry[backend] !== undefined) {
    return undefined;
  }
  try {
    await import(BACKEND_PACKAGES[backend]);
  } catch (error) {
    return `importing ${BACKEND_PACKAGES[backend]} failed: ${firstLine(error)}`;
  }
  try {
    // setBackend returns false, after a console warning from tfjs, when the backend's
    // initialization fails (for example, a missing .wasm file).
    if (await tf.setBackend(backend)) {
      await tf.ready();
      return undefined;
    }
    return 'initialization failed';
  } catch (error) {
    return firstLine(error);
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0]!.trim();
}
