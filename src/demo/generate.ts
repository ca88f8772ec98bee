// Made-up studies for the demo database and the benchmarks: DoseReports as extraction would
// produce them from the dose objects of real systems, with plausible patients, protocols and
// dose distributions. Study `index` of a seed is always the same study.
import type { CtEvent, CtXraySource, DoseReport, Modality, PatientInfo, ProjectionAccumulated, ProjectionEvent, StudyInfo } from '../report/types.js';
import {
  CT_PROTOCOLS,
  DX_PROTOCOLS,
  FIRST_NAMES_F,
  FIRST_NAMES_M,
  LAST_NAMES,
  MG_PROTOCOLS,
  MODALITY_MIX,
  NM_PROTOCOLS,
  REFERRERS,
  RF_PROTOCOLS,
  SYSTEMS,
  type CtScan,
  type DemoSystem,
} from './catalogue.js';
import { clamp, Random, sig } from './random.js';

export interface DemoOptions {
  seed: number;
  /** Studies are dated from `days` days before `today` up to `today`. */
  today: Date;
  days: number;
}

/** Share of studies that are QA and test exposures rather than patients. */
const NOT_PATIENT_SHARE = 0.004;

const SYSTEMS_BY_MODALITY = new Map<Modality, DemoSystem[]>(MODALITY_MIX.map((m) => [m.modality, SYSTEMS.filter((s) => s.modality === m.modality)]));

