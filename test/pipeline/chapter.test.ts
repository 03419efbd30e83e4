import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { loadContent } from '../../src/build.ts';
import type { Language } from '../../src/config/manifest.ts';
import { planExperiments, type ExperimentPlan } from '../../src/experiments/plan.ts';
import type { ExperimentResult } from '../../src/experiments/result.ts';
import { Diagnostics } from '../../src/pipeline/diagnostics.ts';
import { indexLabels } from '../../src/pipeline/labels.ts';
import {
  createLanguageContext,
  renderChapter,
  renderReferences,
  type ComputedValue,
  type RenderedChapter,
} from '../../src/pipeline/render-chapter.ts';

const fixturesDir = fileURLToPath(new URL('../fixtures/pipeline/', import.meta.url));

interface RenderedLanguage {
  chapters: RenderedChapter[];
  /** Every chapter's HTML in reading order, as the page template joins them. */
  html: string;
  references: string;
  computedValues: ComputedValue[];
}

interface RenderedReport {
  languages: Map<Language, RenderedLanguage>;
  plans: Map<string, ExperimentPlan>;
  diagnostics: Diagnostics;
}

/**
 * Renders every chapter of a fixture report in every language, in the same steps as `build`:
 * load the content, plan the experiments, number the labels, then render chapter by chapter.
 */
async function renderFixture(
  name: string,
  makeResults: (plans: Map<string, ExperimentPlan>) => Map<string, ExperimentResult> = () =>
    new Map(),
): Promise<RenderedReport> {
  const contentDir = fixturesDir + name;
  const diagnostics = new Diagnostics();
  const content = loadContent(contentDir, diagnostics);
  const plans = planExperiments(content.blocks, diagnostics);
  const results = makeResults(plans);
  const declaredExperiments = new Set(
    content.blocks.filter((block) => block.kind === 'experiment').map((block) => block.id),
  );

  const languages = new Map<Language, RenderedLanguage>();
  for (const [language, chapters] of content.chapters) {
    const context = createLanguageContext({
      language,
      contentDir,
      results,
      declaredExperiments,
      labels: indexLabels(chapters, diagnostics),
      bibliography: content.bibliography,
      images: new Map(),
      diagnostics,
    });
    const rendered: RenderedChapter[] = [];
    for (const chapter of chapters) {
      const blocks = content.blocks.filter((block) => block.chapter === chapter);
      rendered.push(await renderChapter(chapter, blocks, context));
    }
    languages.set(language, {
      chapters: rendered,
      html: rendered.map((chapter) => chapter.html).join('\n'),
      references: renderReferences(context),
      computedValues: context.computedValues,
    });
  }
  return { languages, plans, diagnostics };
}

function languageOf(report: RenderedReport, language: Language): RenderedLanguage {
  const rendered = report.languages.get(language);
  if (!rendered) throw new Error(`the fixture has no ${language} chapters`);
  return rendered;
}

function idsIn(html: string): string[] {
  return [...html.matchAll(/\sid="([^"]*)"/g)].map((match) => match[1]!);
}

function duplicatesIn(values: string[]): string[] {
  return values.filter((value, index) => values.indexOf(value) !== index);
}

/** Text content of an HTML fragment, without the zero-width spaces KaTeX inserts. */
function textOf(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/\u200b/g, '')
    .trim();
}

/** Builds a finished mlp result with pinned numbers and a pinned cache key. */
function mlpResult(plan: ExperimentPlan, accuracy: number, cacheKey: string): ExperimentResult {
  return {
    status: 'ok',
    id: plan.id,
    model: plan.model,
    params: plan.params,
    backend: 'cpu',
    cacheKey,
    cached: true,
    wallSeconds: 12.3,
    epochs: [
      { epoch: 1, loss: 0.62, accuracy: 0.78, valLoss: 0.55, valAccuracy: 0.8, seconds: 6.1 },
      { epoch: 2, loss: 0.44, accuracy: 0.84, valLoss: 0.47, valAccuracy: 0.83, seconds: 6.2 },
    ],
    test: { loss: 0.41, accuracy },
    provenance: {
      cacheKey,
      backend: 'cpu',
      tfjsVersion: '4.22.0',
      nodeVersion: 'v20.0.0',
      seed: 42,
      datasets: {},
      sources: {},
      computedAt: '2026-12-01T00:00:00.000Z',
      wallSeconds: 12.3,
      samplesPerSecond: 9000,
    },
  };
}

