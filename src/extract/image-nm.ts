// PET and NM image headers → DoseReport: the radiopharmaceutical the image records
// (Radiopharmaceutical Information Sequence) and, for PET, what the series was (PET Series
// module). One image gives one PET series entry; ingestion adds it once per series.
import type { DicomDataset } from '../dicom/dataset.js';
import { readCode } from '../dicom/sr.js';
import { SOP_CLASS, T } from '../dicom/tags.js';
import { summarise } from '../report/summary.js';
import type { DoseReport, NmAdministration, PetSeries } from '../report/types.js';
import { readEquipmentInfo, readPatientInfo, readStudyInfo } from './common.js';

const NM = {
  Radiopharmaceutical: 'x00180031',
  RadiopharmaceuticalVolume: 'x00181071',
  RadiopharmaceuticalStartTime: 'x00181072',
  RadiopharmaceuticalStopTime: 'x00181073',
  RadionuclideTotalDose: 'x00181074',
  RadionuclideHalfLife: 'x00181075',
  RadiopharmaceuticalSpecificActivity: 'x00181077',
  RadiopharmaceuticalStartDateTime: 'x00181078',
  RadiopharmaceuticalStopDateTime: 'x00181079',
  CorrectedImage: 'x00280051',
  EnergyWindowRangeSequence: 'x00540013',
  EnergyWindowLowerLimit: 'x00540014',
  EnergyWindowUpperLimit: 'x00540015',
  RadiopharmaceuticalInformationSequence: 'x00540016',
  NumberOfRRIntervals: 'x00540061',
  NumberOfTimeSlots: 'x00540071',
  NumberOfSlices: 'x00540081',
  NumberOfTimeSlices: 'x00540101',
  RadionuclideCodeSequence: 'x00540300',
  AdministrationRouteCodeSequence: 'x00540302',
  RadiopharmaceuticalCodeSequence: 'x00540304',
  ScanProgressionDirection: 'x00540501',
  SeriesType: 'x00541000',
  ReconstructionMethod: 'x00541103',
  CoincidenceWindowWidth: 'x00541210',
} as const;

function joinDateTime(date: string | null, time: string | null): string | null {
  return date && time ? `${date}T${time}` : null;
}

/**
 * Radionuclide Total Dose is in MBq in NM images but in Bq in PET and Enhanced PET images
 * (NM and PET Isotope modules). The activity stored is in MBq.
 */
function activityMBq(totalDose: number | null, isNmImage: boolean, warnings: string[]): number | null {
  if (totalDose === null) return null;
  const mbq = isNmImage ? totalDose : totalDose / 1e6;
  // Diagnostic and therapeutic administrations lie between about 1 MBq and 10 GBq; outside
  // that the device most likely wrote the other unit. Said, not silently changed.
  if (mbq < 0.1 || mbq > 1e5) {
    warnings.push(`Radionuclide Total Dose ${totalDose} read as ${mbq} MBq (${isNmImage ? 'MBq in NM images' : 'Bq in PET images'}), which is implausible: check the unit the device wrote`);
  }
  return mbq;
}

function readAdministration(ds: DicomDataset, studyDate: string | null, warnings: string[]): NmAdministration | null {
  const info = ds.item(NM.RadiopharmaceuticalInformationSequence);
  if (!info) return null;
  const specificActivity = info.number(NM.RadiopharmaceuticalSpecificActivity);
  return {
    radiopharmaceuticalAgent: readCode(info.item(NM.RadiopharmaceuticalCodeSequence))?.meaning ?? null,
    radiopharmaceuticalAgentString: info.text(NM.Radiopharmaceutical),
    radionuclide: readCode(info.item(NM.RadionuclideCodeSequence))?.meaning ?? null,
    radionuclideHalfLifeS: info.number(NM.RadionuclideHalfLife),
    // Written in Bq/µmol in image headers.
    radiopharmaceuticalSpecificActivityBqPerMmol: specificActivity === null ? null : specificActivity * 1000,
    // The administration event UID of images is not read: devices write one per image
    // series rather than the one of the administration, so it would not match the dose report's.
    radiopharmaceuticalStartDatetime: info.dateTime(NM.RadiopharmaceuticalStartDateTime) ?? joinDateTime(studyDate, info.time(NM.RadiopharmaceuticalStartTime)),
    radiopharmaceuticalStopDatetime: info.dateTime(NM.RadiopharmaceuticalStopDateTime) ?? joinDateTime(studyDate, info.time(NM.RadiopharmaceuticalStopTime)),
    administeredActivityMBq: activityMBq(info.number(NM.RadionuclideTotalDose), ds.string(T.SOPClassUID) === SOP_CLASS.NuclearMedicineImage, warnings),
    // Radiopharmaceutical Volume is in ml, that is cm³.
    radiopharmaceuticalVolumeCm3: info.number(NM.RadiopharmaceuticalVolume),
    routeOfAdministration: readCode(info.item(NM.AdministrationRouteCodeSequence))?.meaning ?? null,
  };
}

function readPetSeries(ds: DicomDataset): PetSeries {
  const window = ds.item(NM.EnergyWindowRangeSequence);
  return {
    seriesInstanceUid: ds.string(T.SeriesInstanceUID),
    seriesDatetime: joinDateTime(ds.date(T.SeriesDate), ds.time(T.SeriesTime)),
    numberOfRrIntervals: ds.number(NM.NumberOfRRIntervals),
    numberOfTimeSlots: ds.number(NM.NumberOfTimeSlots),
    numberOfTimeSlices: ds.number(NM.NumberOfTimeSlices),
    numberOfSlices: ds.number(NM.NumberOfSlices),
    reconstructionMethod: ds.text(NM.ReconstructionMethod),
    coincidenceWindowWidthNs: ds.number(NM.CoincidenceWindowWidth),
    energyWindowLowerLimitKeV: window?.number(NM.EnergyWindowLowerLimit) ?? null,
    energyWindowUpperLimitKeV: window?.number(NM.EnergyWindowUpperLimit) ?? null,
    scanProgressionDirection: ds.string(NM.ScanProgressionDirection),
    corrections: ds.texts(NM.CorrectedImage).map((correctedImage) => ({ correctedImage })),
    seriesTypes: ds.texts(NM.SeriesType).map((seriesType) => ({ seriesType })),
  };
}

export function extractNmImage(ds: DicomDataset): DoseReport {
  const sopInstanceUid = ds.string(T.SOPInstanceUID);
  if (!sopInstanceUid) throw new Error('NM/PET image without a SOP Instance UID');
  const isNmImage = ds.string(T.SOPClassUID) === SOP_CLASS.NuclearMedicineImage;
  const warnings: string[] = [];
  const study = readStudyInfo(ds);
  const report: DoseReport = {
    modality: 'NM',
    sourceKind: 'nm-image',
    sopInstanceUid,
    study,
    patient: readPatientInfo(ds, study.studyDate ?? null),
    equipment: readEquipmentInfo(ds),
    summary: {},
    nm: {
      administration: readAdministration(ds, study.studyDate ?? null, warnings),
      petSeries: isNmImage ? [] : [readPetSeries(ds)],
    },
    objectUidsProcessed: [sopInstanceUid],
  };
  report.summary = summarise(report);
  if (warnings.length) report.warnings = warnings;
  return report;
}