interface Patient {
  info: PatientInfo;
  /** Always known to the generator (doses scale with it), recorded only sometimes. */
  weightKg: number;
  child: boolean;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function isoDate(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function studyUid(seed: number, index: number): string {
  // A UUID-derived OID (2.25 arc): a plain number, unique per seed and index.
  return `2.25.${10n ** 30n + BigInt(seed) * 10n ** 15n + BigInt(index)}`;
}

function studyDateTime(rng: Random, opts: DemoOptions, modality: Modality): { date: string; time: string; at: Date } {
  let day: Date;
  for (;;) {
    day = new Date(opts.today.getFullYear(), opts.today.getMonth(), opts.today.getDate() - rng.int(0, opts.days - 1));
    const weekend = day.getDay() === 0 || day.getDay() === 6;
    // Out-patient work stops at weekends; CT and RF keep an emergency service.
    if (!weekend || rng.chance(modality === 'CT' || modality === 'RF' ? 0.45 : 0.1)) break;
  }
  const emergency = (modality === 'CT' || modality === 'DX') && rng.chance(0.12);
  const secs = emergency ? rng.int(0, 86399) : rng.int(8 * 3600, 18 * 3600 - 1);
  const at = new Date(day.getFullYear(), day.getMonth(), day.getDate(), 0, 0, secs);
  return { date: isoDate(at), time: `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`, at };
}

function dicomDateTime(d: Date): string {
  return `${isoDate(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function makePatient(rng: Random, modality: Modality, system: DemoSystem, date: string): Patient {
  const paediatric = system.institutionName === "Children's Hospital";
  const roll = rng.next();
  const sex = modality === 'MG' ? 'F' : roll < 0.49 ? 'F' : roll < 0.98 ? 'M' : roll < 0.99 ? 'O' : null;
  const meanAge = { CT: 62, RF: 64, DX: 52, MG: 58, NM: 63 }[modality];
  const sdAge = { CT: 18, RF: 14, DX: 24, MG: 8, NM: 13 }[modality];
  const ageYears = paediatric ? rng.int(0, 16) : Math.round(clamp(rng.normal(meanAge, sdAge), modality === 'MG' ? 40 : 1, 99));
  const child = ageYears < 16;
  const adultHeight = sex === 'M' ? rng.normal(1.76, 0.07) : rng.normal(1.63, 0.065);
  const heightM = child ? clamp(0.75 + ageYears * 0.06, 0.5, adultHeight) : adultHeight;
  const weightKg = child ? clamp(rng.logNormal(8 + ageYears * 3.2, 1.15), 3, 120) : clamp(rng.logNormal(sex === 'M' ? 84 : 71, 1.2), 38, 220);
  const first = sex === 'M' ? rng.pick(FIRST_NAMES_M) : rng.pick(FIRST_NAMES_F);
  const birthYear = Number(date.slice(0, 4)) - ageYears - (rng.chance(0.5) ? 1 : 0);
  return {
    child,
    weightKg,
    info: {
      name: `${rng.pick(LAST_NAMES)}^${first}`,
      id: `${system.institutionName!.replace(/[^A-Z]/g, '')}${rng.int(1000000, 9999999)}`,
      birthDate: `${birthYear}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}`,
      sex,
      age: `${pad(ageYears, 3)}Y`,
      ageYears,
      heightM: rng.chance(0.45) ? sig(heightM, 3) : null,
      weightKg: rng.chance(0.55) ? Math.round(weightKg) : null,
    },
  };
}

function qaPatient(rng: Random, date: string): Patient {
  return {
    child: false,
    weightKg: 75,
    info: { name: rng.pick(['PHYSICS^QA', 'QA^PHANTOM', 'Physics^Test']), id: `QA${date.replace(/-/g, '')}${rng.int(10, 99)}`, birthDate: null, sex: 'O', age: null, ageYears: null, heightM: null, weightKg: null },
  };
}

// ------------------------------------------------------------------------------ CT

function ctSource(rng: Random, id: string, kvp: number, ctdi: number): CtXraySource {
  const ma = Math.round(clamp(ctdi * rng.normal(18, 3), 20, 800));
  return { identificationOfTheXraySource: id, kvp, maximumXrayTubeCurrentMa: Math.round(ma * 1.4), xrayTubeCurrentMa: ma, exposureTimePerRotationS: rng.pick([0.28, 0.33, 0.5, 0.8]) };
}

function ctEvent(rng: Random, scan: CtScan, system: DemoSystem, uid: string, at: Date, sizeFactor: number, dual: boolean): CtEvent {
  const ctdi = sig(rng.logNormal(scan.ctdiVolMGy, scan.gsd) * (scan.head ? 1 : sizeFactor), 3);
  const length = Math.round(scan.lengthMm * clamp(rng.normal(1, 0.12), 0.5, 1.6) * (sizeFactor < 0.8 ? 0.7 : 1));
  const dlp = sig((ctdi * length) / 10, 4);
  const sources = dual ? [ctSource(rng, 'A', scan.kvp, ctdi / 2), ctSource(rng, 'B', scan.kvp === 120 ? 140 : 100, ctdi / 2)] : [ctSource(rng, 'A', scan.kvp, ctdi)];
  return {
    acquisitionProtocol: scan.name,
    targetRegion: scan.region,
    acquisitionType: scan.type,
    irradiationEventUid: uid,
    exposureTimeS: sig(length / 40, 3),
    scanningLengthMm: length,
    nominalSingleCollimationWidthMm: 0.6,
    nominalTotalCollimationWidthMm: scan.type === 'Spiral Acquisition' ? 38.4 : 19.2,
    pitchFactor: scan.type === 'Spiral Acquisition' ? sig(rng.pick([0.6, 0.8, 0.984, 1.2, 3.2]), 3) : null,
    numberOfXraySources: sources.length,
    sources,
    meanCtdiVolMGy: ctdi,
    ctdiwPhantomType: scan.head ? 'IEC Head Dosimetry Phantom' : 'IEC Body Dosimetry Phantom',
    dlpMGyCm: dlp,
    xrayModulationType: scan.type === 'Spiral Acquisition' ? 'XYZ_EC' : null,
    dateTimeStarted: dicomDateTime(at),
    deviceParticipant: { roleInProcedure: 'Irradiating Device', manufacturer: system.manufacturer ?? null, modelName: system.modelName ?? null, serialNumber: system.deviceSerialNumber ?? null, observerUid: system.deviceObserverUid ?? null },
  };
}

function ctDose(rng: Random, system: DemoSystem, uid: string, at: Date, patient: Patient): { description: string; code: string; ct: NonNullable<DoseReport['ct']> } {
  const protocol = rng.weighted(CT_PROTOCOLS);
  const sizeFactor = patient.child ? 0.45 : clamp(Math.pow(patient.weightKg / 75, 0.8), 0.6, 2.2);
  const head = protocol.scans.every((s) => s.head);
  const events: CtEvent[] = [];
  let t = at.getTime();
  const next = (scan: CtScan, dual: boolean) => {
    events.push(ctEvent(rng, scan, system, `${uid}.3.${events.length + 1}`, new Date(t), sizeFactor, dual));
    t += rng.int(15, 90) * 1000;
  };
  next({ name: system.localizer ?? 'Localizer', type: 'Constant Angle Acquisition', region: head ? 'Head' : 'Chest', ctdiVolMGy: 0.12, gsd: 1.3, lengthMm: head ? 250 : 520, kvp: 120, head }, false);
  if (rng.chance(0.2)) next({ name: `${system.localizer ?? 'Localizer'} lateral`, type: 'Constant Angle Acquisition', region: head ? 'Head' : 'Chest', ctdiVolMGy: 0.1, gsd: 1.3, lengthMm: head ? 250 : 520, kvp: 120, head }, false);
  for (const scan of protocol.scans) {
    if (scan.p !== undefined && !rng.chance(scan.p)) continue;
    const times = scan.repeat ? rng.int(2, scan.repeat) : 1;
    // Dual-source units scan hearts and fast body protocols with both tubes.
    const dual = !!system.twin && (scan.region === 'Heart' || (scan.type === 'Spiral Acquisition' && rng.chance(0.3)));
    for (let i = 0; i < times; i++) next(scan, dual);
  }
  const totalDlp = sig(
    events.reduce((s, e) => s + (e.dlpMGyCm ?? 0), 0),
    5,
  );
  return {
    description: protocol.description,
    code: protocol.code,
    ct: {
      procedureReported: 'Computed Tomography X-Ray',
      hasIntent: 'Diagnostic Intent',
      startOfXrayIrradiation: dicomDateTime(at),
      endOfXrayIrradiation: dicomDateTime(new Date(t)),
      scopeOfAccumulation: 'Study',
      sourceOfDoseInformation: 'Automated Data Collection',
      totalNumberOfIrradiationEvents: events.length,
      totalDlpMGyCm: totalDlp,
      events,
    },
  };
}

// ------------------------------------------------------------------- projection X-ray

function splitShares(rng: Random, n: number): number[] {
  const raw = Array.from({ length: n }, () => 0.2 + rng.next());
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((r) => r / total);
}

function rfDose(rng: Random, system: DemoSystem, uid: string, at: Date, patient: Patient): { description: string; code: string; projection: NonNullable<DoseReport['projection']> } {
  const candidates = RF_PROTOCOLS.filter((p) => p.roles.includes(system.role ?? 'fluoroscopy'));
  const protocol = rng.weighted(candidates);
  const biplane = !!system.twin && protocol.roles.includes('cardiac');
  const totalDap = rng.logNormal(protocol.dapGym2, protocol.gsd) * (patient.child ? 0.3 : clamp(patient.weightKg / 75, 0.6, 1.8));
  const nFluoro = rng.int(...protocol.fluoro);
  const nAcq = rng.int(...protocol.acquisitions);
  const fluoroShares = splitShares(rng, nFluoro).map((s) => s * 0.45);
  const acqShares = splitShares(rng, nAcq).map((s) => s * (nFluoro ? 0.55 : 1));
  const events: ProjectionEvent[] = [];
  let t = at.getTime();
  const kinds = [...fluoroShares.map((s) => ['Fluoroscopy', s] as const), ...acqShares.map((s) => ['Stationary Acquisition', s] as const)];
  // Fluoroscopy and acquisitions interleave as a procedure goes.
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  for (const [type, share] of kinds) {
    const plane = biplane ? (rng.chance(0.6) ? 'Plane A' : 'Plane B') : 'Single Plane';
    const dap = sig(totalDap * share, 4);
    const fluoro = type === 'Fluoroscopy';
    const duration = fluoro ? sig(rng.logNormal(40, 2), 3) : sig(rng.logNormal(4, 1.6), 3);
    const pulseRate = Number(/(\d+(\.\d+)?) [pf]\/s/.exec(fluoro ? protocol.fluoroProtocol : protocol.acquisitionProtocol)?.[1] ?? 1);
    events.push({
      acquisitionPlane: plane,
      irradiationEventUid: `${uid}.3.${events.length + 1}`,
      irradiationEventType: type,
      dateTimeStarted: dicomDateTime(new Date(t)),
      acquisitionProtocol: fluoro ? protocol.fluoroProtocol : protocol.acquisitionProtocol,
      targetRegion: protocol.roles.includes('cardiac') ? 'Chest' : protocol.description === 'Hip pinning' ? 'Pelvis' : 'Abdomen',
      doseAreaProductGym2: dap,
      doseRpGy: sig(dap * protocol.rpPerDap * clamp(rng.normal(1, 0.15), 0.5, 1.5), 4),
      referencePointDefinition: '15cm from Isocenter toward Source',
      fluoroMode: fluoro ? 'Pulsed' : null,
      pulseRateHz: pulseRate,
      numberOfPulses: Math.max(1, Math.round(duration * pulseRate)),
      irradiationDurationS: duration,
      kvp: Math.round(clamp(rng.normal(patient.child ? 65 : 78, 6), 55, 110)),
      xrayTubeCurrentMa: sig(fluoro ? rng.logNormal(12, 1.5) : rng.logNormal(350, 1.4), 3),
      pulseWidthMs: fluoro ? 6.4 : 7.5,
      focalSpotSizeMm: fluoro ? 0.6 : 1,
      positionerPrimaryAngleDeg: Math.round(rng.normal(0, 30)),
      positionerSecondaryAngleDeg: Math.round(rng.normal(0, 15)),
      distanceSourceToDetectorMm: Math.round(rng.normal(1050, 60)),
      distanceSourceToIsocenterMm: 785,
    });
    t += Math.round(duration * 1000) + rng.int(20, 200) * 1000;
  }
  const planes = biplane ? (['Plane A', 'Plane B'] as const) : (['Single Plane'] as const);
  const accumulated: ProjectionAccumulated[] = planes.map((plane) => {
    const mine = events.filter((e) => e.acquisitionPlane === plane);
    const sum = (list: ProjectionEvent[], key: 'doseAreaProductGym2' | 'doseRpGy') => sig(list.reduce((s, e) => s + (e[key] ?? 0), 0), 5);
    const fl = mine.filter((e) => e.irradiationEventType === 'Fluoroscopy');
    const acq = mine.filter((e) => e.irradiationEventType !== 'Fluoroscopy');
    return {
      acquisitionPlane: plane,
      doseAreaProductTotalGym2: sum(mine, 'doseAreaProductGym2'),
      doseRpTotalGy: sum(mine, 'doseRpGy'),
      fluoroDoseAreaProductTotalGym2: sum(fl, 'doseAreaProductGym2'),
      fluoroDoseRpTotalGy: sum(fl, 'doseRpGy'),
      totalFluoroTimeS: sig(fl.reduce((s, e) => s + (e.irradiationDurationS ?? 0), 0), 4),
      acquisitionDoseAreaProductTotalGym2: sum(acq, 'doseAreaProductGym2'),
      acquisitionDoseRpTotalGy: sum(acq, 'doseRpGy'),
      totalAcquisitionTimeS: sig(acq.reduce((s, e) => s + (e.irradiationDurationS ?? 0), 0), 4),
      totalNumberOfRadiographicFrames: acq.reduce((s, e) => s + (e.numberOfPulses ?? 0), 0),
      referencePointDefinition: '15cm from Isocenter toward Source',
    };
  });
  return {
    description: protocol.description,
    code: protocol.code,
    projection: {
      procedureReported: 'Projection X-Ray',
      hasIntent: protocol.roles.includes('cardiac') || protocol.roles.includes('interventional') ? 'Combined Diagnostic and Therapeutic Procedure' : 'Diagnostic Intent',
      acquisitionDeviceType: system.role === 'theatre' ? 'Cassette-less mobile Projection Radiography System' : 'Integrated Projection Radiography System',
      scopeOfAccumulation: 'Study',
      sourceOfDoseInformation: 'Automated Data Collection',
      accumulated,
      events,
    },
  };
}

function dxDose(rng: Random, system: DemoSystem, uid: string, at: Date, patient: Patient): { description: string; code: string; projection: NonNullable<DoseReport['projection']> } {
  const candidates = DX_PROTOCOLS.filter((p) => (p.models ? p.models.includes(system.modelName ?? '') : system.modelName !== 'ProMax 2D'));
  const protocol = rng.weighted(candidates);
  const cr = system.modelName?.startsWith('FCR') ?? false;
  const size = patient.child ? 0.3 : clamp(patient.weightKg / 75, 0.6, 1.8);
  const events: ProjectionEvent[] = protocol.views.map((v, i) => {
    // Computed radiography readers often do not know the DAP.
    const dap = cr && rng.chance(0.5) ? null : sig((rng.logNormal(protocol.dapGym2, protocol.gsd) * size) / protocol.views.length, 4);
    const kvp = Math.round(protocol.kvp + rng.normal(0, 3));
    const ms = sig(rng.logNormal(12, 1.6), 3);
    const ma = sig(rng.logNormal(320, 1.3), 3);
    const ei = Math.round(rng.normal(400, 70));
    return {
      acquisitionPlane: 'Single Plane',
      irradiationEventUid: `${uid}.3.${i + 1}`,
      irradiationEventType: 'Stationary Acquisition',
      dateTimeStarted: dicomDateTime(new Date(at.getTime() + i * 45_000)),
      acquisitionProtocol: v.protocol,
      targetRegion: v.region,
      viewPosition: v.view,
      doseAreaProductGym2: dap,
      kvp,
      xrayTubeCurrentMa: ma,
      exposureTimeMs: ms,
      exposureUAs: Math.round(ma * ms),
      exposureIndex: ei,
      targetExposureIndex: 400,
      deviationIndex: sig(10 * Math.log10(ei / 400), 3),
      distanceSourceToDetectorMm: v.region === 'Chest' ? 1800 : 1150,
      collimatedFieldAreaM2: sig(rng.logNormal(v.region === 'Chest' ? 0.12 : 0.05, 1.3), 3),
    };
  });
  const daps = events.map((e) => e.doseAreaProductGym2).filter((d): d is number => d !== null && d !== undefined);
  return {
    description: protocol.description,
    code: protocol.code,
    projection: {
      procedureReported: 'Projection X-Ray',
      hasIntent: 'Diagnostic Intent',
      scopeOfAccumulation: 'Study',
      sourceOfDoseInformation: system.sourceKind === 'rdsr' ? 'Automated Data Collection' : 'Copied From Image Attributes',
      accumulated: [
        {
          acquisitionPlane: 'Single Plane',
          doseAreaProductTotalGym2: daps.length ? sig(daps.reduce((a, b) => a + b, 0), 5) : null,
          totalNumberOfRadiographicFrames: events.length,
        },
      ],
      events,
    },
  };
}

function mgDose(rng: Random, system: DemoSystem, uid: string, at: Date): { description: string; code: string; projection: NonNullable<DoseReport['projection']> } {
  const protocol = rng.weighted(MG_PROTOCOLS);
  const both = ['Right', 'Left'] as const;
  const views: { side: 'Left' | 'Right'; view: string }[] = [];
  const sides = protocol.views === 'diagnostic' && rng.chance(0.6) ? [rng.pick(both)] : both;
  for (const side of sides) {
    views.push({ side, view: 'cranio-caudal' });
    views.push({ side, view: 'medio-lateral oblique' });
    if (protocol.views === 'diagnostic' && rng.chance(0.3)) views.push({ side, view: 'medio-lateral' });
  }
  const tomo = protocol.views === 'tomosynthesis';
  const breastThickness = clamp(rng.normal(56, 13), 18, 110);
  const events: ProjectionEvent[] = views.map((v, i) => {
    const thickness = Math.round(clamp(breastThickness + (v.view === 'cranio-caudal' ? 0 : 5) + rng.normal(0, 3), 15, 120));
    const agd = sig((0.55 + 0.018 * thickness) * rng.logNormal(1, 1.15) * (tomo ? 1.4 : 1), 3);
    return {
      acquisitionPlane: 'Single Plane',
      irradiationEventUid: `${uid}.3.${i + 1}`,
      irradiationEventType: 'Stationary Acquisition',
      dateTimeStarted: dicomDateTime(new Date(at.getTime() + i * 60_000)),
      acquisitionProtocol: tomo ? 'Tomo Standard' : rng.chance(0.9) ? 'Routine' : 'Implant',
      anatomicalStructure: 'Breast',
      laterality: v.side,
      viewPosition: v.view,
      targetRegion: 'Breast',
      averageGlandularDoseMGy: agd,
      entranceExposureAtRpMGy: sig(agd * (2.2 + thickness / 40), 3),
      kvp: Math.round(clamp(24 + thickness / 8, 24, 39)),
      exposureUAs: Math.round(rng.logNormal(90000, 1.3)),
      anodeTargetMaterial: 'Tungsten or Tungsten compound',
      compressionThicknessMm: thickness,
      compressionForceN: Math.round(clamp(rng.normal(105, 25), 40, 200)),
      positionerPrimaryAngleDeg: v.view === 'cranio-caudal' ? 0 : v.side === 'Left' ? 45 : -45,
      crdrMechanicalConfiguration: 'Upright Stand Mount',
    };
  });
  const sumSide = (side: 'Left' | 'Right') => sig(events.filter((e) => e.laterality === side).reduce((s, e) => s + (e.averageGlandularDoseMGy ?? 0), 0), 4);
  return {
    description: protocol.description,
    code: protocol.code,
    projection: {
      procedureReported: 'Mammography',
      hasIntent: protocol.views === 'screening' ? 'Screening Intent' : 'Diagnostic Intent',
      scopeOfAccumulation: 'Study',
      sourceOfDoseInformation: system.sourceKind === 'rdsr' ? 'Automated Data Collection' : 'Copied From Image Attributes',
      accumulated: [{ acquisitionPlane: 'Single Plane', mammography: sides.map((side) => ({ laterality: `${side} breast`, accumulatedAverageGlandularDoseMGy: sumSide(side) })) }],
      events,
    },
  };
}

function nmDose(rng: Random, uid: string, at: Date, patient: Patient): { description: string; code: string; nm: NonNullable<DoseReport['nm']> } {
  const protocol = rng.weighted(NM_PROTOCOLS);
  const activity = sig(protocol.perKgMBq ? clamp(patient.weightKg * protocol.perKgMBq * rng.normal(1, 0.08), 80, 450) : rng.logNormal(protocol.activityMBq!, 1.1) * (patient.child ? 0.3 : 1), 4);
  return {
    description: protocol.description,
    code: protocol.code,
    nm: {
      associatedProcedure: protocol.pet ? 'PET study for localization' : 'Nuclear medicine imaging procedure',
      hasIntent: 'Diagnostic Intent',
      administration: {
        radiopharmaceuticalAgent: protocol.agent,
        radionuclide: protocol.radionuclide,
        radionuclideHalfLifeS: protocol.halfLifeS,
        radiopharmaceuticalAdministrationEventUid: `${uid}.3.1`,
        radiopharmaceuticalStartDatetime: dicomDateTime(new Date(at.getTime() - (protocol.pet ? 60 : 180) * 60_000)),
        administeredActivityMBq: activity,
        effectiveDoseMSv: sig(activity * protocol.mSvPerMBq, 3),
        routeOfAdministration: 'Intravenous route',
      },
      patientCharacteristics: {
        subjectAgeYears: patient.info.ageYears ?? null,
        subjectSex: patient.info.sex === 'F' ? 'Female' : patient.info.sex === 'M' ? 'Male' : null,
        patientHeightM: patient.info.heightM ?? null,
        patientWeightKg: patient.info.weightKg ?? null,
      },
    },
  };
}

/** Study number `index` of the demo data set with this seed, as extraction would report it. */
export function generateReport(index: number, opts: DemoOptions): DoseReport {
  const rng = new Random(opts.seed * 1_000_003 + index * 7_919 + 17);
  const modality = rng.weighted(MODALITY_MIX).modality;
  const system = rng.weighted(SYSTEMS_BY_MODALITY.get(modality)!);
  const when = studyDateTime(rng, opts, modality);
  const qa = rng.chance(NOT_PATIENT_SHARE);
  const patient = qa ? qaPatient(rng, when.date) : makePatient(rng, modality, system, when.date);
  const uid = studyUid(opts.seed, index);
  const equipment = {
    manufacturer: system.manufacturer ?? null,
    modelName: system.modelName ?? null,
    stationName: system.stationName ?? null,
    institutionName: system.institutionName ?? null,
    institutionAddress: system.institutionAddress ?? null,
    departmentName: system.departmentName ?? null,
    deviceSerialNumber: system.deviceSerialNumber ?? null,
    softwareVersions: system.softwareVersions ?? null,
    deviceObserverUid: system.sourceKind === 'rdsr' || system.sourceKind === 'rrdsr' ? (system.deviceObserverUid ?? null) : null,
  };
  const report: DoseReport = {
    modality,
    sourceKind: system.sourceKind,
    sopInstanceUid: `${uid}.2.1`,
    study: { studyInstanceUid: uid },
    patient: patient.info,
    equipment,
    summary: {},
    objectUidsProcessed: [],
  };
  let description: string;
  let code: string;
  if (modality === 'CT') ({ description, code, ct: report.ct } = ctDose(rng, system, uid, when.at, patient));
  else if (modality === 'RF') ({ description, code, projection: report.projection } = rfDose(rng, system, uid, when.at, patient));
  else if (modality === 'DX') ({ description, code, projection: report.projection } = dxDose(rng, system, uid, when.at, patient));
  else if (modality === 'MG') ({ description, code, projection: report.projection } = mgDose(rng, system, uid, when.at));
  else ({ description, code, nm: report.nm } = nmDose(rng, uid, when.at, patient));
  const study: StudyInfo = {
    studyInstanceUid: uid,
    seriesInstanceUid: `${uid}.1`,
    studyId: String(rng.int(1000, 99999)),
    accessionNumber: rng.chance(0.95) ? `${system.institutionName!.replace(/[^A-Z]/g, '')}${rng.int(10_000_000, 99_999_999)}` : null,
    studyDate: when.date,
    studyTime: when.time,
    studyDescription: qa ? `QA ${description}` : description,
    requestedProcedure: qa ? null : rng.chance(0.85) ? description : `${description} ${rng.pick(['with contrast', 'urgent', 'follow-up'])}`,
    procedureCode: qa ? null : code,
    referringPhysicianName: qa ? null : rng.pick(REFERRERS),
    operatorName: `${rng.pick(LAST_NAMES)}^${rng.pick([...FIRST_NAMES_F, ...FIRST_NAMES_M])}`,
  };
  report.study = study;
  return report;
}
