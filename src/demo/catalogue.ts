// What the demo hospitals own and what they do with it: systems of the usual vendors and, per
// modality, protocols with typical doses (medians and spreads of published audit figures, in
// the units of the DoseReport). Made up, but shaped like a real service.
import type { EquipmentInfo, Modality, SourceKind } from '../report/types.js';

export interface DemoSystem extends EquipmentInfo {
  modality: Modality;
  /** Share of the modality's studies done here. */
  weight: number;
  sourceKind: SourceKind;
  /** CT: two tubes (dual source); RF: two planes (bi-plane). */
  twin?: boolean;
  /** Name of the localising scan on this vendor's CT. */
  localizer?: string;
  /** RF: what the room is used for (protocols name the roles they are done in). */
  role?: RfRole;
}

export type RfRole = 'cardiac' | 'interventional' | 'fluoroscopy' | 'theatre';

const INSTITUTIONS = [
  { institutionName: 'Royal Infirmary', departmentName: 'Radiology', institutionAddress: '1 Infirmary Road' },
  { institutionName: "St Mary's Hospital", departmentName: 'Imaging', institutionAddress: '12 Church Lane' },
  { institutionName: 'Northgate Community Hospital', departmentName: 'X-ray', institutionAddress: '3 North Gate' },
  { institutionName: "Children's Hospital", departmentName: 'Paediatric Radiology', institutionAddress: '40 Park Avenue' },
] as const;

type Site = (typeof INSTITUTIONS)[number];

function system(site: Site, station: string, s: Omit<DemoSystem, keyof Site | 'stationName' | 'deviceObserverUid'>, serial: string): DemoSystem {
  return { ...site, stationName: station, deviceSerialNumber: serial, deviceObserverUid: `2.25.${BigInt(serial) * 1000000000000007n}`, ...s };
}

const [ROYAL, STMARY, NORTH, CHILD] = INSTITUTIONS;

