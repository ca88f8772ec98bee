// Applying the not-patient patterns again to stored studies, after an administrator changed
// them. Only identifiers stored as they are can be matched: a name or ID that is not stored, or
// stored as a hash, keeps the part of the indicator found when it was imported.
import { z } from 'zod';
import { recordAudit, type AuditActor } from '../audit/log.js';
import { writeTransaction, type Db } from '../db/connect.js';
import { notPatientIndicator } from '../ingest/privacy.js';
import type { SiteSettings } from '../settings/site.js';
import { loadSettings } from '../settings/store.js';
import { defineTaskKind } from '../tasks/kind.js';
import { auditActorOf } from './audit-actor.js';

type Patterns = Pick<SiteSettings, 'notPatientIdPatterns' | 'notPatientNamePatterns'>;

/** The ID and name parts of an indicator as imports write it ("IDs: <ids> | Names: <names>"). */
const INDICATOR = /^IDs: (.*) \| Names: (.*)$/s;

function indicatorParts(indicator: string | null): { ids: string; names: string } {
  const m = indicator === null ? null : INDICATOR.exec(indicator);
  return { ids: m?.[1] ?? '', names: m?.[2] ?? '' };
}

/**
 * The indicator of a stored study under `patterns`: each part from its identifier when that is
 * stored as it is (null when absent), else the part stored before.
 */
export function reappliedIndicator(name: string | null, id: string | null, previous: string | null, patterns: Patterns): string | null {
  const fresh = indicatorParts(notPatientIndicator(name, id, patterns));
  const old = indicatorParts(previous);
  const ids = id !== null ? fresh.ids : old.ids;
  const names = name !== null ? fresh.names : old.names;
  if (ids === '' && names === '') return null;
  return `IDs: ${ids} | Names: ${names}`;
}

export interface ReapplyResult {
  /** Studies with a name or ID stored as it is. */
  checked: number;
  changed: number;
}

export interface ReapplyOptions {
  signal?: AbortSignal;
  progress?: (checked: number) => void;
  /** Studies read at a time (default 1000). */
  batchSize?: number;
}

/** Applies the site's current patterns to every stored study that has an identifier to match. */
export async function reapplyNotPatientPatterns(db: Db, opts: ReapplyOptions = {}): Promise<ReapplyResult> {
  const batchSize = opts.batchSize ?? 1000;
  const patterns = await loadSettings(db.kysely);
  const result: ReapplyResult = { checked: 0, changed: 0 };
  let after = 0;
  for (;;) {
    opts.signal?.throwIfAborted();
    const rows = await db.kysely
      .selectFrom('study')
      .select(['id', 'patient_name', 'patient_name_hashed', 'patient_id', 'patient_id_hashed', 'not_patient_indicator'])
      .where('id', '>', after)
      .where((eb) =>
        eb.or([
          eb.and([eb('patient_name', 'is not', null), eb('patient_name_hashed', '=', 0)]),
          eb.and([eb('patient_id', 'is not', null), eb('patient_id_hashed', '=', 0)]),
        ]),
      )
      .orderBy('id')
      .limit(batchSize)
      .execute();
    if (rows.length === 0) break;
    const changes = rows
      .map((r) => {
        const name = r.patient_name_hashed ? null : r.patient_name;
        const id = r.patient_id_hashed ? null : r.patient_id;
        return { id: r.id, before: r.not_patient_indicator, after: reappliedIndicator(name, id, r.not_patient_indicator, patterns) };
      })
      .filter((c) => c.after !== c.before);
    if (changes.length) {
      await writeTransaction(db, null, async (q) => {
        for (const c of changes) await q.updateTable('study').set({ not_patient_indicator: c.after }).where('id', '=', c.id).execute();
      });
    }
    result.checked += rows.length;
    result.changed += changes.length;
    opts.progress?.(result.checked);
    after = rows[rows.length - 1]!.id;
  }
  return result;
}

export async function reapplyAndRecord(db: Db, actor: AuditActor, opts: ReapplyOptions = {}): Promise<ReapplyResult> {
  const result = await reapplyNotPatientPatterns(db, opts);
  await recordAudit(db.kysely, { actor, action: 'settings.not-patient.reapply', target: 'stored studies', details: { ...result } });
  return result;
}

/** With more stored studies than this, the patterns are applied again by a background task. */
export const INLINE_REAPPLY_LIMIT = 5000;

export const reapplyNotPatientTask = defineTaskKind({
  name: 'studies.reapply-not-patient',
  title: 'Apply the not-patient patterns to stored studies',
  params: z.object({}).strict(),
  retry: true,
  async run(_params, ctx) {
    return reapplyAndRecord(ctx.db, auditActorOf(ctx.startedBy), {
      signal: ctx.signal,
      progress: (checked) => ctx.progress(null, `${checked} studies checked`),
    });
  },
});
