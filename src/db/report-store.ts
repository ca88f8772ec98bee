// Writing a DoseReport into rows and reading stored studies back in the contract's shape.
// The study row carries identity, patient and summary columns; events go to their own
// tables with the columns that filters, charts and exports query, plus the whole event.
import type { Kysely } from 'kysely';
import type { CtDose, CtEvent, DoseReport, NmDose, ProjectionDose, ProjectionEvent } from '../report/types.js';
import type { CtEventRow, Database, EquipmentRow, NewStudy, ProjEventRow, StudyRow } from './schema.js';

type Q = Kysely<Database>;

/** A study as stored: the report plus its database id and equipment display name. */
export interface StoredStudy extends Omit<DoseReport, 'sourceKind' | 'sopInstanceUid' | 'warnings'> {
  id: number;
  sourceKind: string;
  createdAt: string;
}

const EVENT_CHUNK = 400;

function bool(b: boolean | undefined): number {
  return b ? 1 : 0;
}

export function studyColumns(report: DoseReport, equipmentId: number): Omit<NewStudy, 'created_at'> {
  const { study: s, patient: p, summary: m } = report;
  let dose: CtDose | ProjectionDose | NmDose | null = null;
  if (report.ct) dose = { ...report.ct, events: [] };
  else if (report.projection) dose = { ...report.projection, events: [] };
  else if (report.nm) dose = report.nm;
  return {
    study_instance_uid: s.studyInstanceUid,
    modality: report.modality,
    source_kind: report.sourceKind,
    equipment_id: equipmentId,
    study_date: s.studyDate ?? null,
    study_time: s.studyTime ?? null,
    accession_number: s.accessionNumber ?? null,
    accession_number_hashed: bool(s.accessionNumberHashed),
    study_id: s.studyId ?? null,
    study_description: s.studyDescription ?? null,
    requested_procedure: s.requestedProcedure ?? null,
    procedure_code: s.procedureCode ?? null,
    referring_physician_name: s.referringPhysicianName ?? null,
    performing_physician_name: s.performingPhysicianName ?? null,
    name_of_physician_reading_study: s.nameOfPhysicianReadingStudy ?? null,
    operator_name: s.operatorName ?? null,
    series_instance_uid: s.seriesInstanceUid ?? null,
    institution_address: report.equipment.institutionAddress ?? null,
    patient_name: p.name ?? null,
    patient_name_hashed: bool(p.nameHashed),
    patient_id: p.id ?? null,
    patient_id_hashed: bool(p.idHashed),
    patient_birth_date: p.birthDate ?? null,
    patient_sex: p.sex ?? null,
    patient_age: p.age ?? null,
    patient_age_years: p.ageYears ?? null,
    patient_height_m: p.heightM ?? null,
    patient_weight_kg: p.weightKg ?? null,
    not_patient_indicator: p.notPatientIndicator ?? null,
    number_of_events: m.numberOfEvents ?? null,
    number_of_axial: m.numberOfAxial ?? null,
    number_of_spiral: m.numberOfSpiral ?? null,
    number_of_stationary: m.numberOfStationary ?? null,
    number_of_const_angle: m.numberOfConstAngle ?? null,
    number_of_planes: m.numberOfPlanes ?? null,
    total_dlp_mgycm: m.totalDlpMGyCm ?? null,
    total_dap_gym2: m.totalDapGym2 ?? null,
    total_dap_a_gym2: m.totalDapAGym2 ?? null,
    total_dap_b_gym2: m.totalDapBGym2 ?? null,
    total_rp_dose_a_gy: m.totalRpDoseAGy ?? null,
    total_rp_dose_b_gy: m.totalRpDoseBGy ?? null,
    total_agd_left_mgy: m.totalAgdLeftMGy ?? null,
    total_agd_right_mgy: m.totalAgdRightMGy ?? null,
    total_agd_both_mgy: m.totalAgdBothMGy ?? null,
    total_activity_mbq: m.totalAdministeredActivityMBq ?? null,
    dose_json: dose ? JSON.stringify(dose) : null,
  };
}

function ctEventColumns(studyId: number, seq: number, e: CtEvent) {
  const first = e.sources?.[0];
  return {
    study_id: studyId,
    seq,
    irradiation_event_uid: e.irradiationEventUid ?? null,
    acquisition_protocol: e.acquisitionProtocol ?? null,
    acquisition_type: e.acquisitionType ?? null,
    target_region: e.targetRegion ?? null,
    mean_ctdivol_mgy: e.meanCtdiVolMGy ?? null,
    dlp_mgycm: e.dlpMGyCm ?? null,
    ctdiw_phantom_type: e.ctdiwPhantomType ?? null,
    scanning_length_mm: e.scanningLengthMm ?? null,
    exposure_time_s: e.exposureTimeS ?? null,
    pitch_factor: e.pitchFactor ?? null,
    kvp: first?.kvp ?? null,
    xray_tube_current_ma: first?.xrayTubeCurrentMa ?? null,
    date_time_started: e.dateTimeStarted ?? null,
    data: JSON.stringify(e),
  };
}

