// Display names of new equipment, on each engine: "institution station" as the reference
// system names units; without both, what tells units apart (manufacturer, model, station or
// serial number, from the report's device observer when the object's equipment module lacks
// them), so different units count as different systems on the home page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDisplayName } from '../../src/ingest/equipment.js';
import { systemActivity } from '../../src/query/systems.js';
import { importCorpus } from '../web/fixtures.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';

const FILES = {
  /** No equipment module values at all; the RDSR's device observer is an Allura Xper named 722010-338. */
  allura: 'RF-Pat-Orientation-Modifier-Missing.dcm',
  /** Manufacturer and model only; the device observer is named ver5. */
  veradius: 'RF-No-kVp-and-others.dcm',
  /** Station "CCL Lab A" without institution or model; the device observer says Allura Xper. */
  cathLab: 'RF-RDSR-Philips_Allura.dcm',
  /** Manufacturer, model and serial number. */
  canon: 'RF-RDSR-Canon-Ultimaxi-mGyDoseAtRP.dcm',
  /** Institution "DX Date Removed", station "KODAK7500". */
  kodak: 'DX-Im-Date-Missing.dcm',
  /** A station name without institution. */
  philipsCt: 'CT-SC-Philips_Brilliance16P.dcm',
};

describe.each(ENGINES)('display names of new equipment on %s', (engine) => {
  let t: TestDb;
  let ids: Map<string, number>;

  beforeAll(async () => {
    t = await createTestDb(engine);
    ids = await importCorpus(t.db, Object.values(FILES));
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  async function nameOf(file: string): Promise<string> {
    const row = await t.db.kysely
      .selectFrom('study')
      .innerJoin('equipment', 'equipment.id', 'study.equipment_id')
      .select('equipment.display_name')
      .where('study.id', '=', ids.get(file)!)
      .executeTakeFirstOrThrow();
    return row.display_name;
  }

  it('name each unit by what identifies it', async () => {
    expect(await nameOf(FILES.allura)).toBe('Allura Xper 722010-338');
    expect(await nameOf(FILES.veradius)).toBe('Philips Medical Systems Veradius Unity ver5');
    expect(await nameOf(FILES.cathLab)).toBe('Philips Medical Systems Allura Xper CCL Lab A');
    expect(await nameOf(FILES.canon)).toBe('CANON_MEC Platinum43 HRM-021');
    expect(await nameOf(FILES.philipsCt)).toBe('Philips Brilliance 16P PHILIPS-E71E3F0');
    // The reference system's name where institution and station are known (conformance: missing-date).
    expect(await nameOf(FILES.kodak)).toBe('DX Date Removed KODAK7500');
  });

  it('count different units as different systems on the home page', async () => {
    const rf = (await systemActivity(t.db.kysely)).find((m) => m.spec.modality === 'RF')!;
    expect(rf.systems.map((s) => [s.displayName, s.studyCount])).toEqual([
      ['Allura Xper 722010-338', 1],
      ['CANON_MEC Platinum43 HRM-021', 1],
      ['Philips Medical Systems Allura Xper CCL Lab A', 1],
      ['Philips Medical Systems Veradius Unity ver5', 1],
    ]);
  });
});

describe('the default display name', () => {
  it('falls back from institution and station to manufacturer, model and a unit name, and to "Unknown system" only with nothing at all', () => {
    expect(defaultDisplayName({ institutionName: 'General', stationName: 'CT1', manufacturer: 'GE', modelName: 'Revolution' })).toBe('General CT1');
    expect(defaultDisplayName({ institutionName: 'General', manufacturer: 'GE', modelName: 'Revolution', deviceSerialNumber: '42' })).toBe('General GE Revolution 42');
    expect(defaultDisplayName({ manufacturer: 'GE', modelName: 'Revolution', stationName: ' CT1 ', deviceSerialNumber: '42' })).toBe('GE Revolution CT1');
    expect(defaultDisplayName({ manufacturer: '  ', modelName: null }, { deviceObserverSerialNumber: 'SN9' })).toBe('SN9');
    expect(defaultDisplayName({})).toBe('Unknown system');
  });
});
