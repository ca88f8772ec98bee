// The columns every modality's export starts with: who, where and what the study was, and
// the patient (name, ID and birth date only in the patient-identifiable variant).
import type { Modality } from '../report/types.js';
import { KG, METRES, YEARS } from '../query/units.js';
import { quantityColumn, textColumn, type Column } from './cells.js';
import type { ExportStudy } from './source.js';

/** The dose record's comment, where the modality's record has one. */
function studyComment(s: ExportStudy): string | null {
  const dose = s.dose as { comment?: string | null } | null;
  return dose?.comment ?? null;
}

export function commonColumns(modality: Modality, pid: boolean): Column<ExportStudy>[] {
  const cols: Column<ExportStudy>[] = [];
  if (pid) {
    cols.push(textColumn('Patient name', (s) => s.row.patient_name));
    cols.push(textColumn('Patient ID', (s) => s.row.patient_id));
  }
  cols.push(
    textColumn('Institution', (s) => s.row.eq_institution_name),
    textColumn('Manufacturer', (s) => s.row.eq_manufacturer),
    textColumn('Model name', (s) => s.row.eq_model_name),
    textColumn('Station name', (s) => s.row.eq_station_name),
    textColumn('Display name', (s) => s.row.eq_display_name),
    textColumn('Accession number', (s) => s.row.accession_number),
    textColumn('Operator', (s) => s.row.operator_name),
    textColumn('Study date', (s) => s.row.study_date),
    textColumn('Study time', (s) => s.row.study_time),
  );
  if (pid) cols.push(textColumn('Date of birth', (s) => s.row.patient_birth_date));
  cols.push(quantityColumn('Age', YEARS, (s) => s.row.patient_age_years), textColumn('Sex', (s) => s.row.patient_sex));
  // Mammography records no patient size.
  if (modality !== 'MG') cols.push(quantityColumn('Height', METRES, (s) => s.row.patient_height_m), quantityColumn('Mass', KG, (s) => s.row.patient_weight_kg));
  cols.push(
    textColumn('Test patient?', (s) => s.row.not_patient_indicator),
    textColumn('Study description', (s) => s.row.study_description),
    textColumn('Requested procedure', (s) => s.row.requested_procedure),
    textColumn('Study comments', studyComment),
    quantityColumn('No. events', null, (s) => s.row.number_of_events),
  );
  return cols;
}
