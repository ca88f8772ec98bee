// The systems (equipment rows) as administrators configure them: grouped by the modalities of
// their studies, renamed one at a time or several to one name, and the user-defined modality
// of units used for both radiography and fluoroscopy.
import { sql, type Kysely } from 'kysely';
import { recordAudit, type AuditActor } from '../audit/log.js';
import { writeTransaction, type Db } from '../db/connect.js';
import type { Database, EquipmentRow } from '../db/schema.js';
import { MODALITY_SPECS, type ModalitySpec } from '../query/modalities.js';
import { PROJECTION_MODALITIES, type UserDefinedModality } from './projection-resort.js';

/** Kept by triggers of the study table (migration 0003): studies per modality and equipment row. */
interface StudyCountTable {
  modality: string;
  equipment_id: number;
  studies: number;
}

export interface SystemEntry {
  equipment: EquipmentRow;
  /** Studies of this system in the group's modality. */
  studies: number;
  latestStudyDate: string | null;
  /** Has DX or RF studies (or a user-defined modality already): the user-defined modality applies. */
  projection: boolean;
}

export interface ModalitySystemGroup {
  /** Null for systems whose studies are all gone. */
  spec: ModalitySpec | null;
  /** The modality as stored, for groups not among the known ones. */
  modality: string | null;
  systems: SystemEntry[];
}

function studyCounts(q: Kysely<Database>) {
  return q.withTables<{ study_count: StudyCountTable }>().selectFrom('study_count as c');
}