export const SYSTEMS: readonly DemoSystem[] = [
  // CT
  system(ROYAL, 'CT1', { modality: 'CT', weight: 5, sourceKind: 'rdsr', manufacturer: 'Siemens', modelName: 'SOMATOM Force', softwareVersions: 'syngo CT VB20A', twin: true, localizer: 'Topogram' }, '75001'),
  system(ROYAL, 'CT2', { modality: 'CT', weight: 4, sourceKind: 'rdsr', manufacturer: 'GE MEDICAL SYSTEMS', modelName: 'Revolution CT', softwareVersions: 'revo_ct_22', localizer: 'Scout' }, '75002'),
  system(STMARY, 'CTSCAN1', { modality: 'CT', weight: 4, sourceKind: 'rdsr', manufacturer: 'Canon Medical Systems', modelName: 'Aquilion ONE', softwareVersions: 'V10.4', localizer: 'Scanogram' }, '75003'),
  system(STMARY, 'CTSCAN2', { modality: 'CT', weight: 3, sourceKind: 'rdsr', manufacturer: 'Philips', modelName: 'IQon Spectral CT', softwareVersions: '4.7.6', localizer: 'Surview' }, '75004'),
  system(NORTH, 'NGCT', { modality: 'CT', weight: 2, sourceKind: 'rdsr', manufacturer: 'Siemens', modelName: 'SOMATOM Definition Flash', softwareVersions: 'syngo CT VA48A', twin: true, localizer: 'Topogram' }, '75005'),
  system(CHILD, 'PAEDCT', { modality: 'CT', weight: 1, sourceKind: 'rdsr', manufacturer: 'Siemens', modelName: 'SOMATOM go.Top', softwareVersions: 'syngo CT VA30', localizer: 'Topogram' }, '75006'),
  // Fluoroscopy and interventional
  system(ROYAL, 'CATHLAB1', { modality: 'RF', weight: 3, sourceKind: 'rdsr', manufacturer: 'Siemens', modelName: 'Artis zee', softwareVersions: 'VD11', twin: true, role: 'cardiac' }, '76001'),
  system(ROYAL, 'IR1', { modality: 'RF', weight: 2, sourceKind: 'rdsr', manufacturer: 'Philips', modelName: 'Azurion 7 B20/15', softwareVersions: '2.1', twin: true, role: 'interventional' }, '76002'),
  system(ROYAL, 'FLUORO1', { modality: 'RF', weight: 3, sourceKind: 'rdsr', manufacturer: 'Canon Medical Systems', modelName: 'Ultimax-i', softwareVersions: 'V6.30', role: 'fluoroscopy' }, '76003'),
  system(STMARY, 'THEATRE C-ARM', { modality: 'RF', weight: 2, sourceKind: 'rdsr', manufacturer: 'GE OEC Medical Systems', modelName: 'OEC Elite MiniView', softwareVersions: '1.3', role: 'theatre' }, '76004'),
  system(NORTH, 'DRF1', { modality: 'RF', weight: 1, sourceKind: 'rdsr', manufacturer: 'Siemens', modelName: 'Luminos dRF Max', softwareVersions: 'VF10', role: 'fluoroscopy' }, '76005'),
  // Radiography, computed radiography and dental panoramic
  system(ROYAL, 'XR ROOM 1', { modality: 'DX', weight: 5, sourceKind: 'dx-image', manufacturer: 'Carestream Health', modelName: 'DRX-Evolution', softwareVersions: '5.7' }, '77001'),
  system(ROYAL, 'XR ROOM 2', { modality: 'DX', weight: 4, sourceKind: 'dx-image', manufacturer: 'GE Healthcare', modelName: 'Definium 656', softwareVersions: 'DM_Platform_Release_Version 11' }, '77002'),
  system(ROYAL, 'MOBILE 1', { modality: 'DX', weight: 3, sourceKind: 'rdsr', manufacturer: 'Canon Inc.', modelName: 'CXDI Control Software NE', softwareVersions: '2.14' }, '77003'),
  system(STMARY, 'DR1', { modality: 'DX', weight: 4, sourceKind: 'dx-image', manufacturer: 'Philips Medical Systems', modelName: 'DigitalDiagnost', softwareVersions: '4.3.4' }, '77004'),
  system(NORTH, 'CR READER', { modality: 'DX', weight: 2, sourceKind: 'dx-image', manufacturer: 'FUJIFILM Corporation', modelName: 'FCR PROFECT CS', softwareVersions: 'A08' }, '77005'),
  system(NORTH, 'DENTAL OPG', { modality: 'DX', weight: 1, sourceKind: 'dx-image', manufacturer: 'Planmeca', modelName: 'ProMax 2D', softwareVersions: '3.8' }, '77006'),
  system(CHILD, 'PAED XR', { modality: 'DX', weight: 2, sourceKind: 'rdsr', manufacturer: 'Siemens', modelName: 'Ysio Max', softwareVersions: 'VF85' }, '77007'),
  // Mammography
  system(ROYAL, 'BREAST 1', { modality: 'MG', weight: 3, sourceKind: 'rdsr', manufacturer: 'HOLOGIC, Inc.', modelName: 'Selenia Dimensions', softwareVersions: '1.11' }, '78001'),
  system(STMARY, 'MAMMO A', { modality: 'MG', weight: 2, sourceKind: 'mg-image', manufacturer: 'GE MEDICAL SYSTEMS', modelName: 'Senographe Pristina', softwareVersions: 'ADS_56' }, '78002'),
  system(NORTH, 'SCREENING VAN', { modality: 'MG', weight: 2, sourceKind: 'rdsr', manufacturer: 'Siemens', modelName: 'Mammomat Revelation', softwareVersions: 'VA10' }, '78003'),
  // Nuclear medicine
  system(ROYAL, 'PETCT1', { modality: 'NM', weight: 2, sourceKind: 'rrdsr', manufacturer: 'Siemens', modelName: 'Biograph mCT', softwareVersions: 'VG70' }, '79001'),
  system(STMARY, 'GAMMA 1', { modality: 'NM', weight: 1, sourceKind: 'rrdsr', manufacturer: 'GE Healthcare', modelName: 'Discovery NM/CT 670', softwareVersions: '2.0' }, '79002'),
];

/** Share of all studies per modality. */
export const MODALITY_MIX: readonly { modality: Modality; weight: number }[] = [
  { modality: 'DX', weight: 42 },
  { modality: 'CT', weight: 33 },
  { modality: 'MG', weight: 12 },
  { modality: 'RF', weight: 8 },
  { modality: 'NM', weight: 5 },
];

/** A CT scan of a protocol: CTDIvol median and spread, scan length in mm. */
export interface CtScan {
  name: string;
  type: 'Spiral Acquisition' | 'Sequenced Acquisition' | 'Stationary Acquisition' | 'Constant Angle Acquisition';
  region: string;
  ctdiVolMGy: number;
  gsd: number;
  lengthMm: number;
  kvp: number;
  head?: boolean;
  /** Repeated this many times at most (bolus tracking monitors). */
  repeat?: number;
  /** Probability that the scan is done at all. */
  p?: number;
}

