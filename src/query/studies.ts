// Study lists: the modality's filter plus sorting by whitelisted columns and paging with the
// total count. Sorting always ends with the study id, so pages never overlap or skip rows.
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import type { Engine } from '../db/engine.js';
import type { Database } from '../db/schema.js';
import { applyStudyFilter, filterChecks, filterShape, type FilterOptions, type StudyFilter } from './filters.js';
import type { ModalitySpec } from './modalities.js';
import { textSortKey } from './sql.js';

export const PER_PAGE_CHOICES = [10, 25, 50, 100, 200] as const;
export const DEFAULT_PER_PAGE = 25;
export const SORT_DIRECTIONS = ['asc', 'desc'] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

/** Columns every modality's list sorts by; dose columns come from the modality. */
export const BASE_SORTS = {
  date: 'Date',
  system: 'System',
  description: 'Study description',
  accession: 'Accession number',
  events: 'Events',
} as const;

export function sortKeysFor(spec: ModalitySpec): string[] {
  return [...Object.keys(BASE_SORTS), ...spec.doseColumns.map((c) => c.key)];
}

export type ListQuery = StudyFilter & { sort: string; dir: SortDirection; page: number; perPage: number };

const MAX_PAGE = 1_000_000;

const schemas = new Map<string, z.ZodType<ListQuery>>();

/**
 * The list's query parameters: the filter plus sorting and paging. `opts.pid` says the user may
 * search by patient identifiers. Built once per modality and option set (routes ask per request).
 */
export function listQuerySchema(spec: ModalitySpec, opts: FilterOptions = {}): z.ZodType<ListQuery> {
  const key = `${spec.modality}:${opts.pid ? 'pid' : ''}`;
  let schema = schemas.get(key);
  if (!schema) {
    schema = buildListQuerySchema(spec, opts);
    schemas.set(key, schema);
  }
  return schema;
}

function buildListQuerySchema(spec: ModalitySpec, opts: FilterOptions): z.ZodType<ListQuery> {
  const keys = sortKeysFor(spec) as [string, ...string[]];
  return z
    .object({
      ...filterShape(spec),
      sort: z.enum(keys, { error: `expected one of: ${keys.join(', ')}` }).default('date'),
      dir: z.enum(SORT_DIRECTIONS, { error: 'expected asc or desc' }).default('desc'),
      page: z
        .string({ error: 'expected one page number' })
        .regex(/^\d+$/, 'expected a whole number')
        .transform(Number)
        .pipe(z.number().min(1, 'pages start at 1').max(MAX_PAGE, `at most ${MAX_PAGE}`))
        .default(1),
      perPage: z
        .enum(PER_PAGE_CHOICES.map(String) as [string, ...string[]], { error: `expected one of: ${PER_PAGE_CHOICES.join(', ')}` })
        .transform(Number)
        .default(DEFAULT_PER_PAGE),
    })
    .strict()
    .superRefine(filterChecks(opts)) as z.ZodType<ListQuery>;
}

/** One row of a study list: the study's identity, description and dose totals. */
export interface StudyListRow {
  id: number;
  studyDate: string | null;
  studyTime: string | null;
  studyDescription: string | null;
  requestedProcedure: string | null;
  accessionNumber: string | null;
  accessionNumberHashed: boolean;
  systemName: string;
  numberOfEvents: number | null;
  notPatientIndicator: string | null;
  /** Dose totals by DoseColumn key, in stored units. */
  totals: Record<string, number | null>;
}

export interface StudyPage {
  rows: StudyListRow[];
  total: number;
  page: number;
  perPage: number;
  pageCount: number;
}

type StudyQuery<O> = SelectQueryBuilder<Database, 'study', O>;

function orderBy<O>(q: StudyQuery<O>, spec: ModalitySpec, engine: Engine, sort: string, dir: SortDirection): StudyQuery<O> {
  // Missing values go last in either direction; the engines disagree on the default.
  const by = (expr: Parameters<StudyQuery<O>['orderBy']>[0]) => q.orderBy(expr, (ob) => (dir === 'asc' ? ob.asc() : ob.desc()).nullsLast());
  switch (sort) {
    case 'date':
      q = by('study.study_date');
      q = by('study.study_time');
      break;
    case 'system':
      q = by((eb) => textSortKey(engine, sql<string>`(${eb.selectFrom('equipment').select('equipment.display_name').whereRef('equipment.id', '=', 'study.equipment_id')})`));
      break;
    case 'description':
      q = by((eb) => textSortKey(engine, eb.ref('study.study_description')));
      break;
    case 'accession':
      q = by((eb) => textSortKey(engine, eb.ref('study.accession_number')));
      break;
    case 'events':
      q = by('study.number_of_events');
      break;
    default: {
      const dose = spec.doseColumns.find((c) => c.key === sort);
      if (!dose) throw new Error(`no sort column ${sort} for ${spec.modality}`);
      q = by(`study.${dose.column}`);
    }
  }
  return by('study.id');
}

/** One page of the modality's studies matching the query, with the total count. */
export async function listStudies(db: Kysely<Database>, engine: Engine, spec: ModalitySpec, query: ListQuery): Promise<StudyPage> {
  const filtered = applyStudyFilter(db.selectFrom('study'), spec, query);
  const countQuery = filtered.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  // The page's ids first, then its rows: finding and ordering the ids needs only narrow index
  // columns, so neither engine reads (and sorts) the wide rows of every study it passes over.
  const pageIds = orderBy(filtered.select('study.id'), spec, engine, query.sort, query.dir)
    .limit(query.perPage)
    .offset((query.page - 1) * query.perPage);
  const rowsQuery = orderBy(
    db
      .selectFrom('study')
      .where('study.id', 'in', pageIds)
      .select([
        'study.id',
        'study.study_date',
        'study.study_time',
        'study.study_description',
        'study.requested_procedure',
        'study.accession_number',
        'study.accession_number_hashed',
        'study.number_of_events',
        'study.not_patient_indicator',
      ])
      .select((eb) => eb.selectFrom('equipment').select('equipment.display_name').whereRef('equipment.id', '=', 'study.equipment_id').as('display_name'))
      .select(spec.doseColumns.map((c) => `study.${c.column}` as const)),
    spec,
    engine,
    query.sort,
    query.dir,
  ).execute();
  const [count, rows] = await Promise.all([countQuery, rowsQuery]);
  const total = Number(count.n);
  return {
    total,
    page: query.page,
    perPage: query.perPage,
    pageCount: Math.max(1, Math.ceil(total / query.perPage)),
    rows: rows.map((r) => {
      return {
        id: r.id,
        studyDate: r.study_date,
        studyTime: r.study_time,
        studyDescription: r.study_description,
        requestedProcedure: r.requested_procedure,
        accessionNumber: r.accession_number,
        accessionNumberHashed: r.accession_number_hashed === 1,
        systemName: r.display_name ?? '',
        numberOfEvents: r.number_of_events,
        notPatientIndicator: r.not_patient_indicator,
        totals: Object.fromEntries(spec.doseColumns.map((c) => [c.key, r[c.column] ?? null])),
      };
    }),
  };
}
