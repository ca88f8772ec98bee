// Who the audit log names for work done by a background task: the user who started it.
import type { AuditActor } from '../audit/log.js';
import type { Actor } from '../tasks/queue.js';

export function auditActorOf(actor: Actor): AuditActor {
  return actor.id !== null && actor.name !== null ? { id: actor.id, username: actor.name } : { username: actor.name ?? 'system' };
}
