// What every page shares, on each engine: the navigation (only modalities with studies; the
// current section marked, and only it), the footer (version, links into the help page), the
// help page itself (public, complete), and nothing loaded from another site on any page.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLE_DESCRIPTIONS, ROLES } from '../../src/auth/roles.js';
import { configFromEnv } from '../../src/config.js';
import { filterShape } from '../../src/query/filters.js';
import { MODALITY_SPECS } from '../../src/query/modalities.js';
import { buildApp } from '../../src/web/app.js';
import { routeTable } from '../../src/web/auth/access.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { requester, signIn, type TestUser } from '../helpers/web.js';
import { importCorpus } from './fixtures.js';

/** The texts of the modality navigation's links. */
function modalityNav(html: string): string[] {
  const nav = /<nav aria-label="Modalities">([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '';
  return [...nav.matchAll(/<a [^>]*>([^<]*)<\/a>/g)].map((m) => m[1]!);
}

/** The texts of everything marked as the current page or section. */
function current(html: string): string[] {
  return [...html.matchAll(/<(a|summary)\b[^>]*aria-current="page"[^>]*>([\s\S]*?)<\/\1>/g)].map((m) => m[2]!.replace(/<[^>]*>/g, '').trim());
}

function footer(html: string): string {
  return /<footer class="site-footer">([\s\S]*?)<\/footer>/.exec(html)?.[1] ?? '';
}

/** Addresses in attributes that lead to another site (absolute or scheme-relative URLs). */
function externalReferences(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href|action|srcset|data|poster|formaction)="((?:[a-z][a-z0-9+.-]*:)?\/\/[^"]*)"/gi)].map((m) => m[1]!);
}

