// The study filter: one definition per modality (built from its ModalitySpec), parsed from URL
// query parameters and applied to any kysely query on `study`. Lists, charts, exports and the
// API all filter through here, so a drill-down from a chart and the table always agree.
import type { SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import type { Database, EquipmentTable } from '../db/schema.js';
import type { ModalitySpec } from './modalities.js';
import { containsCi } from './sql.js';

type TextTarget =
  | { on: 'study'; column: 'study_description' | 'requested_procedure' | 'procedure_code' | 'accession_number' }
  | { on: 'equipment'; column: keyof EquipmentTable & ('display_name' | 'institution_name' | 'manufacturer' | 'model_name' | 'station_name') }
  /** A column both event tables have: matches studies with at least one such event. */
  | { on: 'event'; column: 'acquisition_protocol' };

interface TextFilterDef {
  param: string;
  label: string;
  target: TextTarget;
}

/** Case-insensitive "contains" filters, in the order forms show them. */
export const TEXT_FILTERS = [
  { param: 'studyDescription', label: 'Study description', target: { on: 'study', column: 'study_description' } },
  { param: 'requestedProcedure', label: 'Requested procedure', target: { on: 'study', column: 'requested_procedure' } },
  { param: 'procedure', label: 'Procedure', target: { on: 'study', column: 'procedure_code' } },
  { param: 'acquisitionProtocol', label: 'Acquisition protocol', target: { on: 'event', column: 'acquisition_protocol' } },
  { param: 'accessionNumber', label: 'Accession number', target: { on: 'study', column: 'accession_number' } },
  { param: 'displayName', label: 'System display name', target: { on: 'equipment', column: 'display_name' } },
  { param: 'institutionName', label: 'Institution', target: { on: 'equipment', column: 'institution_name' } },
  { param: 'manufacturer', label: 'Manufacturer', target: { on: 'equipment', column: 'manufacturer' } },
  { param: 'modelName', label: 'Model', target: { on: 'equipment', column: 'model_name' } },
  { param: 'stationName', label: 'Station name', target: { on: 'equipment', column: 'station_name' } },
] as const satisfies readonly TextFilterDef[];

export type TextFilterParam = (typeof TEXT_FILTERS)[number]['param'];

export const TEST_DATA_CHOICES = ['exclude', 'only'] as const;

export type StudyFilter = Partial<Record<TextFilterParam, string>> & {
  /** Study date range, inclusive, YYYY-MM-DD. */
  dateFrom?: string;
  dateTo?: string;
  /** Exact system display name (the home page's links). */
  system?: string;
  /** Patient age range in years, inclusive. */
  ageMin?: number;
  ageMax?: number;
  /** Studies flagged as not a real patient (QA, test): left out, or only those. */
  testData?: (typeof TEST_DATA_CHOICES)[number];
};

/** The text filters that apply to a modality (event filters need an event table). */
export function textFiltersFor(spec: ModalitySpec): readonly (typeof TEXT_FILTERS)[number][] {
  return TEXT_FILTERS.filter((f) => f.target.on !== 'event' || spec.eventTable !== null);
}

const MAX_TEXT = 200;
const text = z.string({ error: 'expected one text value' }).max(MAX_TEXT, `at most ${MAX_TEXT} characters`);

const isoDate = z
  .string({ error: 'expected one date as YYYY-MM-DD' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date as YYYY-MM-DD', abort: true })
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'not a calendar date');

const years = z
  .string({ error: 'expected one number of years' })
  .regex(/^\d+(\.\d+)?$/, 'expected a number of years')
  .transform(Number)
  .pipe(z.number().max(200, 'at most 200 years'));

/** The filter's parameters as a zod shape, for schemas that add their own (paging, chart options). */
export function filterShape(spec: ModalitySpec) {
  const textShape: Partial<Record<TextFilterParam, z.ZodOptional<typeof text>>> = {};
  for (const f of textFiltersFor(spec)) textShape[f.param] = text.optional();
  return {
    // Typed as if every text filter were present so the parsed type is StudyFilter; a modality
    // lacking one (no event table) rejects that parameter as unknown.
    ...(textShape as Record<TextFilterParam, z.ZodOptional<typeof text>>),
    dateFrom: isoDate.optional(),
    dateTo: isoDate.optional(),
    system: text.optional(),
    ageMin: years.optional(),
    ageMax: years.optional(),
    testData: z.enum(TEST_DATA_CHOICES, { error: `expected one of: ${TEST_DATA_CHOICES.join(', ')}` }).optional(),
  };
}

/** Checks across parameters; add to every schema built on filterShape. */
export function checkFilterRanges(f: StudyFilter, ctx: z.RefinementCtx): void {
  if (f.dateFrom && f.dateTo && f.dateFrom > f.dateTo) ctx.addIssue({ code: 'custom', path: ['dateTo'], message: `is before dateFrom (${f.dateFrom})` });
  if (f.ageMin !== undefined && f.ageMax !== undefined && f.ageMin > f.ageMax) ctx.addIssue({ code: 'custom', path: ['ageMax'], message: `is below ageMin (${f.ageMin})` });
}

export function filterSchema(spec: ModalitySpec): z.ZodType<StudyFilter> {
  return z.object(filterShape(spec)).strict().superRefine(checkFilterRanges);
}

/** Query parameters that failed validation, one readable line per problem. */
export class QueryError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid query parameters: ${problems.join('; ')}`);
  }
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => `${k}: unknown parameter`);
  const where = issue.path.length ? issue.path.join('.') : 'query';
  return [`${where}: ${issue.message}`];
}

/**
 * Parses URL query parameters with `schema`. Empty values (an empty form field) count as
 * absent. Throws QueryError naming each bad parameter.
 */
export function parseQuery<T>(schema: z.ZodType<T>, raw: unknown): T {
  const params = typeof raw === 'object' && raw !== null ? Object.entries(raw as Record<string, unknown>).filter(([, v]) => v !== '') : [];
  const result = schema.safeParse(Object.fromEntries(params));
  if (!result.success) throw new QueryError(result.error.issues.flatMap(describeIssue));
  return result.data;
}

/** Restricts a query on `study` to the modality and the filter. */
export function applyStudyFilter<O>(qb: SelectQueryBuilder<Database, 'study', O>, spec: ModalitySpec, f: StudyFilter): SelectQueryBuilder<Database, 'study', O> {
  let q = qb.where('study.modality', '=', spec.modality);
  if (f.dateFrom) q = q.where('study.study_date', '>=', f.dateFrom);
  if (f.dateTo) q = q.where('study.study_date', '<=', f.dateTo);
  if (f.ageMin !== undefined) q = q.where('study.patient_age_years', '>=', f.ageMin);
  if (f.ageMax !== undefined) q = q.where('study.patient_age_years', '<=', f.ageMax);
  if (f.testData === 'exclude') q = q.where('study.not_patient_indicator', 'is', null);
  if (f.testData === 'only') q = q.where('study.not_patient_indicator', 'is not', null);
  if (f.system !== undefined) {
    const name = f.system;
    q = q.where('study.equipment_id', 'in', (eb) => eb.selectFrom('equipment').select('equipment.id').where('equipment.display_name', '=', name));
  }
  for (const def of textFiltersFor(spec)) {
    const needle = f[def.param];
    if (needle === undefined) continue;
    const t = def.target;
    if (t.on === 'study') {
      q = q.where((eb) => containsCi(eb.ref(`study.${t.column}`), needle));
    } else if (t.on === 'equipment') {
      q = q.where('study.equipment_id', 'in', (eb) => eb.selectFrom('equipment').select('equipment.id').where((e) => containsCi(e.ref(`equipment.${t.column}`), needle)));
    } else if (spec.eventTable === 'ct_event') {
      q = q.where((eb) =>
        eb.exists(eb.selectFrom('ct_event').select('ct_event.id').whereRef('ct_event.study_id', '=', 'study.id').where((e) => containsCi(e.ref(`ct_event.${t.column}`), needle))),
      );
    } else if (spec.eventTable === 'proj_event') {
      q = q.where((eb) =>
        eb.exists(eb.selectFrom('proj_event').select('proj_event.id').whereRef('proj_event.study_id', '=', 'study.id').where((e) => containsCi(e.ref(`proj_event.${t.column}`), needle))),
      );
    }
  }
  return q;
}
