// Coded concepts the extractors look for in SR content trees. Each lists its code values
// (DCM, SRT and the newer SCT where they differ) and its meaning, so items coded by vendors
// with another scheme still match. Add a concept here once; every extractor shares it.
import type { Concept } from '../dicom/sr.js';

function c(meaning: string, codes: string[], altMeanings?: string[]): Concept {
  return altMeanings ? { meaning, codes, altMeanings } : { meaning, codes };
}

export const C = {
  // Document titles
  XRayRadiationDoseReport: c('X-Ray Radiation Dose Report', ['113701']),
  RadiopharmaceuticalRadiationDoseReport: c('Radiopharmaceutical Radiation Dose Report', ['113500']),

  // Document-level context (TID 10001 / 10011 / 10021)
  ProcedureReported: c('Procedure reported', ['121058']),
  HasIntent: c('Has Intent', ['G-C0E8', '363703001']),
  ScopeOfAccumulation: c('Scope of Accumulation', ['113705']),
  SourceOfDoseInformation: c('Source of Dose Information', ['113854']),
  StartOfXrayIrradiation: c('Start of X-Ray Irradiation', ['113809']),
  EndOfXrayIrradiation: c('End of X-Ray Irradiation', ['113810']),
  Comment: c('Comment', ['121106']),
  StudyInstanceUID: c('Study Instance UID', ['110180']),

  // Observer context (TID 1002 / 1004 / 1003)
  ObserverType: c('Observer Type', ['121005']),
  PersonObserverName: c('Person Observer Name', ['121008']),
  PersonObserverOrganizationName: c("Person Observer's Organization Name", ['121009']),
  PersonObserverRoleInOrganization: c("Person Observer's Role in the Organization", ['121010']),
  PersonObserverRoleInProcedure: c("Person Observer's Role in this Procedure", ['121011']),
  DeviceObserverUID: c('Device Observer UID', ['121012']),
  DeviceObserverName: c('Device Observer Name', ['121013']),
  DeviceObserverManufacturer: c('Device Observer Manufacturer', ['121014']),
  DeviceObserverModelName: c('Device Observer Model Name', ['121015']),
  DeviceObserverSerialNumber: c('Device Observer Serial Number', ['121016']),
  DeviceObserverPhysicalLocation: c('Device Observer Physical Location during observation', ['121017']),
  DeviceRoleInProcedure: c('Device Role in Procedure', ['113876']),

  // Participants (TID 1020 / 1021)
  PersonName: c('Person Name', ['113870']),
  PersonID: c('Person ID', ['113871']),
  PersonIDIssuer: c('Person ID Issuer', ['113872']),
  OrganizationName: c('Organization Name', ['113873']),
  PersonRoleInOrganization: c('Person Role in Organization', ['113874']),
  PersonRoleInProcedure: c('Person Role in Procedure', ['113875']),
  DeviceName: c('Device Name', ['113877']),
  DeviceManufacturer: c('Device Manufacturer', ['113878']),
  DeviceModelName: c('Device Model Name', ['113879']),
  DeviceSerialNumber: c('Device Serial Number', ['113880']),

  // Events shared by CT and projection X-ray
  IrradiationEventUID: c('Irradiation Event UID', ['113769']),
  IrradiationEventLabel: c('Irradiation Event Label', ['113605']),
  AcquisitionProtocol: c('Acquisition Protocol', ['125203']),
  TargetRegion: c('Target Region', ['123014']),
  DateTimeStarted: c('DateTime Started', ['111526']),
  ExposureTime: c('Exposure Time', ['113824']),
  KVP: c('KVP', ['113733']),
  XrayTubeCurrent: c('X-Ray Tube Current', ['113734']),
} as const;
