// Study lists: the modality's filter plus sorting by whitelisted columns and paging with the
// total count. Sorting always ends with the study id, so pages never overlap or skip rows.
import { sql, type AliasableExpression, type ExpressionBuilder, type Kysely, type SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import type { Engine } from '../db/engine.js';
import type { Database, StudyTable } from '../db/schema.js';
import { applyStudyFilter, filterChecks, filterShape, type FilterOptions, type StudyFilter } from './filters.js';
import type { DoseColumn, ModalitySpec } from './modalities.js';
import { textSortKey } from './sql.js';
import { studiesPerEquipment } from './systems.js';

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

/** The columns a list row is made of: the study's, its system's display name, and dose totals. */
export type StudyRowColumns = Pick<
  StudyTable,
  | 'study_date'
  | 'study_time'
  | 'study_description'
  | 'requested_procedure'
  | 'accession_number'
  | 'accession_number_hashed'
  | 'number_of_events'
  | 'not_patient_indicator'
> &
  Partial<Pick<StudyTable, DoseColumn['column']>> & { id: number; display_name: string | null };

/** A study's list row from its columns, with the totals the modality's lists show. */
export function toStudyListRow(r: StudyRowColumns, doseColumns: readonly DoseColumn[]): StudyListRow {
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
    totals: Object.fromEntries(doseColumns.map((c) => [c.key, r[c.column] ?? null])),
  };
}

export interface StudyPage {
  rows: StudyListRow[];
  total: number;
  page: number;
  perPage: number;
  pageCount: number;
}

type StudyQuery<O> = SelectQueryBuilder<Database, 'study', O>;

/** A key a list sorts by: an expression of the study row, and the column it is missing with (if it can be). */
interface SortKey {
  expr: (eb: ExpressionBuilder<Database, 'study'>) => AliasableExpression<unknown>;
  /** Tested for null rather than the expression, so that the test needs no function call per row. */
  column: (keyof StudyTable & string) | null;
}

/** The study's system's display name as sorted; every study has a system and every system a name. */
function systemKey(engine: Engine): SortKey {
  return {
    expr: (eb) => textSortKey(engine, sql<string>`(${eb.selectFrom('equipment').select('equipment.display_name').whereRef('equipment.id', '=', 'study.equipment_id')})`),
    column: null,
  };
}

function sortKeys(spec: ModalitySpec, engine: Engine, sort: string): SortKey[] {
  const column = (c: keyof StudyTable & string): SortKey => ({ expr: (eb) => eb.ref(`study.${c}`), column: c });
  const text = (c: 'study_description' | 'accession_number'): SortKey => ({ expr: (eb) => textSortKey(engine, eb.ref(`study.${c}`)), column: c });
  switch (sort) {
    case 'date':
      return [column('study_date'), column('study_time')];
    case 'system':
      return [systemKey(engine)];
    case 'description':
      return [text('study_description')];
    case 'accession':
      return [text('accession_number')];
    case 'events':
      return [column('number_of_events')];
    default: {
      const dose = spec.doseColumns.find((c) => c.key === sort);
      if (!dose) throw new Error(`no sort column ${sort} for ${spec.modality}`);
      return [column(dose.column)];
    }
  }
}

function orderBy<O>(q: StudyQuery<O>, keys: readonly SortKey[], dir: SortDirection): StudyQuery<O> {
  // Missing values go last in either direction; the engines disagree on the default.
  for (const k of keys) q = q.orderBy(k.expr, (ob) => (dir === 'asc' ? ob.asc() : ob.desc()).nullsLast());
  return q.orderBy('study.id', dir);
}

/** Every combination of missing (true) and present (false) values of the keys that can be missing. */
function missingPatterns(keys: readonly SortKey[]): boolean[][] {
  return keys.reduce<boolean[][]>((patterns, k) => patterns.flatMap((p) => (k.column ? [[...p, false], [...p, true]] : [[...p, false]])), [[]]);
}

/**
 * The ids of one page in list order. An index gives "descending, missing last" on neither engine
 * (PostgreSQL keeps nulls at the high end of an index, SQLite at the low end), so ordering by it
 * sorted every matching study: the studies are split by which keys they lack instead. Within a
 * part the order is plain and an index walk yields it; each part gives at most the rows up to
 * the page's end, and only those are merged and sorted (measured at 1 M studies on PostgreSQL:
 * the newest CT studies from 0.3 s to a few ms).
 */
function pageIdsQuery(db: Kysely<Database>, filtered: StudyQuery<object>, keys: readonly SortKey[], dir: SortDirection, perPage: number, offset: number) {
  const parts = missingPatterns(keys).map((missing, part) => {
    let q = filtered.select((eb) => [eb.ref('study.id').as('id'), ...keys.map((k, i) => k.expr(eb).as(`k${i}`))]);
    keys.forEach((k, i) => {
      if (k.column) q = q.where(`study.${k.column}`, missing[i] ? 'is' : 'is not', null);
      // Ordered by every key, missing ones included: an order by the id alone would tempt PostgreSQL
      // to walk the primary key hoping to meet the few studies that lack a key early.
      q = q.orderBy(k.expr, (ob) => (dir === 'asc' ? ob.asc() : ob.desc()));
    });
    return db.selectFrom(q.orderBy('study.id', dir).limit(offset + perPage).as(`part${part}`)).selectAll();
  });
  let page = db.selectFrom(parts.reduce((all, p) => all.unionAll(p)).as('page')).select(sql.ref<number>('page.id').as('id'));
  keys.forEach((_, i) => {
    page = page.orderBy(sql.ref(`page.k${i}`), (ob) => (dir === 'asc' ? ob.asc() : ob.desc()).nullsLast());
  });
  return page.orderBy(sql.ref('page.id'), dir).limit(perPage).offset(offset);
}

