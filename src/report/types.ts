// The DoseReport: one typed object for the dose record of a study, whatever the source
// (RDSR, Enhanced SR, image headers, vendor objects). Its JSON form is the contract of
// `openrem extract --json` and `openrem studies --json`.
//
// Every numeric key ends with its unit (MGy mGy, Gy Gy, MGyCm mGy·cm, Gym2 Gy·m², Mm mm,
// M m, M2 m², S s, Ms ms, Ma mA, UAs µAs, Deg degrees, Kg kg, N newton, ...); `kvp` is kV.
// Optional keys are absent or null when the source did not carry the value. Coded values
// are their code meaning; a `Code` suffix marks a code value.

export type Modality = 'CT' | 'RF' | 'DX' | 'MG' | 'NM';

/** Where the record came from; decides ingestion rules (merging, deletion after import). */
export type SourceKind = 'rdsr' | 'esr' | 'ct-philips-sc' | 'dx-image' | 'mg-image' | 'nm-image' | 'rrdsr';

export interface StudyInfo {
  studyInstanceUid: string;
  seriesInstanceUid?: string | null;
  studyId?: string | null;
  accessionNumber?: string | null;
  studyDate?: string | null;
  studyTime?: string | null;
  studyDescription?: string | null;
  requestedProcedure?: string | null;
  procedureCode?: string | null;
  referringPhysicianName?: string | null;
  performingPhysicianName?: string | null;
  nameOfPhysicianReadingStudy?: string | null;
  operatorName?: string | null;
  /** True when the accession number is stored as its SHA-256 hash. */
  accessionNumberHashed?: boolean;
}

export interface PatientInfo {
  name?: string | null;
  id?: string | null;
  birthDate?: string | null;
  sex?: string | null;
  /** DICOM AS as written, e.g. "067Y". */
  age?: string | null;
  ageYears?: number | null;
  heightM?: number | null;
  weightKg?: number | null;
  /** Which not-patient patterns matched ("IDs: … | Names: …"), null for a real patient. */
  notPatientIndicator?: string | null;
  nameHashed?: boolean;
  idHashed?: boolean;
}

export interface EquipmentInfo {
  manufacturer?: string | null;
  modelName?: string | null;
  stationName?: string | null;
  institutionName?: string | null;
  institutionAddress?: string | null;
  departmentName?: string | null;
  deviceSerialNumber?: string | null;
  softwareVersions?: string | null;
  gantryId?: string | null;
  deviceObserverUid?: string | null;
  /** Set by ingestion from the equipment table. */
  displayName?: string | null;
}

/** Study-level totals stored as columns so lists and charts never re-aggregate. */
export interface StudySummary {
  numberOfEvents?: number | null;
  numberOfAxial?: number | null;
  numberOfSpiral?: number | null;
  numberOfStationary?: number | null;
  numberOfConstAngle?: number | null;
  numberOfPlanes?: number | null;
  totalDlpMGyCm?: number | null;
  totalDapGym2?: number | null;
  totalDapAGym2?: number | null;
  totalDapBGym2?: number | null;
  totalRpDoseAGy?: number | null;
  totalRpDoseBGy?: number | null;
  totalAgdLeftMGy?: number | null;
  totalAgdRightMGy?: number | null;
  totalAgdBothMGy?: number | null;
  totalAdministeredActivityMBq?: number | null;
}

export interface ObserverContext {
  observerType?: string | null;
  personObserverName?: string | null;
  personObserverOrganizationName?: string | null;
  personObserverRoleInOrganization?: string | null;
  personObserverRoleInProcedure?: string | null;
  deviceObserverUid?: string | null;
  deviceObserverName?: string | null;
  deviceObserverManufacturer?: string | null;
  deviceObserverModelName?: string | null;
  deviceObserverSerialNumber?: string | null;
  deviceObserverPhysicalLocationDuringObservation?: string | null;
  deviceRoleInProcedure?: string | null;
  /** NM only: whether the observer is recorded before the administration. */
  radiopharmaceuticalAdministrationIsPreObserver?: boolean | null;
}

export interface DeviceParticipant {
  roleInProcedure?: string | null;
  name?: string | null;
  manufacturer?: string | null;
  modelName?: string | null;
  serialNumber?: string | null;
  observerUid?: string | null;
}

export interface PersonParticipant {
  personName?: string | null;
  personRoleInProcedure?: string | null;
  personId?: string | null;
  personIdIssuer?: string | null;
  organizationName?: string | null;
  personRoleInOrganization?: string | null;
}

// ---------------------------------------------------------------- CT (TID 10011)

export interface CtXraySource {
  identificationOfTheXraySource?: string | null;
  kvp?: number | null;
  maximumXrayTubeCurrentMa?: number | null;
  xrayTubeCurrentMa?: number | null;
  exposureTimePerRotationS?: number | null;
  xrayFilterAluminumEquivalentMm?: number | null;
}

