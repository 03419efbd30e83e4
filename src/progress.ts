import cliProgress from 'cli-progress';

import { formatValue } from './pipeline/result-expression.ts';
import type { ExperimentResult } from './experiments/result.ts';
import type { RunEvent } from './experiments/runner.ts';
import type { Logger } from './logger.ts';

export interface RunTally {
  cached: number;
  ran: number;
  failed: number;
  trainingSeconds: number;
}

/**
 * Shows experiment progress: a live bar per running experiment on a TTY, otherwise one line per
 * finished experiment. Returns the event handler and a function that closes the bars and
 * returns the counts.
 */
export function createRunReporter(logger: Logger, interactive: boolean) {
  const tally: RunTally = { cached: 0, ran: 0, failed: 0, trainingSeconds: 0 };
  const multibar =
    interactive && logger.level !== 'silent'
      ? new cliProgress.MultiBar(
          {
            format: ' {id} |{bar}| epoch {epoch}/{epochs}  loss {loss}  eta {eta_formatted}',
            hideCursor: true,
            clearOnComplete: true,
            stream: process.stderr,
            etaBuffer: 50,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  const bars = new Map<string, cliProgress.SingleBar>();

  const line = (result: ExperimentResult) => {
    if (result.status === 'failed') return `failed  ${result.id}  ${result.error}`;
    const accuracy = result.test
      ? `  test accuracy ${formatValue(result.test.accuracy, '.1%')}`
      : '';
    const epochs = result.epochs ? `  ${result.epochs.length} epochs` : '';
    const verb = result.cached ? 'cached ' : 'trained';
    return `${verb} ${result.id}${epochs}${accuracy}  ${formatValue(result.provenance.wallSeconds, '.1f')} s  (${result.backend} backend)`;
  };
  const log = (message: string) => (multibar ? multibar.log(message + '\n') : logger.info(message));

  const onEvent = (event: RunEvent) => {
    switch (event.type) {
      case 'warning':
        log(`warning: ${event.message}`);
        break;
      case 'cached':
        tally.cached += 1;
        log(line(event.result));
        break;
      case 'start':
        bars.set(
          event.id,
          multibar?.create(1, 0, {
            id: event.id,
            epoch: 0,
            epochs: '?',
            loss: '-',
          }) as cliProgress.SingleBar,
        );
        if (!multibar) logger.verbose(`running ${event.id}`);
        break;
      case 'progress': {
        const { epoch, epochs, batch, batches, loss } = event.progress;
        const bar = bars.get(event.id);
        if (bar) {
          bar.setTotal(epochs * batches);
          bar.update((epoch - 1) * batches + batch, {
            id: event.id,
            epoch,
            epochs,
            loss: formatValue(loss, '.4f'),
          });
        }
        break;
      }
      case 'done':
      case 'failed': {
        const bar = bars.get(event.id);
        if (bar) multibar?.remove(bar);
        if (event.type === 'done') tally.ran += 1;
        else tally.failed += 1;
        tally.trainingSeconds += event.result.wallSeconds;
        log(line(event.result));
        break;
      }
    }
  };

  const finish = (): RunTally => {
    multibar?.stop();
    return tally;
  };
  return { onEvent, finish };
}
