// Numbers on lists and study pages, on each engine: rounded for reading by one helper (four
// significant digits, every digit of the whole part), the full value in the title.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/config.js';
import { buildApp } from '../../src/web/app.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { requester, signIn } from '../helpers/web.js';
import { importCorpus } from './fixtures.js';

const RF_MINIVIEW = 'RF-RDSR-GE-OECEliteMiniView.dcm';
const CT_PHILIPS = 'CT-SC-Philips_Brilliance16P.dcm';

/** The list's dose cells of the first row, as HTML. */
function doseCells(html: string): string[] {
  const row = /<table class="data studies">[\s\S]*?<tbody><tr>([\s\S]*?)<\/tr>/.exec(html)?.[1] ?? '';
  return [...row.matchAll(/<td class="num">([\s\S]*?)<\/td>/g)].map((m) => m[1]!).slice(1);
}

describe.each(ENGINES)('numbers shown on pages on %s', (engine) => {
  let t: TestDb;
  let app: FastifyInstance;
  let ids: Map<string, number>;
  let get: ReturnType<typeof requester>;

  beforeAll(async () => {
    t = await createTestDb(engine);
    ids = await importCorpus(t.db, [RF_MINIVIEW, CT_PHILIPS]);
    app = await buildApp({ db: t.db, config: configFromEnv(t.env) });
    get = requester(app, await signIn(t.db, { roles: ['view'] }));
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  it('lists: fluoroscopy DAP 1.3316568 cGy·cm² and dose at RP 0.22034578 mGy read 1.332 and 0.2203', async () => {
    const cells = doseCells((await get('/rf')).body);
    expect(cells).toEqual([
      '<span title="1.3316568">1.332</span>',
      '<span title="0.22034578">0.2203</span>',
      '<span class="missing" title="not recorded">–</span>',
    ]);
    // CT total DLP 1102.44609 mGy·cm keeps its whole part and a decimal.
    expect(doseCells((await get('/ct')).body)).toEqual(['<span title="1102.44609">1102.4</span>']);
  });

  it('study pages: totals, accumulated doses and event values through the same rounding', async () => {
    const rf = (await get(`/studies/${ids.get(RF_MINIVIEW)}`)).body;
    expect(rf).toContain('<dt>Total DAP</dt><dd><span class="quantity"><span title="1.3316568">1.332</span>\u00a0<span class="unit">cGy·cm²</span></span></dd>');
    expect(rf).toContain('<dt>Total RP dose A</dt><dd><span class="quantity"><span title="0.22034578">0.2203</span>\u00a0<span class="unit">mGy</span></span></dd>');
    expect(rf).not.toMatch(/>1\.33166|>0\.22034/);
    const ct = (await get(`/studies/${ids.get(CT_PHILIPS)}`)).body;
    // Event 2's CTDIvol, 7.200978719152135 mGy.
    expect(ct).toContain('<td class="num"><span title="7.20097871915214">7.201</span>');
    expect(ct).toContain('<span class="quantity"><span title="1102.44609">1102.4</span>\u00a0<span class="unit">mGy·cm</span></span>');
    expect(ct).not.toContain('>7.20098<');
  });
});
