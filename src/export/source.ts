// What exports read: the studies a modality's filter selects, a page at a time in study id
// order (keyset pagination, so memory stays flat whatever the size), each with its events;
// and the counts and frequencies exports need before they start writing.
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../db/connect.js';
import type { StudyRow } from '../db/schema.js';
import { applyStudyFilter, type StudyFilter } from '../query/filters.js';
import type { EventTable, ModalitySpec } from '../query/modalities.js';
import { textSortKey } from '../query/sql.js';

/** The selection an export covers: a modality's studies that match a filter. */
export interface ExportSelection {
  db: Db;
  spec: ModalitySpec;
  filter: StudyFilter;
}

/** A study row with its equipment's names. */
export type ExportStudyRow = StudyRow & {
  eq_institution_name: string | null;
  eq_manufacturer: string | null;
  eq_model_name: string | null;
  eq_station_name: string | null;
  eq_display_name: string;
};

/** A study as exports see it: its row, the modality's dose record (without events) and events. */
export interface ExportStudy<D = unknown, E = unknown> {
  row: ExportStudyRow;
  dose: D | null;
  events: E[];
}

/** Restricts events to one acquisition protocol (null: events without one). */
export interface ProtocolChoice {
  value: string | null;
}

function filtered(s: ExportSelection) {
  return applyStudyFilter(s.db.kysely.selectFrom('study'), s.spec, s.filter);
}

function eventTableOf(s: ExportSelection): EventTable | null {
  return s.spec.eventTable;
}

function protocolCondition(protocol: ProtocolChoice): Expression<SqlBool> {
  return protocol.value === null ? sql<SqlBool>`acquisition_protocol is null` : sql<SqlBool>`acquisition_protocol = ${protocol.value}`;
}

export async function countStudies(s: ExportSelection): Promise<number> {
  const row = await filtered(s)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface EventStats {
  /** Events of the matching studies. */
  events: number;
  /** The most events any one matching study has. */
  mostPerStudy: number;
}

export async function eventStats(s: ExportSelection): Promise<EventStats> {
  const table = eventTableOf(s);
  if (!table) return { events: 0, mostPerStudy: 0 };
  const ids = filtered(s).select('study.id');
  const { rows } = await sql<{ events: number | null; most: number | null }>`
    select sum(n) as events, max(n) as most
    from (select count(*) as n from ${sql.table(table)} where study_id in ${ids} group by study_id) per_study`.execute(s.db.kysely);
  return { events: Number(rows[0]?.events ?? 0), mostPerStudy: Number(rows[0]?.most ?? 0) };
}

export interface Frequency {
  value: string | null;
  count: number;
}

/** How many matching studies have each study description (or requested procedure), most first. */
export async function studyFrequencies(s: ExportSelection, column: 'study_description' | 'requested_procedure'): Promise<Frequency[]> {
  const rows = await filtered(s)
    .select((eb) => [eb.ref(`study.${column}`).as('value'), eb.fn.countAll<number>().as('n')])
    .groupBy(`study.${column}`)
    .orderBy('n', 'desc')
    .orderBy((eb) => textSortKey(s.db.engine, eb.ref(`study.${column}`)))
    .execute();
  return rows.map((r) => ({ value: r.value, count: Number(r.n) }));
}

/** How many events of the matching studies have each acquisition protocol, most first. */
export async function protocolFrequencies(s: ExportSelection): Promise<Frequency[]> {
  const table = eventTableOf(s);
  if (!table) return [];
  const ids = filtered(s).select('study.id');
  const { rows } = await sql<{ value: string | null; n: number }>`
    select acquisition_protocol as value, count(*) as n from ${sql.table(table)}
    where study_id in ${ids}
    group by acquisition_protocol
    order by count(*) desc, ${textSortKey(s.db.engine, sql.ref('acquisition_protocol'))}`.execute(s.db.kysely);
  return rows.map((r) => ({ value: r.value, count: Number(r.n) }));
}

async function studyRows(s: ExportSelection, after: number, limit: number, onlyIds?: readonly number[]): Promise<ExportStudyRow[]> {
  let q = filtered(s)
    .innerJoin('equipment', 'equipment.id', 'study.equipment_id')
    .selectAll('study')
    .select([
      'equipment.institution_name as eq_institution_name',
      'equipment.manufacturer as eq_manufacturer',
      'equipment.model_name as eq_model_name',
      'equipment.station_name as eq_station_name',
      'equipment.display_name as eq_display_name',
    ])
    .where('study.id', '>', after);
  if (onlyIds) q = q.where('study.id', 'in', [...onlyIds]);
  return q.orderBy('study.id').limit(limit).execute();
}

/** Ids of studies, after `after`, with events of the protocol (read from the protocol's index). */
async function studyIdsWithProtocol(s: ExportSelection, table: EventTable, protocol: ProtocolChoice, after: number, limit: number): Promise<number[]> {
  const { rows } = await sql<{ study_id: number }>`
    select distinct study_id from ${sql.table(table)}
    where ${protocolCondition(protocol)} and study_id > ${after}
    order by study_id limit ${limit}`.execute(s.db.kysely);
  return rows.map((r) => Number(r.study_id));
}

async function eventsOf<E>(s: ExportSelection, table: EventTable, ids: readonly number[], protocol?: ProtocolChoice): Promise<Map<number, E[]>> {
  const only = protocol ? sql`and ${protocolCondition(protocol)}` : sql``;
  const { rows } = await sql<{ study_id: number; data: string }>`
    select study_id, data from ${sql.table(table)}
    where study_id in (${sql.join([...ids])}) ${only}
    order by study_id, seq`.execute(s.db.kysely);
  const out = new Map<number, E[]>();
  for (const r of rows) {
    const id = Number(r.study_id);
    const list = out.get(id);
    const event = JSON.parse(r.data) as E;
    if (list) list.push(event);
    else out.set(id, [event]);
  }
  return out;
}

async function withEvents<D, E>(s: ExportSelection, rows: ExportStudyRow[], protocol?: ProtocolChoice): Promise<ExportStudy<D, E>[]> {
  const table = eventTableOf(s);
  const events = table && rows.length ? await eventsOf<E>(s, table, rows.map((r) => r.id), protocol) : new Map<number, E[]>();
  return rows.map((row) => ({ row, dose: row.dose_json ? (JSON.parse(row.dose_json) as D) : null, events: events.get(row.id) ?? [] }));
}

export interface PageOptions {
  /** Studies per page. */
  pageSize: number;
  /** Only studies with events of this protocol, with only those events. */
  protocol?: ProtocolChoice;
}

/** The matching studies in id order, a page at a time, each with its events. */
export async function* studyPages<D, E>(s: ExportSelection, opts: PageOptions): AsyncGenerator<ExportStudy<D, E>[]> {
  const table = eventTableOf(s);
  let after = 0;
  for (;;) {
    if (opts.protocol && table) {
      // Walk the protocol's events, not every study: a protocol sheet reads only its own rows.
      const ids = await studyIdsWithProtocol(s, table, opts.protocol, after, opts.pageSize);
      if (ids.length === 0) return;
      after = ids[ids.length - 1]!;
      const rows = await studyRows(s, 0, ids.length, ids);
      if (rows.length) yield await withEvents<D, E>(s, rows, opts.protocol);
    } else {
      const rows = await studyRows(s, after, opts.pageSize);
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.id;
      yield await withEvents<D, E>(s, rows);
    }
  }
}