describe('display and inline math', () => {
  it('renders a one-line $$ paragraph as display math', async () => {
    const report = await renderFixture('math');

    for (const language of ['zh', 'en'] as const) {
      const { html } = languageOf(report, language);
      expect(html.match(/class="katex-display"/g)).toHaveLength(1);
      expect(html).not.toMatch(/<p>\s*<span class="katex-display">/);
      expect(html).not.toContain('$$');
    }
  });

  it('writes no math script', async () => {
    const report = await renderFixture('math');

    for (const language of ['zh', 'en'] as const) {
      const { html } = languageOf(report, language);
      expect(html).not.toContain('<script');
      expect(html).not.toContain('math/tex');
      expect(html).not.toContain('<math');
    }
  });

  it('renders inline math inside the paragraph', async () => {
    const report = await renderFixture('math');

    expect(languageOf(report, 'zh').html).toMatch(/<p>质能关系为 <span class="katex">/);
    expect(languageOf(report, 'en').html).toMatch(
      /<p>Mass and energy are related by <span class="katex">/,
    );
  });

  it('renders GFM tables', async () => {
    const report = await renderFixture('math');
    const { html } = languageOf(report, 'zh');

    expect(html).toContain('<th>优化器</th>');
    expect(html).toContain('<th align="right">学习率</th>');
    expect(html).toContain('<td>Adam</td>');
    expect(html).toContain('<td align="right">0.001</td>');
  });

  it('reports no diagnostics', async () => {
    const report = await renderFixture('math');

    expect(report.diagnostics.items).toEqual([]);
  });
});

describe('labelled equations', () => {
  it('numbers references in zh', async () => {
    const { html } = languageOf(await renderFixture('equations'), 'zh');

    expect(html).toContain('<a href="#eq-mse" class="xref">式 (1)</a>');
    expect(html).toContain('<a href="#eq-ce" class="xref">式 (2)</a>');
  });

  it('numbers references in en', async () => {
    const { html } = languageOf(await renderFixture('equations'), 'en');

    expect(html).toContain('<a href="#eq-mse" class="xref">Eq. (1)</a>');
    expect(html).toContain('<a href="#eq-ce" class="xref">Eq. (2)</a>');
  });

  it('tags each equation with its number', async () => {
    const { html } = languageOf(await renderFixture('equations'), 'en');
    const tagOf = (label: string) => {
      const match = new RegExp(`id="${label}">[\\s\\S]*?class="tag">([\\s\\S]*?)</div>`).exec(html);
      return textOf(match?.[1] ?? '');
    };

    expect(html).toContain('<div class="equation" id="eq-mse"><span class="katex-display">');
    expect(tagOf('eq-mse')).toBe('(1)');
    expect(tagOf('eq-ce')).toBe('(2)');
  });
});

describe('figures', () => {
  it('numbers captions across chapters in zh', async () => {
    const { html } = languageOf(await renderFixture('figures'), 'zh');

    expect(html).toContain(
      '<figcaption><span class="caption-label">图 1</span>　按季度统计的发布数量。</figcaption>',
    );
    expect(html).toContain(
      '<figcaption><span class="caption-label">图 2</span>　开源与闭源模型的比例。</figcaption>',
    );
  });

  it('numbers captions across chapters in en', async () => {
    const { html } = languageOf(await renderFixture('figures'), 'en');

    expect(html).toContain(
      '<figcaption><span class="caption-label">Figure 1</span>. Releases per quarter.</figcaption>',
    );
    expect(html).toContain(
      '<figcaption><span class="caption-label">Figure 2</span>. Share of open and closed models.</figcaption>',
    );
  });

  it('resolves references from another chapter', async () => {
    const report = await renderFixture('figures');
    const [, zhMarket] = languageOf(report, 'zh').chapters;
    const [, enMarket] = languageOf(report, 'en').chapters;

    expect(zhMarket?.html).toContain('<a href="#fig-share" class="xref">图 2</a>');
    expect(zhMarket?.html).toContain('<a href="#fig-releases" class="xref">图 1</a>');
    expect(enMarket?.html).toContain('<a href="#fig-share" class="xref">Figure 2</a>');
    expect(enMarket?.html).toContain('<a href="#fig-releases" class="xref">Figure 1</a>');
  });

  it('draws each chart as SVG', async () => {
    const { html } = languageOf(await renderFixture('figures'), 'en');

    expect(html).toContain(
      '<figure class="chart chart-data" id="fig-releases"><div class="chart-body"><svg',
    );
    expect(html).toContain(
      '<figure class="chart chart-data" id="fig-share"><div class="chart-body"><svg',
    );
  });
});

