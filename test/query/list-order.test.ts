// List order on each engine: every sort, both directions, missing values last, ties by id, and
// paging through a list gives the same studies in the same order as one long page. Real corpus
// studies, some lacking a date, a time, a description, an accession number or a dose total.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateSystems } from '../../src/admin/equipment.js';
import { extractFromBytes } from '../../src/extract/index.js';
import { ingestReport } from '../../src/ingest/ingest.js';
import { specForModality, type ModalitySpec } from '../../src/query/modalities.js';
import { listStudies, sortKeysFor, SORT_DIRECTIONS, type StudyListRow } from '../../src/query/studies.js';
import { lowerText } from '../../src/query/text-case.js';
import { loadSettings } from '../../src/settings/store.js';
import { corpusBytes } from '../helpers/corpus.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { CT_FILES, CT_STUDY_COUNT, importCorpus } from '../web/fixtures.js';

const CT = specForModality('CT')!;
const DX = specForModality('DX')!;
const DX_FILES = [
  'DX-Im-Carestream_DR7500-1.dcm',
  'DX-Im-Carestream_DRX.dcm',
  'DX-Im-Date-Missing.dcm',
  'DX-Im-GE_XR220-1.dcm',
  'DX-RDSR-Canon_CXDI.dcm',
  'DX-RDSR-Canon_CXDI_noDAP.dcm',
  'DX-RDSR-Carestream_DRXEvolution.dcm',
];
const ACTOR = { username: 'list-order test' };

type Key = string | number | null;

/** What a row sorts by, as the list shows it. */
function keysOf(row: StudyListRow, sort: string): Key[] {
  switch (sort) {
    case 'date':
      return [row.studyDate, row.studyTime];
    case 'system':
      return [lowerText(row.systemName)];
    case 'description':
      return [row.studyDescription === null ? null : lowerText(row.studyDescription)];
    case 'accession':
      return [row.accessionNumber === null ? null : lowerText(row.accessionNumber)];
    case 'events':
      return [row.numberOfEvents];
    default:
      return [row.totals[sort] ?? null];
  }
}

/** The order the list must have: by each key with missing values last, then by id. */
function expectedOrder(rows: readonly StudyListRow[], sort: string, dir: 'asc' | 'desc'): number[] {
  const sign = dir === 'asc' ? 1 : -1;
  const compare = (a: Key, b: Key): number => {
    if (a === b) return 0;
    if (a === null) return 1;
    if (b === null) return -1;
    return (a < b ? -1 : 1) * sign;
  };
  return [...rows]
    .sort((a, b) => {
      const ka = keysOf(a, sort);
      const kb = keysOf(b, sort);
      for (let i = 0; i < ka.length; i++) {
        const c = compare(ka[i]!, kb[i]!);
        if (c !== 0) return c;
      }
      return (a.id - b.id) * sign;
    })
    .map((r) => r.id);
}