export interface CtProtocol {
  description: string;
  code: string;
  weight: number;
  scans: CtScan[];
}

const spiral = (name: string, region: string, ctdi: number, length: number, extra: Partial<CtScan> = {}): CtScan => ({
  name,
  type: 'Spiral Acquisition',
  region,
  ctdiVolMGy: ctdi,
  gsd: 1.45,
  lengthMm: length,
  kvp: 120,
  ...extra,
});

export const CT_PROTOCOLS: readonly CtProtocol[] = [
  { description: 'CT Head', code: 'CTHEAD', weight: 25, scans: [{ name: 'Head Seq', type: 'Sequenced Acquisition', region: 'Head', ctdiVolMGy: 48, gsd: 1.25, lengthMm: 150, kvp: 120, head: true, p: 0.5 }, spiral('Head Spiral', 'Head', 52, 160, { head: true, gsd: 1.25, p: 0.5 })] },
  { description: 'CT Chest', code: 'CTCHE', weight: 14, scans: [spiral('Thorax', 'Chest', 7.5, 330)] },
  { description: 'CT Abdomen Pelvis', code: 'CTABP', weight: 16, scans: [spiral('Abdomen Pelvis', 'Abdomen', 11, 450)] },
  { description: 'CT Chest Abdomen Pelvis', code: 'CTCAP', weight: 14, scans: [spiral('Chest Abdomen Pelvis', 'Chest', 10, 650)] },
  {
    description: 'CT Pulmonary Angiogram',
    code: 'CTPA',
    weight: 8,
    scans: [
      { name: 'Monitoring', type: 'Stationary Acquisition', region: 'Chest', ctdiVolMGy: 2.5, gsd: 1.4, lengthMm: 10, kvp: 100, repeat: 8 },
      spiral('CTPA', 'Chest', 9, 300, { kvp: 100 }),
    ],
  },
  { description: 'CT KUB', code: 'CTKUB', weight: 5, scans: [spiral('KUB Low Dose', 'Abdomen', 4, 420)] },
  { description: 'CT Sinuses', code: 'CTSIN', weight: 3, scans: [spiral('Sinus', 'Head', 9, 110, { head: true })] },
  {
    description: 'CT Coronary Angiogram',
    code: 'CTCA',
    weight: 4,
    scans: [
      { name: 'Calcium Score', type: 'Sequenced Acquisition', region: 'Heart', ctdiVolMGy: 3, gsd: 1.5, lengthMm: 120, kvp: 120 },
      { name: 'Bolus Tracking', type: 'Stationary Acquisition', region: 'Heart', ctdiVolMGy: 3, gsd: 1.4, lengthMm: 10, kvp: 100, repeat: 6 },
      { name: 'Coronary CTA', type: 'Sequenced Acquisition', region: 'Heart', ctdiVolMGy: 18, gsd: 1.7, lengthMm: 130, kvp: 100 },
    ],
  },
  { description: 'CT Cervical Spine', code: 'CTCSP', weight: 4, scans: [spiral('C-Spine', 'Neck', 16, 200)] },
  { description: 'CT Colonography', code: 'CTCOL', weight: 2, scans: [spiral('Colon Prone', 'Abdomen', 4, 480), spiral('Colon Supine', 'Abdomen', 4, 480)] },
  { description: 'CT Perfusion Brain', code: 'CTPER', weight: 1, scans: [spiral('Head Spiral', 'Head', 50, 150, { head: true }), { name: 'Perfusion', type: 'Stationary Acquisition', region: 'Head', ctdiVolMGy: 180, gsd: 1.2, lengthMm: 80, kvp: 80, head: true }] },
];

/** Projection X-ray irradiations of a protocol: DAP in Gy·m², dose at RP in Gy, per event. */
export interface ProjectionProtocol {
  description: string;
  code: string;
  weight: number;
  /** Event protocol names with their view. */
  views: readonly { protocol: string; view: string; region: string }[];
  dapGym2: number;
  gsd: number;
  kvp: number;
  /** DX systems this protocol is done on (by model); absent: every general radiography room. */
  models?: readonly string[];
}

