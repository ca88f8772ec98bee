// Nuclear medicine: one row per study (no irradiation events): the administration, its
// activity and effective dose, organ doses, and the patient characteristics recorded with it.
import { displayText } from '../../web/views/values.js';
import { formatValue, MGY } from '../../query/units.js';
import type { NmAdministration, NmDose, NmPatientCharacteristics, OrganDose } from '../../report/types.js';
import { keyColumn, quantityColumn, textColumn, within, type Column } from '../cells.js';
import type { ExportStudy } from '../source.js';
import type { ExportLayout } from './index.js';

type NmStudy = ExportStudy<NmDose, never>;

function organDosesText(doses: readonly OrganDose[] | undefined): string | null {
  const parts = (doses ?? [])
    .filter((d) => d.findingSite)
    .map((d) => `${d.findingSite}${d.laterality ? ` (${d.laterality})` : ''}: ${formatValue(d.organDoseMGy, MGY) || '?'}`);
  return parts.length ? parts.join(' | ') : null;
}

const ADMINISTRATION: Column<NmAdministration>[] = [
  textColumn('Radiopharmaceutical', (a) => a.radiopharmaceuticalAgent ?? a.radiopharmaceuticalAgentString),
  textColumn('Radionuclide', (a) => a.radionuclide),
  keyColumn('Radionuclide half-life', 'radionuclideHalfLifeS', (a) => a.radionuclideHalfLifeS),
  keyColumn('Administered activity', 'administeredActivityMBq', (a) => a.administeredActivityMBq),
  keyColumn('Effective dose', 'effectiveDoseMSv', (a) => a.effectiveDoseMSv),
  textColumn('Administration start', (a) => (a.radiopharmaceuticalStartDatetime ? displayText(a.radiopharmaceuticalStartDatetime) : null)),
  textColumn('Administration end', (a) => (a.radiopharmaceuticalStopDatetime ? displayText(a.radiopharmaceuticalStopDatetime) : null)),
  textColumn('Route of administration', (a) => a.routeOfAdministration),
  textColumn('Site of administration', (a) => a.siteOf),
  keyColumn('Volume', 'radiopharmaceuticalVolumeCm3', (a) => a.radiopharmaceuticalVolumeCm3),
  keyColumn('Pre-administration measured activity', 'preAdministrationMeasuredActivityMBq', (a) => a.preAdministrationMeasuredActivityMBq),
  keyColumn('Post-administration measured activity', 'postAdministrationMeasuredActivityMBq', (a) => a.postAdministrationMeasuredActivityMBq),
  textColumn(`Organ doses (${MGY.shown})`, (a) => organDosesText(a.organDoses)),
];

const PATIENT: Column<NmPatientCharacteristics>[] = [
  keyColumn('Body mass index', 'bodyMassIndexKgPerM2', (p) => p.bodyMassIndexKgPerM2),
  keyColumn('Body surface area', 'bodySurfaceAreaM2', (p) => p.bodySurfaceAreaM2),
  keyColumn('Glucose', 'glucoseMmolPerL', (p) => p.glucoseMmolPerL),
  keyColumn('Fasting duration', 'fastingDurationH', (p) => p.fastingDurationH),
  keyColumn('Hydration volume', 'hydrationVolumeMl', (p) => p.hydrationVolumeMl),
  keyColumn('Serum creatinine', 'serumCreatinineMgPerDl', (p) => p.serumCreatinineMgPerDl),
  keyColumn('GFR', 'glomerularFiltrationRateMlPerMinPer173M2', (p) => p.glomerularFiltrationRate?.glomerularFiltrationRateMlPerMinPer173M2),
];

export const NM_LAYOUT: ExportLayout<NmDose, never> = {
  modality: 'NM',
  studyColumns: [
    textColumn('Associated procedure', (s: NmStudy) => s.dose?.associatedProcedure),
    ...within(ADMINISTRATION, (s: NmStudy) => s.dose?.administration),
    ...within(PATIENT, (s: NmStudy) => s.dose?.patientCharacteristics),
    quantityColumn('PET series', null, (s: NmStudy) => (s.dose?.petSeries?.length ? s.dose.petSeries.length : null)),
  ],
  eventColumns: [],
};
