// DoseReport → database: privacy policy, equipment identity, merging with stored studies of
// the same Study Instance UID, summary columns. One transaction per report: a failure
// leaves the database exactly as it was.
import { writeTransaction, type Db } from '../db/connect.js';
import { insertStudy, loadStudies, recordObjectUid, replaceStudy } from '../db/report-store.js';
import { summarise } from '../report/summary.js';
import type { DoseReport, ProjectionEvent } from '../report/types.js';
import type { SiteSettings } from '../settings/site.js';
import { deviceObserverOf, findOrCreateEquipment } from './equipment.js';
import { decide, eventKey, exposureKey, IMAGE_KINDS, type ExistingStudy } from './merge.js';
import { applyPrivacy } from './privacy.js';
import { mergeImageReport } from './merge-images.js';
import { mergeNmReport, storedAdministrationKeys } from './merge-nm.js';

export type IngestStatus = 'imported' | 'merged' | 'duplicate';

export interface IngestResult {
  status: IngestStatus;
  studyId: number;
  /** One line for the user: what happened and why. */
  message: string;
}

type Q = Parameters<Parameters<typeof writeTransaction>[2]>[0];

/** The report cannot be stored as it is without losing data already stored or in it; the message says why. */
export class RefusedReportError extends Error {}

async function existingStudies(q: Q, studyUid: string): Promise<ExistingStudy[]> {
  const studies = await q.selectFrom('study').select(['id', 'modality', 'source_kind', 'dose_json']).where('study_instance_uid', '=', studyUid).orderBy('id').execute();
  if (studies.length === 0) return [];
  const ids = studies.map((s) => s.id);
  const [uids, ct, proj] = await Promise.all([
    q.selectFrom('object_uid').select(['study_id', 'sop_instance_uid']).where('study_id', 'in', ids).execute(),
    q.selectFrom('ct_event').select(['study_id', 'irradiation_event_uid', 'date_time_started', 'acquisition_protocol', 'dlp_mgycm']).where('study_id', 'in', ids).execute(),
    q.selectFrom('proj_event').select(['study_id', 'irradiation_event_uid', 'date_time_started', 'acquisition_protocol', 'dose_area_product_gym2']).where('study_id', 'in', ids).execute(),
  ]);
  // Whole events only for studies built from images (a few events each), to recognise a second image of one exposure.
  const imageStudyIds = studies.filter((s) => IMAGE_KINDS.has(s.source_kind)).map((s) => s.id);
  const imageEvents = imageStudyIds.length ? await q.selectFrom('proj_event').select(['study_id', 'data']).where('study_id', 'in', imageStudyIds).execute() : [];
  return studies.map((s) => {
    const myCt = ct.filter((e) => e.study_id === s.id);
    const myProj = proj.filter((e) => e.study_id === s.id);
    const keys = new Set<string>([
      ...myCt.map((e) => eventKey({ irradiationEventUid: e.irradiation_event_uid, dateTimeStarted: e.date_time_started, acquisitionProtocol: e.acquisition_protocol }, e.dlp_mgycm)),
      ...myProj.map((e) => eventKey({ irradiationEventUid: e.irradiation_event_uid, dateTimeStarted: e.date_time_started, acquisitionProtocol: e.acquisition_protocol }, e.dose_area_product_gym2)),
      ...storedAdministrationKeys(s),
    ]);
    return {
      id: s.id,
      modality: s.modality,
      sourceKind: s.source_kind,
      sopInstanceUids: new Set(uids.filter((u) => u.study_id === s.id).map((u) => u.sop_instance_uid)),
      eventKeys: keys,
      eventExposures: new Set(
        imageEvents
          .filter((e) => e.study_id === s.id)
          .map((e) => exposureKey(JSON.parse(e.data) as ProjectionEvent))
          .filter((k): k is string => k !== null),
      ),
    };
  });
}

/** The report as it is to be stored: identifiers per policy, summary columns computed. */
export function prepareForStorage(report: DoseReport, settings: SiteSettings): DoseReport {
  const { patient, study } = applyPrivacy(report.patient, report.study, settings);
  const prepared: DoseReport = { ...report, patient, study, objectUidsProcessed: [...new Set([...report.objectUidsProcessed, report.sopInstanceUid])] };
  prepared.summary = summarise(prepared);
  return prepared;
}

/** Units used both as DX and RF: an admin may fix the modality of a unit's projection studies. */
function applyUserDefinedModality(report: DoseReport, userDefined: string | null): DoseReport {
  if ((userDefined === 'DX' || userDefined === 'RF') && (report.modality === 'DX' || report.modality === 'RF') && report.modality !== userDefined) {
    return { ...report, modality: userDefined };
  }
  return report;
}

export async function ingestReport(db: Db, settings: SiteSettings, incoming: DoseReport, now = new Date().toISOString()): Promise<IngestResult> {
  if (!incoming.study.studyInstanceUid) throw new Error('no Study Instance UID: the object cannot be matched to a study');
  const prepared = prepareForStorage(incoming, settings);
  return writeTransaction(db, prepared.study.studyInstanceUid, async (q) => {
    const equipment = await findOrCreateEquipment(q, { ...prepared.equipment }, now, deviceObserverOf(prepared));
    const report = applyUserDefinedModality(prepared, equipment.user_defined_modality);
    const decision = decide(report, await existingStudies(q, report.study.studyInstanceUid));
    switch (decision.action) {
      case 'new': {
        const studyId = await insertStudy(q, report, equipment.id, now);
        return { status: 'imported', studyId, message: `imported as study ${studyId}` };
      }
      case 'duplicate':
        return { status: 'duplicate', studyId: decision.studyId, message: `duplicate skipped: ${decision.reason}` };
      case 'record-only':
        await recordObjectUid(q, decision.studyId, report.sopInstanceUid);
        return { status: 'duplicate', studyId: decision.studyId, message: `duplicate skipped: ${decision.reason}` };
      case 'replace': {
        const [stored] = await loadStudies(q, [decision.studyId]);
        const merged: DoseReport = { ...report, objectUidsProcessed: [...new Set([...(stored?.objectUidsProcessed ?? []), ...report.objectUidsProcessed])] };
        await replaceStudy(q, decision.studyId, merged, equipment.id);
        return { status: 'merged', studyId: decision.studyId, message: `merged into study ${decision.studyId} (${decision.reason})` };
      }
      case 'conflict':
        throw new RefusedReportError(decision.reason);
      case 'append': {
        const [stored] = await loadStudies(q, [decision.studyId]);
        if (!stored) throw new Error(`study ${decision.studyId} disappeared during import`);
        const merged = report.modality === 'NM' ? mergeNmReport(stored, report) : mergeImageReport(stored, report);
        merged.summary = summarise(merged);
        // A merge may keep the stored study's equipment (NM: the dose report's wins over images').
        const mergedEquipment = merged.equipment === report.equipment ? equipment : await findOrCreateEquipment(q, { ...merged.equipment }, now, deviceObserverOf(merged));
        await replaceStudy(q, decision.studyId, merged, mergedEquipment.id);
        const what = report.modality === 'NM' ? 'combined with' : 'added as an event to';
        return { status: 'merged', studyId: decision.studyId, message: `${what} study ${decision.studyId}` };
      }
    }
  });
}
