// The study filter: one definition per modality (built from its ModalitySpec), parsed from URL
// query parameters and applied to any kysely query on `study`. Lists, charts, exports and the
// API all filter through here, so a drill-down from a chart and the table always agree.
import { sql, type ExpressionBuilder, type SelectQueryBuilder, type SqlBool, type Expression } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/schema.js';
import { DISPLAY_NAME_MAX } from '../ingest/equipment.js';
import { hashIdentifier } from '../ingest/privacy.js';
import type { Modality } from '../report/types.js';
import type { ModalitySpec } from './modalities.js';
import { containsCi, inDistinctContaining } from './sql.js';
import { COUNT, DAP, DLP, DOSE_GY, KG, MBQ, METRES, MGY, MM, storedRange, YEARS, type DisplayUnit } from './units.js';

/** A filter that applies to some modalities only (absent: to all). */
interface ForModalities {
  modalities?: readonly Modality[];
}

type TextTarget =
  | {
      on: 'study';
      column: 'study_description' | 'requested_procedure' | 'procedure_code' | 'accession_number' | 'patient_name' | 'patient_id';
      /** Flag column saying the value is stored as its SHA-256 hash: then only an exact value can match. */
      hashedFlag?: 'accession_number_hashed' | 'patient_name_hashed' | 'patient_id_hashed';
      /** Few distinct values per modality, indexed with the modality: matched among those (see inDistinctContaining). */
      fewValues?: boolean;
    }
  | { on: 'equipment'; column: 'display_name' | 'institution_name' | 'manufacturer' | 'model_name' | 'station_name' }
  /** A column of the modality's event table: matches studies with at least one such event. */
  | { on: 'event'; column: 'acquisition_protocol' | 'view_position' };

interface TextFilterDef extends ForModalities {
  param: string;
  label: string;
  target: TextTarget;
  /** Patient-identifiable: accepted only from users allowed to search by patient (the pid role). */
  pid?: boolean;
}

/** Case-insensitive "contains" filters, in the order forms show them. */
export const TEXT_FILTERS = [
  { param: 'studyDescription', label: 'Study description', target: { on: 'study', column: 'study_description', fewValues: true } },
  { param: 'requestedProcedure', label: 'Requested procedure', target: { on: 'study', column: 'requested_procedure', fewValues: true } },
  { param: 'procedure', label: 'Procedure', target: { on: 'study', column: 'procedure_code', fewValues: true } },
  { param: 'acquisitionProtocol', label: 'Acquisition protocol', target: { on: 'event', column: 'acquisition_protocol' } },
  { param: 'view', label: 'View', target: { on: 'event', column: 'view_position' }, modalities: ['MG'] },
  { param: 'accessionNumber', label: 'Accession number', target: { on: 'study', column: 'accession_number', hashedFlag: 'accession_number_hashed' } },
  { param: 'displayName', label: 'System display name', target: { on: 'equipment', column: 'display_name' } },
  { param: 'institutionName', label: 'Institution', target: { on: 'equipment', column: 'institution_name' } },
  { param: 'manufacturer', label: 'Manufacturer', target: { on: 'equipment', column: 'manufacturer' } },
  { param: 'modelName', label: 'Model', target: { on: 'equipment', column: 'model_name' } },
  { param: 'stationName', label: 'Station name', target: { on: 'equipment', column: 'station_name' } },
  { param: 'patientName', label: 'Patient name', target: { on: 'study', column: 'patient_name', hashedFlag: 'patient_name_hashed' }, pid: true },
  { param: 'patientId', label: 'Patient ID', target: { on: 'study', column: 'patient_id', hashedFlag: 'patient_id_hashed' }, pid: true },
] as const satisfies readonly TextFilterDef[];

export type TextFilterParam = (typeof TEXT_FILTERS)[number]['param'];
export type TextFilter = (typeof TEXT_FILTERS)[number];

type StudyNumberColumn =
  | 'patient_age_years'
  | 'patient_height_m'
  | 'patient_weight_kg'
  | 'total_dlp_mgycm'
  | 'total_dap_gym2'
  | 'total_rp_dose_a_gy'
  | 'total_rp_dose_b_gy'
  | 'total_agd_left_mgy'
  | 'total_agd_right_mgy'
  | 'total_agd_both_mgy'
  | 'total_activity_mbq'
  | 'number_of_axial'
  | 'number_of_spiral'
  | 'number_of_stationary'
  | 'number_of_const_angle';

