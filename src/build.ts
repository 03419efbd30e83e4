import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

import {
  loadManifest,
  localize,
  manifestFileName,
  type Language,
  type Manifest,
} from './config/manifest.ts';
import { locateYamlPath } from './config/yaml.ts';
import { FolioError } from './errors.ts';
import type { ExperimentResult } from './experiments/result.ts';
import { planExperiments } from './experiments/plan.ts';
import { readCachedResults, runExperiments, type RunEvent } from './experiments/runner.ts';
import { writeJsonAtomic } from './experiments/cache.ts';
import type { BackendName } from './experiments/types.ts';
import type { Logger } from './logger.ts';
import { collectBlocks, type Block } from './pipeline/blocks.ts';
import { loadBibliography, type Bibliography } from './pipeline/citations.ts';
import { Diagnostics } from './pipeline/diagnostics.ts';
import { checkGlyphs, type GlyphCheckFile } from './pipeline/glyph-check.ts';
import { promoteCaptions } from './pipeline/captions.ts';
import { checkExperimentReferences } from './pipeline/experiment-references.ts';
import { indexLabels, promoteDisplayMath } from './pipeline/labels.ts';
import { chapterFacts, checkParity, type ChapterFacts } from './pipeline/parity.ts';
import { readChapter, type Chapter } from './pipeline/parse-chapter.ts';
import {
  createLanguageContext,
  renderChapter,
  renderReferences,
  type RenderedChapter,
} from './pipeline/render-chapter.ts';
import { writeOutputs } from './render/outputs.ts';
import { throwIfInterrupted } from './shutdown.ts';
import { renderProvenance } from './render/provenance.ts';
import { renderPage } from './render/site.ts';
import { readFileSync } from 'node:fs';

export type OutputFormat = 'html' | 'pdf';

export interface BuildOptions {
  contentDir: string;
  outDir: string;
  cacheDir: string;
  templatesDir: string;
  /** Languages to build; default: all in the manifest. */
  languages?: Language[];
  formats: OutputFormat[];
  /** false checks the content without training, rendering results, or writing outputs. */
  train: boolean;
  force?: boolean | string[];
  /** Treats warnings as errors: the build stops before writing anything when there are any. */
  strict?: boolean;
  backend?: BackendName;
  dataDir?: string;
  jobs?: number;
  logger: Logger;
  onRunEvent?: (event: RunEvent) => void;
}

export interface BuildSummary {
  diagnostics: Diagnostics;
  results: ExperimentResult[];
  outputs: string[];
}

interface LoadedContent {
  manifest: Manifest;
  chapters: Map<Language, Chapter[]>;
  blocks: Block[];
  bibliography: Bibliography | undefined;
}

/** Reads the manifest, every chapter, its blocks and the bibliography, reporting content problems. */
export function loadContent(
  contentDir: string,
  diagnostics: Diagnostics,
  languages?: Language[],
): LoadedContent {
  const manifest = loadManifest(contentDir);
  const manifestFile = path.join(contentDir, 'report.yaml');
  const chapters = new Map<Language, Chapter[]>();
  const blocks: Block[] = [];
  const selected = manifest.languages.filter(
    (language) => !languages || languages.includes(language),
  );

  for (const language of manifest.languages) {
    const list: Chapter[] = [];
    manifest.chapters.forEach((name, index) => {
      const file = path.join(contentDir, language, `${name}.md`);
      if (!isFile(file)) {
        const others = manifest.languages.filter((other) =>
          isFile(path.join(contentDir, other, `${name}.md`)),
        );
        const message =
          others.length > 0
            ? `chapter "${name}" exists in ${others.join(', ')} but not in ${language}: create ${file}`
            : `chapter "${name}" is listed in report.yaml but ${file} does not exist`;
        diagnostics.error(
          manifestFile,
          locateChapterName(manifestFile, name),
          message,
          others.length > 0 ? 'parity-chapter' : 'chapter-missing',
        );
        return;
      }
      const chapter = readChapter(file, name, language, index + 1, diagnostics);
      promoteDisplayMath(chapter.tree, readFileSync(file, 'utf8'));
      promoteCaptions(chapter.tree);
      list.push(chapter);
      blocks.push(...collectBlocks(chapter, diagnostics));
    });
    if (selected.includes(language)) chapters.set(language, list);
  }

  let bibliography: Bibliography | undefined;
  if (manifest.bibliography) {
    const file = path.join(contentDir, manifest.bibliography);
    if (isFile(file)) {
      bibliography = loadBibliography(file, diagnostics);
    } else {
      const at = locateYamlPath(readFileSync(manifestFile, 'utf8'), ['bibliography']);
      diagnostics.error(manifestFile, at, `bibliography file not found: ${file}`, 'bibliography');
    }
  }
  return { manifest, chapters, blocks, bibliography };
}