/** TID 10015 CT Dose Check details of one event. */
export interface CtDoseCheck {
  dlpAlertValueConfigured?: boolean | null;
  ctdivolAlertValueConfigured?: boolean | null;
  dlpAlertValueMGyCm?: number | null;
  ctdivolAlertValueMGy?: number | null;
  accumulatedDlpForwardEstimateMGyCm?: number | null;
  accumulatedCtdivolForwardEstimateMGy?: number | null;
  alertReasonForProceeding?: string | null;
  alertPersonParticipant?: PersonParticipant | null;
  dlpNotificationValueConfigured?: boolean | null;
  ctdivolNotificationValueConfigured?: boolean | null;
  dlpNotificationValueMGyCm?: number | null;
  ctdivolNotificationValueMGy?: number | null;
  dlpForwardEstimateMGyCm?: number | null;
  ctdivolForwardEstimateMGy?: number | null;
  notificationReasonForProceeding?: string | null;
  notificationPersonParticipant?: PersonParticipant | null;
}

export interface CtEvent {
  acquisitionProtocol?: string | null;
  targetRegion?: string | null;
  acquisitionType?: string | null;
  procedureContext?: string | null;
  irradiationEventUid?: string | null;
  irradiationEventLabel?: string | null;
  exposureTimeS?: number | null;
  scanningLengthMm?: number | null;
  lengthOfReconstructableVolumeMm?: number | null;
  exposedRangeMm?: number | null;
  topZLocationOfReconstructableVolumeMm?: number | null;
  bottomZLocationOfReconstructableVolumeMm?: number | null;
  topZLocationOfScanningLengthMm?: number | null;
  bottomZLocationOfScanningLengthMm?: number | null;
  frameOfReferenceUid?: string | null;
  nominalSingleCollimationWidthMm?: number | null;
  nominalTotalCollimationWidthMm?: number | null;
  pitchFactor?: number | null;
  numberOfXraySources?: number | null;
  sources?: CtXraySource[];
  meanCtdiVolMGy?: number | null;
  ctdiwPhantomType?: string | null;
  ctdiFreeAirCalculationFactor?: number | null;
  meanCtdiFreeAirMGy?: number | null;
  dlpMGyCm?: number | null;
  effectiveDoseMSv?: number | null;
  sizeSpecificDoseEstimationMGy?: number | null;
  xrayModulationType?: string | null;
  comment?: string | null;
  dateTimeStarted?: string | null;
  deviceParticipant?: DeviceParticipant | null;
  personParticipants?: PersonParticipant[];
  doseCheck?: CtDoseCheck | null;
}

export interface CtDose {
  procedureReported?: string | null;
  hasIntent?: string | null;
  startOfXrayIrradiation?: string | null;
  endOfXrayIrradiation?: string | null;
  scopeOfAccumulation?: string | null;
  sourceOfDoseInformation?: string | null;
  comment?: string | null;
  observers?: ObserverContext[];
  /** Report-level participants, e.g. the person authorising the irradiation. */
  personParticipants?: PersonParticipant[];
  totalNumberOfIrradiationEvents?: number | null;
  totalDlpMGyCm?: number | null;
  totalEffectiveDoseMSv?: number | null;
  events: CtEvent[];
}

// ----------------------------------------------- projection X-ray (TID 10001/10003)

export interface XrayFilter {
  type?: string | null;
  material?: string | null;
  thicknessMinimumMm?: number | null;
  thicknessMaximumMm?: number | null;
}

export interface XrayGrid {
  grid: string | null;
  gridCode: string | null;
}

export interface MammographyAccumulated {
  laterality?: string | null;
  accumulatedAverageGlandularDoseMGy?: number | null;
}

export interface IntegratedProjection {
  doseAreaProductTotalGym2?: number | null;
  doseRpTotalGy?: number | null;
  totalNumberOfRadiographicFrames?: number | null;
  referencePointDefinition?: string | null;
}

/** Accumulated dose per plane (TID 10002), with mammography and CR/DR sub-templates. */
export interface ProjectionAccumulated {
  acquisitionPlane?: string | null;
  doseAreaProductTotalGym2?: number | null;
  doseRpTotalGy?: number | null;
  fluoroDoseAreaProductTotalGym2?: number | null;
  fluoroDoseRpTotalGy?: number | null;
  totalFluoroTimeS?: number | null;
  acquisitionDoseAreaProductTotalGym2?: number | null;
  acquisitionDoseRpTotalGy?: number | null;
  totalAcquisitionTimeS?: number | null;
  totalNumberOfRadiographicFrames?: number | null;
  referencePointDefinition?: string | null;
  referencePointDefinitionCode?: string | null;
  /** Running totals over the last weeks for the same patient (high-dose alerts). */
  doseAreaProductTotalOverDeltaWeeksGym2?: number | null;
  doseRpTotalOverDeltaWeeksGy?: number | null;
  mammography?: MammographyAccumulated[];
  integratedProjection?: IntegratedProjection | null;
}

