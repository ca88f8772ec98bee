// Studies built from image headers grow one event per image. Pure: the stored study and the
// incoming single-image report in, the combined report out.
import type { StoredStudy } from '../db/report-store.js';
import { imageAccumulated } from '../extract/image-xray.js';
import type { DoseReport, SourceKind } from '../report/types.js';
import { IMAGE_KINDS } from './merge.js';

/** Images are only merged into a study of their own modality (see decide in merge.ts). */
export function mergeImageReport(stored: StoredStudy, incoming: DoseReport): DoseReport {
  const storedProj = stored.projection ?? { accumulated: [], events: [] };
  const incomingProj = incoming.projection ?? { accumulated: [], events: [] };
  const events = [...storedProj.events, ...incomingProj.events];
  // A study made of images accumulates what its images record; a dose report's own totals
  // already cover the exposures its images show.
  const accumulated = IMAGE_KINDS.has(stored.sourceKind)
    ? imageAccumulated(stored.modality, events)
    : storedProj.accumulated.length
      ? storedProj.accumulated
      : incomingProj.accumulated;
  return {
    ...incoming,
    modality: stored.modality,
    // Stays what the study was built from: its totals are read accordingly.
    sourceKind: stored.sourceKind as SourceKind,
    // The study as first recorded stays; later images fill only what it lacked.
    study: fillGaps(stored.study, incoming.study),
    patient: fillGaps(stored.patient, incoming.patient),
    equipment: incoming.equipment,
    projection: { ...storedProj, accumulated, events },
    objectUidsProcessed: [...new Set([...stored.objectUidsProcessed, ...incoming.objectUidsProcessed])],
  };
}

/** `first` with the keys it lacks (absent or null) taken from `later`. */
export function fillGaps<T extends object>(first: T, later: T): T {
  const out = { ...first } as Record<string, unknown>;
  for (const [k, v] of Object.entries(later)) {
    if ((out[k] === null || out[k] === undefined) && v !== null && v !== undefined) out[k] = v;
  }
  return out as T;
}