/** Lists the files whose text the PDFs print: the manifest, chapters, bibliography and chart data. */
function printedFiles(contentDir: string, content: LoadedContent): GlyphCheckFile[] {
  const chapters = [...content.chapters.values()].flat();
  const files: GlyphCheckFile[] = [
    { file: path.join(contentDir, manifestFileName) },
    ...chapters.map((chapter) => ({ file: chapter.file, tree: chapter.tree })),
  ];
  if (content.bibliography) files.push({ file: content.bibliography.file });
  const dataFiles = content.blocks.flatMap((block) =>
    block.kind === 'chart' && block.options.type === 'data' && block.options.file
      ? [path.resolve(contentDir, 'data', block.options.file)]
      : [],
  );
  // A missing data file is reported when its chart renders.
  for (const file of new Set(dataFiles)) if (isFile(file)) files.push({ file });
  return files;
}

function isFile(file: string): boolean {
  return existsSync(file) && statSync(file).isFile();
}

/** Finds where report.yaml names a chapter, for messages about that chapter. */
function locateChapterName(
  manifestFile: string,
  name: string,
): { line: number; column: number } | undefined {
  const lines = readFileSync(manifestFile, 'utf8').split('\n');
  const pattern = new RegExp(
    `(^|[\\s\\[,'"-])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=$|[\\s\\],'"])`,
  );
  for (let index = lines.length - 1; index >= 0; index--) {
    const match = pattern.exec(lines[index] ?? '');
    if (match) return { line: index + 1, column: match.index + match[1]!.length + 1 };
  }
  return undefined;
}

function contentErrors(diagnostics: Diagnostics): FolioError {
  if (diagnostics.errorCount === 0) {
    return new FolioError(
      'CONTENT_ERRORS',
      `the content has ${diagnostics.warningCount} warning(s) and --strict is set; nothing was written`,
      {
        hint: 'fix the warnings listed above, or build without --strict',
      },
    );
  }
  return new FolioError(
    'CONTENT_ERRORS',
    `the content has ${diagnostics.errorCount} error(s); nothing was written`,
    {
      hint: 'fix the errors listed above (run `folio check` to list them without building)',
    },
  );
}

/** Rejects `--force` ids that name no experiment, since a typo would silently re-run nothing. */
function checkForcedIds(force: BuildOptions['force'], plannedIds: string[]): void {
  if (!Array.isArray(force)) return;
  const unknown = force.filter((id) => !plannedIds.includes(id));
  if (unknown.length === 0) return;
  throw new FolioError('USAGE', `--force names unknown experiment(s): ${unknown.join(', ')}`, {
    hint: `use ids of the report's experiments (${plannedIds.join(', ') || 'none'}), or --force alone to re-run all`,
    exitCode: 2,
  });
}

/**
 * Builds the report: checks the content, runs or reuses the experiments, renders every
 * language and writes the site and PDFs. Throws FolioError when the content has errors, before
 * anything in the output folder changes.
 */
