// Human labels for DoseReport keys ("meanCtdiVolMGy" → "Mean CTDIvol"), so pages and exports
// can show every stored value without a hand-written caption for each of the hundreds of keys.
import { unitOfKey } from './units.js';

/** Labels that word splitting cannot produce, by key or by key without its unit. */
const KEY_LABELS: Record<string, string> = {
  meanCtdiVol: 'Mean CTDIvol',
  meanCtdiFreeAir: 'Mean CTDIfree air',
  ctdiwPhantomType: 'CTDIw phantom type',
  ctdiFreeAirCalculationFactor: 'CTDIfree air calculation factor',
  dlp: 'DLP',
  kvp: 'kVp',
  kvps: 'kVp per pulse',
  xrayTubeCurrents: 'X-ray tube current per pulse',
  pulseWidths: 'Pulse width per pulse',
  exposures: 'Exposure per pulse',
  doseRp: 'Dose at RP',
  doseRpTotal: 'Dose at RP total',
  entranceExposureAtRp: 'Entrance exposure at RP',
  crdrMechanicalConfiguration: 'CR/DR mechanical configuration',
  iiFieldSize: 'II field size',
  sizeSpecificDoseEstimation: 'Size-specific dose estimate (SSDE)',
  age: 'Age (as recorded)',
  ageYears: 'Age',
  numberOfRrIntervals: 'Number of R-R intervals',
  sopInstanceUid: 'SOP Instance UID',
  studyInstanceUid: 'Study Instance UID',
  seriesInstanceUid: 'Series Instance UID',
  studyId: 'Study ID',
};

/** Words shown as abbreviations or with their usual capitals. */
const WORDS: Record<string, string> = {
  ctdi: 'CTDI',
  ctdivol: 'CTDIvol',
  dlp: 'DLP',
  dap: 'DAP',
  agd: 'AGD',
  rp: 'RP',
  uid: 'UID',
  id: 'ID',
  xray: 'X-ray',
  kvp: 'kVp',
  pet: 'PET',
  ct: 'CT',
  nm: 'NM',
  mg: 'MG',
  dx: 'DX',
  rf: 'RF',
};

/** A label for a key: its words, without the unit suffix, first word capitalised. */
export function labelOfKey(key: string): string {
  const base = unitOfKey(key)?.base ?? key;
  const known = KEY_LABELS[key] ?? KEY_LABELS[base];
  if (known) return known;
  const words = base
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(' ')
    // A lone capital is a plane or tube letter ("total RP dose A").
    .map((w) => WORDS[w.toLowerCase()] ?? (/^[A-Z]$/.test(w) ? w : w.toLowerCase()));
  const first = words[0] ?? '';
  words[0] = first === first.toLowerCase() ? first.charAt(0).toUpperCase() + first.slice(1) : first;
  return words.join(' ');
}
