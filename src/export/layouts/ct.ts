// CT: the study's total DLP, and per irradiation event the acquisition, CTDIvol and DLP, and
// each X-ray source's settings (S1, S2: dual-source scanners report both tubes).
import { labelOfKey } from '../../query/labels.js';
import { formatValue, unitOfKey } from '../../query/units.js';
import type { CtDose, CtDoseCheck, CtEvent, CtXraySource } from '../../report/types.js';
import { keyColumn, textColumn, within, type Column } from '../cells.js';
import type { ExportLayout } from './index.js';

/** Sources given their own columns: one per tube of a dual-source scanner. */
const SOURCES = 2;

function sourceColumns(n: number): Column<CtXraySource>[] {
  return [
    textColumn(`S${n} name`, (s) => s.identificationOfTheXraySource),
    keyColumn(`S${n} kVp`, 'kvp', (s) => s.kvp),
    keyColumn(`S${n} max mA`, 'maximumXrayTubeCurrentMa', (s) => s.maximumXrayTubeCurrentMa),
    keyColumn(`S${n} mA`, 'xrayTubeCurrentMa', (s) => s.xrayTubeCurrentMa),
    keyColumn(`S${n} exposure time per rotation`, 'exposureTimePerRotationS', (s) => s.exposureTimePerRotationS),
  ];
}

/** The configured alert and notification values and reasons, "Label: value unit; ...". */
export function doseCheckText(check: CtDoseCheck | null | undefined): string | null {
  if (!check) return null;
  const parts: string[] = [];
  for (const [key, value] of Object.entries(check) as [string, unknown][]) {
    if (value === null || value === undefined || value === '') continue;
    const label = labelOfKey(key);
    if (typeof value === 'number') {
      const unit = unitOfKey(key)?.unit;
      parts.push(unit ? `${label}: ${formatValue(value, unit)} ${unit.shown}` : `${label}: ${value}`);
    } else if (typeof value === 'boolean') parts.push(`${label}: ${value ? 'yes' : 'no'}`);
    else if (typeof value === 'string') parts.push(`${label}: ${value}`);
    else if (typeof value === 'object' && 'personName' in value && value.personName) parts.push(`${label}: ${String(value.personName)}`);
  }
  return parts.length ? parts.join('; ') : null;
}

const EVENT_COLUMNS: Column<CtEvent>[] = [
  textColumn('Protocol', (e) => e.acquisitionProtocol),
  textColumn('Type', (e) => e.acquisitionType),
  textColumn('Target region', (e) => e.targetRegion),
  keyColumn('Exposure time', 'exposureTimeS', (e) => e.exposureTimeS),
  keyColumn('Scanning length', 'scanningLengthMm', (e) => e.scanningLengthMm),
  keyColumn('Single collimation width', 'nominalSingleCollimationWidthMm', (e) => e.nominalSingleCollimationWidthMm),
  keyColumn('Total collimation width', 'nominalTotalCollimationWidthMm', (e) => e.nominalTotalCollimationWidthMm),
  keyColumn('Pitch', 'pitchFactor', (e) => e.pitchFactor),
  keyColumn('No. sources', 'numberOfXraySources', (e) => e.numberOfXraySources),
  keyColumn('CTDIvol', 'meanCtdiVolMGy', (e) => e.meanCtdiVolMGy),
  textColumn('Phantom', (e) => e.ctdiwPhantomType),
  keyColumn('DLP', 'dlpMGyCm', (e) => e.dlpMGyCm),
  ...Array.from({ length: SOURCES }, (_, i) => within(sourceColumns(i + 1), (e: CtEvent) => e.sources?.[i])).flat(),
  textColumn('mA modulation type', (e) => e.xrayModulationType),
  textColumn('Dose check details', (e) => doseCheckText(e.doseCheck)),
  textColumn('Comments', (e) => e.comment),
];

export const CT_LAYOUT: ExportLayout<CtDose, CtEvent> = {
  modality: 'CT',
  studyColumns: [keyColumn('DLP total', 'totalDlpMGyCm', (s) => s.row.total_dlp_mgycm)],
  eventColumns: EVENT_COLUMNS,
};