describe('heading ids', () => {
  it('keep Chinese characters', async () => {
    const { html } = languageOf(await renderFixture('headings'), 'zh');

    expect(html).toContain(
      '<h2 id="市场概况"><span class="section-number">1.1</span> 市场概况</h2>',
    );
    expect(html).toContain(
      '<h2 id="训练过程"><span class="section-number">2.1</span> 训练过程</h2>',
    );
  });

  it('stay unique across chapters in zh', async () => {
    const { chapters, html } = languageOf(await renderFixture('headings'), 'zh');

    expect(chapters[0]?.html).toContain(
      '<h2 id="小结"><span class="section-number">1.2</span> 小结</h2>',
    );
    expect(chapters[1]?.html).toContain(
      '<h2 id="小结-1"><span class="section-number">2.2</span> 小结</h2>',
    );
    expect(duplicatesIn(idsIn(html))).toEqual([]);
  });

  it('stay unique across chapters in en', async () => {
    const { chapters, html } = languageOf(await renderFixture('headings'), 'en');

    expect(chapters[0]?.html).toContain(
      '<h2 id="summary"><span class="section-number">1.2</span> Summary</h2>',
    );
    expect(chapters[1]?.html).toContain(
      '<h2 id="summary-1"><span class="section-number">2.2</span> Summary</h2>',
    );
    expect(duplicatesIn(idsIn(html))).toEqual([]);
  });

  it('number sections per chapter', async () => {
    const { chapters } = languageOf(await renderFixture('headings'), 'zh');

    expect(chapters.map((chapter) => chapter.headings)).toEqual([
      [
        { depth: 2, id: '市场概况', number: '1.1', text: '市场概况' },
        { depth: 2, id: '小结', number: '1.2', text: '小结' },
      ],
      [
        { depth: 2, id: '训练过程', number: '2.1', text: '训练过程' },
        { depth: 2, id: '小结-1', number: '2.2', text: '小结' },
      ],
    ]);
  });
});

describe('footnotes', () => {
  it('prefix ids with the chapter name', async () => {
    const { chapters } = languageOf(await renderFixture('footnotes'), 'en');

    expect(chapters[0]?.html).toContain('<li id="background-fn-source">');
    expect(chapters[0]?.html).toContain(
      'href="#background-fn-source" id="background-fnref-source"',
    );
    expect(chapters[1]?.html).toContain('<li id="practice-fn-source">');
    expect(chapters[1]?.html).toContain('href="#practice-fn-source" id="practice-fnref-source"');
  });

  it('keep every id unique in zh', async () => {
    const { html } = languageOf(await renderFixture('footnotes'), 'zh');

    expect(duplicatesIn(idsIn(html))).toEqual([]);
  });

  it('keep every id unique in en', async () => {
    const { html } = languageOf(await renderFixture('footnotes'), 'en');

    expect(duplicatesIn(idsIn(html))).toEqual([]);
  });

  it('label back-links in the page language', async () => {
    const report = await renderFixture('footnotes');

    expect(languageOf(report, 'zh').html).toContain('aria-label="返回正文"');
    expect(languageOf(report, 'en').html).toContain('aria-label="Back to content"');
  });
});

