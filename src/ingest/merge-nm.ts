// A nuclear medicine study is recorded from several objects: its radiopharmaceutical dose
// report (RRDSR) and its PET and NM images. They combine into one NM study in any order;
// where the dose report and an image both carry a value, the dose report's is kept, and
// between images the first recorded. Pure: the decision and the combined record only.
import type { StoredStudy } from '../db/report-store.js';
import type { DoseReport, NmAdministration, NmDose, PetSeries } from '../report/types.js';
import type { Decision, ExistingStudy } from './merge.js';
import { fillGaps } from './merge-images.js';

/** Identity of an administration: its UID, or for a report without one, what it recorded. */
export function administrationKey(a: NmAdministration): string | null {
  if (a.radiopharmaceuticalAdministrationEventUid) return a.radiopharmaceuticalAdministrationEventUid;
  if (!a.radiopharmaceuticalStartDatetime && a.administeredActivityMBq == null) return null;
  return `~${a.radiopharmaceuticalStartDatetime ?? ''}|${a.radiopharmaceuticalAgent ?? a.radiopharmaceuticalAgentString ?? ''}|${a.administeredActivityMBq ?? ''}`;
}

/**
 * Keys of the administrations a stored study holds from a dose report. An administration
 * known only from images does not count: the dose report of that study is still to come.
 */
export function storedAdministrationKeys(row: { modality: string; source_kind: string; dose_json: string | null }): string[] {
  if (row.modality !== 'NM' || row.source_kind !== 'rrdsr' || !row.dose_json) return [];
  const admin = (JSON.parse(row.dose_json) as NmDose).administration;
  const key = admin ? administrationKey(admin) : null;
  return key ? [key] : [];
}

/**
 * What to do with an NM report given the NM studies stored with its Study Instance UID
 * (objects already processed are recognised before). Images join the study's NM record. A
 * dose report whose administration is stored already adds nothing; otherwise it completes
 * a study built from images only, or, when every study of that UID has its own dose report
 * (a second administration), starts a study of its own.
 */
export function decideNm(incoming: DoseReport, candidates: readonly ExistingStudy[]): Decision {
  const first = candidates[0];
  if (!first) return { action: 'new' };
  if (incoming.sourceKind !== 'rrdsr') return { action: 'append', studyId: first.id };
  const admin = incoming.nm?.administration;
  const key = admin ? administrationKey(admin) : null;
  const same = key ? candidates.find((s) => s.eventKeys.has(key)) : undefined;
  if (same) return { action: 'record-only', studyId: same.id, reason: `the administration ${key} is already stored in study ${same.id}` };
  const fromImagesOnly = candidates.find((s) => s.sourceKind === 'nm-image');
  return fromImagesOnly ? { action: 'append', studyId: fromImagesOnly.id } : { action: 'new' };
}

/** PET series in the order recorded; an image of a series already listed adds no entry. */
function mergePetSeries(stored: readonly PetSeries[], incoming: readonly PetSeries[]): PetSeries[] {
  const out = [...stored];
  const known = new Set(stored.map((s) => s.seriesInstanceUid).filter((u): u is string => !!u));
  for (const s of incoming) {
    if (s.seriesInstanceUid) {
      if (known.has(s.seriesInstanceUid)) continue;
      known.add(s.seriesInstanceUid);
    }
    out.push(s);
  }
  return out;
}

function mergeAdministration(primary: NmAdministration | null | undefined, secondary: NmAdministration | null | undefined): NmAdministration | null {
  if (primary && secondary) return fillGaps(primary, secondary);
  return primary ?? secondary ?? null;
}

/** The stored NM study combined with one more object of it. */
export function mergeNmReport(stored: StoredStudy, incoming: DoseReport): DoseReport {
  const incomingIsDoseReport = incoming.sourceKind === 'rrdsr';
  const primary = incomingIsDoseReport ? incoming : stored;
  const secondary = incomingIsDoseReport ? stored : incoming;
  const primaryNm: NmDose = primary.nm ?? {};
  const secondaryNm: NmDose = secondary.nm ?? {};
  return {
    ...incoming,
    modality: 'NM',
    sourceKind: incomingIsDoseReport || stored.sourceKind === 'rrdsr' ? 'rrdsr' : 'nm-image',
    study: fillGaps(primary.study, secondary.study),
    patient: fillGaps(primary.patient, secondary.patient),
    equipment: primary.equipment,
    nm: {
      ...fillGaps(primaryNm, secondaryNm),
      administration: mergeAdministration(primaryNm.administration, secondaryNm.administration),
      petSeries: mergePetSeries(stored.nm?.petSeries ?? [], incoming.nm?.petSeries ?? []),
    },
    objectUidsProcessed: [...new Set([...stored.objectUidsProcessed, ...incoming.objectUidsProcessed])],
  };
}
