// Real corpus files imported the way `openrem import` does, for the web and browser tests.
import type { Db } from '../../src/db/connect.js';
import { extractFromBytes } from '../../src/extract/index.js';
import { importFile } from '../../src/ingest/import-file.js';
import { ingestReport } from '../../src/ingest/ingest.js';
import { loadSettings } from '../../src/settings/store.js';
import { corpusBytes, corpusFile } from '../helpers/corpus.js';

/** Every CT RDSR / Enhanced SR of the corpus: 11 studies (the Multi reports merge into one). */
export const CT_FILES = [
  'CT-ESR-GE_Optima.dcm',
  'CT-ESR-GE_VCT.dcm',
  'CT-RDSR-GEPixelMed.dcm',
  'CT-RDSR-Siemens-Continued-1.dcm',
  'CT-RDSR-Siemens-Continued-2.dcm',
  'CT-RDSR-Siemens-Multi-1.dcm',
  'CT-RDSR-Siemens-Multi-2.dcm',
  'CT-RDSR-Siemens-Multi-3.dcm',
  'CT-RDSR-Siemens_Flash-QA-DS.dcm',
  'CT-RDSR-Siemens_Flash-TAP-SS.dcm',
  'CT-RDSR-ToshibaPixelMed.dcm',
  'CT-RDSR-Toshiba_DoseCheck.dcm',
  'CT-RDSR-Toshiba_MultiValSD.dcm',
];
export const CT_STUDY_COUNT = 11;
export const RF_FILE = 'RF-RDSR-Siemens-Zee.dcm';
export const DX_FILE = 'DX-RDSR-Canon_CXDI.dcm';

/** Imports corpus files in order; returns the study id each file went to. */
export async function importCorpus(db: Db, files: readonly string[]): Promise<Map<string, number>> {
  const settings = await loadSettings(db.kysely);
  const ids = new Map<string, number>();
  for (const name of files) {
    const r = await importFile(db, settings, corpusFile(name));
    if ((r.status !== 'imported' && r.status !== 'merged') || r.studyId === undefined) throw new Error(`${name} did not import: ${r.status} ${r.message}`);
    ids.set(name, r.studyId);
  }
  return ids;
}

/** Stored text that would run or break out of an attribute if a page did not escape it. */
export const HOSTILE_DESCRIPTION = '<script>window.owned = 1; alert("owned")</script>';
export const HOSTILE_STATION = '"><img src=x onerror="window.owned = 2">';

/**
 * A real CT study (CT-RDSR-GEPixelMed) stored again, through ingestion like any import, as a
 * study of its own with a hostile description and, on a unit of its own so that it becomes
 * the display name, a hostile station name. Returns its id.
 */
export async function importHostileStudy(db: Db): Promise<number> {
  const outcome = extractFromBytes(corpusBytes('CT-RDSR-GEPixelMed.dcm'));
  if (outcome.status !== 'report') throw new Error('CT-RDSR-GEPixelMed.dcm did not extract');
  const report = outcome.report;
  report.study = { ...report.study, studyInstanceUid: `${report.study.studyInstanceUid}.99`, studyDescription: HOSTILE_DESCRIPTION };
  report.equipment = { ...report.equipment, stationName: HOSTILE_STATION, deviceObserverUid: '2.25.99' };
  report.sopInstanceUid = `${report.sopInstanceUid}.99`;
  report.objectUidsProcessed = [report.sopInstanceUid];
  return (await ingestReport(db, await loadSettings(db.kysely), report)).studyId;
}