type RangeTarget =
  /** `any`: a study matches when one of the columns is in range; `sum`: when their total is. */
  | { on: 'study'; columns: readonly StudyNumberColumn[]; combine?: 'any' | 'sum' }
  /** Studies with at least one projection event whose value is in range. */
  | { on: 'event'; column: 'compression_thickness_mm' };

interface RangeFilterDef extends ForModalities {
  /** Parameters are `${base}Min` and `${base}Max`, inclusive. */
  base: string;
  label: string;
  /** The unit people type, which is the unit the pages show. */
  unit: DisplayUnit;
  /** Whole numbers only (event counts). */
  whole?: boolean;
  target: RangeTarget;
}

/** Numeric ranges, in the order forms show them. */
export const RANGE_FILTERS = [
  { base: 'age', label: 'Patient age', unit: YEARS, target: { on: 'study', columns: ['patient_age_years'] } },
  { base: 'height', label: 'Patient height', unit: METRES, target: { on: 'study', columns: ['patient_height_m'] } },
  { base: 'weight', label: 'Patient weight', unit: KG, target: { on: 'study', columns: ['patient_weight_kg'] } },
  { base: 'dlp', label: 'Total DLP', unit: DLP, modalities: ['CT'], target: { on: 'study', columns: ['total_dlp_mgycm'] } },
  { base: 'dap', label: 'Total DAP', unit: DAP, modalities: ['RF', 'DX'], target: { on: 'study', columns: ['total_dap_gym2'] } },
  { base: 'rpDose', label: 'Total dose at RP (all planes)', unit: DOSE_GY, modalities: ['RF'], target: { on: 'study', columns: ['total_rp_dose_a_gy', 'total_rp_dose_b_gy'], combine: 'sum' } },
  {
    base: 'agd',
    label: 'AGD of a breast',
    unit: MGY,
    modalities: ['MG'],
    target: { on: 'study', columns: ['total_agd_left_mgy', 'total_agd_right_mgy', 'total_agd_both_mgy'], combine: 'any' },
  },
  { base: 'compressionThickness', label: 'Compressed breast thickness', unit: MM, modalities: ['MG'], target: { on: 'event', column: 'compression_thickness_mm' } },
  { base: 'activity', label: 'Administered activity', unit: MBQ, modalities: ['NM'], target: { on: 'study', columns: ['total_activity_mbq'] } },
  { base: 'axialEvents', label: 'Axial acquisitions', unit: COUNT, whole: true, modalities: ['CT'], target: { on: 'study', columns: ['number_of_axial'] } },
  { base: 'spiralEvents', label: 'Spiral acquisitions', unit: COUNT, whole: true, modalities: ['CT'], target: { on: 'study', columns: ['number_of_spiral'] } },
  { base: 'stationaryEvents', label: 'Stationary acquisitions', unit: COUNT, whole: true, modalities: ['CT'], target: { on: 'study', columns: ['number_of_stationary'] } },
  { base: 'constantAngleEvents', label: 'Constant angle acquisitions', unit: COUNT, whole: true, modalities: ['CT'], target: { on: 'study', columns: ['number_of_const_angle'] } },
] as const satisfies readonly RangeFilterDef[];

export type RangeFilter = (typeof RANGE_FILTERS)[number];
export type RangeFilterParam = `${RangeFilter['base']}${'Min' | 'Max'}`;

export const TEST_DATA_CHOICES = ['exclude', 'only'] as const;
/** Patient sex as DICOM codes it. */
export const SEX_CHOICES = ['F', 'M', 'O'] as const;
export const SEX_LABELS: Record<(typeof SEX_CHOICES)[number], string> = { F: 'Female', M: 'Male', O: 'Other' };

export type StudyFilter = Partial<Record<TextFilterParam, string>> &
  Partial<Record<RangeFilterParam, number>> & {
    /** Study date range, inclusive, YYYY-MM-DD. */
    dateFrom?: string;
    dateTo?: string;
    /** Time of day range, inclusive, HH:MM or HH:MM:SS; a start after the end spans midnight. */
    timeFrom?: string;
    timeTo?: string;
    /** Exact system display name (the home page's links). */
    system?: string;
    sex?: (typeof SEX_CHOICES)[number];
    /** Studies flagged as not a real patient (QA, test): left out, or only those. */
    testData?: (typeof TEST_DATA_CHOICES)[number];
  };

