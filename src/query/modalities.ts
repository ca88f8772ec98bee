// What each modality's studies are listed, filtered and sorted by. Lists, charts, exports and
// the API read these definitions, so they all agree on what a modality's filter means.
import type { Modality } from '../report/types.js';
import type { StudyTable } from '../db/schema.js';
import { DAP, DLP, DOSE_GY, MBQ, MGY, type DisplayUnit } from './units.js';

export type EventTable = 'ct_event' | 'proj_event';

/** A study-level dose total shown in lists (and sortable there). */
export interface DoseColumn {
  key: string;
  label: string;
  column: keyof StudyTable & `total_${string}`;
  unit: DisplayUnit;
}

export interface ModalitySpec {
  modality: Modality;
  /** URL segment of the modality's pages. */
  slug: string;
  title: string;
  /** Where the modality's irradiation events are stored; null when it has none. */
  eventTable: EventTable | null;
  doseColumns: readonly DoseColumn[];
}

export const MODALITY_SPECS: readonly ModalitySpec[] = [
  {
    modality: 'CT',
    slug: 'ct',
    title: 'CT',
    eventTable: 'ct_event',
    doseColumns: [{ key: 'dlp', label: 'Total DLP', column: 'total_dlp_mgycm', unit: DLP }],
  },
  {
    modality: 'RF',
    slug: 'rf',
    title: 'Fluoroscopy',
    eventTable: 'proj_event',
    doseColumns: [
      { key: 'dap', label: 'Total DAP', column: 'total_dap_gym2', unit: DAP },
      { key: 'rpDoseA', label: 'Dose at RP (A)', column: 'total_rp_dose_a_gy', unit: DOSE_GY },
      { key: 'rpDoseB', label: 'Dose at RP (B)', column: 'total_rp_dose_b_gy', unit: DOSE_GY },
    ],
  },
  {
    modality: 'DX',
    slug: 'dx',
    title: 'Radiography',
    eventTable: 'proj_event',
    doseColumns: [{ key: 'dap', label: 'Total DAP', column: 'total_dap_gym2', unit: DAP }],
  },
  {
    modality: 'MG',
    slug: 'mg',
    title: 'Mammography',
    eventTable: 'proj_event',
    doseColumns: [
      { key: 'agdLeft', label: 'AGD left', column: 'total_agd_left_mgy', unit: MGY },
      { key: 'agdRight', label: 'AGD right', column: 'total_agd_right_mgy', unit: MGY },
      { key: 'agdBoth', label: 'AGD both', column: 'total_agd_both_mgy', unit: MGY },
    ],
  },
  {
    modality: 'NM',
    slug: 'nm',
    title: 'Nuclear medicine',
    eventTable: null,
    doseColumns: [{ key: 'activity', label: 'Administered activity', column: 'total_activity_mbq', unit: MBQ }],
  },
];

export function specForModality(modality: string): ModalitySpec | undefined {
  return MODALITY_SPECS.find((s) => s.modality === modality);
}
