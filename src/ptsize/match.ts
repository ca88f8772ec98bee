// Finding the studies a size CSV names, by accession number or Study Instance UID. Accession
// numbers may be stored hashed (site setting patientId.hashAccessionNumber, and each study
// records whether its own is): a study matches when its stored value is the CSV value, or the
// CSV value's hash, as that study stores it. Studies stored before the setting changed match too.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { hashIdentifier } from '../ingest/privacy.js';
import type { IdKind } from './mapping.js';

export interface StudySize {
  id: number;
  modality: string;
  studyDate: string | null;
  heightM: number | null;
  weightKg: number | null;
}

/** The studies each identifier names (identifiers as in the CSV, trimmed). */
export async function findStudies(q: Kysely<Database> | Transaction<Database>, kind: IdKind, identifiers: readonly string[]): Promise<Map<string, StudySize[]>> {
  const found = new Map<string, StudySize[]>();
  if (!identifiers.length) return found;
  const unique = [...new Set(identifiers)];
  const base = q.selectFrom('study').select(['id', 'modality', 'study_date', 'patient_height_m', 'patient_weight_kg', 'accession_number', 'accession_number_hashed', 'study_instance_uid']);
  const add = (key: string, r: { id: number; modality: string; study_date: string | null; patient_height_m: number | null; patient_weight_kg: number | null }) => {
    const list = found.get(key) ?? [];
    list.push({ id: r.id, modality: r.modality, studyDate: r.study_date, heightM: r.patient_height_m, weightKg: r.patient_weight_kg });
    found.set(key, list);
  };
  if (kind === 'study-uid') {
    const rows = await base.where('study_instance_uid', 'in', unique).orderBy('id').execute();
    for (const r of rows) add(r.study_instance_uid, r);
    return found;
  }
  const byHash = new Map(unique.map((v) => [hashIdentifier(v), v]));
  const rows = await base
    .where('accession_number', 'in', [...unique, ...byHash.keys()])
    .orderBy('id')
    .execute();
  const plain = new Set(unique);
  for (const r of rows) {
    if (r.accession_number === null) continue;
    const key = r.accession_number_hashed === 1 ? byHash.get(r.accession_number) : plain.has(r.accession_number) ? r.accession_number : undefined;
    if (key !== undefined) add(key, r);
  }
  return found;
}
