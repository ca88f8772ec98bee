// Studies built from image headers grow one event per image. Pure: the stored study and the
// incoming single-image report in, the combined report out.
import type { StoredStudy } from '../db/report-store.js';
import type { DoseReport } from '../report/types.js';

export function mergeImageReport(stored: StoredStudy, incoming: DoseReport): DoseReport {
  const storedProj = stored.projection ?? { accumulated: [], events: [] };
  const incomingProj = incoming.projection ?? { accumulated: [], events: [] };
  return {
    ...incoming,
    modality: stored.modality,
    sourceKind: incoming.sourceKind,
    // The study as first recorded stays; later images fill only what it lacked.
    study: fillGaps(stored.study, incoming.study),
    patient: fillGaps(stored.patient, incoming.patient),
    equipment: incoming.equipment,
    projection: {
      ...storedProj,
      accumulated: storedProj.accumulated.length ? storedProj.accumulated : incomingProj.accumulated,
      events: [...storedProj.events, ...incomingProj.events],
    },
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
