// Patient name, ID and birth date, where the site stores them, are shown only to users with
// the pid role.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/config.js';
import { parseSettings } from '../../src/settings/site.js';
import { saveSettings } from '../../src/settings/store.js';
import { buildApp } from '../../src/web/app.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { requester, signIn } from '../helpers/web.js';
import { importCorpus } from './fixtures.js';

function patientSection(html: string): string {
  return /<section[^>]*id="patient"[^>]*>([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
}

describe.each(ENGINES)('patient identifiers on %s', (engine) => {
  let t: TestDb;
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    t = await createTestDb(engine);
    await saveSettings(t.db.kysely, parseSettings({ patientId: { storePatientName: true, storePatientId: true, storePatientBirthDate: true } }));
    const ids = await importCorpus(t.db, ['CT-RDSR-Siemens_Flash-TAP-SS.dcm']);
    url = `/studies/${ids.get('CT-RDSR-Siemens_Flash-TAP-SS.dcm')}`;
    app = await buildApp({ db: t.db, config: configFromEnv(t.env) });
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  it('a view user sees the patient section without name, ID or birth date', async () => {
    const res = await requester(app, await signIn(t.db, { roles: ['view'] }))(url);
    expect(res.statusCode).toBe(200);
    const patient = patientSection(res.body);
    expect(patient).toContain('<th scope="row">Weight</th>');
    expect(res.body).not.toContain('SMITH');
    // (The accession number ACC12345601 contains the digits of the patient ID.)
    expect(patient).not.toContain('123456');
    expect(patient).not.toMatch(/>(Name|ID|Birth date)</);
    expect(res.body).not.toContain('1929-05-19');
  });

  it('a pid user sees the stored name, ID and birth date', async () => {
    const res = await requester(app, await signIn(t.db, { roles: ['view', 'pid'] }))(url);
    const patient = patientSection(res.body);
    expect(patient).toMatch(/<th scope="row">Name<\/th><td>.*SMITH.*JOHN.*<\/td>/);
    expect(patient).toMatch(/<th scope="row">ID<\/th><td>.*123456.*<\/td>/);
    expect(patient).toMatch(/<th scope="row">Birth date<\/th><td>.*1929-05-19.*<\/td>/);
  });
});
