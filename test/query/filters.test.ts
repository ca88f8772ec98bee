// Every filter field against the whole corpus, on each engine: which real studies a filter
// finds, named by their files. Patient names are stored as they are and patient IDs as
// SHA-256 hashes, so both ways of matching identifiers are exercised.
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterSchema, parseQuery, parseTimeOfDay, QueryError, type FilterOptions } from '../../src/query/filters.js';
import { specForModality, type ModalitySpec } from '../../src/query/modalities.js';
import { listQuerySchema, listStudies } from '../../src/query/studies.js';
import { lowerText } from '../../src/query/text-case.js';
import { importFile } from '../../src/ingest/import-file.js';
import { parseSettings } from '../../src/settings/site.js';
import { saveSettings } from '../../src/settings/store.js';
import { CORPUS, corpusFile } from '../helpers/corpus.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';

const CT = specForModality('CT')!;
const DX = specForModality('DX')!;
const RF = specForModality('RF')!;
const MG = specForModality('MG')!;
const NM = specForModality('NM')!;

const SETTINGS = parseSettings({
  patientId: { storePatientName: true, storePatientId: true, hashPatientId: true },
  notPatientIdPatterns: ['PHY*'],
  notPatientNamePatterns: ['*PHYSICS*'],
});

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof QueryError) return err.problems;
    throw err;
  }
  return [];
}