export interface FilterOptions {
  /** The user may search by patient identifiers (the pid role); without it such parameters are refused. */
  pid?: boolean;
}

function appliesTo(f: ForModalities, spec: ModalitySpec): boolean {
  return !f.modalities || f.modalities.includes(spec.modality);
}

/** The text filters that apply to a modality (event filters need an event table). */
export function textFiltersFor(spec: ModalitySpec): readonly TextFilter[] {
  return TEXT_FILTERS.filter((f: TextFilterDef) => appliesTo(f, spec) && (f.target.on !== 'event' || spec.eventTable !== null));
}

/** The range filters that apply to a modality. */
export function rangeFiltersFor(spec: ModalitySpec): readonly RangeFilter[] {
  return RANGE_FILTERS.filter((f: RangeFilterDef) => appliesTo(f, spec) && (f.target.on !== 'event' || spec.eventTable === 'proj_event'));
}

export function minParam(f: RangeFilter): RangeFilterParam {
  return `${f.base}Min`;
}

export function maxParam(f: RangeFilter): RangeFilterParam {
  return `${f.base}Max`;
}

const MAX_TEXT = 200;
const text = z.string({ error: 'expected one text value' }).max(MAX_TEXT, `at most ${MAX_TEXT} characters`);
/** A system's display name, exactly: as long as a name may be. */
const systemName = z.string({ error: 'expected one text value' }).max(DISPLAY_NAME_MAX, `at most ${DISPLAY_NAME_MAX} characters`);

/** A value as a message quotes it: shortened, so a pasted page does not fill the screen. */
function quoted(value: string): string {
  return `“${value.length > 40 ? `${value.slice(0, 40)}…` : value}”`;
}

const DATE_EXPECTS = 'a date as YYYY-MM-DD, such as 2024-03-31';