export interface ProjectionEvent {
  acquisitionPlane?: string | null;
  irradiationEventUid?: string | null;
  irradiationEventType?: string | null;
  irradiationEventLabel?: string | null;
  dateTimeStarted?: string | null;
  acquisitionProtocol?: string | null;
  anatomicalStructure?: string | null;
  laterality?: string | null;
  viewPosition?: string | null;
  viewModifier?: string | null;
  targetRegion?: string | null;
  patientOrientation?: string | null;
  patientOrientationCode?: string | null;
  patientOrientationModifier?: string | null;
  patientTableRelationship?: string | null;
  patientTableRelationshipCode?: string | null;
  doseAreaProductGym2?: number | null;
  halfValueLayerMm?: number | null;
  entranceExposureAtRpMGy?: number | null;
  referencePointDefinition?: string | null;
  referencePointDefinitionCode?: string | null;
  breastComposition?: string | null;
  percentFibroglandularTissue?: number | null;
  comment?: string | null;
  // Source data (TID 10003b)
  doseRpGy?: number | null;
  averageGlandularDoseMGy?: number | null;
  fluoroMode?: string | null;
  pulseRateHz?: number | null;
  numberOfPulses?: number | null;
  derivation?: string | null;
  irradiationDurationS?: number | null;
  averageXrayTubeCurrentMa?: number | null;
  exposureTimeMs?: number | null;
  focalSpotSizeMm?: number | null;
  anodeTargetMaterial?: string | null;
  collimatedFieldAreaM2?: number | null;
  collimatedFieldHeightMm?: number | null;
  collimatedFieldWidthMm?: number | null;
  iiFieldSizeMm?: number | null;
  gridFocalDistanceMm?: number | null;
  kvp?: number | null;
  /** Per-pulse values when the source reports them. */
  kvps?: number[];
  xrayTubeCurrentMa?: number | null;
  xrayTubeCurrents?: number[];
  pulseWidthMs?: number | null;
  pulseWidths?: number[];
  exposureUAs?: number | null;
  exposures?: number[];
  filters?: XrayFilter[];
  grids?: XrayGrid[];
  // Mechanical data (TID 10003c)
  positionerPrimaryAngleDeg?: number | null;
  positionerSecondaryAngleDeg?: number | null;
  positionerPrimaryEndAngleDeg?: number | null;
  positionerSecondaryEndAngleDeg?: number | null;
  columnAngulationDeg?: number | null;
  tableHeadTiltAngleDeg?: number | null;
  tableHorizontalRotationAngleDeg?: number | null;
  tableCradleTiltAngleDeg?: number | null;
  compressionThicknessMm?: number | null;
  compressionForceN?: number | null;
  magnificationFactor?: number | null;
  crdrMechanicalConfiguration?: string | null;
  tableLongitudinalPositionMm?: number | null;
  tableLateralPositionMm?: number | null;
  tableHeightPositionMm?: number | null;
  tableLongitudinalIncrementMm?: number | null;
  tableLateralIncrementMm?: number | null;
  tableHeightIncrementMm?: number | null;
  // Distances
  distanceSourceToIsocenterMm?: number | null;
  distanceSourceToReferencePointMm?: number | null;
  distanceSourceToDetectorMm?: number | null;
  distanceSourceToEntranceSurfaceMm?: number | null;
  distanceSourceToTablePlaneMm?: number | null;
  tableHeightMm?: number | null;
  // Detector data (TID 10003a)
  exposureIndex?: number | null;
  targetExposureIndex?: number | null;
  deviationIndex?: number | null;
  relativeXrayExposure?: number | null;
  relativeExposureUnit?: string | null;
  sensitivity?: number | null;
  deviceParticipant?: DeviceParticipant | null;
  personParticipants?: PersonParticipant[];
}

export interface ProjectionDose {
  procedureReported?: string | null;
  hasIntent?: string | null;
  acquisitionDeviceType?: string | null;
  startOfXrayIrradiation?: string | null;
  endOfXrayIrradiation?: string | null;
  scopeOfAccumulation?: string | null;
  sourceOfDoseInformation?: string | null;
  xrayDetectorDataAvailable?: string | null;
  xraySourceDataAvailable?: string | null;
  xrayMechanicalDataAvailable?: string | null;
  comment?: string | null;
  observers?: ObserverContext[];
  accumulated: ProjectionAccumulated[];
  events: ProjectionEvent[];
}