describe.each(ENGINES)('every filter field over the corpus on %s', (engine) => {
  let t: TestDb;
  /** Study id → the first corpus file stored as that study. */
  const fileOf = new Map<number, string>();

  beforeAll(async () => {
    t = await createTestDb(engine);
    await saveSettings(t.db.kysely, SETTINGS);
    for (const name of readdirSync(CORPUS).sort()) {
      const r = await importFile(t.db, SETTINGS, corpusFile(name));
      if (r.studyId !== undefined && !fileOf.has(r.studyId)) fileOf.set(r.studyId, name);
    }
  }, 120_000);
  afterAll(async () => {
    await t.cleanup();
  });

  /** The files of the studies a list with these parameters finds (every page). */
  async function found(spec: ModalitySpec, params: Record<string, string>, opts: FilterOptions = {}): Promise<string[]> {
    const page = await listStudies(t.db.kysely, engine, spec, parseQuery(listQuerySchema(spec, opts), { ...params, perPage: '200' }));
    expect(page.total).toBe(page.rows.length);
    return page.rows.map((r) => fileOf.get(r.id)!).sort();
  }

  it('the corpus is there: 13 CT, 8 DX, 11 RF, 6 MG and 4 NM studies', async () => {
    const totals = await Promise.all([CT, DX, RF, MG, NM].map(async (s) => (await listStudies(t.db.kysely, engine, s, parseQuery(listQuerySchema(s), {}))).total));
    expect(totals).toEqual([13, 8, 11, 6, 4]);
  });

  it('study date range, inclusive', async () => {
    expect(await found(CT, { dateFrom: '2018-01-01' })).toEqual(
      ['CT-RDSR-Siemens-Continued-1.dcm', 'CT-RDSR-Siemens-Continued-2.dcm', 'CT-RDSR-Siemens-Multi-1.dcm', 'CT-RDSR-Toshiba_MultiValSD.dcm', 'NM-CT-RDSR-Siemens.dcm'].sort(),
    );
    expect(await found(CT, { dateTo: '2006-08-23' })).toEqual(['CT-ESR-GE_Optima.dcm', 'CT-RDSR-Siemens_Flash-TAP-SS.dcm']);
    expect(await found(CT, { dateFrom: '2013-01-01', dateTo: '2013-12-31' })).toEqual(['CT-ESR-GE_VCT.dcm', 'CT-RDSR-GEPixelMed.dcm', 'CT-RDSR-Siemens_Flash-QA-DS.dcm']);
    // The DX image without any date is left out of every date range.
    expect(await found(DX, { dateFrom: '1900-01-01' })).not.toContain('DX-Im-Date-Missing.dcm');
  });

  it('time of day range: inclusive to the end of the minute, and across midnight', async () => {
    expect(await found(CT, { timeFrom: '16:00' })).toEqual(['CT-RDSR-Siemens-Multi-1.dcm', 'CT-RDSR-ToshibaPixelMed.dcm']);
    expect(await found(CT, { timeTo: '08:59' })).toEqual(['CT-RDSR-GEPixelMed.dcm', 'CT-RDSR-Siemens_Flash-TAP-SS.dcm', 'CT-RDSR-Toshiba_DoseCheck.dcm', 'CT-SC-Philips_Brilliance16P.dcm']);
    // 10:10:34.682 is within 10:10.
    expect(await found(CT, { timeFrom: '10:10', timeTo: '10:10' })).toEqual(['CT-RDSR-Siemens-Continued-1.dcm', 'CT-RDSR-Siemens-Continued-2.dcm']);
    expect(await found(CT, { timeFrom: '10:10:35', timeTo: '10:11' })).toEqual([]);
    // 17:00 to 08:00 is the night: 17:17, 00:00 (twice) and 07:51.
    expect(await found(CT, { timeFrom: '17:00', timeTo: '08:00' })).toEqual(
      ['CT-RDSR-Siemens-Multi-1.dcm', 'CT-RDSR-Siemens_Flash-TAP-SS.dcm', 'CT-RDSR-Toshiba_DoseCheck.dcm', 'CT-SC-Philips_Brilliance16P.dcm'].sort(),
    );
  });

  it('study description, requested procedure and procedure contain the text, any case', async () => {
    expect(await found(CT, { studyDescription: 'THORAX' })).toEqual(
      ['CT-RDSR-Siemens-Continued-1.dcm', 'CT-RDSR-Siemens-Continued-2.dcm', 'CT-RDSR-Siemens-Multi-1.dcm', 'CT-RDSR-Siemens_Flash-TAP-SS.dcm', 'CT-SC-Philips_Brilliance16P.dcm'].sort(),
    );
    expect(await found(CT, { requestedProcedure: 'with contrast' })).toEqual(['CT-RDSR-Siemens_Flash-TAP-SS.dcm']);
    expect(await found(NM, { requestedProcedure: 'szintigraphie' })).toEqual(['NM-NmIm-Siemens-s1-1.dcm', 'NM-NmIm-Siemens.dcm']);
    expect(await found(DX, { procedure: 'aec' })).toEqual(['DX-Im-Carestream_DR7500-1.dcm', 'DX-Im-Date-Missing.dcm']);
    expect(await found(CT, { procedure: 'fdg' })).toEqual(['NM-CT-RDSR-Siemens.dcm']);
  });

  it('acquisition protocol: studies with such an event; non-ASCII capitals fold alike on both engines', async () => {
    expect(await found(CT, { acquisitionProtocol: 'topogram' })).toEqual(
      ['CT-RDSR-Siemens-Continued-1.dcm', 'CT-RDSR-Siemens-Continued-2.dcm', 'CT-RDSR-Siemens-Multi-1.dcm', 'NM-CT-RDSR-Siemens.dcm'].sort(),
    );
    // The TAP study has an event protocol "testÃ¦Ã¸Ã¥": Ã must fold to ã on SQLite as on PostgreSQL.
    expect(await found(CT, { acquisitionProtocol: 'TESTÃ¦Ã' })).toEqual(['CT-RDSR-Siemens_Flash-TAP-SS.dcm']);
    expect(await found(CT, { acquisitionProtocol: 'testã¦ã' })).toEqual(['CT-RDSR-Siemens_Flash-TAP-SS.dcm']);
    expect(await found(RF, { acquisitionProtocol: 'zzz-no-such-protocol' })).toEqual([]);
  });

  it('MG view and compressed breast thickness (an event in range)', async () => {
    expect(await found(MG, { view: 'MEDIO-LATERAL' })).toEqual(['MG-RDSR-Hologic_mix.dcm']);
    expect(await found(MG, { view: 'cranio' })).toHaveLength(6);
    expect(await found(MG, { compressionThicknessMin: '100' })).toEqual(['MG-RDSR-Hologic_mix.dcm']);
    expect(await found(MG, { compressionThicknessMax: '20' })).toEqual(['MG-Im-GE_Seno_1_ForPresentation.dcm', 'MG-Im-Hologic-PropProj.dcm', 'MG-RDSR-Hologic_mix.dcm']);
    expect(await found(MG, { compressionThicknessMin: '46.2', compressionThicknessMax: '46.2' })).toEqual(['MG-RDSR-GEPristina-2D.dcm']);
  });

  it('accession number: contains, with LIKE wildcards literal', async () => {
    expect(await found(CT, { accessionNumber: '3599305798462538' })).toEqual(['CT-RDSR-Siemens-Multi-1.dcm', 'CT-RDSR-Toshiba_DoseCheck.dcm']);
    expect(await found(CT, { accessionNumber: 'acc123' })).toEqual(['CT-RDSR-Siemens_Flash-TAP-SS.dcm']);
    expect(await found(CT, { accessionNumber: '_' })).toEqual([]);
  });

  it('system: display name, institution, manufacturer, model and station contain the text; the exact name', async () => {
    expect(await found(CT, { displayName: 'CENTRE MÉDICAL' })).toEqual(['CT-RDSR-GEPixelMed.dcm']);
    expect(await found(CT, { institutionName: 'hospital' })).toEqual(
      ['CT-ESR-GE_Optima.dcm', 'CT-ESR-GE_VCT.dcm', 'CT-RDSR-Siemens_Flash-QA-DS.dcm', 'CT-RDSR-Siemens_Flash-TAP-SS.dcm', 'CT-RDSR-ToshibaPixelMed.dcm', 'CT-RDSR-Toshiba_MultiValSD.dcm'].sort(),
    );
    expect(await found(MG, { institutionName: '中心' })).toEqual(['MG-Im-GE-SenDS-scaled.dcm']);
    expect(await found(CT, { manufacturer: 'toshiba' })).toEqual(['CT-RDSR-Toshiba_DoseCheck.dcm', 'CT-RDSR-ToshibaPixelMed.dcm', 'CT-RDSR-Toshiba_MultiValSD.dcm'].sort());
    expect(await found(CT, { modelName: 'Definition FLASH' })).toEqual(
      ['CT-RDSR-Siemens-Continued-1.dcm', 'CT-RDSR-Siemens-Continued-2.dcm', 'CT-RDSR-Siemens_Flash-QA-DS.dcm', 'CT-RDSR-Siemens_Flash-TAP-SS.dcm'].sort(),
    );
    expect(await found(CT, { stationName: 'ctawp' })).toEqual(['CT-RDSR-Siemens-Multi-1.dcm', 'CT-RDSR-Siemens_Flash-QA-DS.dcm', 'CT-RDSR-Siemens_Flash-TAP-SS.dcm']);
    expect(await found(CT, { system: 'OpenREM CONTINUED' })).toEqual(['CT-RDSR-Siemens-Continued-1.dcm', 'CT-RDSR-Siemens-Continued-2.dcm']);
    expect(await found(CT, { system: 'openrem continued' })).toEqual([]);
  });

  it('patient age, height and weight ranges, inclusive of the values the pages show', async () => {
    expect(await found(CT, { ageMin: '90' })).toEqual(
      // The VCT patient, 89.8 years old, is not.
      ['CT-RDSR-GEPixelMed.dcm', 'CT-RDSR-Siemens-Continued-1.dcm', 'CT-RDSR-Siemens-Continued-2.dcm', 'CT-RDSR-Siemens_Flash-QA-DS.dcm', 'CT-RDSR-Toshiba_DoseCheck.dcm'].sort(),
    );
    expect(await found(CT, { ageMax: '50' })).toEqual(['CT-ESR-GE_Optima.dcm', 'CT-RDSR-ToshibaPixelMed.dcm']);
    expect(await found(CT, { heightMin: '1.7' })).toEqual(['CT-RDSR-Siemens_Flash-TAP-SS.dcm', 'NM-CT-RDSR-Siemens.dcm']);
    expect(await found(CT, { heightMax: '1.7' })).toEqual(['CT-ESR-GE_Optima.dcm']);
    expect(await found(CT, { weightMin: '80' })).toEqual(['CT-RDSR-Siemens_Flash-TAP-SS.dcm', 'NM-CT-RDSR-Siemens.dcm']);
    expect(await found(CT, { weightMax: '76' })).toEqual(['CT-RDSR-Siemens_Flash-QA-DS.dcm', 'CT-RDSR-ToshibaPixelMed.dcm']);
    expect(await found(CT, { weightMin: '78.2', weightMax: '78.2' })).toEqual(['CT-ESR-GE_Optima.dcm']);
  });

  it('patient sex', async () => {
    expect(await found(CT, { sex: 'F' })).toEqual(['CT-ESR-GE_VCT.dcm', 'CT-RDSR-GEPixelMed.dcm']);
    expect(await found(CT, { sex: 'O' })).toEqual(['CT-RDSR-Siemens-Continued-1.dcm', 'CT-RDSR-Siemens-Continued-2.dcm', 'CT-RDSR-Siemens_Flash-QA-DS.dcm']);
    expect(await found(CT, { sex: 'M' })).toHaveLength(5);
  });

  it('total DLP in mGy·cm', async () => {
    expect(await found(CT, { dlpMin: '1000' })).toEqual(['CT-ESR-GE_VCT.dcm', 'CT-RDSR-Siemens_Flash-QA-DS.dcm', 'CT-SC-Philips_Brilliance16P.dcm']);
    expect(await found(CT, { dlpMax: '60.17' })).toEqual(['CT-RDSR-Siemens-Continued-1.dcm', 'CT-RDSR-Siemens-Continued-2.dcm']);
    expect(await found(CT, { dlpMin: '724.52', dlpMax: '724.52' })).toEqual(['CT-RDSR-Siemens_Flash-TAP-SS.dcm']);
  });

  it('total DAP in cGy·cm² (stored in Gy·m²)', async () => {
    expect(await found(DX, { dapMin: '100' })).toEqual(['DX-Im-Carestream_DR7500-1.dcm', 'DX-Im-Date-Missing.dcm']);
    expect(await found(DX, { dapMax: '6.33' })).toEqual(['DX-Im-Carestream_DRX.dcm', 'DX-RDSR-Carestream_DRXEvolution.dcm', 'Dual-RDSR-DX.dcm']);
    expect(await found(RF, { dapMin: '1000' })).toEqual(['RF-Pat-Orientation-Modifier-Missing.dcm', 'RF-RDSR-Canon-Ultimaxi-mGyDoseAtRP.dcm', 'RF-RDSR-Philips_Azurion.dcm']);
    // 1.6e-5 Gy·m², shown as 16 cGy·cm², is inside a range ending at 16.
    expect(await found(RF, { dapMin: '16', dapMax: '16' })).toEqual(['RF-RDSR-Siemens-Zee.dcm', 'RF-RDSR-Siemens-Zee_adjusted.dcm']);
  });

  it('total dose at RP in mGy (stored in Gy)', async () => {
    expect(await found(RF, { rpDoseMin: '500' })).toEqual(['RF-Pat-Orientation-Modifier-Missing.dcm', 'RF-RDSR-Philips_Azurion.dcm']);
    expect(await found(RF, { rpDoseMax: '0.1' })).toEqual(['Dual-RDSR-RF.dcm']);
    expect(await found(RF, { rpDoseMin: '2.52', rpDoseMax: '2.52' })).toEqual(['RF-RDSR-Siemens-Zee.dcm', 'RF-RDSR-Siemens-Zee_adjusted.dcm']);
  });

  it('AGD: a study matches when the dose of one of its breasts is in range', async () => {
    expect(await found(MG, { agdMin: '2' })).toEqual(['MG-RDSR-GEPristina-2D.dcm', 'MG-RDSR-Hologic_mix.dcm']);
    // Pristina's left breast has 0 mGy, the Hologic phantom image's right breast 0.26 mGy.
    expect(await found(MG, { agdMax: '0.3' })).toEqual(['MG-Im-Hologic-PropProj.dcm', 'MG-RDSR-GEPristina-2D.dcm']);
    expect(await found(MG, { agdMin: '1.3', agdMax: '1.3' })).toEqual(['MG-RDSR-Hologic_2D.dcm']);
  });

  it('administered activity in MBq', async () => {
    expect(await found(NM, { activityMin: '700' })).toEqual(['NM-NmIm-Siemens.dcm']);
    expect(await found(NM, { activityMax: '250' })).toEqual(['NM-PetIm-GE.dcm']);
  });

  it('number of events of each CT acquisition type', async () => {
    expect(await found(CT, { axialEventsMin: '1' })).toEqual(['CT-ESR-GE_VCT.dcm']);
    expect(await found(CT, { spiralEventsMin: '3' })).toEqual(['CT-SC-Philips_Brilliance16P.dcm']);
    expect(await found(CT, { stationaryEventsMin: '4' })).toEqual(['CT-ESR-GE_VCT.dcm', 'CT-RDSR-Siemens_Flash-QA-DS.dcm']);
    expect(await found(CT, { constantAngleEventsMin: '2', constantAngleEventsMax: '4' })).toEqual(['CT-ESR-GE_Optima.dcm', 'CT-RDSR-Toshiba_MultiValSD.dcm']);
    expect(await found(CT, { constantAngleEventsMax: '0' })).toEqual(['CT-RDSR-GEPixelMed.dcm', 'CT-RDSR-Siemens_Flash-QA-DS.dcm', 'CT-RDSR-Toshiba_DoseCheck.dcm']);
  });

  it('probable not-patient studies: left out, or only those', async () => {
    const flagged = ['CT-RDSR-Siemens-Continued-1.dcm', 'CT-RDSR-Siemens-Continued-2.dcm', 'CT-RDSR-ToshibaPixelMed.dcm'];
    expect(await found(CT, { testData: 'only' })).toEqual(flagged);
    const rest = await found(CT, { testData: 'exclude' });
    expect(rest).toHaveLength(10);
    expect(rest.some((f) => flagged.includes(f))).toBe(false);
  });

  it('patient name (stored as is): contains, any case, for users with the pid role', async () => {
    expect(await found(CT, { patientName: 'smith' }, { pid: true })).toEqual(['CT-RDSR-Siemens_Flash-TAP-SS.dcm']);
    expect(await found(CT, { patientName: 'SUSAN' }, { pid: true })).toEqual(['CT-RDSR-GEPixelMed.dcm']);
    expect(await found(RF, { patientName: 'كوري' }, { pid: true })).toEqual(['RF-RDSR-Siemens-Zee.dcm', 'RF-RDSR-Siemens-Zee_adjusted.dcm']);
  });

  it('patient ID (stored hashed): only the whole ID matches, through its hash', async () => {
    expect(await found(CT, { patientId: '123456' }, { pid: true })).toEqual(['CT-RDSR-Siemens_Flash-TAP-SS.dcm']);
    expect(await found(CT, { patientId: '10293847' }, { pid: true })).toEqual(['CT-RDSR-GEPixelMed.dcm']);
    expect(await found(CT, { patientId: '12345' }, { pid: true })).toEqual([]);
    expect(await found(RF, { patientId: '098765' }, { pid: true })).toEqual(['RF-RDSR-Siemens-Zee.dcm', 'RF-RDSR-Siemens-Zee_adjusted.dcm']);
  });

  it('filters combine: every one must hold', async () => {
    expect(await found(CT, { manufacturer: 'siemens', dlpMin: '500', sex: 'M' })).toEqual(['CT-RDSR-Siemens_Flash-TAP-SS.dcm', 'NM-CT-RDSR-Siemens.dcm']);
    expect(await found(CT, { manufacturer: 'siemens', dlpMin: '500', sex: 'M', dateTo: '2000-01-01', timeFrom: '00:00', timeTo: '00:00', testData: 'exclude' })).toEqual([
      'CT-RDSR-Siemens_Flash-TAP-SS.dcm',
    ]);
  });
});

