// Patient size imports on the web, on each engine: the reference system's web import (upload,
// choose columns, run as a task, read the log), who may do what, malformed uploads, the
// uploaded file's removal, and the history with deletion.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/config.js';
import { getSizeImport, listSizeImports } from '../../src/ptsize/store.js';
import { sizeImportTask } from '../../src/ptsize/task.js';
import { sweepUploads, uploadDir, uploadFile } from '../../src/ptsize/uploads.js';
import { TaskRegistry } from '../../src/tasks/kind.js';
import { getTask } from '../../src/tasks/queue.js';
import { TaskWorker } from '../../src/tasks/worker.js';
import { buildApp } from '../../src/web/app.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { postForm, requester, signIn, type TestUser } from '../helpers/web.js';
import { quietLog, waitFor, waitForState } from '../tasks/helpers.js';
import { fileSizeText } from '../../src/web/file-size.js';
import { facts, importFile, importScenario, MAPPING, sizes, writeCsv } from './helpers.js';

/** The reference's web upload: its columns, with the reference rows. */
function referenceUpload(): string {
  const rows = facts.update.rows.map((r) => [r.accessionNumber, r.height, r.weight, 'file.dcm', '', ''].join(','));
  return ['Acc num,height,weight,file,Existing h,existing w', ...rows].join('\r\n') + '\r\n';
}

function upload(app: FastifyInstance, who: TestUser, content: string | Uint8Array<ArrayBuffer>, name = 'sizes.csv', csrf: string | null = who.csrf) {
  const form = new FormData();
  if (csrf !== null) form.append('_csrf', csrf);
  form.append('file', new Blob([content]), name);
  return app.inject({ method: 'POST', url: '/ptsize', headers: { cookie: who.cookie }, payload: form });
}

function uploadsLeft(dataDir: string): string[] {
  return existsSync(uploadDir(dataDir)) ? readdirSync(uploadDir(dataDir)) : [];
}

