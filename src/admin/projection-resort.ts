// A unit used for both radiography and fluoroscopy: its administrator may fix the modality of
// its projection studies (DX or RF), or mark it 'dual' so each study is DX or RF by its content.
// When that setting changes, the unit's stored projection studies are sorted again by the same
// rule an import applies: the projection extractor's for content, the setting when fixed.
import { z } from 'zod';
import { recordAudit, type AuditActor } from '../audit/log.js';
import { writeTransaction, type Db } from '../db/connect.js';
import { loadStudies, type StoredStudy } from '../db/report-store.js';
import { projectionModality } from '../extract/rdsr-projection.js';
import { defineTaskKind } from '../tasks/kind.js';
import { auditActorOf } from './audit-actor.js';

export const USER_DEFINED_MODALITIES = ['DX', 'RF', 'dual'] as const;
export type UserDefinedModality = (typeof USER_DEFINED_MODALITIES)[number];

/** The modalities a unit's setting moves studies between. */
export const PROJECTION_MODALITIES = ['DX', 'RF'] as const;
type ProjectionModality = (typeof PROJECTION_MODALITIES)[number];

export function isUserDefinedModality(value: unknown): value is UserDefinedModality {
  return typeof value === 'string' && (USER_DEFINED_MODALITIES as readonly string[]).includes(value);
}

function isProjectionModality(value: string): value is ProjectionModality {
  return (PROJECTION_MODALITIES as readonly string[]).includes(value);
}

/**
 * The modality a stored DX or RF study belongs in under its unit's setting, or null when the
 * setting does not decide it (not a DX/RF study, or nothing to go on).
 */
export function sortedModality(study: StoredStudy, setting: string | null): ProjectionModality | null {
  if (!isProjectionModality(study.modality)) return null;
  if (setting !== null && isProjectionModality(setting)) return setting;
  if (!study.projection) return null;
  // The procedure is stored by its meaning only, which is what the rule reads besides its code.
  const procedure = study.projection.procedureReported ? { value: '', scheme: null, meaning: study.projection.procedureReported } : null;
  const modality = projectionModality(procedure, study.projection);
  return isProjectionModality(modality) ? modality : null;
}

export interface ResortResult {
  /** DX and RF studies of the unit looked at. */
  checked: number;
  toDX: number;
  toRF: number;
}

export interface ResortOptions {
  signal?: AbortSignal;
  progress?: (checked: number, total: number) => void;
  /** Studies loaded at a time (default 200). */
  batchSize?: number;
}

/** How many DX and RF studies a unit has (what a re-sort reads). */
export async function countProjectionStudies(db: Db, equipmentId: number): Promise<number> {
  const row = await db.kysely
    .selectFrom('study')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('modality', 'in', [...PROJECTION_MODALITIES])
    .where('equipment_id', '=', equipmentId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Sorts the unit's DX and RF studies again under its current setting. Study ids are read first
 * (a number each, even for 100,000 studies); the studies are then loaded and updated a batch
 * at a time, each batch in one short transaction.
 */
export async function resortProjectionStudies(db: Db, equipmentId: number, opts: ResortOptions = {}): Promise<ResortResult> {
  const batchSize = opts.batchSize ?? 200;
  const equipment = await db.kysely.selectFrom('equipment').select('user_defined_modality').where('id', '=', equipmentId).executeTakeFirst();
  if (!equipment) throw new Error(`there is no system ${equipmentId}`);
  const ids = (
    await db.kysely
      .selectFrom('study')
      .select('id')
      .where('modality', 'in', [...PROJECTION_MODALITIES])
      .where('equipment_id', '=', equipmentId)
      .orderBy('id')
      .execute()
  ).map((r) => r.id);
  const result: ResortResult = { checked: 0, toDX: 0, toRF: 0 };
  for (let i = 0; i < ids.length; i += batchSize) {
    opts.signal?.throwIfAborted();
    const studies = await loadStudies(db.kysely, ids.slice(i, i + batchSize));
    const moves: Record<ProjectionModality, number[]> = { DX: [], RF: [] };
    for (const study of studies) {
      const target = sortedModality(study, equipment.user_defined_modality);
      if (target && target !== study.modality) moves[target].push(study.id);
    }
    await writeTransaction(db, null, async (q) => {
      for (const target of PROJECTION_MODALITIES) {
        if (moves[target].length === 0) continue;
        // Only a study still DX or RF moves: one changed since it was read stays as it is.
        const updated = await q
          .updateTable('study')
          .set({ modality: target })
          .where('id', 'in', moves[target])
          .where('modality', 'in', [...PROJECTION_MODALITIES])
          .executeTakeFirst();
        result[target === 'DX' ? 'toDX' : 'toRF'] += Number(updated.numUpdatedRows);
      }
    });
    result.checked += studies.length;
    opts.progress?.(result.checked, ids.length);
  }
  return result;
}

export function resortSummary(r: ResortResult): string {
  return `${r.checked} DX and RF ${r.checked === 1 ? 'study' : 'studies'} sorted again: ${r.toDX} moved to DX, ${r.toRF} moved to RF`;
}

/** Re-sorts a unit and records it in the audit log. */
export async function resortAndRecord(db: Db, equipmentId: number, actor: AuditActor, opts: ResortOptions = {}): Promise<ResortResult> {
  const result = await resortProjectionStudies(db, equipmentId, opts);
  await recordAudit(db.kysely, { actor, action: 'system.resort', target: `system ${equipmentId}`, details: { ...result } });
  return result;
}

/** Units with more DX and RF studies than this are sorted again by a background task. */
export const INLINE_RESORT_LIMIT = 500;

export const resortProjectionTask = defineTaskKind({
  name: 'studies.resort-projection',
  title: 'Sort a unit’s studies into DX and RF',
  params: z.object({ equipmentId: z.number().int().positive() }).strict(),
  // Sorting again gives the same result.
  retry: true,
  async run(params, ctx) {
    return resortAndRecord(ctx.db, params.equipmentId, auditActorOf(ctx.startedBy), {
      signal: ctx.signal,
      progress: (checked, total) => ctx.progress(total ? checked / total : null, `${checked} of ${total} studies sorted`),
    });
  },
});