export const DX_PROTOCOLS: readonly ProjectionProtocol[] = [
  { description: 'Chest PA', code: 'XCHES', weight: 30, views: [{ protocol: 'Chest PA', view: 'PA', region: 'Chest' }], dapGym2: 1.2e-5, gsd: 1.5, kvp: 110 },
  { description: 'Chest PA and lateral', code: 'XCHEL', weight: 5, views: [{ protocol: 'Chest PA', view: 'PA', region: 'Chest' }, { protocol: 'Chest LAT', view: 'LL', region: 'Chest' }], dapGym2: 2.2e-5, gsd: 1.5, kvp: 115 },
  { description: 'Knee', code: 'XKNEE', weight: 10, views: [{ protocol: 'Knee AP', view: 'AP', region: 'Knee' }, { protocol: 'Knee LAT', view: 'LL', region: 'Knee' }], dapGym2: 4e-6, gsd: 1.6, kvp: 65 },
  { description: 'Lumbar spine', code: 'XLSPI', weight: 6, views: [{ protocol: 'L-Spine AP', view: 'AP', region: 'Lumbar spine' }, { protocol: 'L-Spine LAT', view: 'LL', region: 'Lumbar spine' }], dapGym2: 1.1e-4, gsd: 1.6, kvp: 85 },
  { description: 'Pelvis', code: 'XPELV', weight: 8, views: [{ protocol: 'Pelvis AP', view: 'AP', region: 'Pelvis' }], dapGym2: 9e-5, gsd: 1.6, kvp: 80 },
  { description: 'Abdomen', code: 'XABDO', weight: 5, views: [{ protocol: 'Abdomen AP', view: 'AP', region: 'Abdomen' }], dapGym2: 1.2e-4, gsd: 1.6, kvp: 80 },
  { description: 'Hand', code: 'XHAND', weight: 8, views: [{ protocol: 'Hand PA', view: 'PA', region: 'Hand' }, { protocol: 'Hand Oblique', view: 'OBL', region: 'Hand' }], dapGym2: 8e-7, gsd: 1.6, kvp: 55 },
  { description: 'Foot', code: 'XFOOT', weight: 6, views: [{ protocol: 'Foot DP', view: 'AP', region: 'Foot' }, { protocol: 'Foot Oblique', view: 'OBL', region: 'Foot' }], dapGym2: 1e-6, gsd: 1.6, kvp: 55 },
  { description: 'Shoulder', code: 'XSHOU', weight: 6, views: [{ protocol: 'Shoulder AP', view: 'AP', region: 'Shoulder' }, { protocol: 'Shoulder Y view', view: 'LL', region: 'Shoulder' }], dapGym2: 1.5e-5, gsd: 1.6, kvp: 70 },
  { description: 'Orthopantomogram', code: 'XOPG', weight: 4, views: [{ protocol: 'Panoramic Adult', view: 'PA', region: 'Jaw region' }], dapGym2: 9e-6, gsd: 1.3, kvp: 68, models: ['ProMax 2D'] },
];

export interface RfProtocol {
  description: string;
  code: string;
  weight: number;
  /** Total DAP (Gy·m²) median and spread; dose at RP per unit DAP (Gy per Gy·m²). */
  dapGym2: number;
  gsd: number;
  rpPerDap: number;
  /** Number of fluoroscopy and acquisition events. */
  fluoro: [number, number];
  acquisitions: [number, number];
  fluoroProtocol: string;
  acquisitionProtocol: string;
  /** Rooms it is done in; bi-plane rooms use both planes for cardiac work. */
  roles: readonly RfRole[];
}