function projEventColumns(studyId: number, seq: number, e: ProjectionEvent) {
  return {
    study_id: studyId,
    seq,
    irradiation_event_uid: e.irradiationEventUid ?? null,
    acquisition_plane: e.acquisitionPlane ?? null,
    irradiation_event_type: e.irradiationEventType ?? null,
    acquisition_protocol: e.acquisitionProtocol ?? null,
    anatomical_structure: e.anatomicalStructure ?? null,
    laterality: e.laterality ?? null,
    view_position: e.viewPosition ?? null,
    dose_area_product_gym2: e.doseAreaProductGym2 ?? null,
    dose_rp_gy: e.doseRpGy ?? null,
    average_glandular_dose_mgy: e.averageGlandularDoseMGy ?? null,
    entrance_exposure_at_rp_mgy: e.entranceExposureAtRpMGy ?? null,
    kvp: e.kvp ?? null,
    xray_tube_current_ma: e.xrayTubeCurrentMa ?? null,
    exposure_time_ms: e.exposureTimeMs ?? null,
    exposure_uas: e.exposureUAs ?? null,
    compression_thickness_mm: e.compressionThicknessMm ?? null,
    compression_force_n: e.compressionForceN ?? null,
    date_time_started: e.dateTimeStarted ?? null,
    data: JSON.stringify(e),
  };
}

async function insertEvents(q: Q, studyId: number, report: DoseReport): Promise<void> {
  if (report.ct) {
    const rows = report.ct.events.map((e, i) => ctEventColumns(studyId, i, e));
    for (let i = 0; i < rows.length; i += EVENT_CHUNK) await q.insertInto('ct_event').values(rows.slice(i, i + EVENT_CHUNK)).execute();
  } else if (report.projection) {
    const rows = report.projection.events.map((e, i) => projEventColumns(studyId, i, e));
    for (let i = 0; i < rows.length; i += EVENT_CHUNK) await q.insertInto('proj_event').values(rows.slice(i, i + EVENT_CHUNK)).execute();
  }
}

async function insertObjectUids(q: Q, studyId: number, uids: readonly string[]): Promise<void> {
  if (uids.length === 0) return;
  await q
    .insertInto('object_uid')
    .values(uids.map((u) => ({ study_id: studyId, sop_instance_uid: u })))
    .execute();
}

