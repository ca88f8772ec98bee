// Radiography image headers (DX, CR and dental PX) → DoseReport: one event per image with
// its dose area product, technique factors and detector exposure indices. Images of one
// study are combined into one study at ingestion.
import type { DicomDataset } from '../dicom/dataset.js';
import { readCode } from '../dicom/sr.js';
import { T } from '../dicom/tags.js';
import type { DoseReport } from '../report/types.js';
import { imageReport, inUnit, nonNegativeDose, readImageEvent, XT } from './image-xray.js';

/** What each manufacturer's Relative X-Ray Exposure (0018,1405) is, as its documentation names it. */
const RELATIVE_EXPOSURE_UNITS: [RegExp, string][] = [
  [/fuji/i, 'S ()'],
  [/carestream|kodak/i, 'EI (Mbels)'],
  [/agfa/i, 'lgM (Bels)'],
  [/konica/i, 'S ()'],
  [/canon/i, 'REX ()'],
  [/swissray/i, 'DI ()'],
  [/philips/i, 'EI ()'],
  [/siemens/i, 'EXI (μGy)'],
];

/** Units known to write the source to detector distance in decimetres, not millimetres. */
const SID_IN_DECIMETRES: { manufacturer: RegExp; model: RegExp }[] = [{ manufacturer: /kodak/i, model: /dr 7500/i }];

/** Consoles that leave the request empty and put the requested procedure in Study Description. */
const REQUEST_IN_STUDY_DESCRIPTION: { manufacturer: RegExp; model: RegExp }[] = [
  { manufacturer: /canon/i, model: /cxdi/i },
  { manufacturer: /carestream health/i, model: /drx-revolution/i },
];

/** Consoles that put the protocol in Image Comments. */
const PROTOCOL_IN_IMAGE_COMMENTS: { manufacturer: RegExp; software: RegExp }[] = [{ manufacturer: /^toshiba_mec$/i, software: /^tm_tfd_1\.0$/i }];

function matches<K extends string>(rules: Record<K, RegExp>[], values: Record<K, string | null>): boolean {
  return rules.some((rule) => (Object.keys(rule) as K[]).every((k) => rule[k].test(values[k] ?? '')));
}

export function extractDxImage(ds: DicomDataset): DoseReport {
  const manufacturer = ds.text(T.Manufacturer);
  const model = ds.text(T.ManufacturerModelName);
  const software = ds.text(T.SoftwareVersions);
  const event = readImageEvent(ds);

  const warnings: string[] = [];
  // Image and Fluoroscopy Area Dose Product is in dGy·cm².
  event.doseAreaProductGym2 = inUnit(nonNegativeDose(ds.number(XT.ImageAndFluoroscopyAreaDoseProduct), 'Image and Fluoroscopy Area Dose Product', warnings), 'dGy.cm2', 'Gy.m2');
  // A distance of 3 m or more in decimetres is no radiography room's: such a value is in millimetres already.
  if (event.distanceSourceToDetectorMm != null && event.distanceSourceToDetectorMm < 30 && matches(SID_IN_DECIMETRES, { manufacturer, model })) {
    event.distanceSourceToDetectorMm = inUnit(event.distanceSourceToDetectorMm, 'dm', 'mm');
  }
  if (!ds.text(T.ProtocolName) && matches(PROTOCOL_IN_IMAGE_COMMENTS, { manufacturer, software })) {
    event.acquisitionProtocol = ds.text(XT.ImageComments) ?? event.acquisitionProtocol;
  }
  if (event.relativeXrayExposure != null) {
    event.relativeExposureUnit = RELATIVE_EXPOSURE_UNITS.find(([re]) => re.test(manufacturer ?? ''))?.[1] ?? null;
  }
  const series = ds.text(T.SeriesDescription);
  const exposureControl = ds.text(XT.ExposureControlModeDescription);
  event.comment = series && exposureControl ? `${series}, ${exposureControl}` : series;

  const report = imageReport(ds, 'DX', 'dx-image', event);
  if (warnings.length) report.warnings = [...(report.warnings ?? []), ...warnings];
  const study = report.study;
  study.studyDescription ??= series ?? readCode(ds.item(T.ProcedureCodeSequence))?.meaning ?? null;
  if (!study.requestedProcedure && matches(REQUEST_IN_STUDY_DESCRIPTION, { manufacturer, model })) {
    study.requestedProcedure = ds.text(T.StudyDescription);
  }
  return report;
}
