// Mammography: the accumulated average glandular dose per breast, and per exposure its view,
// target and filter, technique, compression and AGD.
import { displayText } from '../../web/views/values.js';
import type { ProjectionDose, ProjectionEvent } from '../../report/types.js';
import { keyColumn, textColumn, type Column } from '../cells.js';
import type { ExportLayout } from './index.js';
import { elementSymbol, exposureOf, filterMaterials, filterThicknesses, kvpOf, tubeCurrentOf } from './xray.js';

const EVENT_COLUMNS: Column<ProjectionEvent>[] = [
  textColumn('Time', (e) => (e.dateTimeStarted ? displayText(e.dateTimeStarted) : null)),
  textColumn('Protocol', (e) => e.acquisitionProtocol),
  textColumn('Laterality', (e) => e.laterality),
  textColumn('Image view', (e) => e.viewPosition),
  textColumn('View modifier', (e) => e.viewModifier),
  textColumn('Anode', (e) => elementSymbol(e.anodeTargetMaterial)),
  textColumn('Filter', (e) => filterMaterials(e.filters)),
  textColumn('Filter thickness (mm)', (e) => filterThicknesses(e.filters)),
  keyColumn('kVp', 'kvp', kvpOf),
  keyColumn('mA', 'xrayTubeCurrentMa', tubeCurrentOf),
  keyColumn('Exposure time', 'exposureTimeMs', (e) => e.exposureTimeMs),
  keyColumn('Exposure', 'exposureUAs', exposureOf),
  keyColumn('Focal spot size', 'focalSpotSizeMm', (e) => e.focalSpotSizeMm),
  keyColumn('Compression thickness', 'compressionThicknessMm', (e) => e.compressionThicknessMm),
  keyColumn('Compression force', 'compressionForceN', (e) => e.compressionForceN),
  keyColumn('Entrance exposure at RP', 'entranceExposureAtRpMGy', (e) => e.entranceExposureAtRpMGy),
  keyColumn('AGD', 'averageGlandularDoseMGy', (e) => e.averageGlandularDoseMGy),
  keyColumn('Fibroglandular tissue', 'percentFibroglandularTissue', (e) => e.percentFibroglandularTissue),
  keyColumn('Half value layer', 'halfValueLayerMm', (e) => e.halfValueLayerMm),
  textColumn('Comments', (e) => e.comment),
];

export const MG_LAYOUT: ExportLayout<ProjectionDose, ProjectionEvent> = {
  modality: 'MG',
  studyColumns: [
    keyColumn('Accumulated AGD left breast', 'totalAgdLeftMGy', (s) => s.row.total_agd_left_mgy),
    keyColumn('Accumulated AGD right breast', 'totalAgdRightMGy', (s) => s.row.total_agd_right_mgy),
    keyColumn('Accumulated AGD both breasts', 'totalAgdBothMGy', (s) => s.row.total_agd_both_mgy),
  ],
  eventColumns: EVENT_COLUMNS,
};
