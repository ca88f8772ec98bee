// Fluoroscopy: totals per plane (A, and B for bi-plane systems: dose-area product, dose at
// the reference point, and their fluoroscopy and acquisition parts with times), and per
// irradiation event its plane, settings, DAP and dose at the reference point.
import { displayText } from '../../web/views/values.js';
import { DAP, DOSE_GY } from '../../query/units.js';
import { planeOf } from '../../report/summary.js';
import type { ProjectionAccumulated, ProjectionDose, ProjectionEvent } from '../../report/types.js';
import { keyColumn, quantityColumn, textColumn, type Column } from '../cells.js';
import type { ExportStudy } from '../source.js';
import type { ExportLayout } from './index.js';
import { filterMaterials, filterThicknesses, kvpOf, pulseWidthOf, tubeCurrentOf } from './xray.js';

type RfStudy = ExportStudy<ProjectionDose, ProjectionEvent>;
type Plane = 'A' | 'B';

/**
 * The accumulated records of each plane, assigned as the study summary assigns them: an "All
 * planes" record is left out next to plane records, and two records naming the same plane
 * are the two planes in report order.
 */
function recordsByPlane(dose: ProjectionDose | null): Map<Plane, ProjectionAccumulated[]> {
  const all = dose?.accumulated ?? [];
  const perPlane = all.filter((a) => !/all\s*planes/i.test(a.acquisitionPlane ?? ''));
  const out = new Map<Plane, ProjectionAccumulated[]>();
  for (const a of perPlane.length ? perPlane : all) {
    let plane = planeOf(a.acquisitionPlane);
    const other: Plane = plane === 'A' ? 'B' : 'A';
    if (out.has(plane) && !out.has(other)) plane = other;
    out.set(plane, [...(out.get(plane) ?? []), a]);
  }
  return out;
}

/** The plane's total of an accumulated value; null when no record of the plane has it. */
function planeTotal(s: RfStudy, plane: Plane, key: keyof ProjectionAccumulated): number | null {
  const values = (recordsByPlane(s.dose).get(plane) ?? []).map((a) => a[key]).filter((v): v is number => typeof v === 'number');
  return values.length ? values.reduce((a, b) => a + b, 0) : null;
}

function planeColumns(plane: Plane): Column<RfStudy>[] {
  const row = (s: RfStudy) => s.row;
  return [
    quantityColumn(`${plane} DAP total`, DAP, (s) => (plane === 'A' ? row(s).total_dap_a_gym2 : row(s).total_dap_b_gym2)),
    quantityColumn(`${plane} Dose RP total`, DOSE_GY, (s) => (plane === 'A' ? row(s).total_rp_dose_a_gy : row(s).total_rp_dose_b_gy)),
    keyColumn(`${plane} Fluoro DAP total`, 'fluoroDoseAreaProductTotalGym2', (s) => planeTotal(s, plane, 'fluoroDoseAreaProductTotalGym2')),
    keyColumn(`${plane} Fluoro dose RP total`, 'fluoroDoseRpTotalGy', (s) => planeTotal(s, plane, 'fluoroDoseRpTotalGy')),
    keyColumn(`${plane} Fluoro duration total`, 'totalFluoroTimeS', (s) => planeTotal(s, plane, 'totalFluoroTimeS')),
    keyColumn(`${plane} Acq. DAP total`, 'acquisitionDoseAreaProductTotalGym2', (s) => planeTotal(s, plane, 'acquisitionDoseAreaProductTotalGym2')),
    keyColumn(`${plane} Acq. dose RP total`, 'acquisitionDoseRpTotalGy', (s) => planeTotal(s, plane, 'acquisitionDoseRpTotalGy')),
    keyColumn(`${plane} Acq. duration total`, 'totalAcquisitionTimeS', (s) => planeTotal(s, plane, 'totalAcquisitionTimeS')),
  ];
}

const EVENT_COLUMNS: Column<ProjectionEvent>[] = [
  textColumn('Time', (e) => (e.dateTimeStarted ? displayText(e.dateTimeStarted) : null)),
  textColumn('Type', (e) => e.irradiationEventType),
  textColumn('Protocol', (e) => e.acquisitionProtocol),
  textColumn('Plane', (e) => e.acquisitionPlane),
  keyColumn('Field size', 'iiFieldSizeMm', (e) => e.iiFieldSizeMm),
  textColumn('Filter material', (e) => filterMaterials(e.filters)),
  textColumn('Mean filter thickness (mm)', (e) => filterThicknesses(e.filters)),
  keyColumn('kVp', 'kvp', kvpOf),
  keyColumn('mA', 'xrayTubeCurrentMa', tubeCurrentOf),
  keyColumn('Pulse width', 'pulseWidthMs', pulseWidthOf),
  keyColumn('Pulse rate', 'pulseRateHz', (e) => e.pulseRateHz),
  keyColumn('Number of pulses', 'numberOfPulses', (e) => e.numberOfPulses),
  keyColumn('Exposure time', 'exposureTimeMs', (e) => e.exposureTimeMs),
  keyColumn('Irradiation duration', 'irradiationDurationS', (e) => e.irradiationDurationS),
  keyColumn('DAP', 'doseAreaProductGym2', (e) => e.doseAreaProductGym2),
  keyColumn('Dose RP', 'doseRpGy', (e) => e.doseRpGy),
  keyColumn('Primary angle', 'positionerPrimaryAngleDeg', (e) => e.positionerPrimaryAngleDeg),
  keyColumn('Secondary angle', 'positionerSecondaryAngleDeg', (e) => e.positionerSecondaryAngleDeg),
];

export const RF_LAYOUT: ExportLayout<ProjectionDose, ProjectionEvent> = {
  modality: 'RF',
  studyColumns: [quantityColumn('DAP total', DAP, (s) => s.row.total_dap_gym2), ...planeColumns('A'), ...planeColumns('B')],
  eventColumns: EVENT_COLUMNS,
};
