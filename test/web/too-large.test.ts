// Requests too large to read: an address beyond what the server reads, a form beyond the body
// limit. Each gets a page saying so (with the limit), never the framework's JSON, and a log line.
import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/config.js';
import { logFile } from '../../src/log.js';
import { buildApp } from '../../src/web/app.js';
import { CSRF_COOKIE } from '../../src/web/auth/cookies.js';
import { listen } from '../../src/web/server.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { signIn } from '../helpers/web.js';

/** A GET over a real connection (the HTTP parser refuses before the app sees it). */
function rawGet(base: string, path: string, cookie?: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), { headers: cookie ? { cookie } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function logLines(dataDir: string): { msg: string; [k: string]: unknown }[] {
  return readFileSync(logFile(dataDir), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { msg: string });
}

describe.each(ENGINES)('requests too large on %s', (engine) => {
  let t: TestDb;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    t = await createTestDb(engine);
    app = await buildApp({ db: t.db, config: configFromEnv(t.env) });
    base = await listen(app, { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  it('an address of 20,000 characters: a readable page naming the limit (431), logged', async () => {
    const user = await signIn(t.db, { roles: ['view'] });
    const res = await rawGet(base, `/ct?studyDescription=${'x'.repeat(20_000)}`, user.cookie);
    expect(res.status).toBe(431);
    expect(res.type).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<h1>Request too large</h1>');
    expect(res.body).toContain('is larger than the 16 KiB the server reads');
    expect(res.body).not.toContain('"statusCode"');
    expect(res.body).toContain('<a href="/">Back to the home page</a>');
    const line = logLines(t.dataDir).find((l) => l.msg === 'request refused before it was read');
    expect(line).toMatchObject({ code: 'HPE_HEADER_OVERFLOW', status: 431, level: 40 });
    // The server goes on answering.
    expect((await rawGet(base, '/help')).status).toBe(200);
  });

  it('a 2 MB form: a page saying it is too large and what the limit is (413), logged; nothing changed', async () => {
    const user = await signIn(t.db, { roles: ['view'] });
    const big = new URLSearchParams({ _csrf: user.csrf, current: 'x', password: 'y'.repeat(2_000_000), password2: 'y' }).toString();
    const res = await app.inject({
      method: 'POST',
      url: '/account/password',
      headers: { cookie: user.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: big,
    });
    expect(res.statusCode).toBe(413);
    expect(res.body).toContain('<h1>Request too large</h1>');
    expect(res.body).toContain('What was sent is larger than 1 MiB, the most a form on this site may send');
    expect(res.body).not.toContain('could not be understood');
    // Signed in, the page has the navigation and the user's menu as any page does.
    expect(res.body).toContain(`<span class="username">${user.user.username}</span>`);
    const line = logLines(t.dataDir).find((l) => l.msg === 'request body too large');
    expect(line).toMatchObject({ limit: 1024 * 1024, contentLength: String(Buffer.byteLength(big)), level: 40 });
    // Before signing in, too: the sign-in form.
    const anonymous = await app.inject({
      method: 'POST',
      url: '/login',
      headers: { cookie: `${CSRF_COOKIE}=abc`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=abc&username=${'u'.repeat(1_100_000)}&password=p`,
    });
    expect(anonymous.statusCode).toBe(413);
    expect(anonymous.body).toContain('<h1>Request too large</h1>');
  });
});
