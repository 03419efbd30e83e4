import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { z } from 'zod';

import { FolioError } from '../errors.ts';
import { formatDiagnostic } from '../pipeline/diagnostics.ts';
import { parseYamlWithSchema } from './yaml.ts';

export const languageSchema = z.enum(['zh', 'en']);
export type Language = z.infer<typeof languageSchema>;

/** A text given once for every language, or once per language. */
const localizedText = z.union([z.string().min(1), z.record(languageSchema, z.string().min(1))]);
export type LocalizedText = z.infer<typeof localizedText>;

const chapterName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'a chapter name uses lowercase letters, digits and hyphens');

export const manifestSchema = z
  .object({
    title: localizedText.describe('Report title, shown on the cover and in running headers.'),
    subtitle: localizedText.optional().describe('Shown under the title on the cover.'),
    authors: z.array(localizedText).min(1).describe('Author names, in order.'),
    date: z
      .union([z.string(), z.date()])
      .transform((value) => (value instanceof Date ? value.toISOString().slice(0, 10) : value))
      .describe('Publication date, YYYY-MM-DD.'),
    languages: z.array(languageSchema).min(1).describe('Languages to build, in output order.'),
    bibliography: z.string().optional().describe('CSL-JSON file, relative to the content folder.'),
    keywords: z.array(localizedText).default([]).describe('PDF keywords.'),
    chapters: z
      .array(chapterName)
      .min(1)
      .refine((names) => new Set(names).size === names.length, 'chapter names must be unique')
      .describe('Chapter file names without .md, in reading order.'),
  })
  .strict();

export type Manifest = z.output<typeof manifestSchema>;

export const manifestFileName = 'report.yaml';

export function localize(text: LocalizedText | undefined, language: Language): string {
  if (text === undefined) return '';
  if (typeof text === 'string') return text;
  return text[language] ?? Object.values(text)[0] ?? '';
}

/** Reads and validates `report.yaml` in the content folder. */
export function loadManifest(contentDir: string): Manifest {
  const file = path.join(contentDir, manifestFileName);
  if (!existsSync(file)) {
    throw new FolioError('MANIFEST_NOT_FOUND', `report manifest not found: ${file}`, {
      hint: `create ${manifestFileName} in the content folder, or pass --content <dir>`,
    });
  }
  const result = parseYamlWithSchema(readFileSync(file, 'utf8'), manifestSchema);
  if (!result.ok) {
    // Printed like content problems, because the manifest is part of the content.
    const lines = result.problems.map((problem) =>
      formatDiagnostic({ file, ...problem, severity: 'error', ruleId: 'manifest' }),
    );
    const summary = `the report manifest has ${lines.length} error(s); nothing was written`;
    throw new FolioError('MANIFEST_INVALID', `${lines.join('\n')}\n${summary}`, {
      hint: 'fix the lines listed above; docs/content-format.md lists every field',
    });
  }
  return result.value;
}
