// The configuration pages: their addresses, and what the Config menu and the overview list,
// with who may open each.
import type { Access } from '../auth/roles.js';

export const CONFIG_PATH = '/config';
export const DISPLAY_NAMES_PATH = '/config/display-names';
export const PATIENT_ID_PATH = '/config/patient-id';
export const NOT_PATIENT_PATH = '/config/not-patient';
export const NOT_PATIENT_REAPPLY_PATH = '/config/not-patient/reapply';
export const AFTER_IMPORT_PATH = '/config/after-import';

export interface ConfigPageEntry {
  path: string;
  title: string;
  access: Access;
  about: string;
}

export const CONFIG_PAGES: readonly ConfigPageEntry[] = [
  { path: DISPLAY_NAMES_PATH, title: 'System display names', access: 'view', about: 'names of the X-ray systems, and units used for both DX and RF' },
  { path: PATIENT_ID_PATH, title: 'Patient identifiers', access: 'admin', about: 'whether patient name, ID and birth date are stored, and which are hashed' },
  { path: NOT_PATIENT_PATH, title: 'Not-patient indicators', access: 'admin', about: 'patterns of IDs and names that mark QA, physics and test studies' },
  { path: AFTER_IMPORT_PATH, title: 'After import', access: 'admin', about: 'which source files are deleted once imported' },
];