describe('citations', () => {
  it('number keys by first citation', async () => {
    const report = await renderFixture('citations');

    for (const language of ['zh', 'en'] as const) {
      const { html } = languageOf(report, language);
      expect(html).toContain('<span class="citation">[<a href="#ref-vaswani2017">1</a>]</span>');
      expect(html).toContain(
        '<span class="citation">[<a href="#ref-kingma2015">2</a>, <a href="#ref-vaswani2017">1</a>]</span>',
      );
      expect(html).toContain('<span class="citation">[<a href="#ref-kingma2015">2</a>]</span>');
    }
  });

  it('list cited references in order', async () => {
    const report = await renderFixture('citations');

    for (const language of ['zh', 'en'] as const) {
      const { references } = languageOf(report, language);
      expect(references).toBe(
        '<ol class="references">' +
          '<li id="ref-vaswani2017"><span class="ref-number">[1]</span> Vaswani, A. (2017). ' +
          'Attention is all you need. <i>Advances in Neural Information Processing Systems</i>.</li>\n' +
          '<li id="ref-kingma2015"><span class="ref-number">[2]</span> Kingma, D. P., &#38; Ba, J. (2015). ' +
          'Adam: A method for stochastic optimization. ' +
          '<i>International Conference on Learning Representations</i>.</li>' +
          '</ol>',
      );
    }
  });

  it('leave uncited entries out', async () => {
    const { references } = languageOf(await renderFixture('citations'), 'en');

    expect(references).not.toContain('unused2020');
    expect(references).not.toContain('A book nobody cites');
  });
});

describe('inline result values', () => {
  const sgdKey = 'a1b2c3d4e5f6'.padEnd(64, '0');
  const adamKey = 'f6e5d4c3b2a1'.padEnd(64, '0');
  const withResults = (plans: Map<string, ExperimentPlan>) =>
    new Map([
      ['mlp-sgd', mlpResult(plans.get('mlp-sgd')!, 0.8534, sgdKey)],
      ['mlp-adam', mlpResult(plans.get('mlp-adam')!, 0.8712, adamKey)],
    ]);

  it('print the formatted result', async () => {
    const report = await renderFixture('result-value', withResults);

    expect(languageOf(report, 'zh').html).toContain(
      'SGD 的测试准确率为 <span class="computed" title="mlp-sgd.test.accuracy | .1% (mlp-sgd a1b2c3d4e5f6)" data-expression="mlp-sgd.test.accuracy | .1%">85.3%</span>',
    );
    expect(languageOf(report, 'en').html).toContain(
      'SGD reached <span class="computed" title="mlp-sgd.test.accuracy | .1% (mlp-sgd a1b2c3d4e5f6)" data-expression="mlp-sgd.test.accuracy | .1%">85.3%</span> on the test set',
    );
  });

  it('print a difference of two results', async () => {
    const { html } = languageOf(await renderFixture('result-value', withResults), 'en');
    const difference =
      /data-expression="mlp-adam.test.accuracy - mlp-sgd.test.accuracy \| .1%">([^<]*)</.exec(html);

    expect(difference?.[1]).toBe('1.8%');
  });

  it('record each computed value', async () => {
    const report = await renderFixture('result-value', withResults);
    const values = languageOf(report, 'en').computedValues;

    expect(
      values.map(({ expression, text, experiments }) => ({ expression, text, experiments })),
    ).toEqual([
      { expression: 'mlp-sgd.test.accuracy | .1%', text: '85.3%', experiments: ['mlp-sgd'] },
      {
        expression: 'mlp-adam.test.accuracy - mlp-sgd.test.accuracy | .1%',
        text: '1.8%',
        experiments: ['mlp-adam', 'mlp-sgd'],
      },
    ]);
    expect(values[0]?.value).toBe(0.8534);
    expect(values[1]?.value).toBeCloseTo(0.0178, 10);
  });

  it('summarize the experiment block', async () => {
    const { html } = languageOf(await renderFixture('result-value', withResults), 'en');

    expect(html).toContain('<aside class="experiment experiment-ok" id="exp-mlp-sgd">');
    expect(html).toContain('<dt>Test accuracy</dt><dd>85.3%</dd>');
  });

  it('show a placeholder without results', async () => {
    const report = await renderFixture('result-value');

    expect(languageOf(report, 'zh').html).toContain(
      'SGD 的测试准确率为 <span class="computed computed-missing">（无结果）</span>',
    );
    expect(languageOf(report, 'en').html).toContain(
      'SGD reached <span class="computed computed-missing">(no result)</span>',
    );
    expect(report.diagnostics.items).toEqual([]);
  });
});
