// What an export of each modality holds: the columns of a study (after the common ones) and
// of one of its events. CSV rows and the XLSX "All data" sheet put a study's events to the
// right of it (E1 ..., E2 ...); the XLSX protocol sheets give each event a row of its own.
import type { Modality } from '../../report/types.js';
import type { Column } from '../cells.js';
import type { ExportStudy } from '../source.js';
import { CT_LAYOUT } from './ct.js';
import { DX_LAYOUT } from './dx.js';
import { MG_LAYOUT } from './mg.js';
import { NM_LAYOUT } from './nm.js';
import { RF_LAYOUT } from './rf.js';

export interface ExportLayout<D = unknown, E = unknown> {
  modality: Modality;
  /** Study-level values (totals) after the common columns. */
  studyColumns: readonly Column<ExportStudy<D, E>>[];
  /** The columns of one event; none for modalities without events. */
  eventColumns: readonly Column<E>[];
}

const LAYOUTS: Record<Modality, ExportLayout> = {
  CT: CT_LAYOUT as ExportLayout,
  RF: RF_LAYOUT as ExportLayout,
  DX: DX_LAYOUT as ExportLayout,
  MG: MG_LAYOUT as ExportLayout,
  NM: NM_LAYOUT as ExportLayout,
};

export function layoutFor(modality: Modality): ExportLayout {
  return LAYOUTS[modality];
}
