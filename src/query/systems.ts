// The systems that produced studies, per modality: what the home page summarises, what the
// navigation offers and what system pickers suggest. Grouped by display name, since several
// equipment rows (software upgrades of one unit) share one name and physicists think of them
// as one system. Counts come from the small study_count table that triggers keep in step with
// the study table; dates come from index seeks, so the home page costs the same at any size.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Modality } from '../report/types.js';
import { MODALITY_SPECS, type ModalitySpec } from './modalities.js';

/** Kept by triggers (migration 0003): studies per modality and equipment row. */
interface StudyCountTable {
  modality: string;
  equipment_id: number;
  studies: number;
}

export interface SystemSummary {
  displayName: string;
  studyCount: number;
  latestStudyDate: string | null;
}

export interface SystemActivity extends SystemSummary {
  /** Time of day of the latest study (HH:MM:SS), when it has one. */
  latestStudyTime: string | null;
  /** Studies dated today or in the 6 days before (none dated later). */
  lastWeek: number;
  /** Studies dated today or in the 27 days before (none dated later). */
  lastFourWeeks: number;
}

export interface ModalityActivity {
  spec: ModalitySpec;
  studyCount: number;
  systems: SystemActivity[];
}

export interface ModalitySystems {
  spec: ModalitySpec;
  studyCount: number;
  systems: SystemSummary[];
}

/** The local calendar date `days` before `now`, as YYYY-MM-DD (study dates are local dates). */
export function localDateBefore(now: Date, days: number): string {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() - days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Modalities that have studies, in the usual order (for the navigation). */
export async function modalitiesWithData(db: Kysely<Database>): Promise<Modality[]> {
  const rows = await db.withTables<{ study_count: StudyCountTable }>().selectFrom('study_count').select('modality').distinct().execute();
  const present = new Set(rows.map((r) => r.modality));
  return MODALITY_SPECS.filter((s) => present.has(s.modality)).map((s) => s.modality);
}

/** A modality's studies per equipment row, from the kept counts (no study is read). */
export async function studiesPerEquipment(db: Kysely<Database>, modality: Modality): Promise<Map<number, number>> {
  const rows = await db
    .withTables<{ study_count: StudyCountTable }>()
    .selectFrom('study_count')
    .select(['equipment_id', 'studies'])
    .where('modality', '=', modality)
    .execute();
  return new Map(rows.map((r) => [r.equipment_id, Number(r.studies)]));
}

/**
 * Every modality with at least one study, in the usual order, with its systems by name: study
 * count, latest study, and studies in the last 7 and 28 days counted back from `now`.
 */
export async function systemActivity(db: Kysely<Database>, now = new Date()): Promise<ModalityActivity[]> {
  const weekFrom = localDateBefore(now, 6);
  const monthFrom = localDateBefore(now, 27);
  const q = db.withTables<{ study_count: StudyCountTable }>();
  // Each subquery is a seek on study(modality, equipment_id, study_date, study_time).
  const same = sql`s.modality = c.modality and s.equipment_id = c.equipment_id`;
  const latest = (col: 'study_date' | 'study_time') =>
    sql<string | null>`(select s.${sql.ref(col)} from study s where ${same} and s.study_date is not null order by s.study_date desc, s.study_time desc nulls last limit 1)`;
  // A study dated after today (a unit's clock set wrong) is no recent study.
  const today = localDateBefore(now, 0);
  const since = (from: string) => sql<number>`(select count(*) from study s where ${same} and s.study_date >= ${from} and s.study_date <= ${today})`;
  const rows = await q
    .selectFrom('study_count as c')
    .innerJoin('equipment as e', 'e.id', 'c.equipment_id')
    .select(['c.modality', 'e.display_name', 'c.studies'])
    .select([latest('study_date').as('latest_date'), latest('study_time').as('latest_time'), since(weekFrom).as('week'), since(monthFrom).as('month')])
    .execute();
  const out: ModalityActivity[] = [];
  for (const spec of MODALITY_SPECS) {
    const byName = new Map<string, SystemActivity>();
    for (const r of rows) {
      if (r.modality !== spec.modality) continue;
      const s = byName.get(r.display_name) ?? { displayName: r.display_name, studyCount: 0, latestStudyDate: null, latestStudyTime: null, lastWeek: 0, lastFourWeeks: 0 };
      s.studyCount += Number(r.studies);
      s.lastWeek += Number(r.week);
      s.lastFourWeeks += Number(r.month);
      const later = r.latest_date !== null && (s.latestStudyDate === null || `${r.latest_date} ${r.latest_time ?? ''}` > `${s.latestStudyDate} ${s.latestStudyTime ?? ''}`);
      if (later) {
        s.latestStudyDate = r.latest_date;
        s.latestStudyTime = r.latest_time;
      }
      byName.set(r.display_name, s);
    }
    const systems = [...byName.values()].sort((a, b) => a.displayName.localeCompare(b.displayName));
    if (systems.length) out.push({ spec, studyCount: systems.reduce((n, x) => n + x.studyCount, 0), systems });
  }
  return out;
}

/** Every modality with at least one study, with each system's study count and latest study date. */
export async function systemsByModality(db: Kysely<Database>): Promise<ModalitySystems[]> {
  return (await systemActivity(db)).map((m) => ({
    spec: m.spec,
    studyCount: m.studyCount,
    systems: m.systems.map((s) => ({ displayName: s.displayName, studyCount: s.studyCount, latestStudyDate: s.latestStudyDate })),
  }));
}

/**
 * Every system display name, for suggestions while typing a filter. Read from the small
 * equipment table only: finding the names used by one modality would scan the studies.
 */
export async function allSystemNames(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('equipment').select('equipment.display_name').distinct().execute();
  return rows.map((r) => r.display_name).sort((a, b) => a.localeCompare(b));
}