export const RF_PROTOCOLS: readonly RfProtocol[] = [
  { description: 'Coronary angiogram', code: 'RCANG', weight: 20, dapGym2: 2.5e-3, gsd: 1.8, rpPerDap: 170, fluoro: [4, 12], acquisitions: [5, 12], fluoroProtocol: 'Fluoro Cardiac 15 p/s', acquisitionProtocol: 'Coro 15 f/s', roles: ['cardiac'] },
  { description: 'PCI', code: 'RPCI', weight: 10, dapGym2: 6e-3, gsd: 1.9, rpPerDap: 180, fluoro: [8, 20], acquisitions: [8, 20], fluoroProtocol: 'Fluoro Cardiac 15 p/s', acquisitionProtocol: 'Coro 15 f/s', roles: ['cardiac'] },
  { description: 'Barium swallow', code: 'RBSWA', weight: 12, dapGym2: 6e-4, gsd: 1.8, rpPerDap: 90, fluoro: [2, 6], acquisitions: [2, 6], fluoroProtocol: 'Fluoro Low 7.5 p/s', acquisitionProtocol: 'Swallow 3 f/s', roles: ['fluoroscopy'] },
  { description: 'ERCP', code: 'RERCP', weight: 10, dapGym2: 1.2e-3, gsd: 2, rpPerDap: 110, fluoro: [3, 10], acquisitions: [1, 4], fluoroProtocol: 'Fluoro Low 7.5 p/s', acquisitionProtocol: 'Single shot', roles: ['fluoroscopy', 'interventional'] },
  { description: 'Femoral angiogram', code: 'RFANG', weight: 8, dapGym2: 3e-3, gsd: 2, rpPerDap: 120, fluoro: [4, 10], acquisitions: [4, 10], fluoroProtocol: 'Fluoro Normal 15 p/s', acquisitionProtocol: 'DSA 2 f/s', roles: ['interventional'] },
  { description: 'Nephrostomy', code: 'RNEPH', weight: 5, dapGym2: 8e-4, gsd: 2, rpPerDap: 100, fluoro: [2, 8], acquisitions: [0, 3], fluoroProtocol: 'Fluoro Low 7.5 p/s', acquisitionProtocol: 'Single shot', roles: ['interventional', 'theatre'] },
  { description: 'Hip pinning', code: 'RHIPP', weight: 8, dapGym2: 1.5e-4, gsd: 2, rpPerDap: 60, fluoro: [3, 12], acquisitions: [0, 2], fluoroProtocol: 'Fluoro Pulsed 8 p/s', acquisitionProtocol: 'Save image', roles: ['theatre'] },
];

export const MG_PROTOCOLS = [
  { description: 'Screening mammography bilateral', code: 'MSCR', weight: 70, views: 'screening' },
  { description: 'Diagnostic mammography', code: 'MDIA', weight: 20, views: 'diagnostic' },
  { description: 'Breast tomosynthesis', code: 'MTOMO', weight: 10, views: 'tomosynthesis' },
] as const;

export interface NmProtocol {
  description: string;
  code: string;
  weight: number;
  agent: string;
  radionuclide: string;
  halfLifeS: number;
  /** Activity: fixed median (MBq), or MBq per kg. */
  activityMBq?: number;
  perKgMBq?: number;
  /** Effective dose per activity (mSv per MBq). */
  mSvPerMBq: number;
  pet?: boolean;
}

export const NM_PROTOCOLS: readonly NmProtocol[] = [
  { description: 'PET-CT FDG whole body', code: 'NPETW', weight: 40, agent: 'Fluorodeoxyglucose F^18^', radionuclide: '^18^Fluorine', halfLifeS: 6586.2, perKgMBq: 3.5, mSvPerMBq: 0.019, pet: true },
  { description: 'Bone scan', code: 'NBONE', weight: 30, agent: 'Technetium Tc-99m medronate', radionuclide: '^99m^Technetium', halfLifeS: 21624.12, activityMBq: 600, mSvPerMBq: 0.0057 },
  { description: 'Myocardial perfusion', code: 'NMPI', weight: 20, agent: 'Technetium Tc-99m tetrofosmin', radionuclide: '^99m^Technetium', halfLifeS: 21624.12, activityMBq: 400, mSvPerMBq: 0.0069 },
  { description: 'Thyroid scan', code: 'NTHYR', weight: 10, agent: 'Technetium Tc-99m pertechnetate', radionuclide: '^99m^Technetium', halfLifeS: 21624.12, activityMBq: 80, mSvPerMBq: 0.013 },
];

export const FIRST_NAMES_F = ['Amelia', 'Olivia', 'Isla', 'Ava', 'Emily', 'Sophie', 'Grace', 'Mia', 'Zoë', 'Aoife', 'Chloé', 'Freya', 'Priya', 'Fatima', 'Hannah'] as const;
export const FIRST_NAMES_M = ['Oliver', 'George', 'Harry', 'Noah', 'Jack', 'Leo', 'Arthur', 'Oscar', 'Mohammed', 'Seán', 'José', 'Luca', 'Rohan', 'Tomás', 'Henry'] as const;
export const LAST_NAMES = ['Smith', 'Jones', 'Williams', 'Taylor', 'Brown', 'Davies', 'Evans', 'Wilson', 'Thomas', 'Roberts', 'Müller', 'Ó Briain', 'Nowak', 'Khan', 'Patel', 'Øvergaard', 'Nguyen'] as const;
export const REFERRERS = ['Dr^Adams', 'Dr^Baker', 'Dr^Clarke', 'Dr^Dubois', 'Dr^Evans', 'Dr^Fischer'] as const;
