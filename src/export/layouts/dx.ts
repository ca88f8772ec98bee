// Radiography: the study's total DAP, and per exposure its protocol, view, technique,
// detector exposure indices and DAP.
import { displayText } from '../../web/views/values.js';
import type { ProjectionDose, ProjectionEvent } from '../../report/types.js';
import { keyColumn, textColumn, type Column } from '../cells.js';
import type { ExportLayout } from './index.js';
import { exposureOf, filterMaterials, filterThicknesses, kvpOf, tubeCurrentOf } from './xray.js';

const EVENT_COLUMNS: Column<ProjectionEvent>[] = [
  textColumn('Time', (e) => (e.dateTimeStarted ? displayText(e.dateTimeStarted) : null)),
  textColumn('Protocol', (e) => e.acquisitionProtocol),
  textColumn('Anatomy', (e) => e.anatomicalStructure ?? e.targetRegion),
  textColumn('Image view', (e) => e.viewPosition),
  keyColumn('kVp', 'kvp', kvpOf),
  keyColumn('mA', 'xrayTubeCurrentMa', tubeCurrentOf),
  keyColumn('Exposure time', 'exposureTimeMs', (e) => e.exposureTimeMs),
  keyColumn('Exposure', 'exposureUAs', exposureOf),
  textColumn('Filters', (e) => filterMaterials(e.filters)),
  textColumn('Filter thicknesses (mm)', (e) => filterThicknesses(e.filters)),
  keyColumn('Exposure index', 'exposureIndex', (e) => e.exposureIndex),
  keyColumn('Target exposure index', 'targetExposureIndex', (e) => e.targetExposureIndex),
  keyColumn('Deviation index', 'deviationIndex', (e) => e.deviationIndex),
  keyColumn('Relative X-ray exposure', 'relativeXrayExposure', (e) => e.relativeXrayExposure),
  textColumn('Relative exposure unit', (e) => e.relativeExposureUnit),
  keyColumn('DAP', 'doseAreaProductGym2', (e) => e.doseAreaProductGym2),
  keyColumn('Entrance exposure at RP', 'entranceExposureAtRpMGy', (e) => e.entranceExposureAtRpMGy),
  keyColumn('Source to detector', 'distanceSourceToDetectorMm', (e) => e.distanceSourceToDetectorMm),
  keyColumn('Source to isocentre', 'distanceSourceToIsocenterMm', (e) => e.distanceSourceToIsocenterMm),
  textColumn('Comments', (e) => e.comment),
];

export const DX_LAYOUT: ExportLayout<ProjectionDose, ProjectionEvent> = {
  modality: 'DX',
  studyColumns: [keyColumn('DAP total', 'totalDapGym2', (s) => s.row.total_dap_gym2)],
  eventColumns: EVENT_COLUMNS,
};
