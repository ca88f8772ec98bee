// Many studies quickly, for exports that must still be running when a test interrupts them:
// copies of a real corpus study under new UIDs, written the way an import writes a new study.
import { writeTransaction, type Db } from '../../src/db/connect.js';
import { insertStudy } from '../../src/db/report-store.js';
import { extractFromBytes } from '../../src/extract/index.js';
import { findOrCreateEquipment } from '../../src/ingest/equipment.js';
import { prepareForStorage } from '../../src/ingest/ingest.js';
import type { DoseReport } from '../../src/report/types.js';
import { loadSettings } from '../../src/settings/store.js';
import { corpusBytes } from '../helpers/corpus.js';

export async function copiesOfCorpusStudy(db: Db, file: string, count: number): Promise<void> {
  const outcome = extractFromBytes(corpusBytes(file));
  if (outcome.status !== 'report') throw new Error(`${file}: ${outcome.status}`);
  const report = prepareForStorage(outcome.report, await loadSettings(db.kysely));
  const now = new Date().toISOString();
  const equipmentId = (await findOrCreateEquipment(db.kysely, { ...report.equipment }, now)).id;
  for (let start = 0; start < count; start += 500) {
    await writeTransaction(db, null, async (q) => {
      for (let i = start; i < Math.min(count, start + 500); i++) {
        const uid = `${report.study.studyInstanceUid}.${i + 1}`;
        const copy: DoseReport = { ...report, sopInstanceUid: `${uid}.1`, study: { ...report.study, studyInstanceUid: uid }, objectUidsProcessed: [`${uid}.1`] };
        await insertStudy(q, copy, equipmentId, now);
      }
    });
  }
}
