// Shared by the patient size tests: the reference scenario's studies and CSV files to import.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../src/db/connect.js';
import type { SizeMapping } from '../../src/ptsize/mapping.js';
import { readLayout } from '../../src/ptsize/read-csv.js';
import { runSizeImport, type RunOptions } from '../../src/ptsize/run-import.js';
import { createSizeImport, getSizeImport, type SizeImport } from '../../src/ptsize/store.js';
import { parseSettings } from '../../src/settings/site.js';
import { saveSettings } from '../../src/settings/store.js';
import { behaviour } from '../helpers/corpus.js';
import { importCorpus } from '../web/fixtures.js';

export interface SizeBehaviour {
  commandLine: { test: string; args: string[]; expected: Record<string, string | boolean> }[];
  settings: { patientId: Record<string, boolean> };
  imports: { file: string; kind: string }[];
  expectedAfterImport: { studiesInImportOrder: { file: string; accessionNumber: string; heightM: number | null; weightKg: number | null }[] };
  update: { rows: { accessionNumber: string; height: string; weight: string }[] };
  expectedAfterUpdate: { studiesInImportOrder: { file: string; heightM: number | null; weightKg: number | null }[] };
}

export const facts = behaviour<SizeBehaviour>('patient-size-import.json');

/** The reference scenario's settings and studies; the study ids in import order. */
export async function importScenario(db: Db, extraSettings: Record<string, unknown> = {}): Promise<number[]> {
  const patientId = { ...facts.settings.patientId, ...((extraSettings.patientId as Record<string, boolean>) ?? {}) };
  await saveSettings(db.kysely, parseSettings({ ...extraSettings, patientId }));
  const ids = await importCorpus(
    db,
    facts.imports.map((i) => i.file),
  );
  return facts.imports.map((i) => ids.get(i.file)!);
}

export async function sizes(db: Db, ids: readonly number[]): Promise<{ heightM: number | null; weightKg: number | null }[]> {
  const rows = await db.kysely.selectFrom('study').select(['id', 'patient_height_m', 'patient_weight_kg']).where('id', 'in', [...ids]).execute();
  return ids.map((id) => {
    const r = rows.find((x) => x.id === id)!;
    return { heightM: r.patient_height_m, weightKg: r.patient_weight_kg };
  });
}

export function writeCsv(dir: string, name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

export const MAPPING: SizeMapping = { idColumn: 'Acc no.', idKind: 'accession', heightColumn: 'height', weightColumn: 'weight', heightUnit: 'auto', overwrite: false };

/** Imports a file as the command line does; returns the import as stored afterwards and any error. */
export async function importFile(db: Db, path: string, mapping: SizeMapping, opts: RunOptions = {}): Promise<{ imp: SizeImport; error: Error | null }> {
  const layout = await readLayout(path);
  const created = await createSizeImport(db, { source: 'command line', fileName: 'sizes.csv', uploadPath: null, layout, startedBy: { id: null, name: null }, mapping, state: 'running' });
  let error: Error | null = null;
  try {
    await runSizeImport(db, created.id, path, mapping, opts);
  } catch (err) {
    error = err as Error;
  }
  return { imp: (await getSizeImport(db, created.id))!, error };
}
