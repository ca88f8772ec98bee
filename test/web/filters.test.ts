// The list page's filter form: each modality's own fields with the units the pages show, values
// kept in the address and the form, patient identifiers only for users with the pid role.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/config.js';
import { buildApp } from '../../src/web/app.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { requester, signIn } from '../helpers/web.js';
import { CT_FILES, importCorpus, RF_FILE } from './fixtures.js';

function legends(html: string): string[] {
  return [...html.matchAll(/<legend[^>]*>([\s\S]*?)<\/legend>/g)].map((m) => m[1]!.replace(/<[^>]*>/g, ''));
}

describe.each(ENGINES)('list filters in the page on %s', (engine) => {
  let t: TestDb;
  let app: FastifyInstance;
  let viewer: ReturnType<typeof requester>;
  let pidUser: ReturnType<typeof requester>;

  beforeAll(async () => {
    t = await createTestDb(engine);
    await importCorpus(t.db, [...CT_FILES, RF_FILE, 'MG-RDSR-Hologic_mix.dcm']);
    app = await buildApp({ db: t.db, config: configFromEnv(t.env) });
    viewer = requester(app, await signIn(t.db, { roles: ['view'] }));
    pidUser = requester(app, await signIn(t.db, { roles: ['view', 'pid'] }));
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  it("shows each modality's ranges with the unit to type them in", async () => {
    expect(legends((await viewer('/ct')).body)).toEqual([
      'Study date',
      'Time of day',
      'Patient age (years)',
      'Patient height (m)',
      'Patient weight (kg)',
      'Total DLP (mGy·cm)',
      'Axial acquisitions',
      'Spiral acquisitions',
      'Stationary acquisitions',
      'Constant angle acquisitions',
    ]);
    const rf = legends((await viewer('/rf')).body);
    expect(rf).toContain('Total DAP (cGy·cm²)');
    expect(rf).toContain('Total dose at RP (all planes) (mGy)');
    expect(rf).not.toContain('Total DLP (mGy·cm)');
    const mg = (await viewer('/mg')).body;
    expect(legends(mg)).toEqual(expect.arrayContaining(['AGD of a breast (mGy)', 'Compressed breast thickness (mm)']));
    expect(mg).toContain('<input type="search" name="view"');
  });

  it('keeps filters in the address and the form, opening the groups in use', async () => {
    const res = await viewer('/ct?dlpMin=500&sex=M&timeFrom=17:00&timeTo=08:00');
    expect(res.statusCode).toBe(200);
    // Men scanned at night: TAP-SS (724.52 mGy·cm at 00:00), Toshiba Dose Check (502.4 at 07:51), Multi (236 at 17:17).
    expect(res.body).toContain('data-total="2"');
    expect(res.body).toContain('<input type="number" name="dlpMin" min="0" step="any" value="500" inputmode="decimal">');
    expect(res.body).toContain('<option value="M" selected>Male</option>');
    expect(res.body).toContain('<details class="filter-group" open><summary>Patient</summary>');
    expect(res.body).toContain('<details class="filter-group" open><summary>Dose and acquisitions</summary>');
    expect(res.body).toContain('<details class="filter-group"><summary>System</summary>');
    expect(res.body).toContain('href="/ct?timeFrom=17%3A00&amp;timeTo=08%3A00&amp;sex=M&amp;dlpMin=500&amp;sort=dlp"');
  });

  it('offers patient name and ID only to users with the pid role, and refuses them from others', async () => {
    expect((await viewer('/ct')).body).not.toContain('name="patientName"');
    const pidPage = (await pidUser('/ct')).body;
    expect(pidPage).toContain('name="patientName"');
    expect(pidPage).toContain('name="patientId"');
    const refused = await viewer('/ct?patientName=smith');
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('patientName: searching by patient identifiers needs the pid role (patient-identifiable data)');
  });

  it('names bad range values', async () => {
    const res = await viewer('/rf?dapMin=big&rpDoseMin=5&rpDoseMax=1');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('dapMin: expected a number in cGy·cm²');
    expect(res.body).toContain('rpDoseMax: is below rpDoseMin (5)');
  });
});