describe('filter parameters', () => {
  const CTs = specForModality('CT')!;

  it('refuses patient name and ID without the pid role, with a message saying why', () => {
    expect(problems(() => parseQuery(filterSchema(CTs), { patientName: 'smith', patientId: '1' }))).toEqual([
      'patientName: searching by patient identifiers needs the pid role (patient-identifiable data)',
      'patientId: searching by patient identifiers needs the pid role (patient-identifiable data)',
    ]);
    expect(problems(() => parseQuery(listQuerySchema(CTs), { patientName: 'smith' }))).toHaveLength(1);
    expect(parseQuery(filterSchema(CTs, { pid: true }), { patientName: 'smith' })).toEqual({ patientName: 'smith' });
  });

  it('parses ranges in shown units and names bad values, saying what is expected', () => {
    expect(parseQuery(filterSchema(specForModality('RF')!), { dapMin: '16', rpDoseMax: '2.5' })).toEqual({ dapMin: 16, rpDoseMax: 2.5 });
    expect(problems(() => parseQuery(filterSchema(CTs), { dlpMin: 'lots' }))).toEqual(['dlpMin: “lots” is not a number; expected a number in mGy·cm, such as 12, 0.5 or 1e3 (for 1000)']);
    expect(problems(() => parseQuery(filterSchema(CTs), { dlpMin: '-5' }))).toEqual(['dlpMin: cannot be negative; expected a number in mGy·cm, such as 12, 0.5 or 1e3 (for 1000)']);
    expect(problems(() => parseQuery(filterSchema(CTs), { dlpMin: '500', dlpMax: '100' }))).toEqual(['dlpMax: is less than the start of the range (500)']);
    expect(problems(() => parseQuery(filterSchema(CTs), { axialEventsMin: '1.5' }))).toEqual(['axialEventsMin: 1.5 is not a whole number; expected a whole number, such as 2']);
    expect(problems(() => parseQuery(filterSchema(CTs), { ageMax: '250' }))).toEqual(['ageMax: 250 is more than 200 years']);
    expect(problems(() => parseQuery(filterSchema(CTs), { timeFrom: '25:00' }))).toEqual([
      'timeFrom: “25:00” is not a time of day; expected a time of day as HH:MM, 00:00 to 23:59, such as 09:30 (0930 also works)',
    ]);
    expect(parseQuery(filterSchema(CTs), { timeFrom: '8:05', timeTo: '17:30:15' })).toEqual({ timeFrom: '08:05', timeTo: '17:30:15' });
    expect(problems(() => parseQuery(filterSchema(CTs), { sex: 'X' }))).toEqual(['sex: expected one of: F, M, O']);
  });

  it('reads numbers and times as people type them where the meaning is plain', () => {
    // The number input of a browser sends 1e3 as typed.
    expect(parseQuery(filterSchema(CTs), { dlpMin: '1e3', dlpMax: '2.5E3', axialEventsMin: '2.0', weightMin: ' 70 ', heightMax: '.9' })).toEqual({
      dlpMin: 1000,
      dlpMax: 2500,
      axialEventsMin: 2,
      weightMin: 70,
      heightMax: 0.9,
    });
    expect(parseTimeOfDay('0930')).toBe('09:30');
    expect(parseTimeOfDay('930')).toBe('09:30');
    expect(parseTimeOfDay('173015')).toBe('17:30:15');
    expect(parseTimeOfDay('9.30')).toBe('09:30');
    expect(parseTimeOfDay('23:59:59')).toBe('23:59:59');
    for (const bad of ['25:99', '2400', '12:60', '9', '17', '93000', '12:5', 'noon', '']) expect(parseTimeOfDay(bad), bad).toBeNull();
    expect(parseQuery(filterSchema(CTs), { timeFrom: '0930', timeTo: '1715' })).toEqual({ timeFrom: '09:30', timeTo: '17:15' });
  });

  it('says which parameter each problem is about, for messages beside the fields', () => {
    try {
      parseQuery(filterSchema(CTs), { dlpMin: 'x', bogus: '1' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(QueryError);
      expect((err as QueryError).issues).toEqual([
        { param: 'dlpMin', message: '“x” is not a number; expected a number in mGy·cm, such as 12, 0.5 or 1e3 (for 1000)' },
        { param: 'bogus', message: 'unknown parameter' },
      ]);
    }
  });

  it('offers each modality only its own fields', () => {
    expect(problems(() => parseQuery(filterSchema(CTs), { dapMin: '1', agdMin: '1', view: 'cc', compressionThicknessMin: '1' }))).toEqual([
      'dapMin: unknown parameter',
      'agdMin: unknown parameter',
      'view: unknown parameter',
      'compressionThicknessMin: unknown parameter',
    ]);
    expect(problems(() => parseQuery(filterSchema(specForModality('NM')!), { acquisitionProtocol: 'x', dlpMin: '1' }))).toEqual(['acquisitionProtocol: unknown parameter', 'dlpMin: unknown parameter']);
  });

  it('lower-cases as PostgreSQL does: one code point for one', () => {
    expect(lowerText('ÉCOLE Ã')).toBe('école ã');
    // Full case mapping would give "i̇" (two code points) and a final sigma.
    expect(lowerText('İSTANBUL ΟΔΟΣ')).toBe('istanbul οδοσ');
    expect(lowerText('ABC')).toBe('abc');
  });
});
