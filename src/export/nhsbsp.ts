// Mammography for the NHS Breast Screening Programme's dose audit: one row per exposure in
// the audit's column layout, patients numbered in export order, views as the audit's codes
// (laterality letter and view, "RCC", "LOB"; a repeated view of a study numbered "RCC2").
// Exposures the audit does not want (specimens, biopsy and stereotactic work, scouts) or
// cannot use (no laterality, view, anode or filter) are left out.
import { EXPOSURE } from '../query/units.js';
import { CsvFile } from './csv.js';
import { csvPreamble, type ExportHeading } from './describe.js';
import { elementSymbol, exposureOf, kvpOf } from './layouts/xray.js';
import { countStudies, studyPages, type ExportSelection } from './source.js';
import { countText, type TableResult } from './table.js';
import { shownNumber, type Cell } from './cells.js';
import type { ProjectionDose, ProjectionEvent } from '../report/types.js';

export const NHSBSP_HEADER = [
  'Survey number',
  'Patient number',
  'View code',
  'kV',
  'Anode',
  'Filter',
  'Thickness',
  'mAs',
  'large cassette used',
  'auto/man',
  'Auto mode',
  'Density setting',
  'Age',
  'Comment',
  'AEC density mode',
] as const;

/** Audit codes of mammography views (DICOM CID 4014 code meanings). */
const VIEW_CODES: Record<string, string> = {
  'cranio-caudal': 'CC',
  'medio-lateral oblique': 'OB',
  'medio-lateral': 'ML',
  'latero-medial': 'LM',
  'latero-medial oblique': 'LMO',
  'caudo-cranial (from below)': 'FB',
  'superolateral to inferomedial oblique': 'SIO',
  'inferomedial to superolateral oblique': 'ISO',
  'cranio-caudal exaggerated laterally': 'XCCL',
  'cranio-caudal exaggerated medially': 'XCCM',
};

/** Protocol words of exposures that are not part of a screening examination. */
const NOT_SCREENING = ['scout', 'postclip', 'prefire', 'biopsy', 'postfire', 'stereo', 'specimen', 'artefact'];

/** How many times a view may repeat within a study and still be numbered. */
const MAX_REPEATS = 20;

/** The audit's view code of an exposure ("RCC", "LOB"), or null when it is left out. */
export function viewCode(e: ProjectionEvent): string | null {
  const laterality = e.laterality?.trim();
  const view = e.viewPosition?.trim();
  if (!laterality || !view) return null;
  if (/specimen/i.test(view)) return null;
  const protocol = (e.acquisitionProtocol ?? '').toLowerCase();
  if (NOT_SCREENING.some((w) => protocol.includes(w))) return null;
  return `${laterality.charAt(0).toUpperCase()}${VIEW_CODES[view.toLowerCase()] ?? view}`;
}

/** The audit row of an exposure, or null when it is left out. */
function auditRow(e: ProjectionEvent, patient: number, age: number | null, used: Set<string>): Cell[] | null {
  let code = viewCode(e);
  const anode = elementSymbol(e.anodeTargetMaterial);
  const filter = elementSymbol(e.filters?.[0]?.material);
  if (!code || !anode || !filter) return null;
  if (used.has(code)) {
    const free = Array.from({ length: MAX_REPEATS }, (_, i) => `${code}${i + 2}`).find((c) => !used.has(c));
    if (!free) return null;
    code = free;
  }
  used.add(code);
  const exposure = exposureOf(e);
  const mAs = exposure === null ? null : shownNumber(exposure, EXPOSURE);
  return ['1', patient, code, kvpOf(e), anode, filter, e.compressionThicknessMm ?? null, mAs, null, null, null, null, age, null, null];
}

export interface NhsbspJob {
  selection: ExportSelection;
  heading: ExportHeading;
  signal: AbortSignal;
  progress(fraction: number, message: string): void;
}

export async function writeNhsbspCsv(job: NhsbspJob, path: string): Promise<TableResult> {
  const total = await countStudies(job.selection);
  const file = await CsvFile.create(path, job.signal);
  try {
    for (const line of csvPreamble(job.heading)) await file.row(line);
    await file.row(NHSBSP_HEADER);
    // Patients are numbered 1, 2, 3… over the studies with a row in the audit: a study whose
    // every exposure is left out (a specimen, a biopsy) takes no number.
    let patient = 0;
    let done = 0;
    for await (const page of studyPages<ProjectionDose, ProjectionEvent>(job.selection, { pageSize: 500 })) {
      job.signal.throwIfAborted();
      for (const study of page) {
        done++;
        const used = new Set<string>();
        let rows = 0;
        for (const event of study.events) {
          const row = auditRow(event, patient + 1, study.row.patient_age_years, used);
          if (row) {
            await file.row(row);
            rows++;
          }
        }
        if (rows) patient++;
      }
      job.progress(total ? done / total : 1, `${countText(done)} of ${countText(total)} studies read, ${countText(patient)} in the audit`);
    }
    await file.close();
    return { studies: patient };
  } catch (err) {
    file.destroy();
    throw err;
  }
}