/** Studies matching a filter, counted per system: a list sorted by system pages through these. */
interface SystemGroup {
  /** Systems whose display names sort alike (equal but for case): their studies interleave by id. */
  equipmentIds: number[];
  studies: number;
}

/**
 * The page's ids when sorting by system. Ordering every matching study by its system's name
 * sorts them all (1.3 s for 330,000 CT studies on PostgreSQL); instead the studies are counted
 * per system (which also gives the total), the systems put in order, and only the systems the
 * page falls on are read, in id order.
 */
async function systemPage(db: Kysely<Database>, engine: Engine, filtered: StudyQuery<object>, counts: Promise<Map<number, number>>, dir: SortDirection, perPage: number, offset: number) {
  const [systems, studies] = await Promise.all([
    db
      .selectFrom('equipment')
      .select((eb) => ['equipment.id', textSortKey(engine, eb.ref('equipment.display_name')).as('key')])
      .orderBy('key', dir)
      .execute(),
    counts,
  ]);
  const groups: SystemGroup[] = [];
  let lastKey: string | null = null;
  for (const s of systems) {
    const n = studies.get(s.id);
    if (!n) continue;
    const last = groups.at(-1);
    if (last && s.key === lastKey) {
      last.equipmentIds.push(s.id);
      last.studies += n;
    } else {
      groups.push({ equipmentIds: [s.id], studies: n });
    }
    lastKey = s.key;
  }
  const total = groups.reduce((sum, g) => sum + g.studies, 0);
  // The groups the page falls on, and how many of their studies come before it.
  let start = 0;
  let before = 0;
  const onPage: SystemGroup[] = [];
  for (const g of groups) {
    const end = start + g.studies;
    if (end > offset && start < offset + perPage) onPage.push(g);
    else if (end <= offset) before = end;
    start = end;
  }
  if (onPage.length === 0) return { total, ids: null };
  const ids = filtered.where('study.equipment_id', 'in', onPage.flatMap((g) => g.equipmentIds)).select('study.id');
  // Within one group the order is by id alone, which an index on (modality, equipment, id) gives.
  const ordered = onPage.length > 1 ? orderBy(ids, [systemKey(engine)], dir) : ids.orderBy('study.id', dir);
  return { total, ids: ordered.limit(perPage).offset(offset - before) };
}

const PAGING = new Set(['sort', 'dir', 'page', 'perPage']);

/** The query lists all the modality's studies, filtered by nothing. */
function unfiltered(query: ListQuery): boolean {
  return Object.entries(query).every(([k, v]) => PAGING.has(k) || v === undefined);
}

/**
 * Matching studies per equipment row. A list of the whole modality (the usual first view) takes
 * the counts the triggers keep instead of counting its studies (at 1 M studies on PostgreSQL:
 * 330,000 CT studies counted in 30–170 ms, by the load).
 */
function countsPerEquipment(db: Kysely<Database>, spec: ModalitySpec, filtered: StudyQuery<object>, query: ListQuery): Promise<Map<number, number>> {
  if (unfiltered(query)) return studiesPerEquipment(db, spec.modality);
  return filtered
    .select((eb) => ['study.equipment_id', eb.fn.countAll<number>().as('n')])
    .groupBy('study.equipment_id')
    .execute()
    .then((rows) => new Map(rows.map((r) => [r.equipment_id, Number(r.n)])));
}

/** One page of the modality's studies matching the query, with the total count. */
export async function listStudies(db: Kysely<Database>, engine: Engine, spec: ModalitySpec, query: ListQuery): Promise<StudyPage> {
  const filtered = applyStudyFilter(db.selectFrom('study'), spec, query);
  const offset = (query.page - 1) * query.perPage;
  const keys = sortKeys(spec, engine, query.sort);
  // The page's ids first, then its rows: finding and ordering the ids needs only narrow index
  // columns, so neither engine reads (and sorts) the wide rows of every study it passes over.
  const { total, ids } =
    query.sort === 'system'
      ? await systemPage(db, engine, filtered, countsPerEquipment(db, spec, filtered, query), query.dir, query.perPage, offset)
      : {
          total: unfiltered(query)
            ? studiesPerEquipment(db, spec.modality).then((counts) => [...counts.values()].reduce((sum, n) => sum + n, 0))
            : filtered.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow().then((c) => Number(c.n)),
          ids: pageIdsQuery(db, filtered, keys, query.dir, query.perPage, offset),
        };
  const rowsQuery = (pageIds: NonNullable<typeof ids>) =>
    orderBy(
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
      keys,
      query.dir,
    ).execute();
  const [count, rows] = await Promise.all([total, ids ? rowsQuery(ids) : []]);
  return {
    total: count,
    page: query.page,
    perPage: query.perPage,
    pageCount: Math.max(1, Math.ceil(count / query.perPage)),
    rows: rows.map((r) => toStudyListRow(r, spec.doseColumns)),
  };
}
