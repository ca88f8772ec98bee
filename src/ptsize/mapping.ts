// Which columns of a size CSV hold what, and how to read them: one schema for the web form,
// the command line and the stored import.
import { z } from 'zod';
import { findColumn } from './read-csv.js';
import { HEIGHT_UNIT_CHOICES } from './values.js';

export const ID_KINDS = ['accession', 'study-uid'] as const;
export type IdKind = (typeof ID_KINDS)[number];

export const ID_KIND_LABELS: Record<IdKind, string> = { accession: 'accession number', 'study-uid': 'Study Instance UID' };

export const sizeMappingSchema = z
  .object({
    idColumn: z.string().trim().min(1, 'choose the column that identifies the study'),
    idKind: z.enum(ID_KINDS, { error: 'choose accession number or Study Instance UID' }),
    heightColumn: z.string().trim().min(1).nullable(),
    weightColumn: z.string().trim().min(1).nullable(),
    heightUnit: z.enum(HEIGHT_UNIT_CHOICES, { error: 'choose automatic, centimetres or metres' }),
    overwrite: z.boolean(),
  })
  .refine((m) => m.heightColumn !== null || m.weightColumn !== null, { message: 'choose a height column, a weight column or both', path: ['heightColumn'] });

export type SizeMapping = z.infer<typeof sizeMappingSchema>;

/** Guesses of which column is which, from their names, for the form's first showing. */
export function guessMapping(columns: readonly string[]): { idColumn: string | null; idKind: IdKind; heightColumn: string | null; weightColumn: string | null } {
  const find = (pattern: RegExp) => columns.find((c) => pattern.test(c)) ?? null;
  const uid = find(/\b(study\s*instance\s*uid|study\s*uid|studyinstanceuid|suid)\b/i);
  const accession = find(/\bacc|accession/i);
  return {
    idColumn: accession ?? uid,
    idKind: accession || !uid ? 'accession' : 'study-uid',
    heightColumn: find(/height|^ht\b|\bht$/i),
    weightColumn: find(/weight|^wt\b|\bwt$/i),
  };
}

const FIELD_ROLES: Record<'idColumn' | 'heightColumn' | 'weightColumn', string> = { idColumn: 'study identifier', heightColumn: 'height', weightColumn: 'weight' };

/** The problems of mappingProblems in one sentence, naming each role (for the command line and the task). */
export function describeMappingProblems(problems: Record<string, string>): string | null {
  const parts = Object.entries(problems).map(([field, problem]) => `${FIELD_ROLES[field as keyof typeof FIELD_ROLES] ?? field}: ${problem}`);
  return parts.length ? parts.join('; ') : null;
}

/** Problems of a mapping against the file's columns: each missing or repeated choice, by field. */
export function mappingProblems(columns: readonly string[], mapping: SizeMapping): Record<string, string> {
  const problems: Record<string, string> = {};
  const chosen: [keyof SizeMapping, string | null][] = [
    ['idColumn', mapping.idColumn],
    ['heightColumn', mapping.heightColumn],
    ['weightColumn', mapping.weightColumn],
  ];
  const used = new Map<number, keyof SizeMapping>();
  for (const [field, name] of chosen) {
    if (name === null) continue;
    const at = findColumn(columns, name);
    if (at === null) problems[field] = `the file has no column "${name}"`;
    else if (used.has(at)) problems[field] = `column "${columns[at]}" is already chosen for another value`;
    else used.set(at, field);
  }
  return problems;
}
