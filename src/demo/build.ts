// Writing made-up studies into a database. Each study goes through the same preparation and
// row writing as an import of a new study (privacy policy, summary columns, equipment identity,
// insertStudy), many studies per transaction: fresh UIDs can only be new studies, so the
// duplicate and merge checks of a real import have nothing to decide.
import { writeTransaction, type Db } from '../db/connect.js';
import { insertStudy } from '../db/report-store.js';
import { equipmentIdentityHash, findOrCreateEquipment } from '../ingest/equipment.js';
import { prepareForStorage } from '../ingest/ingest.js';
import { parseSettings, type SiteSettings } from '../settings/site.js';
import { generateReport, type DemoOptions } from './generate.js';

/**
 * The demo site's policy: names kept so patient searches have something to find, IDs kept as
 * hashes, and the usual physics QA names and IDs flagged as not patients.
 */
export const DEMO_SETTINGS: SiteSettings = parseSettings({
  patientId: { storePatientName: true, hashPatientName: false, storePatientId: true, hashPatientId: true, storePatientBirthDate: false, hashAccessionNumber: false },
  notPatientIdPatterns: ['QA*'],
  notPatientNamePatterns: ['*PHYSICS*', '*PHANTOM*'],
});

export interface WriteOptions extends DemoOptions {
  /** Index of the first study to write (a later run adds the next ones). */
  from: number;
  count: number;
  settings: SiteSettings;
  /** Studies per transaction. */
  batchSize?: number;
  onProgress?: (written: number) => void;
}

export async function writeDemoStudies(db: Db, opts: WriteOptions): Promise<void> {
  const batchSize = opts.batchSize ?? 500;
  const equipmentIds = new Map<string, number>();
  let written = 0;
  for (let start = opts.from; start < opts.from + opts.count; start += batchSize) {
    const end = Math.min(opts.from + opts.count, start + batchSize);
    const now = new Date().toISOString();
    await writeTransaction(db, null, async (q) => {
      for (let i = start; i < end; i++) {
        const report = prepareForStorage(generateReport(i, opts), opts.settings);
        const key = equipmentIdentityHash(report.equipment);
        let equipmentId = equipmentIds.get(key);
        if (equipmentId === undefined) {
          equipmentId = (await findOrCreateEquipment(q, { ...report.equipment }, now)).id;
          equipmentIds.set(key, equipmentId);
        }
        await insertStudy(q, report, equipmentId, now);
      }
    });
    written += end - start;
    opts.onProgress?.(written);
  }
}