const isoDate = z.string({ error: `expected one value: ${DATE_EXPECTS}` }).transform((raw, ctx) => {
  const s = raw.trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    ctx.addIssue({ code: 'custom', message: `${quoted(s)} is not a date; expected ${DATE_EXPECTS}` });
    return z.NEVER;
  }
  const d = new Date(`${s}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s) {
    ctx.addIssue({ code: 'custom', message: `${s} is not a calendar date; expected ${DATE_EXPECTS}` });
    return z.NEVER;
  }
  return s;
});

const TIME_EXPECTS = 'a time of day as HH:MM, 00:00 to 23:59, such as 09:30 (0930 also works)';

/**
 * A time of day as people type it, as stored times compare: HH:MM or HH:MM:SS with two-digit
 * hours. Takes H:MM, HH:MM, HH:MM:SS (or with full stops), and the digits alone: HMM, HHMM,
 * HHMMSS (0930 is 09:30). Null when it is none of these or no real time.
 */
export function parseTimeOfDay(text: string): string | null {
  const t = text.trim();
  const m = /^(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?$/.exec(t) ?? /^(\d{2})(\d{2})(\d{2})?$/.exec(t) ?? /^(\d)(\d{2})()$/.exec(t);
  if (!m) return null;
  const [h, min, sec] = [Number(m[1]), Number(m[2]), m[3] ? Number(m[3]) : null];
  if (h > 23 || min > 59 || (sec !== null && sec > 59)) return null;
  const pad = (n: number) => String(n).padStart(2, '0');
  return sec === null ? `${pad(h)}:${pad(min)}` : `${pad(h)}:${pad(min)}:${pad(sec)}`;
}

const timeOfDay = z.string({ error: `expected one value: ${TIME_EXPECTS}` }).transform((raw, ctx) => {
  const t = parseTimeOfDay(raw);
  if (t === null) ctx.addIssue({ code: 'custom', message: `${quoted(raw.trim())} is not a time of day; expected ${TIME_EXPECTS}` });
  return t ?? z.NEVER;
});

const MAX_NUMBER = 1e12;
const MAX_AGE = 200;

/**
 * A number as people type it: digits with an optional fraction and exponent. The number input
 * of a browser sends what it accepts as typed, and it accepts 1e3 (1000) and 2.
 */
const NUMBER_TEXT = /^(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

function rangeExpects(f: RangeFilter): string {
  if ('whole' in f && f.whole) return 'a whole number, such as 2';
  return `a number${f.unit.shown ? ` in ${f.unit.shown}` : ''}, such as 12, 0.5 or 1e3 (for 1000)`;
}

function rangeBound(f: RangeFilter) {
  const expects = rangeExpects(f);
  const whole = 'whole' in f && f.whole;
  const max = f.base === 'age' ? MAX_AGE : MAX_NUMBER;
  return z.string({ error: `expected one value: ${expects}` }).transform((raw, ctx) => {
    const t = raw.trim();
    const problem = (message: string) => {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    if (t.startsWith('-') && NUMBER_TEXT.test(t.slice(1))) return problem(`cannot be negative; expected ${expects}`);
    const n = NUMBER_TEXT.test(t) ? Number(t) : NaN;
    if (!Number.isFinite(n)) return problem(`${quoted(t)} is not a number; expected ${expects}`);
    if (whole && !Number.isInteger(n)) return problem(`${t} is not a whole number; expected ${expects}`);
    if (n > max) return problem(f.base === 'age' ? `${t} is more than ${MAX_AGE} years` : `${t} is too large`);
    return n;
  });
}

/**
 * One filter of a modality as a person reads about it, with the schema of its parameters: the
 * help page lists these, the schema is built from them, so the two cannot disagree.
 */
export interface FilterParameter {
  /** The URL parameters: one, or a range's start and end. */
  names: readonly string[];
  label: string;
  /** The unit values are typed in; '' when there is none. */
  unit: string;
  /** What a value must look like (error messages say it too). */
  expects: string;
  /** How the value is matched. */
  note: string;
  schema: z.ZodType<unknown, string>;
}

function textNote(f: TextFilter): string {
  const parts = ['matches when the value contains the text, in any case'];
  if (f.target.on === 'event') parts.push('studies with at least one such irradiation event');
  if ('pid' in f && f.pid) parts.push('only for users with the pid role; a value stored as a hash matches only when typed in full');
  return parts.join('; ');
}

function rangeNote(f: RangeFilter): string {
  const t: RangeTarget = f.target;
  if (t.on === 'event') return 'inclusive; studies with at least one irradiation event in the range';
  if (t.combine === 'sum') return 'inclusive; compared with the total of every plane';
  if (t.combine === 'any') return 'inclusive; studies where one of the values is in the range';
  return 'inclusive';
}

/** Every filter parameter the modality accepts, in the order forms and the help page show them. */
export function filterParameters(spec: ModalitySpec): FilterParameter[] {
  return [
    { names: ['dateFrom', 'dateTo'], label: 'Study date', unit: '', expects: DATE_EXPECTS, note: 'inclusive', schema: isoDate },
    {
      names: ['timeFrom', 'timeTo'],
      label: 'Time of day',
      unit: '',
      expects: TIME_EXPECTS,
      note: 'inclusive; a start later than the end spans midnight',
      schema: timeOfDay,
    },
    { names: ['system'], label: 'System', unit: '', expects: 'a system display name', note: 'the exact display name (the home page links use it)', schema: systemName },
    ...textFiltersFor(spec).map((f) => ({ names: [f.param], label: f.label, unit: '', expects: `text, at most ${MAX_TEXT} characters`, note: textNote(f), schema: text })),
    ...rangeFiltersFor(spec).map((f) => ({
      names: [minParam(f), maxParam(f)],
      label: f.label,
      unit: f.unit.shown,
      expects: rangeExpects(f),
      note: rangeNote(f),
      schema: rangeBound(f),
    })),
    {
      names: ['sex'],
      label: 'Patient sex',
      unit: '',
      expects: `one of ${SEX_CHOICES.map((c) => `${c} (${SEX_LABELS[c].toLowerCase()})`).join(', ')}`,
      note: 'as recorded',
      schema: z.enum(SEX_CHOICES, { error: `expected one of: ${SEX_CHOICES.join(', ')}` }),
    },
    {
      names: ['testData'],
      label: 'Test patients',
      unit: '',
      expects: TEST_DATA_CHOICES.join(' or '),
      note: 'studies flagged as not a real patient (QA, physics, test) by the not-patient patterns: left out or only those; absent, they are included',
      schema: z.enum(TEST_DATA_CHOICES, { error: `expected one of: ${TEST_DATA_CHOICES.join(', ')}` }),
    },
  ];
}

type FilterShape = { [K in keyof StudyFilter]-?: z.ZodOptional<z.ZodType<NonNullable<StudyFilter[K]>, string>> };

/** The filter's parameters as a zod shape, for schemas that add their own (paging, chart options). */
export function filterShape(spec: ModalitySpec): FilterShape {
  const shape: Record<string, z.ZodOptional<z.ZodType<unknown, string>>> = {};
  for (const p of filterParameters(spec)) for (const name of p.names) shape[name] = p.schema.optional();
  // Typed as if every filter were present so the parsed type is StudyFilter; a modality
  // lacking one rejects that parameter as unknown.
  return shape as unknown as FilterShape;
}

/** Checks across parameters and of the caller's rights; add to every schema built on filterShape. */
export function filterChecks(opts: FilterOptions = {}) {
  return (f: StudyFilter, ctx: z.RefinementCtx): void => {
    if (f.dateFrom && f.dateTo && f.dateFrom > f.dateTo) ctx.addIssue({ code: 'custom', path: ['dateTo'], message: `is before the start date (${f.dateFrom})` });
    for (const r of RANGE_FILTERS) {
      const min = f[minParam(r)];
      const max = f[maxParam(r)];
      if (min !== undefined && max !== undefined && min > max) ctx.addIssue({ code: 'custom', path: [maxParam(r)], message: `is less than the start of the range (${min})` });
    }
    if (!opts.pid) {
      for (const t of TEXT_FILTERS) {
        if ('pid' in t && t.pid && f[t.param] !== undefined) {
          ctx.addIssue({ code: 'custom', path: [t.param], message: 'searching by patient identifiers needs the pid role (patient-identifiable data)' });
        }
      }
    }
  };
}

export function filterSchema(spec: ModalitySpec, opts: FilterOptions = {}): z.ZodType<StudyFilter> {
  return z.object(filterShape(spec)).strict().superRefine(filterChecks(opts)) as z.ZodType<StudyFilter>;
}

/** One bad parameter (null: the query as a whole) and what is wrong with it. */
export interface QueryIssue {
  param: string | null;
  message: string;
}

/** Query parameters that failed validation: each issue, and one readable line per problem. */
export class QueryError extends Error {
  readonly problems: string[];
  constructor(readonly issues: readonly QueryIssue[]) {
    const problems = issues.map((i) => (i.param === null ? i.message : `${i.param}: ${i.message}`));
    super(`invalid query parameters: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

function describeIssue(issue: z.core.$ZodIssue): QueryIssue[] {
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => ({ param: k, message: 'unknown parameter' }));
  return [{ param: issue.path.length ? issue.path.join('.') : null, message: issue.message }];
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

type StudyEb = ExpressionBuilder<Database, 'study'>;

/** The end of a time range as an exclusive bound: HH:MM includes its whole minute. */
function timeEndExclusive(t: string): string {
  const [h, m, s] = t.split(':').map(Number) as [number, number, number | undefined];
  const secs = h * 3600 + m * 60 + (s ?? 0) + (s === undefined ? 60 : 1);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(secs / 3600))}:${pad(Math.floor(secs / 60) % 60)}:${pad(secs % 60)}`;
}

function timeCondition(eb: StudyEb, from: string | undefined, to: string | undefined): Expression<SqlBool> {
  const col = eb.ref('study.study_time');
  if (from !== undefined && to !== undefined && from > to) {
    // A night shift: from the evening to the next morning.
    return eb.or([eb(col, '>=', from), eb(col, '<', timeEndExclusive(to))]);
  }
  const parts: Expression<SqlBool>[] = [];
  if (from !== undefined) parts.push(eb(col, '>=', from));
  if (to !== undefined) parts.push(eb(col, '<', timeEndExclusive(to)));
  return eb.and(parts);
}

function textCondition(eb: StudyEb, spec: ModalitySpec, t: TextTarget, needle: string): Expression<SqlBool> {
  if (t.on === 'study') {
    const col = eb.ref(`study.${t.column}`);
    if (t.fewValues) return inDistinctContaining(col, 'study', t.column, needle, { column: 'modality', value: spec.modality });
    if (!t.hashedFlag) return containsCi(col, needle);
    // A hashed value reveals nothing to match a part against: only the whole value, hashed alike.
    return eb.or([
      eb.and([eb(`study.${t.hashedFlag}`, '=', 0), containsCi(col, needle)]),
      eb.and([eb(`study.${t.hashedFlag}`, '=', 1), eb(col, '=', hashIdentifier(needle))]),
    ]);
  }
  if (t.on === 'equipment') {
    return eb('study.equipment_id', 'in', eb.selectFrom('equipment').select('equipment.id').where((e) => containsCi(e.ref(`equipment.${t.column}`), needle)));
  }
  return eventExists(spec, (table) => inDistinctContaining(sql.ref<string | null>(`${table}.${t.column}`), table, t.column, needle));
}

/**
 * Studies with at least one event of the modality's event table meeting `condition`. Written
 * as IN rather than EXISTS: both engines then read the matching events once, from an index on
 * (column, study_id), instead of looking up every study's events. The unary plus keeps SQLite
 * from fetching each matching study by id (random reads of wide rows, 0.3 s for 100,000): it
 * walks the modality's index and tests membership, which also lets a page stop early.
 */
function eventExists(spec: ModalitySpec, condition: (table: string) => Expression<SqlBool>): Expression<SqlBool> {
  const table = spec.eventTable;
  if (table === null) throw new Error(`${spec.modality} has no irradiation events to filter on`);
  return sql<SqlBool>`+${sql.ref('study.id')} in (select ${sql.ref(`${table}.study_id`)} from ${sql.table(table)} where ${condition(table)})`;
}

function between(expr: Expression<number | null>, range: { min?: number; max?: number }): Expression<SqlBool> {
  const parts: ReturnType<typeof sql<SqlBool>>[] = [];
  if (range.min !== undefined) parts.push(sql<SqlBool>`${expr} >= ${range.min}`);
  if (range.max !== undefined) parts.push(sql<SqlBool>`${expr} <= ${range.max}`);
  return sql<SqlBool>`(${sql.join(parts, sql` and `)})`;
}

function rangeCondition(eb: StudyEb, spec: ModalitySpec, r: RangeFilter, min: number | undefined, max: number | undefined): Expression<SqlBool> {
  // Counts are whole numbers, compared as typed (PostgreSQL refuses a fraction for an integer).
  const range = 'whole' in r && r.whole ? { ...(min !== undefined && { min }), ...(max !== undefined && { max }) } : storedRange(min, max, r.unit);
  const t: RangeTarget = r.target;
  if (t.on === 'event') return eventExists(spec, (table) => between(sql.ref<number | null>(`${table}.${t.column}`), range));
  // Unary plus: compared, not looked up. A range on a column with its own (sort) index would
  // otherwise tempt SQLite to fetch every row in the range for the other conditions, where
  // reading them all from the narrow filter index (migration 0003) is far cheaper.
  const cols = t.columns.map((c) => sql<number | null>`+${eb.ref(`study.${c}`)}`);
  if (cols.length === 1 || t.combine === 'any') return eb.or(cols.map((c) => between(c, range)));
  // A total over columns some studies lack (a single-plane unit has no plane B): a missing
  // part counts as nothing, but a study with none of them has no total to compare.
  const total = sql<number>`${sql.join(cols.map((c) => sql`coalesce(${c}, 0)`), sql` + `)}`;
  return eb.and([eb.or(cols.map((c) => sql<SqlBool>`${c} is not null`)), between(total, range)]);
}

/** Restricts a query on `study` to the modality and the filter. */
export function applyStudyFilter<O>(qb: SelectQueryBuilder<Database, 'study', O>, spec: ModalitySpec, f: StudyFilter): SelectQueryBuilder<Database, 'study', O> {
  let q = qb.where('study.modality', '=', spec.modality);
  if (f.dateFrom) q = q.where('study.study_date', '>=', f.dateFrom);
  if (f.dateTo) q = q.where('study.study_date', '<=', f.dateTo);
  if (f.timeFrom !== undefined || f.timeTo !== undefined) q = q.where((eb) => timeCondition(eb, f.timeFrom, f.timeTo));
  if (f.sex !== undefined) q = q.where('study.patient_sex', '=', f.sex);
  if (f.testData === 'exclude') q = q.where('study.not_patient_indicator', 'is', null);
  if (f.testData === 'only') q = q.where('study.not_patient_indicator', 'is not', null);
  if (f.system !== undefined) {
    const name = f.system;
    q = q.where('study.equipment_id', 'in', (eb) => eb.selectFrom('equipment').select('equipment.id').where('equipment.display_name', '=', name));
  }
  for (const def of textFiltersFor(spec)) {
    const needle = f[def.param];
    if (needle !== undefined) q = q.where((eb) => textCondition(eb, spec, def.target, needle));
  }
  for (const def of rangeFiltersFor(spec)) {
    const min = f[minParam(def)];
    const max = f[maxParam(def)];
    if (min !== undefined || max !== undefined) q = q.where((eb) => rangeCondition(eb, spec, def, min, max));
  }
  return q;
}