/** Inserts a new study with its events and processed object UIDs; returns its id. */
export async function insertStudy(q: Q, report: DoseReport, equipmentId: number, now: string): Promise<number> {
  const { id } = await q
    .insertInto('study')
    .values({ ...studyColumns(report, equipmentId), created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await insertEvents(q, id, report);
  await insertObjectUids(q, id, [...new Set(report.objectUidsProcessed)]);
  return id;
}

/**
 * Replaces a stored study's content with `report` (merged cumulative RDSRs, added image
 * events), keeping its id and creation time. Object UIDs already recorded are kept.
 */
export async function replaceStudy(q: Q, studyId: number, report: DoseReport, equipmentId: number): Promise<void> {
  await q.updateTable('study').set(studyColumns(report, equipmentId)).where('id', '=', studyId).execute();
  await q.deleteFrom('ct_event').where('study_id', '=', studyId).execute();
  await q.deleteFrom('proj_event').where('study_id', '=', studyId).execute();
  await insertEvents(q, studyId, report);
  const known = new Set((await q.selectFrom('object_uid').select('sop_instance_uid').where('study_id', '=', studyId).execute()).map((r) => r.sop_instance_uid));
  await insertObjectUids(q, studyId, [...new Set(report.objectUidsProcessed)].filter((u) => !known.has(u)));
}

/** Records that an object was processed for a study without changing its content. */
export async function recordObjectUid(q: Q, studyId: number, sopInstanceUid: string): Promise<void> {
  await insertObjectUids(q, studyId, [sopInstanceUid]);
}

function parseJson<T>(text: string | null): T | null {
  return text == null ? null : (JSON.parse(text) as T);
}

function assemble(row: StudyRow, equipment: EquipmentRow | undefined, ctEvents: CtEventRow[], projEvents: ProjEventRow[], uids: string[]): StoredStudy {
  const out: StoredStudy = {
    id: row.id,
    modality: row.modality as DoseReport['modality'],
    sourceKind: row.source_kind,
    createdAt: row.created_at,
    study: {
      studyInstanceUid: row.study_instance_uid,
      seriesInstanceUid: row.series_instance_uid,
      studyId: row.study_id,
      accessionNumber: row.accession_number,
      accessionNumberHashed: row.accession_number_hashed === 1,
      studyDate: row.study_date,
      studyTime: row.study_time,
      studyDescription: row.study_description,
      requestedProcedure: row.requested_procedure,
      procedureCode: row.procedure_code,
      referringPhysicianName: row.referring_physician_name,
      performingPhysicianName: row.performing_physician_name,
      nameOfPhysicianReadingStudy: row.name_of_physician_reading_study,
      operatorName: row.operator_name,
    },
    patient: {
      name: row.patient_name,
      nameHashed: row.patient_name_hashed === 1,
      id: row.patient_id,
      idHashed: row.patient_id_hashed === 1,
      birthDate: row.patient_birth_date,
      sex: row.patient_sex,
      age: row.patient_age,
      ageYears: row.patient_age_years,
      heightM: row.patient_height_m,
      weightKg: row.patient_weight_kg,
      notPatientIndicator: row.not_patient_indicator,
    },
    equipment: {
      manufacturer: equipment?.manufacturer ?? null,
      modelName: equipment?.model_name ?? null,
      stationName: equipment?.station_name ?? null,
      institutionName: equipment?.institution_name ?? null,
      institutionAddress: row.institution_address,
      departmentName: equipment?.department_name ?? null,
      deviceSerialNumber: equipment?.serial_number ?? null,
      softwareVersions: equipment?.software_versions ?? null,
      gantryId: equipment?.gantry_id ?? null,
      deviceObserverUid: equipment?.device_observer_uid ?? null,
      displayName: equipment?.display_name ?? null,
    },
    summary: {
      numberOfEvents: row.number_of_events,
      numberOfAxial: row.number_of_axial,
      numberOfSpiral: row.number_of_spiral,
      numberOfStationary: row.number_of_stationary,
      numberOfConstAngle: row.number_of_const_angle,
      numberOfPlanes: row.number_of_planes,
      totalDlpMGyCm: row.total_dlp_mgycm,
      totalDapGym2: row.total_dap_gym2,
      totalDapAGym2: row.total_dap_a_gym2,
      totalDapBGym2: row.total_dap_b_gym2,
      totalRpDoseAGy: row.total_rp_dose_a_gy,
      totalRpDoseBGy: row.total_rp_dose_b_gy,
      totalAgdLeftMGy: row.total_agd_left_mgy,
      totalAgdRightMGy: row.total_agd_right_mgy,
      totalAgdBothMGy: row.total_agd_both_mgy,
      totalAdministeredActivityMBq: row.total_activity_mbq,
    },
    objectUidsProcessed: uids,
  };
  if (row.source_kind === 'nm-image' || row.source_kind === 'rrdsr' || row.modality === 'NM') {
    out.nm = parseJson<NmDose>(row.dose_json);
  } else if (ctEvents.length > 0 || row.modality === 'CT') {
    const ct = parseJson<CtDose>(row.dose_json) ?? { events: [] };
    ct.events = ctEvents.map((e) => JSON.parse(e.data) as CtEvent);
    out.ct = ct;
  } else {
    const proj = parseJson<ProjectionDose>(row.dose_json) ?? { accumulated: [], events: [] };
    proj.events = projEvents.map((e) => JSON.parse(e.data) as ProjectionEvent);
    out.projection = proj;
  }
  return out;
}

/** Loads stored studies by id, in the order given. */
export async function loadStudies(q: Q, ids: readonly number[]): Promise<StoredStudy[]> {
  if (ids.length === 0) return [];
  const rows = await q.selectFrom('study').selectAll().where('id', 'in', ids).execute();
  const equipmentIds = [...new Set(rows.map((r) => r.equipment_id))];
  const [equipment, ct, proj, uids] = await Promise.all([
    equipmentIds.length ? q.selectFrom('equipment').selectAll().where('id', 'in', equipmentIds).execute() : Promise.resolve([]),
    q.selectFrom('ct_event').selectAll().where('study_id', 'in', ids).orderBy('study_id').orderBy('seq').execute(),
    q.selectFrom('proj_event').selectAll().where('study_id', 'in', ids).orderBy('study_id').orderBy('seq').execute(),
    q.selectFrom('object_uid').select(['study_id', 'sop_instance_uid']).where('study_id', 'in', ids).orderBy('id').execute(),
  ]);
  const eqById = new Map(equipment.map((e) => [e.id, e]));
  const group = <R extends { study_id: number }>(list: R[]) => {
    const m = new Map<number, R[]>();
    for (const r of list) {
      const arr = m.get(r.study_id);
      if (arr) arr.push(r);
      else m.set(r.study_id, [r]);
    }
    return m;
  };
  const ctBy = group(ct);
  const projBy = group(proj);
  const uidBy = group(uids);
  const byId = new Map(rows.map((r) => [r.id, assemble(r, eqById.get(r.equipment_id), ctBy.get(r.id) ?? [], projBy.get(r.id) ?? [], (uidBy.get(r.id) ?? []).map((u) => u.sop_instance_uid))]));
  return ids.map((id) => byId.get(id)).filter((s): s is StoredStudy => s !== undefined);
}

/** Every stored study in creation order, in pages (constant memory for any size). */
export async function* allStudies(q: Q, pageSize = 200): AsyncGenerator<StoredStudy> {
  let after = 0;
  for (;;) {
    const ids = (await q.selectFrom('study').select('id').where('id', '>', after).orderBy('id').limit(pageSize).execute()).map((r) => r.id);
    if (ids.length === 0) return;
    for (const s of await loadStudies(q, ids)) yield s;
    after = ids[ids.length - 1]!;
  }
}
