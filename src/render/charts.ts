import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

import type { ExperimentResult } from '../experiments/result.ts';
import type { Strings } from './i18n.ts';

/** Font of every chart label. Noto Sans CJK has Latin and CJK glyphs, so one family serves both languages. */
export const chartFont = 'Noto Sans CJK SC';

const chartConfig = {
  font: chartFont,
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#e5e5e5' },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: 'bottom' as const },
  range: {
    category: [
      '#1f77b4',
      '#d62728',
      '#2ca02c',
      '#9467bd',
      '#ff7f0e',
      '#8c564b',
      '#17becf',
      '#7f7f7f',
      '#bcbd22',
      '#e377c2',
    ],
  },
};

/** Renders a Vega-Lite spec to a standalone SVG string, without a browser or canvas. */
export async function renderVegaLite(spec: TopLevelSpec): Promise<string> {
  const compiled = compile({
    ...spec,
    config: { ...chartConfig, ...(spec.config ?? {}) },
  } as TopLevelSpec);
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none', logLevel: vega.Error });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Short name of a run in legends: its optimizer when it has one, else its id. */
export function runLabel(result: ExperimentResult): string {
  const optimizer = result.params.optimizer;
  if (optimizer === 'sgd') return 'SGD';
  if (optimizer === 'adam') return 'Adam';
  return result.id;
}

/** Loss or accuracy per epoch, training and validation, one color per run. */
export function metricCurveSpec(
  results: ExperimentResult[],
  metric: 'loss' | 'accuracy',
  text: Strings,
): TopLevelSpec {
  const values = results.flatMap((result) =>
    result.status === 'ok'
      ? (result.epochs ?? []).flatMap((epoch) => [
          {
            epoch: epoch.epoch,
            value: metric === 'loss' ? epoch.loss : epoch.accuracy,
            run: runLabel(result),
            split: text.training,
            series: `${runLabel(result)} ${text.training}`,
          },
          {
            epoch: epoch.epoch,
            value: metric === 'loss' ? epoch.valLoss : epoch.valAccuracy,
            run: runLabel(result),
            split: text.validation,
            series: `${runLabel(result)} ${text.validation}`,
          },
        ])
      : [],
  );
  return {
    width: 460,
    height: 240,
    data: { values },
    mark: { type: 'line', point: true, strokeWidth: 2 },
    encoding: {
      x: {
        field: 'epoch',
        type: 'quantitative',
        title: text.epoch,
        axis: { tickMinStep: 1, format: 'd' },
      },
      y: {
        field: 'value',
        type: 'quantitative',
        title: metric === 'loss' ? text.loss : text.accuracy,
        scale: { zero: false },
        axis: metric === 'accuracy' ? { format: '.0%' } : {},
      },
      // One legend entry per run and split: a dark color for training and a light one for
      // validation, whose line is also dashed. Vega's legend cannot draw a dash pattern next to
      // a point mark, so the colors carry the distinction in the legend.
      color: {
        field: 'series',
        type: 'nominal',
        title: text.series,
        scale: { scheme: 'paired' },
        sort: values.map((value) => value.series),
      },
      strokeDash: { field: 'split', type: 'nominal', legend: null },
    },
  };
}

/** Heatmap of confusion[true][predicted] counts with the count written in each cell. */
export function confusionSpec(
  confusion: number[][],
  classNames: string[],
  text: Strings,
): TopLevelSpec {
  const values = confusion.flatMap((row, actual) =>
    row.map((count, predicted) => ({
      actual: classNames[actual] ?? String(actual),
      predicted: classNames[predicted] ?? String(predicted),
      count,
    })),
  );
  const order = classNames.length > 0 ? classNames : confusion.map((_, index) => String(index));
  const max = Math.max(...values.map((value) => value.count));
  return {
    width: 380,
    height: 380,
    data: { values },
    encoding: {
      x: {
        field: 'predicted',
        type: 'nominal',
        sort: order,
        title: text.predictedLabel,
        // No grid: its lines would run through the counts in the cells.
        axis: { labelAngle: -45, grid: false },
      },
      y: {
        field: 'actual',
        type: 'nominal',
        sort: order,
        title: text.trueLabel,
        axis: { grid: false },
      },
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: {
            field: 'count',
            type: 'quantitative',
            title: text.count,
            scale: { scheme: 'blues' },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 10, fontWeight: 'bold' },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: {
            condition: { test: `datum.count > ${max / 2}`, value: 'white' },
            value: 'black',
          },
        },
      },
    ],
  };
}

/** Bar, line or pie chart of a CSV table; `y: count` counts rows. */
export function dataChartSpec(
  rows: Record<string, string>[],
  options: {
    mark: 'bar' | 'line' | 'arc';
    x: string;
    y: string;
    color?: string | undefined;
    xTitle?: string | undefined;
    yTitle?: string | undefined;
    colorTitle?: string | undefined;
  },
  text: Strings,
): TopLevelSpec {
  const yEncoding =
    options.y === 'count'
      ? {
          aggregate: 'count' as const,
          type: 'quantitative' as const,
          title: options.yTitle ?? text.count,
          axis: { tickMinStep: 1, format: 'd' },
        }
      : {
          field: options.y,
          type: 'quantitative' as const,
          aggregate: 'sum' as const,
          title: options.yTitle ?? options.y,
        };
  if (options.mark === 'arc') {
    return {
      width: 200,
      height: 200,
      data: { values: rows },
      mark: { type: 'arc', innerRadius: 45, stroke: 'white' },
      encoding: {
        theta: yEncoding,
        color: {
          field: options.x,
          type: 'nominal',
          title: options.xTitle ?? options.x,
          legend: { orient: 'right' },
        },
      },
    };
  }
  return {
    width: 460,
    height: 240,
    data: { values: rows },
    mark: options.mark === 'line' ? { type: 'line', point: true } : { type: 'bar' },
    encoding: {
      x: {
        field: options.x,
        type: 'ordinal',
        title: options.xTitle ?? options.x,
        axis: { labelAngle: -45 },
      },
      y: yEncoding,
      ...(options.color
        ? {
            color: {
              field: options.color,
              type: 'nominal' as const,
              title: options.colorTitle ?? options.color,
              legend: { orient: 'right' as const, columns: 1, labelLimit: 220 },
              // Twenty distinct colors, so that up to twenty organizations never share one.
              scale: { scheme: 'tableau20' },
            },
          }
        : {}),
    },
  };
}
