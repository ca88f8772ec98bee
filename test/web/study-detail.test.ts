// Study pages of fluoroscopy (bi-plane), mammography and nuclear medicine studies, on each
// engine: every value with its unit, accumulated dose per plane, and the unit's comments.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/config.js';
import { importFile } from '../../src/ingest/import-file.js';
import { loadSettings } from '../../src/settings/store.js';
import { buildApp } from '../../src/web/app.js';
import { biPlaneRdsr } from '../helpers/biplane.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { requester, signIn } from '../helpers/web.js';
import { importCorpus, RF_FILE } from './fixtures.js';

const MG_FILE = 'MG-RDSR-Hologic_2D.dcm';
const NM_FILE = 'NM-RRDSR-Siemens.dcm';

/** A section of the page by its id. */
function section(html: string, id: string): string {
  return new RegExp(`<section class="panel" id="${id}">([\\s\\S]*?)</section>`).exec(html)?.[1] ?? '';
}

function decode(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

/** Rows of a table as lists of cell texts (headings included). */
function cells(html: string): string[][] {
  return [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) =>
    [...m[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => decode(c[1]!.replace(/<[^>]*>/g, ' ')).replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim()),
  );
}

/** The overview's terms and values. */
function overview(html: string): Record<string, string> {
  const dl = /<dl class="overview">([\s\S]*?)<\/dl>/.exec(html)?.[1] ?? '';
  return Object.fromEntries(
    [...dl.matchAll(/<dt>([\s\S]*?)<\/dt><dd>([\s\S]*?)<\/dd>/g)].map((m) => [m[1]!, m[2]!.replace(/<[^>]*>/g, '').replace(/\u00a0/g, ' ').trim()]),
  );
}

describe.each(ENGINES)('study pages of RF, MG and NM studies on %s', (engine) => {
  let t: TestDb;
  let app: FastifyInstance;
  let ids: Map<string, number>;
  let biPlaneId: number;
  let get: ReturnType<typeof requester>;

  beforeAll(async () => {
    t = await createTestDb(engine);
    ids = await importCorpus(t.db, [RF_FILE, MG_FILE, NM_FILE]);
    const file = join(t.dataDir, 'bi-plane.dcm');
    writeFileSync(file, biPlaneRdsr());
    const imported = await importFile(t.db, await loadSettings(t.db.kysely), file);
    if (imported.studyId === undefined) throw new Error(`the bi-plane study did not import: ${imported.message}`);
    biPlaneId = imported.studyId;
    app = await buildApp({ db: t.db, config: configFromEnv(t.env) });
    get = requester(app, await signIn(t.db, { roles: ['view'] }));
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  it('bi-plane fluoroscopy: totals of each plane, accumulated dose per plane, and the plane of each event', async () => {
    const html = (await get(`/studies/${biPlaneId}`)).body;
    // Plane A: the Artis RDSR's 1.6e-5 Gy·m² and 0.00252 Gy; plane B: 4.5e-6 Gy·m² and 0.0008 Gy.
    expect(cells(section(html, 'totals'))).toContainEqual(['Number of planes', '2']);
    expect(overview(html)).toMatchObject({
      'Total DAP': '20.5 cGy·cm²',
      'Total DAP A': '16 cGy·cm²',
      'Total DAP B': '4.5 cGy·cm²',
      'Total RP dose A': '2.52 mGy',
      'Total RP dose B': '0.8 mGy',
    });
    const planes = cells(section(html, 'accumulated'));
    expect(planes[0]).toEqual(['Value', 'Plane A', 'Plane B']);
    expect(planes).toContainEqual(['Dose area product total', '16 cGy·cm²', '4.5 cGy·cm²']);
    expect(planes).toContainEqual(['Dose at RP total', '2.52 mGy', '0.8 mGy']);
    expect(planes).toContainEqual(['Total fluoro time', '28 s', '28 s']);
    const events = cells(section(html, 'events'));
    const plane = events[0]!.indexOf('Plane');
    expect(events.slice(1).map((r) => r[plane])).toEqual([...Array<string>(5).fill('Plane A'), ...Array<string>(3).fill('Plane B')]);
  });

  it('fluoroscopy: the comments the unit recorded, shown as sent (as text)', async () => {
    const comments = section((await get(`/studies/${ids.get(RF_FILE)}`)).body, 'comments');
    expect(comments).toContain('<p class="comment">&lt;Root&gt;&lt;PatientPosition&gt;&lt;Position SRData=&quot;HFS &quot;/&gt;');
    const rows = cells(comments);
    expect(rows[0]).toEqual(['Event', 'Comment']);
    expect(rows).toHaveLength(9);
    expect(rows[1]![1]).toContain('<SceneName SRData="FL - Ang"/>');
  });

  it('mammography: AGD per breast in mGy, compressed thickness in mm, exposure in mAs', async () => {
    const html = (await get(`/studies/${ids.get(MG_FILE)}`)).body;
    expect(overview(html)).toMatchObject({ 'Total AGD left': '1.3 mGy', 'Total AGD right': '1.28 mGy' });
    const events = cells(section(html, 'events'));
    const column = (name: string) => events[0]!.indexOf(name);
    expect(events.slice(1).map((r) => [r[column('Laterality')], r[column('View')], r[column('AGD mGy')], r[column('Compression thickness mm')], r[column('kVp kV')], r[column('Exposure mAs')]])).toEqual([
      ['Left', 'cranio-caudal', '1.3', '43', '28', '90.2'],
      ['Right', 'cranio-caudal', '1.28', '43', '28', '88.8'],
    ]);
  });

  it('nuclear medicine: administered activity in MBq, effective dose in mSv, organ doses with their units', async () => {
    const html = (await get(`/studies/${ids.get(NM_FILE)}`)).body;
    expect(overview(html)).toMatchObject({ 'Total administered activity': '394 MBq' });
    const administration = cells(section(html, 'administration'));
    expect(administration).toContainEqual(['Administered activity', '394 MBq']);
    expect(administration).toContainEqual(['Effective dose', '7.486 mSv']);
    expect(administration).toContainEqual(['Radionuclide half life', '6586.2 s']);
    // Organ doses: a table of their own, each dose with its unit.
    expect(administration).toContainEqual(['Adrenal gland', 'Right and left', '4.73 mGy', 'ICRP Publication 128']);
    expect(administration).toContainEqual(['Heart', '–', '26.4 mGy', 'ICRP Publication 128']);
  });
});
