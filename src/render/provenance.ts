import type { ExperimentResult } from '../experiments/result.ts';
import { escapeHtml } from '../pipeline/html-node.ts';
import type { ComputedValue } from '../pipeline/render-chapter.ts';
import { formatValue } from '../pipeline/result-expression.ts';
import type { Strings } from './i18n.ts';

/** Renders the appendix that lists what each experiment's numbers depend on and how they were obtained. */
export function renderProvenance(
  results: ExperimentResult[],
  values: ComputedValue[],
  text: Strings,
): string {
  const sections = results.map((result) => {
    const p = result.provenance;
    const rows: [string, string][] = [
      [
        text.status,
        result.status === 'ok'
          ? result.cached
            ? text.cachedRun
            : text.freshRun
          : `${text.failed}: ${result.error}`,
      ],
      [text.cacheKey, p.cacheKey],
      [text.backend, p.backend],
      [text.versions, `@tensorflow/tfjs-core ${p.tfjsVersion}, Node.js ${p.nodeVersion}`],
      [text.seed, p.seed === undefined ? '–' : String(p.seed)],
      [
        text.datasetHashes,
        Object.entries(p.datasets)
          .map(([file, hash]) => `${file}: ${hash}`)
          .join('\n') || '–',
      ],
      [text.seconds, formatValue(p.wallSeconds, '.2f')],
      [
        text.samplesPerSecond,
        p.samplesPerSecond === undefined ? '–' : formatValue(p.samplesPerSecond, ',.0f'),
      ],
      [text.computedAt, p.computedAt],
    ];
    const body = rows
      .map(
        ([name, value]) =>
          `<tr><th scope="row">${escapeHtml(name)}</th><td>${escapeHtml(value).replace(/\n/g, '<br>')}</td></tr>`,
      )
      .join('');
    return `<h2 id="provenance-${escapeHtml(result.id)}">${escapeHtml(`${text.experiment} ${result.id}`)}</h2><table><tbody>${body}</tbody></table>`;
  });

  const valueRows = values
    .map(
      (value) =>
        `<tr><td>${escapeHtml(value.text)}</td><td><code>${escapeHtml(value.expression)}</code></td><td>${escapeHtml(`${value.chapter}:${value.line}`)}</td></tr>`,
    )
    .join('');
  const valueTable = values.length
    ? `<h2 id="provenance-values">${escapeHtml(text.computedValues)}</h2><table><thead><tr><th>${escapeHtml(text.value)}</th><th>${escapeHtml(text.expression)}</th><th>${escapeHtml(text.source)}</th></tr></thead><tbody>${valueRows}</tbody></table>`
    : '';
  return sections.join('\n') + valueTable;
}