describe.each(ENGINES)('navigation, footer and help on %s', (engine) => {
  let t: TestDb;
  let app: FastifyInstance;
  let viewer: TestUser;
  let superuser: TestUser;

  beforeAll(async () => {
    t = await createTestDb(engine);
    await importCorpus(t.db, ['CT-RDSR-Siemens_Flash-TAP-SS.dcm', 'MG-RDSR-Hologic_2D.dcm']);
    app = await buildApp({ db: t.db, config: configFromEnv(t.env) });
    viewer = await signIn(t.db, { roles: ['view'] });
    superuser = await signIn(t.db, { superuser: true });
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  it('offers only the modalities with studies, on every page, error pages included, and follows new imports', async () => {
    const get = requester(app, viewer);
    for (const url of ['/', '/ct', '/help', '/account/password', '/no-such-page', '/admin/users', '/ct?dateFrom=soon']) {
      const res = await get(url);
      expect([200, 400, 403, 404], url).toContain(res.statusCode);
      expect(modalityNav(res.body), url).toEqual(['CT', 'Mammography']);
    }
    // The lists of other modalities still answer (a bookmark), with nothing in them.
    expect((await get('/rf')).body).toContain('data-total="0"');
    await importCorpus(t.db, ['RF-RDSR-Siemens-Zee.dcm']);
    expect(modalityNav((await get('/')).body)).toEqual(['CT', 'Fluoroscopy', 'Mammography']);
  });

  it('marks the current section, and only it', async () => {
    const get = requester(app, superuser);
    const expected: [string, string[]][] = [
      ['/', []],
      ['/ct', ['CT']],
      ['/admin/users', ['Users']],
      ['/admin/users/new', ['Users']],
      [`/admin/users/${superuser.user.id}`, ['Users']],
      ['/admin/audit', ['Users']],
      ['/admin/tasks', ['Tasks']],
      ['/admin/quarantine', ['Quarantine']],
      ['/exports', ['Exports']],
      ['/ptsize', ['Patient size']],
      ['/config', ['Config', 'Overview']],
      ['/config/display-names', ['Config', 'System display names']],
      ['/config/patient-id', ['Config', 'Patient identifiers']],
      ['/config/not-patient', ['Config', 'Not-patient indicators']],
      ['/config/after-import', ['Config', 'After import']],
      ['/account/password', [superuser.user.username]],
      ['/help', ['Documentation']],
    ];
    const found = await Promise.all(expected.map(async ([url]) => [url, current((await get(url)).body)] as [string, string[]]));
    expect(found).toEqual(expected);
  });

  it('shows the version and links into the help page in every footer, signed in or not; each link leads to a section there', async () => {
    const signedOut = footer((await app.inject({ method: 'GET', url: '/login' })).body);
    const signedIn = footer((await requester(app, viewer)('/ct')).body);
    expect(signedIn).toBe(signedOut);
    expect(signedOut).toContain('<span class="version">OpenREM 0.1.0</span>');
    const links = [...signedOut.matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map((m) => [m[1]!, m[2]!]);
    expect(links).toEqual([
      ['/help', 'Documentation'],
      ['/help#getting-started', 'Getting started'],
      ['/help#roles', 'Roles'],
      ['/help#lists', 'Lists and filters'],
      ['/help#units', 'Units'],
    ]);
    const help = await app.inject({ method: 'GET', url: '/help' });
    expect(help.statusCode).toBe(200);
    for (const [href] of links.slice(1)) expect(help.body, href).toContain(`<section class="panel help-topic" id="${href!.split('#')[1]}"`);
  });

  it('help: readable without signing in; names every role, every list parameter of every modality and the server settings', async () => {
    const html = (await app.inject({ method: 'GET', url: '/help' })).body;
    for (const role of ROLES) expect(html, role).toContain(`<td><code>${role}</code></td><td>${ROLE_DESCRIPTIONS[role]}</td>`);
    expect(html).not.toContain('DICOM nodes');
    expect(ROLE_DESCRIPTIONS.importqr).toContain('not available yet');
    for (const name of ['OPENREM_DATA_DIR', 'DATABASE_URL', 'OPENREM_HOST', 'OPENREM_PORT', 'OPENREM_TRUST_PROXY']) expect(html, name).toContain(`<code>${name}</code>`);
    expect(html).toContain('<code>openrem users create NAME --admin</code>');
    for (const p of ['sort', 'dir', 'page', 'perPage']) expect(html, p).toContain(`<code>${p}</code>`);
  });

  it('help: lists the filter parameters of each modality, exactly those its list accepts, with units and what a value must look like', async () => {
    const html = (await app.inject({ method: 'GET', url: '/help' })).body;
    const group = (id: string) => new RegExp(`<section class="filter-group-help" id="${id}">([\\s\\S]*?)</section>`).exec(html)?.[1] ?? '';
    const codes = (part: string) => [...part.matchAll(/<code>([^<]+)<\/code>/g)].map((m) => m[1]!);
    const common = codes(group('parameters-all'));
    expect(common).toEqual(expect.arrayContaining(['dateFrom', 'timeFrom', 'timeTo', 'sex', 'heightMin', 'weightMax', 'testData']));
    for (const spec of MODALITY_SPECS) {
      const own = codes(group(`parameters-${spec.slug}`));
      expect([...common, ...own].sort(), spec.modality).toEqual(Object.keys(filterShape(spec)).sort());
    }
    // Each row: parameters, filter, unit, expected value.
    const row = (part: string, first: string) => new RegExp(`<tr><td><code>${first}</code>[\\s\\S]*?</tr>`).exec(part)?.[0].replace(/<[^>]*>/g, '|').replace(/\|+/g, '|');
    expect(row(group('parameters-ct'), 'dlpMin')).toBe('|dlpMin|, |dlpMax|Total DLP: inclusive|mGy·cm|a number in mGy·cm, such as 12, 0.5 or 1e3 (for 1000)|');
    expect(row(group('parameters-rf'), 'dapMin')).toBe('|dapMin|, |dapMax|Total DAP: inclusive|cGy·cm²|a number in cGy·cm², such as 12, 0.5 or 1e3 (for 1000)|');
    expect(row(group('parameters-mg'), 'agdMin')).toContain('|mGy|');
    expect(row(group('parameters-mg'), 'compressionThicknessMin')).toContain('|mm|');
    expect(row(group('parameters-nm'), 'activityMin')).toContain('|MBq|');
    expect(row(group('parameters-ct'), 'axialEventsMin')).toContain('a whole number');
    expect(row(group('parameters-all'), 'timeFrom')).toBe(
      '|timeFrom|, |timeTo|Time of day: inclusive; a start later than the end spans midnight|–|a time of day as HH:MM, 00:00 to 23:59, such as 09:30 (0930 also works)|',
    );
    expect(row(group('parameters-all'), 'weightMin')).toContain('|kg|');
  });

  it('loads nothing from another site: no page refers to one, nor do the stylesheet and scripts', async () => {
    const get = requester(app, superuser);
    const pages = routeTable(app).filter((r) => r.method === 'GET' && !r.url.startsWith('/static/') && !r.url.startsWith('/api/'));
    expect(pages.length).toBeGreaterThan(20);
    const offenders: string[] = [];
    for (const route of pages) {
      const res = await get(route.url.replace(/:[A-Za-z_]+/g, '1'));
      if (!String(res.headers['content-type']).startsWith('text/html')) continue;
      for (const ref of externalReferences(res.body)) offenders.push(`${route.url}: ${ref}`);
    }
    const login = await app.inject({ method: 'GET', url: '/login' });
    offenders.push(...externalReferences(login.body).map((ref) => `/login: ${ref}`));
    for (const file of ['openrem.css', 'openrem.js', 'tasks.js', 'task-reload.js', 'favicon.svg']) {
      const res = await app.inject({ method: 'GET', url: `/static/${file}` });
      expect(res.statusCode, file).toBe(200);
      for (const m of res.body.matchAll(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}|@import|url\(\s*['"]?(?:[a-z]+:)?\/\//gi)) {
        // The SVG namespace is a name, not something loaded.
        if (m[0] !== 'http://www.w3.org') offenders.push(`${file}: ${m[0]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