export async function build(options: BuildOptions): Promise<BuildSummary> {
  const { logger } = options;
  const diagnostics = new Diagnostics();
  const content = loadContent(options.contentDir, diagnostics, options.languages);
  const plans = planExperiments(content.blocks, diagnostics);
  checkExperimentReferences([...content.chapters.values()].flat(), content.blocks, diagnostics);
  if (!options.train || options.formats.includes('pdf')) {
    // Before training, so that a character the PDF cannot print fails fast and at its line.
    // `folio check` runs it too, so that check lists what a PDF build would reject.
    checkGlyphs(printedFiles(options.contentDir, content), diagnostics);
  }
  if (diagnostics.errorCount > 0) return { diagnostics, results: [], outputs: [] };
  checkForcedIds(options.force, [...plans.keys()]);

  let results = new Map<string, ExperimentResult>();
  if (options.train) {
    results = await runExperiments([...plans.values()], {
      cacheDir: options.cacheDir,
      dataDir: options.dataDir,
      backend: options.backend,
      force: options.force,
      jobs: options.jobs,
      logger,
      onEvent: options.onRunEvent,
    });
  } else {
    // Without training, result references are still checked against the results in the cache.
    results = await readCachedResults([...plans.values()], {
      cacheDir: options.cacheDir,
      dataDir: options.dataDir,
      backend: options.backend,
    });
  }

  const pages = new Map<Language, string>();
  const images = new Map<string, string>();
  const facts: ChapterFacts[] = [];
  for (const [language, chapters] of content.chapters) {
    const context = createLanguageContext({
      language,
      contentDir: options.contentDir,
      results,
      declaredExperiments: new Set(
        content.blocks.filter((block) => block.kind === 'experiment').map((block) => block.id),
      ),
      labels: indexLabels(chapters, diagnostics),
      bibliography: content.bibliography,
      images,
      diagnostics,
    });
    const rendered: RenderedChapter[] = [];
    for (const chapter of chapters) {
      const chapterBlocks = content.blocks.filter((block) => block.chapter === chapter);
      rendered.push(await renderChapter(chapter, chapterBlocks, context));
      facts.push(
        chapterFacts(
          language,
          chapter.name,
          chapter.file,
          chapterBlocks,
          context.labels,
          context.chapterCitations,
          context.chapterExpressions,
        ),
      );
    }
    const ordered = [...plans.keys()]
      .map((id) => results.get(id))
      .filter((result): result is ExperimentResult => result !== undefined);
    pages.set(
      language,
      renderPage(options.templatesDir, content.manifest, {
        language,
        chapters: rendered,
        references: renderReferences(context),
        provenance: renderProvenance(ordered, context.computedValues, context.text),
      }),
    );
  }
  checkParity(facts, diagnostics);

  const summary: BuildSummary = { diagnostics, results: [...results.values()], outputs: [] };
  const stopped =
    diagnostics.errorCount > 0 || (options.strict === true && diagnostics.warningCount > 0);
  if (stopped || !options.train) return summary;

  const metadata = new Map(
    [...pages.keys()].map((language) => [
      language,
      {
        title: localize(content.manifest.title, language),
        author: content.manifest.authors.map((author) => localize(author, language)).join(', '),
        subject:
          localize(content.manifest.subtitle, language) ||
          localize(content.manifest.title, language),
        keywords: content.manifest.keywords.map((keyword) => localize(keyword, language)),
        language: language === 'zh' ? 'zh-CN' : 'en',
      },
    ]),
  );
  const written = await writeOutputs({
    outDir: options.outDir,
    templatesDir: options.templatesDir,
    pages,
    images,
    metadata,
    pdf: options.formats.includes('pdf'),
    logger,
  });
  summary.outputs.push(...written);
  // The results go last, so that a failed print leaves them as they were, like the site and PDFs.
  throwIfInterrupted();
  for (const result of results.values()) {
    const file = path.join(options.outDir, 'results', `${result.id}.json`);
    writeJsonAtomic(file, result);
    summary.outputs.push(file);
  }
  return summary;
}

export { contentErrors };
