import { readFileSync } from 'node:fs';
import path from 'node:path';

import { csvParse } from 'd3-dsv';

import type { ExperimentResult } from '../experiments/result.ts';
import type { ChartOptions } from '../pipeline/blocks.ts';
import { escapeHtml } from '../pipeline/html-node.ts';
import { formatValue } from '../pipeline/result-expression.ts';
import {
  chartFont,
  confusionSpec,
  dataChartSpec,
  metricCurveSpec,
  renderVegaLite,
  runLabel,
} from './charts.ts';
import type { Strings } from './i18n.ts';
import { renderSampleGrid } from './sample-grid.ts';

const percent = (value: number | undefined) =>
  value === undefined ? '–' : formatValue(value, '.1%');
const decimal = (value: number | undefined, format = '.4f') =>
  value === undefined ? '–' : formatValue(value, format);

/** Renders the box of an `{experiment}` block: what ran, on which backend, and its headline numbers. */
export function experimentSummaryHtml(result: ExperimentResult, text: Strings): string {
  const rows: [string, string][] = [[text.model, result.model]];
  for (const [key, value] of Object.entries(result.params)) {
    rows.push([key, typeof value === 'object' ? JSON.stringify(value) : String(value)]);
  }
  rows.push([text.backend, result.backend]);
  if (result.status === 'ok') {
    if (result.test) {
      rows.push([text.testAccuracy, percent(result.test.accuracy)]);
      rows.push([text.testLoss, decimal(result.test.loss)]);
    }
    rows.push([
      text.seconds,
      `${formatValue(result.provenance.wallSeconds, '.1f')} (${result.cached ? text.cachedRun : text.freshRun})`,
    ]);
  } else {
    rows.push([text.status, text.failed]);
  }
  const list = rows
    .map(([name, value]) => `<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value)}</dd>`)
    .join('');
  const failure =
    result.status === 'failed'
      ? `<p class="experiment-error">${escapeHtml(text.experimentFailed(result.id, result.error))}</p>`
      : '';
  return `<div class="experiment-title">${escapeHtml(`${text.experiment} ${result.id}`)}</div><dl>${list}</dl>${failure}`;
}

/** Renders a table that compares runs, one row per experiment. */
export function resultsTableHtml(results: ExperimentResult[], text: Strings): string {
  const header = [
    text.experiment,
    text.optimizer,
    text.learningRate,
    text.batchSize,
    text.epochs,
    text.finalTrainLoss,
    text.valAccuracy,
    text.testLoss,
    text.testAccuracy,
    text.seconds,
  ];
  const body = results.map((result) => {
    const params = result.params;
    const cells =
      result.status === 'ok'
        ? [
            decimal(result.epochs?.at(-1)?.loss),
            percent(result.epochs?.at(-1)?.valAccuracy),
            decimal(result.test?.loss),
            percent(result.test?.accuracy),
            formatValue(result.provenance.wallSeconds, '.1f'),
          ]
        : [text.failed, '–', '–', '–', '–'];
    return [
      result.id,
      runLabel(result),
      String(params.learningRate ?? '–'),
      String(params.batchSize ?? '–'),
      String(params.epochs ?? '–'),
      ...cells,
    ];
  });
  const head = `<thead><tr>${header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr></thead>`;
  const rows = body
    .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('');
  return `<table>${head}<tbody>${rows}</tbody></table>`;
}

function localizeClassNames(names: string[] | undefined, text: Strings): string[] {
  return (names ?? []).map((name) => text.classNames[name] ?? name);
}

/** Renders a chart block to SVG, or throws an Error whose message names what is missing. */
export async function renderChartSvg(
  options: ChartOptions,
  results: ExperimentResult[],
  contentDir: string,
  text: Strings,
): Promise<string> {
  const failed = results.find((result) => result.status === 'failed');
  if (failed && failed.status === 'failed')
    throw new Error(text.experimentFailed(failed.id, failed.error));
  const ok = results.filter(
    (result): result is Extract<ExperimentResult, { status: 'ok' }> => result.status === 'ok',
  );

  switch (options.type) {
    case 'loss':
    case 'accuracy':
      return renderVegaLite(metricCurveSpec(ok, options.type, text));
    case 'confusion': {
      const result = ok[0];
      if (!result?.confusion)
        throw new Error(`experiment ${result?.id ?? ''} has no confusion matrix`);
      return renderVegaLite(
        confusionSpec(result.confusion, localizeClassNames(result.classNames, text), text),
      );
    }
    case 'samples': {
      const result = ok[0];
      if (!result?.samples) throw new Error(`experiment ${result?.id ?? ''} has no sample images`);
      return renderSampleGrid(
        result.samples,
        localizeClassNames(result.classNames, text),
        text,
        chartFont,
      );
    }
    case 'data': {
      const file = path.join(contentDir, 'data', options.file ?? '');
      const rows = csvParse(readFileSync(file, 'utf8'));
      for (const column of [
        options.x,
        options.color,
        options.y === 'count' ? undefined : options.y,
      ]) {
        if (column && !rows.columns.includes(column)) {
          throw new Error(
            `column "${column}" not found in ${options.file}; its columns are ${rows.columns.join(', ')}`,
          );
        }
      }
      // Vega-Lite accepts a text column as y without an error, and the chart then shows no real values.
      const y = options.y;
      const isNumber = (value: string | undefined) =>
        value !== undefined && value.trim() !== '' && Number.isFinite(Number(value));
      const textRow = y === 'count' ? -1 : rows.findIndex((row) => !isNumber(row[y]));
      if (textRow >= 0) {
        const value = rows[textRow]?.[y] ?? '';
        // Line 1 of the file is the header.
        throw new Error(
          `column "${y}" of ${options.file} has "${value}" on line ${textRow + 2}, which is not a number; choose a numeric column, or y: count to count rows`,
        );
      }
      // Values of the x and color columns print through `labels`, so each language names them.
      const labels = options.labels ?? {};
      const shown = rows.map((row) => {
        const copy: Record<string, string> = { ...row };
        for (const column of [options.x, options.color]) {
          const value = column ? copy[column] : undefined;
          if (column && value !== undefined && Object.hasOwn(labels, value))
            copy[column] = labels[value]!;
        }
        return copy;
      });
      const spec = dataChartSpec(shown, { ...options, x: options.x ?? '' }, text);
      return renderVegaLite(spec);
    }
  }
}