describe.each(ENGINES)('patient size import pages on %s', (engine) => {
  let t: TestDb;
  let app: FastifyInstance;
  let worker: TaskWorker;
  let importer: TestUser;
  let viewer: TestUser;
  let ids: number[];

  beforeAll(async () => {
    t = await createTestDb(engine);
    ids = await importScenario(t.db);
    app = await buildApp({ db: t.db, config: configFromEnv(t.env), logger: quietLog });
    worker = new TaskWorker({ db: t.db, dataDir: t.dataDir, kinds: new TaskRegistry([sizeImportTask]), log: quietLog, pollMs: 50 });
    await worker.start();
    importer = await signIn(t.db, { roles: ['importsize', 'view'] });
    viewer = await signIn(t.db, { roles: ['view', 'export', 'admin'] });
  });
  afterAll(async () => {
    await worker?.stop();
    await app?.close();
    await t?.cleanup();
  });

  it('runs the reference web import: upload, choose columns, task, log; the file is deleted afterwards', async () => {
    const page = await requester(app, importer)('/ptsize');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('At most 512 MiB.');
    expect(page.body).toContain('<form method="post" action="/ptsize" enctype="multipart/form-data"');
    expect(page.body).toContain('<input id="field-file" type="file" name="file"');
    expect(page.body).toContain('<a href="/ptsize" class="admin-link" aria-current="page">Patient size</a>');

    const sent = await upload(app, importer, referenceUpload());
    expect(sent.statusCode).toBe(303);
    const id = Number(/^\/ptsize\/(\d+)\/columns$/.exec(String(sent.headers.location))![1]);
    expect(uploadsLeft(t.dataDir)).toHaveLength(1);
    const waiting = (await getSizeImport(t.db, id))!;
    expect(waiting).toMatchObject({ state: 'uploaded', fileName: 'sizes.csv', encoding: 'UTF-8', delimiter: ',', columns: ['Acc num', 'height', 'weight', 'file', 'Existing h', 'existing w'] });

    const form = await requester(app, importer)(`/ptsize/${id}/columns`);
    expect(form.statusCode).toBe(200);
    // A file under 1 KiB is shown in bytes, as the history shows it.
    const bytes = Buffer.byteLength(referenceUpload());
    expect(bytes).toBeLessThan(1024);
    expect(form.body).toContain(`${bytes} bytes, read as UTF-8, comma-separated, 6 columns.`);
    expect((await requester(app, importer)('/ptsize')).body).toContain(`sizes.csv</a><span class="note">${bytes} bytes</span>`);
    expect(form.body).toContain('<td class="num">3</td><td>74624646290</td><td>165</td><td>80.6</td>');
    // Guessed from the column names.
    expect(form.body).toContain('<option value="Acc num" selected>Acc num</option>');
    expect(form.body).toMatch(/name="heightColumn">.*<option value="height" selected>height<\/option>/s);
    expect(form.body).toContain('<input type="radio" name="idKind" value="accession" checked>');

    const wrong = await postForm(app, importer, `/ptsize/${id}/columns`, { idColumn: '', idKind: 'acc-no', heightColumn: '', weightColumn: '', heightUnit: 'auto' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('Study identifier column: choose the column that identifies the study');
    expect(wrong.body).toContain('The identifier is: choose accession number or Study Instance UID');
    const same = await postForm(app, importer, `/ptsize/${id}/columns`, { idColumn: 'Acc num', idKind: 'accession', heightColumn: 'height', weightColumn: 'Acc num', heightUnit: 'auto' });
    expect(same.statusCode).toBe(400);
    expect(same.body).toContain('Weight column: column &quot;Acc num&quot; is already chosen for another value');
    expect((await getSizeImport(t.db, id))!.state).toBe('uploaded');

    const go = await postForm(app, importer, `/ptsize/${id}/columns`, { idColumn: 'Acc num', idKind: 'accession', heightColumn: 'height', weightColumn: 'weight', heightUnit: 'auto' });
    expect(go.statusCode).toBe(303);
    expect(go.headers.location).toBe(`/ptsize/${id}`);
    const queued = (await getSizeImport(t.db, id))!;
    expect(queued.mapping).toEqual({ idColumn: 'Acc num', idKind: 'accession', heightColumn: 'height', weightColumn: 'weight', heightUnit: 'auto', overwrite: false });
    const task = await waitForState(t.db, queued.taskId!, ['done', 'failed', 'aborted']);
    expect(task.state).toBe('done');
    expect(JSON.parse(task.result!)).toEqual({ importId: id, rows: 3, studiesUpdated: 2, skipped: 1, rowsNotFound: 0, rowsInvalid: 0 });
    expect(task.message).toBe('3 rows read: 2 studies updated, 1 skipped, 0 rows not found, 0 rows with errors');

    const after = await sizes(t.db, ids);
    for (const [i, e] of facts.expectedAfterUpdate.studiesInImportOrder.entries()) {
      if (e.heightM === null) expect(after[i]!.heightM).toBeNull();
      else expect(after[i]!.heightM).toBeCloseTo(e.heightM, 7);
      if (e.weightKg === null) expect(after[i]!.weightKg).toBeNull();
      else expect(after[i]!.weightKg).toBeCloseTo(e.weightKg, 7);
    }
    expect(uploadsLeft(t.dataDir)).toEqual([]);
    expect((await getSizeImport(t.db, id))!).toMatchObject({ state: 'done', uploadPath: null });

    const result = await requester(app, importer)(`/ptsize/${id}`);
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('<span class="task-state done">done</span> <span class="size-counts" title="skipped: each study left as it was, and each row with nothing to import">3 rows read: 2 studies updated, 1 skipped, 0 rows not found, 0 rows with errors</span>');
    expect(result.body).toContain(`<td><span><a href="/studies/${ids[1]}">study ${ids[1]}</a> (CT, 2013-06-11): height set to 1.65 m; weight 75 kg kept (file: 80.6 kg)</span></td>`);
    expect(result.body).toContain(`<a href="/ptsize/${id}?outcome=updated">updated 2</a>`);
    const updatedOnly = await requester(app, importer)(`/ptsize/${id}?outcome=updated`);
    expect(updatedOnly.body.match(/<tr class="outcome-/g)).toHaveLength(2);

    const csv = await requester(app, importer)(`/ptsize/${id}/log.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body.split('\r\n')[0]).toBe('row,outcome,identifier,study,message');
    expect(csv.body.split('\r\n')[3]).toBe(`4,updated,00938475,${ids[2]},"study ${ids[2]} (DX, 2014-09-30): height set to 1.98 m; weight set to 102.3 kg"`);

    const history = await requester(app, importer)('/ptsize');
    expect(history.body).toContain(`<tr data-import-row="${id}">`);
    expect(history.body).toContain(importer.user.username);

    const audit = await t.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'ptsize.import').execute();
    expect(audit.map((a) => [a.actor, a.target])).toContainEqual([importer.user.username, `size import ${id}`]);
  });

  it('refuses other roles, uploads without the CSRF token, and files that are not CSV, keeping nothing', async () => {
    for (const url of ['/ptsize', '/ptsize/1', '/ptsize/1/columns', '/ptsize/1/log.csv']) {
      const res = await requester(app, viewer)(url);
      expect(res.statusCode, url).toBe(403);
      expect(res.body).toContain('does not have the importsize role');
    }
    expect((await upload(app, viewer, referenceUpload())).statusCode).toBe(403);
    expect((await postForm(app, viewer, '/ptsize/1/delete', {})).statusCode).toBe(403);
    const anonymous = await requester(app, null)('/ptsize');
    expect(anonymous.headers.location).toBe('/login?next=%2Fptsize');
    expect((await requester(app, viewer)('/')).body).not.toContain('href="/ptsize"');

    const forged = await upload(app, importer, referenceUpload(), 'sizes.csv', null);
    expect(forged.statusCode).toBe(403);
    const wrongToken = await upload(app, importer, referenceUpload(), 'sizes.csv', viewer.csrf);
    expect(wrongToken.statusCode).toBe(403);
    // Removed once the response has gone.
    await waitFor('refused uploads to be removed', () => uploadsLeft(t.dataDir).length === 0);

    const before = (await listSizeImports(t.db, { limit: 100 })).length;
    const xlsx = await upload(app, importer, new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 6, 0, 8, 0, 0, 0]), 'sizes.xlsx');
    expect(xlsx.statusCode).toBe(400);
    expect(xlsx.body).toContain('The file could not be used: sizes.xlsx: this is a spreadsheet workbook (such as .xlsx), not a CSV file');
    const single = await upload(app, importer, 'accession\nA1\n');
    expect(single.statusCode).toBe(400);
    expect(single.body).toContain('only one column was found (&quot;accession&quot;)');
    const none = await app.inject({ method: 'POST', url: '/ptsize', headers: { cookie: importer.cookie, 'x-csrf-token': importer.csrf }, payload: {} });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('choose a CSV file to upload');
    await waitFor('refused uploads to be removed', () => uploadsLeft(t.dataDir).length === 0);
    expect((await listSizeImports(t.db, { limit: 100 })).length).toBe(before);
  });

  it('refuses an upload with a quote never closed, naming its line, and keeps nothing', async () => {
    const before = (await listSizeImports(t.db, { limit: 100 })).length;
    const broken = ['Acc num;height;weight', '00938475;198;102,3', '"74624646290;150;60', ...facts.update.rows.map((r) => `${r.accessionNumber};170;70`)].join('\n');
    const sent = await upload(app, importer, broken, 'broken.csv');
    expect(sent.statusCode).toBe(400);
    expect(sent.body).toContain(
      'The file could not be used: broken.csv: line 3: the quote (&quot;) that opens the value &quot;74624646290;150;60…&quot; is never closed, so the file ends inside that value; add the closing quote or remove the opening one',
    );
    expect(sent.body).not.toContain('no data rows');
    await waitFor('the refused upload to be removed', () => uploadsLeft(t.dataDir).length === 0);
    expect((await listSizeImports(t.db, { limit: 100 })).length).toBe(before);
  });

  it('records a failed import with its reason, keeps studies as they were, and deletes the file', async () => {
    const before = await sizes(t.db, ids);
    const sent = await upload(app, importer, referenceUpload(), 'changed.csv');
    const id = Number(/(\d+)\/columns$/.exec(String(sent.headers.location))![1]);
    // The waiting file breaks off after rows that would change studies (as if changed on disk).
    const stored = uploadFile(t.dataDir, (await getSizeImport(t.db, id))!.uploadPath!)!;
    writeFileSync(stored, referenceUpload().replace('\r\n00938475', '\r\n"00938475'));
    await postForm(app, importer, `/ptsize/${id}/columns`, { idColumn: 'Acc num', idKind: 'accession', heightColumn: 'height', weightColumn: 'weight', heightUnit: 'cm', overwrite: '1' });
    const imp = (await getSizeImport(t.db, id))!;
    const reason =
      'line 4: the quote (") that opens the value "00938475,198,102.3,file.dcm,,…" is never closed, so the file ends inside that value; add the closing quote or remove the opening one';
    expect((await waitForState(t.db, imp.taskId!, ['done', 'failed', 'aborted'])).reason).toBe(reason);
    expect(await getSizeImport(t.db, id)).toMatchObject({ state: 'failed', reason, uploadPath: null, counts: { rows: 0, studiesUpdated: 0 } });
    expect(await sizes(t.db, ids)).toEqual(before);
    expect(uploadsLeft(t.dataDir)).toEqual([]);
    const page = await requester(app, importer)(`/ptsize/${id}`);
    expect(page.body).toContain('<span class="task-state failed">failed</span>');
    expect(page.body).toContain(`<span class="note size-reason">${reason.replaceAll('"', '&quot;')}</span>`);
    expect(page.body).toContain('Import the file again to finish: studies it already updated are then found unchanged and skipped.');
    expect(page.body).toMatch(/<th scope="row">File<\/th>\s*<td>[^<]*<span class="note">deleted<\/span>/);
  });

  it('shows and downloads a log that lists only the first rows of each kind, saying how many more were counted', async () => {
    const lines = ['Acc no.,height,weight', ...Array.from({ length: 5 }, (_, i) => `UNKNOWN-${i},170,70`), 'UNKNOWN-X,tall,70', ...facts.update.rows.map((r) => `${r.accessionNumber},${r.height},${r.weight}`)];
    const { imp } = await importFile(t.db, writeCsv(t.dataDir, 'limited.csv', lines.join('\n')), { ...MAPPING, overwrite: true }, { listedRowsPerOutcome: 2 });
    expect(imp.counts).toMatchObject({ rows: 9, rowsNotFound: 5, rowsInvalid: 1 });
    const page = await requester(app, importer)(`/ptsize/${imp.id}`);
    expect(page.body).toContain(`<a href="/ptsize/${imp.id}?outcome=not-found">not found 2 of 5</a>`);
    expect(page.body).toContain(`<a href="/ptsize/${imp.id}?outcome=invalid">errors 1</a>`);
    expect(page.body).toContain(
      '<li>3 more rows not found are counted but not listed: the log lists the first 10,000 of each kind, and every study updated or kept.</li>',
    );
    expect(page.body.match(/<tr class="outcome-/g)).toHaveLength(2 + 1 + 3);
    const csv = (await requester(app, importer)(`/ptsize/${imp.id}/log.csv`)).body.split('\r\n');
    expect(csv.length).toBe(1 + 6 + 1 + 1);
    expect(csv.at(-2)).toBe(',not-found,,,"3 more rows not found are counted but not listed: the log lists the first 10,000 of each kind, and every study updated or kept"');
  });

  it('deletes finished imports with their log (recorded in the audit log), never running ones', async () => {
    const [done] = await listSizeImports(t.db, { limit: 1 });
    // A task this test's worker does not run, as if another worker were running it.
    const elsewhere = await t.db.kysely
      .insertInto('task')
      .values({ kind: 'ptsize.elsewhere', label: 'x', params: '{}', state: 'running', max_attempts: 1, created_at: new Date().toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db.kysely.updateTable('size_import').set({ state: 'running', task_id: elsewhere.id }).where('id', '=', done!.id).execute();
    const refused = await postForm(app, importer, `/ptsize/${done!.id}/delete`, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain(`Import #${done!.id} has not finished: abort it first, then delete it.`);
    expect((await requester(app, importer)(`/ptsize/${done!.id}`)).body).not.toContain(`action="/ptsize/${done!.id}/delete"`);
    // Without a task (the command line's), it can be deleted whatever it says.
    await t.db.kysely.updateTable('size_import').set({ task_id: null }).where('id', '=', done!.id).execute();
    expect((await requester(app, importer)(`/ptsize/${done!.id}`)).body).toContain(`action="/ptsize/${done!.id}/delete"`);
    const res = await postForm(app, importer, `/ptsize/${done!.id}/delete`, {});
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/ptsize?deleted=${done!.id}`);
    expect(await getSizeImport(t.db, done!.id)).toBeUndefined();
    expect(await t.db.kysely.selectFrom('size_import_log').select('id').where('import_id', '=', done!.id).execute()).toEqual([]);
    const [entry] = await t.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'ptsize.delete').execute();
    expect(entry).toMatchObject({ actor: importer.user.username, target: `size import ${done!.id}` });
    expect((await requester(app, importer)(`/ptsize?deleted=${done!.id}`)).body).toContain(`Import #${done!.id} and its log deleted.`);
    expect((await requester(app, importer)(`/ptsize/${done!.id}`)).statusCode).toBe(404);
  });

  it('cancels an upload whose columns are never chosen: at once from its page, or after a day', async () => {
    const first = await upload(app, importer, referenceUpload(), 'cancel.csv');
    const id = Number(/(\d+)\/columns$/.exec(String(first.headers.location))![1]);
    expect(uploadsLeft(t.dataDir)).toHaveLength(1);
    expect((await postForm(app, importer, `/ptsize/${id}/delete`, {})).statusCode).toBe(303);
    expect(uploadsLeft(t.dataDir)).toEqual([]);

    const second = await upload(app, importer, referenceUpload(), 'forgotten.csv');
    const forgotten = Number(/(\d+)\/columns$/.exec(String(second.headers.location))![1]);
    await sweepUploads(t.db, t.dataDir, Date.now() + 23 * 3600 * 1000);
    expect(await getSizeImport(t.db, forgotten)).toBeDefined();
    await sweepUploads(t.db, t.dataDir, Date.now() + 25 * 3600 * 1000);
    expect(await getSizeImport(t.db, forgotten)).toBeUndefined();
    expect(uploadsLeft(t.dataDir)).toEqual([]);
  });

  it('lets the uploader follow and abort the task through the task API', async () => {
    const sent = await upload(app, importer, referenceUpload(), 'follow.csv');
    const id = Number(/(\d+)\/columns$/.exec(String(sent.headers.location))![1]);
    await worker.stop();
    await postForm(app, importer, `/ptsize/${id}/columns`, { idColumn: 'Acc num', idKind: 'accession', heightColumn: 'height', weightColumn: 'weight', heightUnit: 'auto' });
    const imp = (await getSizeImport(t.db, id))!;
    const page = await requester(app, importer)(`/ptsize/${id}`);
    expect(page.body).toContain(`data-task-id="${imp.taskId}"`);
    expect(page.body).toContain(`action="/tasks/${imp.taskId}/abort"`);
    expect((await requester(app, importer)(`/api/tasks/${imp.taskId}`)).json()).toMatchObject({ state: 'queued', kind: 'ptsize.import' });
    const abort = await postForm(app, importer, `/tasks/${imp.taskId}/abort`, { next: `/ptsize/${id}` });
    expect(abort.headers.location).toBe(`/ptsize/${id}?abort=aborted&task=${imp.taskId}`);
    expect((await getTask(t.db, imp.taskId!))!.state).toBe('aborted');
    const after = await requester(app, importer)(`/ptsize/${id}?abort=aborted&task=${imp.taskId}`);
    expect(after.body).toContain('The import was cancelled before it started.');
    expect(after.body).toContain('<span class="task-state aborted">aborted</span>');
    expect(await getSizeImport(t.db, id)).toMatchObject({ state: 'aborted' });
    // The waiting file goes too, once the import has ended.
    await sweepUploads(t.db, t.dataDir);
    expect(uploadsLeft(t.dataDir)).toEqual([]);
  });
});

describe('file sizes as pages show them', () => {
  it('gives bytes below 1 KiB and binary multiples named as such above', () => {
    expect([0, 1, 132, 1023].map(fileSizeText)).toEqual(['0 bytes', '1 byte', '132 bytes', '1023 bytes']);
    expect([1024, 1536, 10 * 1024 - 1, 200 * 1024].map(fileSizeText)).toEqual(['1 KiB', '1.5 KiB', '10 KiB', '200 KiB']);
    expect([1024 * 1024 - 1, 5.25 * 1024 * 1024, 512 * 1024 * 1024, 1.5 * 1024 ** 3].map(fileSizeText)).toEqual(['1 MiB', '5.3 MiB', '512 MiB', '1.5 GiB']);
  });
});
