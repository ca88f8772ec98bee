// What to do with an incoming report given the stored studies with the same Study Instance
// UID. Pure: the decision is tested on its own; ingestion carries it out.
import type { DoseReport, ProjectionEvent } from '../report/types.js';
import { decideNm } from './merge-nm.js';

export interface ExistingStudy {
  id: number;
  modality: string;
  sourceKind: string;
  sopInstanceUids: ReadonlySet<string>;
  /** Keys of its events (see eventKey) and of the administrations its NM dose report recorded (see administrationKey). */
  eventKeys: ReadonlySet<string>;
  /** Exposure identities of its image events (see exposureKey), for images of one exposure sent twice. */
  eventExposures: ReadonlySet<string>;
}

export type Decision =
  | { action: 'new' }
  /** The object was already processed: nothing changes. */
  | { action: 'duplicate'; studyId: number; reason: string }
  /** Nothing new in it (its events are all stored already): only its UID is recorded. */
  | { action: 'record-only'; studyId: number; reason: string }
  /** A cumulative RDSR, or a complete copy of an object stored incomplete, holding every stored event and more: it replaces the stored content. */
  | { action: 'replace'; studyId: number; reason: string }
  /** A copy of a stored object with events the stored study lacks, but without some it has: neither can simply win. */
  | { action: 'conflict'; studyId: number; reason: string }
  /** One more object of a study built from several (image headers; NM images and dose report): it is combined in. */
  | { action: 'append'; studyId: number };

/** Identity of an event: its UID, or when a device sends none, what it recorded. */
export function eventKey(e: { irradiationEventUid?: string | null; dateTimeStarted?: string | null; acquisitionProtocol?: string | null }, dose: number | null | undefined): string {
  if (e.irradiationEventUid) return e.irradiationEventUid;
  return `~${e.dateTimeStarted ?? ''}|${e.acquisitionProtocol ?? ''}|${dose ?? ''}`;
}

export function reportEventKeys(r: DoseReport): Set<string> {
  if (r.ct) return new Set(r.ct.events.map((e) => eventKey(e, e.dlpMGyCm)));
  if (r.projection) return new Set(r.projection.events.map((e: ProjectionEvent) => eventKey(e, e.doseAreaProductGym2)));
  return new Set();
}

function isSubset(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** Source kinds whose studies are built one image (one event) at a time. */
export const IMAGE_KINDS: ReadonlySet<string> = new Set(['dx-image', 'mg-image']);

/**
 * What identifies one exposure across the images made of it: "for presentation" and "for
 * processing" copies carry the same time and technique; tomosynthesis projections share a
 * time but not their angle and dose. Null without a start time (nothing to compare).
 */
export function exposureKey(e: ProjectionEvent): string | null {
  if (!e.dateTimeStarted) return null;
  return JSON.stringify([
    e.dateTimeStarted,
    e.laterality ?? null,
    e.viewPosition ?? null,
    e.kvp ?? null,
    e.exposureUAs ?? null,
    e.averageGlandularDoseMGy ?? null,
    e.doseAreaProductGym2 ?? null,
    e.positionerPrimaryAngleDeg ?? null,
  ]);
}

/** Studies a report may merge with: dose SRs of X-ray never merge with NM records and vice versa. */
function sameFamily(r: DoseReport, s: ExistingStudy): boolean {
  return (r.modality === 'NM') === (s.modality === 'NM');
}

/**
 * An object whose SOP Instance UID is stored already. Usually the same object sent again;
 * but the stored copy may have lost events (a report cut short, read by an older version):
 * a copy holding everything stored and more replaces it, and a copy with other events is
 * refused with the reason, never skipped silently.
 */
function decideSameObject(incoming: DoseReport, s: ExistingStudy): Decision {
  const duplicate: Decision = { action: 'duplicate', studyId: s.id, reason: `object ${incoming.sopInstanceUid} of study ${incoming.study.studyInstanceUid} was imported before` };
  // Images are one exposure each, and NM records are combined by their own rules.
  if (IMAGE_KINDS.has(incoming.sourceKind) || incoming.modality === 'NM') return duplicate;
  const keys = reportEventKeys(incoming);
  if (isSubset(keys, s.eventKeys)) return duplicate;
  if (isSubset(s.eventKeys, keys)) {
    return { action: 'replace', studyId: s.id, reason: `object ${incoming.sopInstanceUid} was stored before with ${s.eventKeys.size} of its ${keys.size} events; the complete copy replaces it` };
  }
  const missing = [...keys].filter((k) => !s.eventKeys.has(k)).length;
  return {
    action: 'conflict',
    studyId: s.id,
    reason: `object ${incoming.sopInstanceUid} was stored before in study ${s.id} with other events (${missing} of this copy's ${keys.size} events are not stored, and the study has events this copy lacks); nothing was changed`,
  };
}

export function decide(incoming: DoseReport, existing: readonly ExistingStudy[]): Decision {
  const candidates = existing.filter((s) => sameFamily(incoming, s));
  const sameObject = candidates.find((s) => s.sopInstanceUids.has(incoming.sopInstanceUid));
  if (sameObject) return decideSameObject(incoming, sameObject);
  if (candidates.length === 0) return { action: 'new' };
  if (incoming.modality === 'NM') return decideNm(incoming, candidates);

  if (IMAGE_KINDS.has(incoming.sourceKind)) {
    // Images of one study become events of one study: the first stored study built from images
    // of that modality, else the first of that modality; a study of another modality that happens
    // to share the UID (a CT of the same visit) is left alone.
    const target = candidates.find((s) => s.sourceKind === incoming.sourceKind && s.modality === incoming.modality) ?? candidates.find((s) => s.modality === incoming.modality);
    if (!target) return { action: 'new' };
    const event = incoming.projection?.events[0];
    const key = event ? exposureKey(event) : null;
    if (key && target.eventExposures.has(key)) {
      return { action: 'record-only', studyId: target.id, reason: `an image of the same exposure (${event!.dateTimeStarted}) was imported before (for presentation / for processing copy)` };
    }
    return { action: 'append', studyId: target.id };
  }

  const keys = reportEventKeys(incoming);
  for (const s of candidates) {
    if (isSubset(keys, s.eventKeys)) {
      return { action: 'record-only', studyId: s.id, reason: `every event of ${incoming.sopInstanceUid} is already stored in study ${s.id}` };
    }
    if (isSubset(s.eventKeys, keys)) return { action: 'replace', studyId: s.id, reason: 'cumulative report with more events' };
  }
  // Events neither contained nor containing: a separate record of the same study ("continued" RDSRs).
  return { action: 'new' };
}
