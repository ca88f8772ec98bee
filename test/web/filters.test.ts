// The list page's filter form: each modality's own fields with the units the pages show, values
// kept in the address and the form, patient identifiers only for users with the pid role.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/config.js';
import { parseSettings } from '../../src/settings/site.js';
import { saveSettings } from '../../src/settings/store.js';
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
    // Names stored as they are, IDs as hashes: both ways of matching identifiers.
    await saveSettings(t.db.kysely, parseSettings({ patientId: { storePatientName: true, storePatientId: true, hashPatientId: true } }));
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
    expect(res.body).toContain('<input name="dlpMin" value="500" type="number" min="0" step="any" inputmode="decimal">');
    expect(res.body).toContain('<input name="timeFrom" value="17:00" type="text" placeholder="HH:MM" autocomplete="off" inputmode="numeric">');
    expect(res.body).toContain('<option value="M" selected>Male</option>');
    expect(res.body).toContain('<details class="filter-group" open><summary>Patient</summary>');
    expect(res.body).toContain('<details class="filter-group" open><summary>Dose and acquisitions</summary>');
    expect(res.body).toContain('<details class="filter-group"><summary>System</summary>');
    expect(res.body).toContain('href="/ct?timeFrom=17%3A00&amp;timeTo=08%3A00&amp;dlpMin=500&amp;sex=M&amp;sort=dlp"');
  });

  it('offers patient name and ID only to users with the pid role, and refuses them from others', async () => {
    expect((await viewer('/ct')).body).not.toContain('name="patientName"');
    const pidPage = (await pidUser('/ct')).body;
    expect(pidPage).toContain('name="patientName"');
    expect(pidPage).toContain('name="patientId"');
    const refused = await viewer('/ct?patientName=smith');
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('<li>Patient name: searching by patient identifiers needs the pid role (patient-identifiable data)</li>');
    expect(refused.body).not.toContain('<table class="data studies">');
  });

  it('lets a pid user search the list by patient name (any part, any case) and by the whole patient ID (stored hashed)', async () => {
    const byName = await pidUser('/ct?patientName=smith');
    expect(byName.statusCode).toBe(200);
    // CT-RDSR-Siemens_Flash-TAP-SS: patient SMITH^JOHN, ID 123456.
    expect(byName.body).toContain('data-total="1"');
    expect(byName.body).toContain('<td>Thorax^TAP (Adult)</td>');
    expect(byName.body).toContain('<input type="search" name="patientName" value="smith"');
    expect((await pidUser('/ct?patientId=123456')).body).toContain('data-total="1"');
    expect((await pidUser('/ct?patientId=12345')).body).toContain('data-total="0"');
    // The filter travels with the list's links.
    expect(byName.body).toContain('href="/ct?patientName=smith&amp;sort=dlp"');
  });

  /** The message beside a field, or null. */
  const fieldError = (html: string, name: string) => new RegExp(`<span class="field-error" id="filter-${name}-error">([^<]*)</span>`).exec(html)?.[1] ?? null;

  it('names bad range values beside their fields, and lists every problem above the list', async () => {
    const res = await viewer('/rf?dapMin=big&rpDoseMax=-1');
    expect(res.statusCode).toBe(400);
    expect(fieldError(res.body, 'dapMin')).toBe('“big” is not a number; expected a number in cGy·cm², such as 12, 0.5 or 1e3 (for 1000)');
    expect(fieldError(res.body, 'rpDoseMax')).toBe('cannot be negative; expected a number in mGy, such as 12, 0.5 or 1e3 (for 1000)');
    expect(res.body).toContain('<li>Total DAP from: “big” is not a number; expected a number in cGy·cm², such as 12, 0.5 or 1e3 (for 1000)</li>');
    expect(res.body).toContain('<li>Total dose at RP (all planes) to: cannot be negative; expected a number in mGy, such as 12, 0.5 or 1e3 (for 1000)</li>');
    // Ranges the wrong way round: the end is marked.
    const reversed = await viewer('/rf?rpDoseMin=5&rpDoseMax=1');
    expect(reversed.statusCode).toBe(400);
    expect(fieldError(reversed.body, 'rpDoseMax')).toBe('is less than the start of the range (5)');
    expect(fieldError(reversed.body, 'rpDoseMin')).toBeNull();
  });

  it('a bad value gives back the list page with the form as typed, the problem beside its field, and no studies', async () => {
    const res = await viewer('/ct?studyDescription=head&dlpMin=lots&timeFrom=25%3A99&timeTo=0930x&sex=M&sort=dlp');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('<title>CT studies · OpenREM</title>');
    // Everything typed is kept, the good values and the bad.
    expect(res.body).toContain('<input type="search" name="studyDescription" value="head"');
    expect(res.body).toContain('<input name="dlpMin" value="lots" type="number" min="0" step="any" inputmode="decimal" aria-invalid="true" aria-describedby="filter-dlpMin-error">');
    expect(res.body).toContain('<input name="timeFrom" value="25:99" type="text"');
    expect(res.body).toContain('<option value="M" selected>Male</option>');
    expect(res.body).toContain('<input type="hidden" name="sort" value="dlp">');
    expect(fieldError(res.body, 'dlpMin')).toBe('“lots” is not a number; expected a number in mGy·cm, such as 12, 0.5 or 1e3 (for 1000)');
    expect(fieldError(res.body, 'timeFrom')).toBe('“25:99” is not a time of day; expected a time of day as HH:MM, 00:00 to 23:59, such as 09:30 (0930 also works)');
    expect(fieldError(res.body, 'timeTo')).toBe('“0930x” is not a time of day; expected a time of day as HH:MM, 00:00 to 23:59, such as 09:30 (0930 also works)');
    expect(fieldError(res.body, 'studyDescription')).toBeNull();
    // No studies rather than studies without the filter the user meant; the page says so.
    expect(res.body).toContain('No studies are listed: correct the marked filters and apply them again.');
    expect(res.body).not.toContain('<table class="data studies">');
    expect(res.body).not.toContain('Back to the home page');
  });

  it('reads what number and time fields are sent as people mean them: 1e3 is 1000, 0930 is 09:30', async () => {
    const total = (html: string) => /data-total="(\d+)"/.exec(html)?.[1];
    // Total DLP of at least 1000 mGy·cm: GE VCT (2002.39) and the Siemens Flash QA study (1590).
    const exponent = await viewer('/ct?dlpMin=1e3');
    expect(exponent.statusCode).toBe(200);
    expect(total(exponent.body)).toBe('2');
    expect(total((await viewer('/ct?dlpMin=1000')).body)).toBe('2');
    expect(exponent.body).toContain('<input name="dlpMin" value="1000" type="number"');
    expect(exponent.body).toContain('<td class="num"><span title="2002.39">2002.4</span></td>');
    expect(exponent.body).toContain('<td class="num">1590</td>');
    // Between 09:30 and 10:59: Continued-1 and -2 (10:10:34).
    const digits = await viewer('/ct?timeFrom=0930&timeTo=1059');
    expect(digits.statusCode).toBe(200);
    expect(total(digits.body)).toBe(total((await viewer('/ct?timeFrom=09:30&timeTo=10:59')).body));
    expect(total(digits.body)).toBe('2');
    expect(digits.body).toContain('<input name="timeFrom" value="09:30" type="text"');
    expect(digits.body).toContain('<input name="timeTo" value="10:59" type="text"');
  });
});