/** Every stored study, from the summary table. */
export async function totalStudies(q: Kysely<Database>): Promise<number> {
  const row = await studyCounts(q)
    .select((eb) => eb.fn.sum<number | null>('c.studies').as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Study counts per modality of one system, from the summary table. */
export async function systemStudyCounts(q: Kysely<Database>, equipmentId: number): Promise<{ modality: string; studies: number }[]> {
  const rows = await studyCounts(q).select(['c.modality', 'c.studies']).where('c.equipment_id', '=', equipmentId).execute();
  return rows.map((r) => ({ modality: r.modality, studies: Number(r.studies) })).sort((a, b) => a.modality.localeCompare(b.modality));
}

/**
 * Every system under each modality it has studies in (a unit used as DX and RF appears under
 * both), in the usual modality order, by display name; systems without studies last. Counts come
 * from the summary table and latest dates from index seeks, so this costs the same at any size.
 */
export async function systemsByModality(q: Kysely<Database>): Promise<ModalitySystemGroup[]> {
  // A seek on study(modality, equipment_id, study_date) per system.
  const latest = sql<string | null>`(select s.study_date from study s where s.modality = c.modality and s.equipment_id = c.equipment_id and s.study_date is not null order by s.study_date desc limit 1)`;
  const [counts, equipment] = await Promise.all([
    studyCounts(q).select(['c.modality', 'c.equipment_id', 'c.studies']).select(latest.as('latest')).execute(),
    q.selectFrom('equipment').selectAll().execute(),
  ]);
  const byId = new Map(equipment.map((e) => [e.id, e]));
  const projectionIds = new Set(counts.filter((c) => (PROJECTION_MODALITIES as readonly string[]).includes(c.modality)).map((c) => c.equipment_id));
  const entry = (e: EquipmentRow, studies: number, latestStudyDate: string | null): SystemEntry => ({
    equipment: e,
    studies,
    latestStudyDate,
    projection: projectionIds.has(e.id) || e.user_defined_modality !== null,
  });
  const byName = (a: SystemEntry, b: SystemEntry) => a.equipment.display_name.localeCompare(b.equipment.display_name) || a.equipment.id - b.equipment.id;
  const known = new Set(MODALITY_SPECS.map((s) => s.modality as string));
  const modalities = [...MODALITY_SPECS.map((s) => s.modality as string), ...[...new Set(counts.map((c) => c.modality))].filter((m) => !known.has(m)).sort()];
  const groups: ModalitySystemGroup[] = [];
  for (const modality of modalities) {
    const systems = counts
      .filter((c) => c.modality === modality && byId.has(c.equipment_id))
      .map((c) => entry(byId.get(c.equipment_id)!, Number(c.studies), c.latest))
      .sort(byName);
    if (systems.length) groups.push({ spec: MODALITY_SPECS.find((s) => s.modality === modality) ?? null, modality, systems });
  }
  const withStudies = new Set(counts.map((c) => c.equipment_id));
  const idle = equipment.filter((e) => !withStudies.has(e.id)).map((e) => entry(e, 0, null)).sort(byName);
  if (idle.length) groups.push({ spec: null, modality: null, systems: idle });
  return groups;
}

/** Whether the user-defined modality applies to a system: it has DX or RF studies, or has one set. */
export async function isProjectionSystem(q: Kysely<Database>, e: EquipmentRow): Promise<boolean> {
  if (e.user_defined_modality !== null) return true;
  const row = await studyCounts(q).select('c.equipment_id').where('c.equipment_id', '=', e.id).where('c.modality', 'in', [...PROJECTION_MODALITIES]).executeTakeFirst();
  return row !== undefined;
}

export interface SystemChanges {
  displayName?: string;
  /** null: none (each study by its content, as imported). */
  userDefinedModality?: UserDefinedModality | null;
}

export interface SystemUpdate {
  /** Systems whose display name or modality setting changed. */
  changed: number;
  /** Systems whose user-defined modality changed: their DX and RF studies need sorting again. */
  modalityChanged: number[];
}

/** Systems a modality change was asked for that are not used for DX or RF. */
export class NotProjectionError extends Error {
  constructor(readonly names: string[]) {
    super(`the user-defined modality applies only to systems with radiography or fluoroscopy studies; not to ${names.join(', ')}`);
  }
}

/**
 * Applies the changes to each system in one transaction, recording each change (from → to)
 * in the audit log. Throws NotProjectionError, changing nothing, when a modality change is
 * asked for a system it does not apply to.
 */
export async function updateSystems(db: Db, ids: readonly number[], changes: SystemChanges, actor: AuditActor): Promise<SystemUpdate> {
  return writeTransaction(db, null, async (q) => {
    const rows = ids.length ? await q.selectFrom('equipment').selectAll().where('id', 'in', [...ids]).orderBy('id').execute() : [];
    if (changes.userDefinedModality !== undefined) {
      const refused: string[] = [];
      for (const row of rows) if (!(await isProjectionSystem(q, row))) refused.push(row.display_name);
      if (refused.length) throw new NotProjectionError(refused);
    }
    const out: SystemUpdate = { changed: 0, modalityChanged: [] };
    for (const row of rows) {
      const diff: Record<string, { from: unknown; to: unknown }> = {};
      if (changes.displayName !== undefined && changes.displayName !== row.display_name) diff.displayName = { from: row.display_name, to: changes.displayName };
      if (changes.userDefinedModality !== undefined && changes.userDefinedModality !== row.user_defined_modality) {
        diff.userDefinedModality = { from: row.user_defined_modality, to: changes.userDefinedModality };
      }
      if (Object.keys(diff).length === 0) continue;
      await q
        .updateTable('equipment')
        .set({
          ...(diff.displayName ? { display_name: changes.displayName } : {}),
          ...(diff.userDefinedModality ? { user_defined_modality: changes.userDefinedModality ?? null } : {}),
        })
        .where('id', '=', row.id)
        .execute();
      await recordAudit(q, { actor, action: 'system.update', target: `system ${row.id} (${row.display_name})`, details: diff });
      out.changed++;
      if (diff.userDefinedModality) out.modalityChanged.push(row.id);
    }
    return out;
  });
}

export interface SystemStudyRow {
  id: number;
  modality: string;
  studyDate: string | null;
  studyTime: string | null;
  description: string | null;
  accessionNumber: string | null;
  accessionNumberHashed: boolean;
  numberOfEvents: number | null;
}

/** One page of a system's studies, newest first (a seek on study(equipment_id, study_date)). */
export async function systemStudies(q: Kysely<Database>, equipmentId: number, page: number, perPage: number): Promise<SystemStudyRow[]> {
  const rows = await q
    .selectFrom('study')
    .select(['id', 'modality', 'study_date', 'study_time', 'study_description', 'requested_procedure', 'accession_number', 'accession_number_hashed', 'number_of_events'])
    .where('equipment_id', '=', equipmentId)
    .orderBy('study_date', (ob) => ob.desc().nullsLast())
    .orderBy('id', 'desc')
    .limit(perPage)
    .offset((page - 1) * perPage)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    modality: r.modality,
    studyDate: r.study_date,
    studyTime: r.study_time,
    description: r.study_description ?? r.requested_procedure,
    accessionNumber: r.accession_number,
    accessionNumberHashed: r.accession_number_hashed === 1,
    numberOfEvents: r.number_of_events,
  }));
}

export interface SystemStudySpan {
  total: number;
  /** The newest study id: a deletion confirmed now covers the studies up to it. */
  maxId: number;
  firstDate: string | null;
  lastDate: string | null;
}

export async function systemStudySpan(q: Kysely<Database>, equipmentId: number): Promise<SystemStudySpan> {
  const row = await q
    .selectFrom('study')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('id').as('max_id'), eb.fn.min('study_date').as('first'), eb.fn.max('study_date').as('last')])
    .where('equipment_id', '=', equipmentId)
    .executeTakeFirstOrThrow();
  return { total: Number(row.n), maxId: Number(row.max_id ?? 0), firstDate: row.first ?? null, lastDate: row.last ?? null };
}
