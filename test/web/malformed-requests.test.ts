// Requests no browser sends but a user's tools or a dropped connection can: a NUL character in
// a filter or form (which PostgreSQL cannot compare), an upload cut off before its end, two
// files where the form has one. Each gets a page saying what is wrong, never a 500, on both engines.
import { existsSync, readdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/config.js';
import { uploadDir } from '../../src/ptsize/uploads.js';
import { buildApp } from '../../src/web/app.js';
import { NOT_PATIENT_PATH } from '../../src/web/config-pages.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { postForm, requester, signIn, type TestUser } from '../helpers/web.js';
import { quietLog, waitFor } from '../tasks/helpers.js';

const BOUNDARY = 'x-openrem-test-boundary';

function part(name: string, value: string, fileName?: string): string {
  const disposition = `form-data; name="${name}"${fileName ? `; filename="${fileName}"` : ''}`;
  return `--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n${fileName ? 'Content-Type: text/csv\r\n' : ''}\r\n${value}\r\n`;
}

describe.each(ENGINES)('malformed requests on %s', (engine) => {
  let t: TestDb;
  let app: FastifyInstance;
  let user: TestUser;
  const uploadsLeft = () => (existsSync(uploadDir(t.dataDir)) ? readdirSync(uploadDir(t.dataDir)) : []);
  const multipart = (body: string) =>
    requester(app, user)({ method: 'POST', url: '/ptsize', headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, payload: body });

  beforeAll(async () => {
    t = await createTestDb(engine);
    app = await buildApp({ db: t.db, config: configFromEnv(t.env), logger: quietLog });
    user = await signIn(t.db, { roles: ['view', 'importsize', 'admin'] });
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  it('refuses a NUL character in a list filter, a path and a form with a 400 page', async () => {
    for (const url of ['/ct?studyDescription=%00', '/rf?displayName=a%00b', '/mg?accessionNumber=%00zzz', '/nm?studyDescription=x%00']) {
      const res = await requester(app, user)(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.body).toContain('holds a NUL character (U+0000), which no field accepts');
    }
    expect((await requester(app, user)('/studies/1%00')).statusCode).toBe(400);
    const form = await postForm(app, user, NOT_PATIENT_PATH, { list: 'names', op: 'add', pattern: 'a\u0000b' });
    expect(form.statusCode).toBe(400);
    expect(form.body).toContain('holds a NUL character');
  });

  it('says an upload cut off before its end arrived incomplete, and keeps nothing', async () => {
    const cut = part('_csrf', user.csrf) + part('file', 'Acc,h,w\nA1,170,70\n', 'sizes.csv').slice(0, -2);
    const res = await multipart(cut);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('The upload ended before the whole file arrived, so nothing was kept.');
    // Removed once the response is sent.
    await waitFor('the upload removed', () => uploadsLeft().length === 0);
  });

  it('says only one file can be uploaded at a time', async () => {
    const two = part('_csrf', user.csrf) + part('file', 'Acc,h,w\nA1,170,70\n', 'a.csv') + part('file', 'Acc,h,w\nA2,170,70\n', 'b.csv') + `--${BOUNDARY}--\r\n`;
    const res = await multipart(two);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('<h1>Upload not accepted</h1>');
    expect(res.body).toContain('Only one file can be uploaded at a time.');
    // Removed once the response is sent.
    await waitFor('the upload removed', () => uploadsLeft().length === 0);
  });
});
