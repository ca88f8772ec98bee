// The systems that produced studies, per modality: what the home page summarises and what
// system pickers offer. Grouped by display name, since several equipment rows (software
// upgrades of one unit) share one name and physicists think of them as one system.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { MODALITY_SPECS, type ModalitySpec } from './modalities.js';

export interface SystemSummary {
  displayName: string;
  studyCount: number;
  latestStudyDate: string | null;
}

export interface ModalitySystems {
  spec: ModalitySpec;
  studyCount: number;
  systems: SystemSummary[];
}

/** Every modality with at least one study, in the usual order, with its systems by name. */
export async function systemsByModality(db: Kysely<Database>): Promise<ModalitySystems[]> {
  const rows = await db
    .selectFrom('study')
    .innerJoin('equipment', 'equipment.id', 'study.equipment_id')
    .select((eb) => ['study.modality', 'equipment.display_name', eb.fn.countAll<number>().as('n'), eb.fn.max('study.study_date').as('latest')])
    .groupBy(['study.modality', 'equipment.display_name'])
    .execute();
  const out: ModalitySystems[] = [];
  for (const spec of MODALITY_SPECS) {
    const systems = rows
      .filter((r) => r.modality === spec.modality)
      .map((r) => ({ displayName: r.display_name, studyCount: Number(r.n), latestStudyDate: r.latest }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
    if (systems.length) out.push({ spec, studyCount: systems.reduce((s, x) => s + x.studyCount, 0), systems });
  }
  return out;
}

/**
 * Every system display name, for suggestions while typing a filter. Read from the small
 * equipment table only: finding the names used by one modality would scan the studies.
 */
export async function allSystemNames(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('equipment').select('equipment.display_name').distinct().execute();
  return rows.map((r) => r.display_name).sort((a, b) => a.localeCompare(b));
}