// --------------------------------------------------- nuclear medicine (TID 10021)

export interface OrganDose {
  findingSite?: string | null;
  laterality?: string | null;
  organDoseMGy?: number | null;
  massG?: number | null;
  measurementMethod?: string | null;
  referenceAuthorityText?: string | null;
  referenceAuthority?: string | null;
}

export interface GlomerularFiltrationRate {
  glomerularFiltrationRateMlPerMinPer173M2?: number | null;
  measurementMethod?: string | null;
  equivalentMeaningOfConceptName?: string | null;
}

export interface NmPatientCharacteristics {
  subjectAgeYears?: number | null;
  subjectSex?: string | null;
  subjectSexCode?: string | null;
  patientHeightM?: number | null;
  patientWeightKg?: number | null;
  bodySurfaceAreaM2?: number | null;
  bodySurfaceAreaFormula?: string | null;
  bodySurfaceAreaFormulaCode?: string | null;
  bodyMassIndexKgPerM2?: number | null;
  equation?: string | null;
  equationCode?: string | null;
  glucoseMmolPerL?: number | null;
  fastingDurationH?: number | null;
  hydrationVolumeMl?: number | null;
  recentPhysicalActivity?: string | null;
  serumCreatinineMgPerDl?: number | null;
  patientState?: string | null;
  glomerularFiltrationRate?: GlomerularFiltrationRate | null;
}

export interface NmAdministration {
  radiopharmaceuticalAgent?: string | null;
  radiopharmaceuticalAgentString?: string | null;
  radionuclide?: string | null;
  radionuclideHalfLifeS?: number | null;
  radiopharmaceuticalSpecificActivityBqPerMmol?: number | null;
  radiopharmaceuticalAdministrationEventUid?: string | null;
  estimatedExtravasationActivityPercent?: number | null;
  intravenousExtravasationSymptoms?: { symptom: string | null }[];
  radiopharmaceuticalStartDatetime?: string | null;
  radiopharmaceuticalStopDatetime?: string | null;
  administeredActivityMBq?: number | null;
  effectiveDoseMSv?: number | null;
  radiopharmaceuticalVolumeCm3?: number | null;
  preAdministrationMeasuredActivityMBq?: number | null;
  preActivityMeasurementDevice?: string | null;
  postAdministrationMeasuredActivityMBq?: number | null;
  postActivityMeasurementDevice?: string | null;
  routeOfAdministration?: string | null;
  siteOf?: string | null;
  laterality?: string | null;
  brandName?: string | null;
  radiopharmaceuticalDispenseUnitIdentifier?: string | null;
  radiopharmaceuticalLotIdentifier?: string | null;
  reagentVialIdentifier?: string | null;
  radionuclideIdentifier?: string | null;
  prescriptionIdentifier?: string | null;
  drugProductIdentifier?: string | null;
  billingCode?: string | null;
  comment?: string | null;
  observers?: ObserverContext[];
  personParticipant?: PersonParticipant | null;
  organDoses?: OrganDose[];
}

export interface PetSeries {
  /** Identifies the series: images of a series already recorded add no second entry. */
  seriesInstanceUid?: string | null;
  seriesDatetime?: string | null;
  numberOfRrIntervals?: number | null;
  numberOfTimeSlots?: number | null;
  numberOfTimeSlices?: number | null;
  numberOfSlices?: number | null;
  reconstructionMethod?: string | null;
  coincidenceWindowWidthNs?: number | null;
  energyWindowLowerLimitKeV?: number | null;
  energyWindowUpperLimitKeV?: number | null;
  scanProgressionDirection?: string | null;
  corrections?: { correctedImage: string | null }[];
  seriesTypes?: { seriesType: string | null }[];
}

export interface NmDose {
  associatedProcedure?: string | null;
  hasIntent?: string | null;
  comment?: string | null;
  language?: { languageOfContentItemAndDescendants?: string | null; countryOfLanguage?: string | null } | null;
  observers?: ObserverContext[];
  administration?: NmAdministration | null;
  patientCharacteristics?: NmPatientCharacteristics | null;
  petSeries?: PetSeries[];
}

// ------------------------------------------------------------------- the report

export interface DoseReport {
  modality: Modality;
  /** What kind of object this report was read from. */
  sourceKind: SourceKind;
  /** SOP Instance UID of the object (also listed in objectUidsProcessed once stored). */
  sopInstanceUid: string;
  study: StudyInfo;
  patient: PatientInfo;
  equipment: EquipmentInfo;
  summary: StudySummary;
  ct?: CtDose | null;
  projection?: ProjectionDose | null;
  nm?: NmDose | null;
  objectUidsProcessed: string[];
  /** Non-fatal problems met while reading (unit corrections, missing items), one line each. */
  warnings?: string[];
}
