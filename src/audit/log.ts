// The audit log: who did what to what, and when. Sign-ins, user administration and deletions
// are recorded here; administrators read it in the web interface.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** Who acted: a signed-in user, or a description such as "command line" for other ways in. */
export type AuditActor = { id: number; username: string } | { id?: null; username: string } | null;

export interface AuditEntry {
  actor: AuditActor;
  /** Dotted verb such as "user.create", "login.failed", "study.delete". */
  action: string;
  /** What was acted on, e.g. "user alice" or "study 42". */
  target?: string | null;
  details?: Record<string, unknown> | null;
}

export interface StoredAuditEntry {
  id: number;
  at: string;
  actorId: number | null;
  actor: string | null;
  action: string;
  target: string | null;
  details: Record<string, unknown> | null;
}

export async function recordAudit(q: Kysely<Database>, entry: AuditEntry, now = new Date()): Promise<void> {
  await q
    .insertInto('audit_log')
    .values({
      at: now.toISOString(),
      actor_id: entry.actor?.id ?? null,
      actor: entry.actor?.username ?? null,
      action: entry.action,
      target: entry.target ?? null,
      details: entry.details ? JSON.stringify(entry.details) : null,
    })
    .execute();
}

export interface AuditQuery {
  /** Only these actions, or actions starting with "prefix." when given as "prefix.*". */
  action?: string;
  limit?: number;
  offset?: number;
}

/** Newest first. */
export async function readAudit(q: Kysely<Database>, query: AuditQuery = {}): Promise<StoredAuditEntry[]> {
  let select = q.selectFrom('audit_log').selectAll();
  if (query.action?.endsWith('.*')) select = select.where('action', 'like', `${query.action.slice(0, -1)}%`);
  else if (query.action) select = select.where('action', '=', query.action);
  const rows = await select
    .orderBy('id', 'desc')
    .limit(query.limit ?? 100)
    .offset(query.offset ?? 0)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actorId: r.actor_id,
    actor: r.actor,
    action: r.action,
    target: r.target,
    details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
  }));
}
