// Deleting stored studies (administrators): one study, or every study of one system. Each
// study goes in its own short transaction, with everything stored for it, so a study is never
// half deleted, imports and pages carry on between studies, and a system of any size is
// deleted in constant memory. The study-count summary follows by itself (triggers of the
// study table).
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { recordAudit, type AuditActor } from '../audit/log.js';
import { writeTransaction, type Db } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import { specForModality, type ModalitySpec } from '../query/modalities.js';
import { toStudyListRow, type StudyListRow } from '../query/studies.js';
import { defineTaskKind } from '../tasks/kind.js';
import { auditActorOf } from './audit-actor.js';

/** What the audit log keeps of a deleted study: enough to say which one it was. */
export interface DeletedStudy {
  id: number;
  studyInstanceUid: string;
  studyDate: string | null;
  modality: string;
  system: string;
  equipmentId: number;
}

/**
 * Tables holding the parts of a study besides its study row. Their foreign keys cascade too,
 * but deleting them by name keeps the study whole or gone whatever the engine's foreign-key
 * setting. Tables that only refer to a study (logs) follow their own foreign key's rule.
 */
const STUDY_PARTS = ['ct_event', 'proj_event', 'object_uid'] as const;

async function deleteRows(q: Kysely<Database>, id: number): Promise<DeletedStudy | null> {
  const row = await q
    .selectFrom('study')
    .innerJoin('equipment', 'equipment.id', 'study.equipment_id')
    .select(['study.id', 'study.study_instance_uid', 'study.study_date', 'study.modality', 'study.equipment_id', 'equipment.display_name'])
    .where('study.id', '=', id)
    .executeTakeFirst();
  if (!row) return null;
  for (const table of STUDY_PARTS) await q.deleteFrom(table).where('study_id', '=', id).execute();
  await q.deleteFrom('study').where('id', '=', id).execute();
  return { id: row.id, studyInstanceUid: row.study_instance_uid, studyDate: row.study_date, modality: row.modality, system: row.display_name, equipmentId: row.equipment_id };
}

/** A study as its confirmation page shows it: the list's row, with what identifies it. */
export interface StudyToDelete {
  spec: ModalitySpec | undefined;
  modality: string;
  studyInstanceUid: string;
  equipmentId: number;
  row: StudyListRow;
}

export async function studyToDelete(q: Kysely<Database>, id: number): Promise<StudyToDelete | null> {
  const r = await q
    .selectFrom('study')
    .innerJoin('equipment', 'equipment.id', 'study.equipment_id')
    .selectAll('study')
    .select('equipment.display_name')
    .where('study.id', '=', id)
    .executeTakeFirst();
  if (!r) return null;
  const spec = specForModality(r.modality);
  return {
    spec,
    modality: r.modality,
    studyInstanceUid: r.study_instance_uid,
    equipmentId: r.equipment_id,
    row: toStudyListRow(r, spec?.doseColumns ?? []),
  };
}

export function studyAuditDetails(s: DeletedStudy): Record<string, unknown> {
  return { studyInstanceUid: s.studyInstanceUid, studyDate: s.studyDate, system: s.system, modality: s.modality };
}

/**
 * Deletes one study in one transaction (taking the lock imports of that study take) and
 * records it in the audit log in the same transaction. Returns null when it no longer exists.
 */
export async function deleteStudy(db: Db, id: number, studyInstanceUid: string, opts: { actor?: AuditActor; audit?: boolean } = {}): Promise<DeletedStudy | null> {
  return writeTransaction(db, studyInstanceUid, async (q) => {
    const deleted = await deleteRows(q, id);
    if (deleted && opts.audit !== false) {
      await recordAudit(q, { actor: opts.actor ?? null, action: 'study.delete', target: `study ${id}`, details: studyAuditDetails(deleted) });
    }
    return deleted;
  });
}

/** Which studies of a system a deletion covers: those that existed when it was confirmed. */
export interface SystemSelection {
  equipmentId: number;
  /** The highest study id shown on the confirmation: studies imported later are kept. */
  upToId: number;
}

export interface SystemDeletion {
  deleted: number;
  /** Studies the selection held when the deletion started. */
  total: number;
}

export interface DeletionProgress {
  signal?: AbortSignal;
  /** Called after each study, outside any transaction. */
  progress?: (deleted: number, total: number) => void | Promise<void>;
  /** Studies read per query (default 200). */
  batchSize?: number;
}

export async function countSystemStudies(q: Kysely<Database>, sel: SystemSelection): Promise<number> {
  const row = await q
    .selectFrom('study')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('equipment_id', '=', sel.equipmentId)
    .where('id', '<=', sel.upToId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Deletes the selected studies of a system, one transaction per study, and records one audit
 * entry with the count (also when stopped part-way, saying so).
 */
export async function deleteSystemStudies(db: Db, sel: SystemSelection, actor: AuditActor, opts: DeletionProgress = {}): Promise<SystemDeletion> {
  const batchSize = opts.batchSize ?? 200;
  const equipment = await db.kysely.selectFrom('equipment').select(['display_name']).where('id', '=', sel.equipmentId).executeTakeFirst();
  const total = await countSystemStudies(db.kysely, sel);
  let deleted = 0;
  let complete = false;
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      // Deleted studies leave the index, so each batch is a seek to what is left: no ordering
      // over the whole system, no growing offset.
      const batch = await db.kysely
        .selectFrom('study')
        .select(['id', 'study_instance_uid'])
        .where('equipment_id', '=', sel.equipmentId)
        .where('id', '<=', sel.upToId)
        .limit(batchSize)
        .execute();
      if (batch.length === 0) break;
      for (const s of batch) {
        opts.signal?.throwIfAborted();
        if (await deleteStudy(db, s.id, s.study_instance_uid, { audit: false })) deleted++;
        await opts.progress?.(deleted, total);
      }
    }
    complete = true;
  } finally {
    await recordAudit(db.kysely, {
      actor,
      action: 'system.delete-studies',
      target: `system ${sel.equipmentId} (${equipment?.display_name ?? 'unknown'})`,
      details: { deleted, selected: total, upToStudyId: sel.upToId, complete },
    });
  }
  return { deleted, total };
}

/** Systems with more studies than this are deleted by a background task rather than in the request. */
export const INLINE_DELETE_LIMIT = 500;

export const deleteSystemStudiesTask = defineTaskKind({
  name: 'studies.delete-system',
  title: 'Delete the studies of a system',
  params: z.object({ equipmentId: z.number().int().positive(), upToId: z.number().int().nonnegative() }).strict(),
  // Running again deletes what is left of the same selection.
  retry: true,
  async run(params, ctx) {
    const result = await deleteSystemStudies(ctx.db, params, auditActorOf(ctx.startedBy), {
      signal: ctx.signal,
      progress: (deleted, total) => ctx.progress(total ? deleted / total : null, `${deleted} of ${total} studies deleted`),
    });
    return result;
  },
});
