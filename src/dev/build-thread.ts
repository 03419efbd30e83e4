import { Worker } from 'node:worker_threads';

import type { RunEvent } from '../experiments/runner.ts';
import type { Logger } from '../logger.ts';
import type { Diagnostic } from '../pipeline/diagnostics.ts';
import type { BuildCommand, BuildError, BuildRequest, BuildWorkerMessage } from './build-worker.ts';

export type BuildReply =
  | { type: 'built'; diagnostics: Diagnostic[]; outputs: string[] }
  | { type: 'failed'; error: BuildError };

export interface BuildHandlers {
  logger: Logger;
  onRunEvent: (event: RunEvent) => void;
}

/** Maximum time in ms that the worker gets for its interrupt cleanups before it is terminated. */
const interruptTimeoutMs = 3000;

/**
 * Runs builds one at a time in a worker thread that stays loaded between builds, so a rebuild
 * skips importing the pipeline again. `restart` drops the thread, and the next build starts a
 * new one that imports the current sources.
 */
export class BuildThread {
  #worker: Worker | undefined;
  #running: ((reply: BuildReply) => void) | undefined;

  /** Runs one build. Resolves with its diagnostics, or with the error that stopped it. */
  run(request: BuildRequest, handlers: BuildHandlers): Promise<BuildReply> {
    if (this.#running) throw new Error('Internal error: BuildThread.run called during a build');
    const worker = this.#worker ?? this.#start();
    return new Promise((resolve) => {
      this.#running = (reply) => {
        this.#running = undefined;
        worker.off('message', onMessage);
        resolve(reply);
      };
      const onMessage = (message: BuildWorkerMessage) => {
        if (message.type === 'log') handlers.logger[message.level](message.message);
        else if (message.type === 'run-event') handlers.onRunEvent(message.event);
        else if (message.type === 'built' || message.type === 'failed') this.#running?.(message);
      };
      worker.on('message', onMessage);
      worker.postMessage({ type: 'build', request } satisfies BuildCommand);
    });
  }

  /** Terminates the worker thread. The next build starts a new one. */
  async restart(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }

  /**
   * Lets a running build stop its experiment workers and remove its staging folder, then
   * terminates the thread.
   */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (!worker) return;
    if (this.#running) {
      const cleaned = new Promise<void>((resolve) => {
        worker.on('message', (message: BuildWorkerMessage) => {
          if (message.type === 'interrupted') resolve();
        });
        setTimeout(resolve, interruptTimeoutMs).unref();
      });
      worker.postMessage({ type: 'interrupt' } satisfies BuildCommand);
      await cleaned;
    }
    await worker.terminate();
  }

  #start(): Worker {
    const worker = new Worker(new URL('./build-worker-entry.mjs', import.meta.url));
    const fail = (message: string, stack?: string) => {
      if (this.#worker === worker) this.#worker = undefined;
      this.#running?.({ type: 'failed', error: { message, stack } });
    };
    worker.on('error', (error) => fail(`the build worker crashed: ${error.message}`, error.stack));
    worker.on('exit', (code) => fail(`the build worker exited with code ${code}`));
    this.#worker = worker;
    return worker;
  }
}
