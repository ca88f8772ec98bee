// Study, patient and equipment attributes from the top-level data set: shared by every
// source kind (RDSRs and image headers carry the same General Study, Patient and General
// Equipment modules).
import type { DicomDataset } from '../dicom/dataset.js';
import { readCode } from '../dicom/sr.js';
import { T } from '../dicom/tags.js';
import { ageBetween, parseAgeYears } from '../dicom/values.js';
import type { EquipmentInfo, PatientInfo, StudyInfo } from '../report/types.js';

/** First non-null of the given readers (study date falls back to series, acquisition, content). */
function firstOf<V>(...values: (V | null)[]): V | null {
  for (const v of values) if (v !== null) return v;
  return null;
}

export function readStudyDate(ds: DicomDataset): string | null {
  return firstOf(ds.date(T.StudyDate), ds.date(T.SeriesDate), ds.date(T.AcquisitionDate), ds.date(T.ContentDate));
}

export function readStudyTime(ds: DicomDataset): string | null {
  return firstOf(ds.time(T.StudyTime), ds.time(T.SeriesTime), ds.time(T.AcquisitionTime), ds.time(T.ContentTime));
}

/**
 * Requested procedure: the coded procedure if there is one, else the request's description,
 * at top level or inside the Request Attributes Sequence.
 */
export function readRequestedProcedure(ds: DicomDataset): string | null {
  const request = ds.item(T.RequestAttributesSequence);
  return firstOf(
    readCode(ds.item(T.RequestedProcedureCodeSequence))?.meaning ?? null,
    ds.text(T.RequestedProcedureDescription),
    readCode(request?.item(T.RequestedProcedureCodeSequence) ?? null)?.meaning ?? null,
    request?.text(T.RequestedProcedureDescription) ?? null,
  );
}

/** A multi-valued person name attribute as one text, its names joined by " | " (as the reference system stores them). */
function personNames(ds: DicomDataset, tag: string): string | null {
  const names = ds.texts(tag);
  return names.length ? names.join(' | ') : null;
}

export function readStudyInfo(ds: DicomDataset): StudyInfo {
  return {
    studyInstanceUid: ds.string(T.StudyInstanceUID) ?? '',
    seriesInstanceUid: ds.string(T.SeriesInstanceUID),
    studyId: ds.text(T.StudyID),
    accessionNumber: ds.text(T.AccessionNumber),
    studyDate: readStudyDate(ds),
    studyTime: readStudyTime(ds),
    studyDescription: ds.text(T.StudyDescription),
    requestedProcedure: readRequestedProcedure(ds),
    procedureCode: readCode(ds.item(T.ProcedureCodeSequence))?.meaning ?? null,
    referringPhysicianName: personNames(ds, T.ReferringPhysicianName),
    performingPhysicianName: personNames(ds, T.PerformingPhysicianName),
    nameOfPhysicianReadingStudy: personNames(ds, T.NameOfPhysiciansReadingStudy),
    operatorName: personNames(ds, T.OperatorsName),
  };
}

/** Patient attributes as found in the object; privacy settings are applied at ingestion. */
export function readPatientInfo(ds: DicomDataset, studyDate: string | null): PatientInfo {
  const birthDate = ds.date(T.PatientBirthDate);
  const age = ds.string(T.PatientAge);
  const ageFromDates = birthDate && studyDate ? ageBetween(birthDate, studyDate) : null;
  const sex = ds.string(T.PatientSex);
  return {
    name: ds.personName(T.PatientName),
    id: ds.text(T.PatientID),
    birthDate,
    sex: sex ? sex.toUpperCase() : null,
    age,
    ageYears: ageFromDates ?? parseAgeYears(age),
    heightM: positive(ds.number(T.PatientSize)),
    weightKg: positive(ds.number(T.PatientWeight)),
  };
}

/** Zero height or weight means "not entered" on most consoles. */
function positive(n: number | null): number | null {
  return n !== null && n > 0 ? n : null;
}

export function readEquipmentInfo(ds: DicomDataset): EquipmentInfo {
  return {
    manufacturer: ds.text(T.Manufacturer),
    modelName: ds.text(T.ManufacturerModelName),
    stationName: ds.text(T.StationName),
    institutionName: ds.text(T.InstitutionName),
    institutionAddress: ds.text(T.InstitutionAddress),
    departmentName: ds.text(T.InstitutionalDepartmentName),
    deviceSerialNumber: ds.text(T.DeviceSerialNumber),
    softwareVersions: ds.text(T.SoftwareVersions),
    gantryId: ds.text(T.GantryID),
  };
}