describe.each(ENGINES)('list order on %s', (engine) => {
  let t: TestDb;
  let untimed: number;

  beforeAll(async () => {
    t = await createTestDb(engine);
    const ids = await importCorpus(t.db, [...CT_FILES, ...DX_FILES]);
    // A real CT study stored again without its time of day: the date order must put it after
    // the timed studies of its date, in either direction.
    const outcome = extractFromBytes(corpusBytes('CT-RDSR-Siemens-Continued-1.dcm'));
    if (outcome.status !== 'report') throw new Error('CT-RDSR-Siemens-Continued-1.dcm did not extract');
    const report = outcome.report;
    report.study = { ...report.study, studyInstanceUid: `${report.study.studyInstanceUid}.7`, studyTime: null };
    report.sopInstanceUid = `${report.sopInstanceUid}.7`;
    report.objectUidsProcessed = [report.sopInstanceUid];
    untimed = (await ingestReport(t.db, await loadSettings(t.db.kysely), report)).studyId;
    // Two systems named alike but for case sort as one: their studies interleave by id.
    const equipment = async (file: string) =>
      (await t.db.kysely.selectFrom('study').select('equipment_id').where('id', '=', ids.get(file)!).executeTakeFirstOrThrow()).equipment_id;
    await updateSystems(t.db, [await equipment('CT-ESR-GE_VCT.dcm')], { displayName: 'Scanner North' }, ACTOR);
    await updateSystems(t.db, [await equipment('CT-RDSR-ToshibaPixelMed.dcm')], { displayName: 'SCANNER north' }, ACTOR);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  const all = async (spec: ModalitySpec, sort: string, dir: 'asc' | 'desc') => listStudies(t.db.kysely, engine, spec, { sort, dir, page: 1, perPage: 200 });

  const studies = { CT: CT_STUDY_COUNT + 1, DX: DX_FILES.length };

  it('orders every sort of CT and DX, both directions, with missing values last and ties by id', async () => {
    for (const spec of [CT, DX]) {
      for (const sort of sortKeysFor(spec)) {
        for (const dir of SORT_DIRECTIONS) {
          const rows = (await all(spec, sort, dir)).rows;
          expect(rows, `${spec.modality} by ${sort} ${dir}`).toHaveLength(studies[spec.modality as 'CT' | 'DX']);
          expect(rows.map((r) => r.id), `${spec.modality} by ${sort} ${dir}`).toEqual(expectedOrder(rows, sort, dir));
        }
      }
    }
  });

  it('has studies lacking each key, so the order of missing values is tested', async () => {
    const dx = (await all(DX, 'date', 'desc')).rows;
    expect(dx.at(-1)).toMatchObject({ studyDate: null, studyTime: '10:48:05' });
    expect(dx.some((r) => r.totals.dap === null)).toBe(true);
    expect(dx.some((r) => r.studyDescription === null) && dx.some((r) => r.accessionNumber === null)).toBe(true);
    const ct = (await all(CT, 'date', 'desc')).rows;
    const sameDate = ct.filter((r) => r.studyDate === '2018-04-27');
    expect(sameDate.map((r) => r.studyTime)).toEqual(['10:10:34.682000', '10:10:34.682000', null]);
    expect(sameDate.at(-1)!.id).toBe(untimed);
    const asc = (await all(CT, 'date', 'asc')).rows.filter((r) => r.studyDate === '2018-04-27');
    expect(asc.at(-1)!.id).toBe(untimed);
  });

  it('sorts systems named alike but for case as one, their studies by id', async () => {
    const rows = (await all(CT, 'system', 'asc')).rows;
    const north = rows.filter((r) => lowerText(r.systemName) === 'scanner north');
    expect(north.map((r) => r.systemName).sort()).toEqual(['SCANNER north', 'Scanner North']);
    expect(north.map((r) => r.id)).toEqual(north.map((r) => r.id).sort((a, b) => a - b));
  });

  it('pages through every sort as one long page, with the total of the whole list', async () => {
    for (const spec of [CT, DX]) {
      for (const sort of sortKeysFor(spec)) {
        for (const dir of SORT_DIRECTIONS) {
          const whole = await all(spec, sort, dir);
          const pages = [];
          const count = studies[spec.modality as 'CT' | 'DX'];
          for (let page = 1; page <= Math.ceil(count / 3) + 1; page++) pages.push(await listStudies(t.db.kysely, engine, spec, { sort, dir, page, perPage: 3 }));
          expect(pages.map((p) => p.rows.length)).toEqual([...pages.slice(0, -2).map(() => 3), count - 3 * (pages.length - 2), 0]);
          expect(pages.flatMap((p) => p.rows.map((r) => r.id)), `${spec.modality} by ${sort} ${dir}`).toEqual(whole.rows.map((r) => r.id));
          expect(pages.every((p) => p.total === count)).toBe(true);
        }
      }
    }
  });

  it('counts a filtered list by its matches and an unfiltered one by every study of the modality', async () => {
    const page = (params: Record<string, string | number>) => listStudies(t.db.kysely, engine, CT, { sort: 'system', dir: 'asc', page: 1, perPage: 10, ...params });
    expect((await page({})).total).toBe(CT_STUDY_COUNT + 1);
    const north = await page({ system: 'Scanner North' });
    expect(north.total).toBe(1);
    expect(north.rows.map((r) => r.systemName)).toEqual(['Scanner North']);
    expect((await listStudies(t.db.kysely, engine, CT, { sort: 'date', dir: 'desc', page: 1, perPage: 10, dateFrom: '2018-01-01' })).total).toBe(5);
  });
});
