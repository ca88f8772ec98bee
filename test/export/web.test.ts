// The exports page and its routes on each engine: who may export, with patient identifiers or
// not, downloads (only one's own, pid files only with the pid role, never a path outside the
// exports folder), deleting, the list page's Export control and the openSkin button.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAudit } from '../../src/audit/log.js';
import { configFromEnv } from '../../src/config.js';
import { getExportFile } from '../../src/export/files.js';
import { exportsDir } from '../../src/export/paths.js';
import { parseSettings } from '../../src/settings/site.js';
import { saveSettings } from '../../src/settings/store.js';
import { TaskWorker } from '../../src/tasks/index.js';
import { buildApp } from '../../src/web/app.js';
import { fileSizeText } from '../../src/web/file-size.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { postForm, requester, signIn, type TestUser } from '../helpers/web.js';
import { quietLog, waitForState } from '../tasks/helpers.js';
import { importCorpus } from '../web/fixtures.js';
import { exportRegistry, parseCsv } from './helpers.js';
import ExcelJS from 'exceljs';

describe.each(ENGINES)('exports on the web (%s)', (engine) => {
  let t: TestDb;
  let app: FastifyInstance;
  let worker: TaskWorker;
  let ids: Map<string, number>;
  let viewer: TestUser;
  let exporter: TestUser;
  let colleague: TestUser;
  let pidExporter: TestUser;
  let admin: TestUser;

  /** Asks for an export as `who`; returns the id of the file once its task is done. */
  const exportAs = async (who: TestUser, fields: Record<string, string>): Promise<number> => {
    const res = await postForm(app, who, '/exports', fields);
    expect(res.statusCode, res.body).toBe(303);
    const taskId = Number(/queued=(\d+)/.exec(res.headers.location as string)![1]);
    const row = await waitForState(t.db, taskId, ['done', 'failed', 'aborted'], 30_000);
    expect(row.state, row.reason ?? '').toBe('done');
    const file = await t.db.kysely.selectFrom('export_file').select('id').where('task_id', '=', taskId).executeTakeFirstOrThrow();
    return file.id;
  };

  beforeAll(async () => {
    t = await createTestDb(engine);
    await saveSettings(t.db.kysely, parseSettings({ patientId: { storePatientName: true, storePatientId: true, storePatientBirthDate: true } }));
    ids = await importCorpus(t.db, ['CT-RDSR-Siemens_Flash-TAP-SS.dcm', 'CT-RDSR-Siemens_Flash-QA-DS.dcm', 'RF-RDSR-Siemens-Zee.dcm']);
    app = await buildApp({ db: t.db, config: configFromEnv(t.env), logger: quietLog });
    worker = new TaskWorker({ db: t.db, dataDir: t.dataDir, kinds: exportRegistry(), log: quietLog, pollMs: 50 });
    await worker.start();
    viewer = await signIn(t.db, { roles: ['view'] });
    exporter = await signIn(t.db, { roles: ['view', 'export'] });
    colleague = await signIn(t.db, { roles: ['view', 'export'] });
    pidExporter = await signIn(t.db, { roles: ['view', 'export', 'pid'] });
    admin = await signIn(t.db, { roles: ['view', 'export', 'admin'] });
  });
  afterAll(async () => {
    await worker?.stop();
    await app?.close();
    await t?.cleanup();
  });

  it('a view user has no Export control and may neither export nor see exports', async () => {
    const list = await requester(app, viewer)('/ct');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('action="/exports"');
    expect((await requester(app, viewer)('/exports')).statusCode).toBe(403);
    expect((await postForm(app, viewer, '/exports', { modality: 'ct', format: 'csv', filter: '' })).statusCode).toBe(403);
    const study = await requester(app, viewer)(`/studies/${ids.get('RF-RDSR-Siemens-Zee.dcm')}`);
    expect(study.body).not.toContain('openSkin export');
    expect(await t.db.kysely.selectFrom('task').select('id').execute()).toEqual([]);
  });

  it('the list carries its filter, not its sorting or paging, to the Export control', async () => {
    const list = await requester(app, exporter)('/ct?studyDescription=thorax&dlpMin=100&sort=dlp&dir=asc&perPage=50');
    const form = /<form class="export-form"[\s\S]*?<\/form>/.exec(list.body)![0];
    expect(form).toContain('action="/exports"');
    expect(form).toContain(`name="_csrf" value="${exporter.csrf}"`);
    expect(form).toContain('name="filter" value="studyDescription=thorax&amp;dlpMin=100"');
    expect(form).toContain('<option value="xlsx">XLSX</option>');
    expect(form).not.toContain('nhsbsp');
    expect(form).not.toContain('name="pid"');
    expect((await requester(app, exporter)('/mg')).body).toContain('<option value="nhsbsp">NHSBSP dose audit CSV</option>');
    expect((await requester(app, pidExporter)('/ct')).body).toContain('name="pid" value="1"');
  });

  it('an export user exports a filtered CT list to XLSX and downloads it', async () => {
    const id = await exportAs(exporter, { modality: 'ct', format: 'xlsx', filter: 'studyDescription=thorax' });
    const page = await requester(app, exporter)('/exports');
    expect(page.statusCode).toBe(200);
    const row = page.body.slice(page.body.indexOf(`data-export-file="${id}"`), page.body.indexOf('</tr>', page.body.indexOf(`data-export-file="${id}"`)));
    expect(row).toContain('CT export (XLSX): Study description contains: thorax');
    expect(row).toContain(`href="/exports/${id}/download"`);
    expect(row).toMatch(/<td class="num">1<\/td>/);
    const file = await getExportFile(t.db, id);
    // Sizes as every page shows them (binary multiples, named as such).
    expect(row).toContain(`<td class="num nowrap">${fileSizeText(file!.sizeBytes)}</td>`);
    expect(row).toMatch(/<td class="num nowrap">\d+(\.\d)? KiB<\/td>/);
    const res = await requester(app, exporter)(`/exports/${id}/download`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${file!.fileName}"`);
    expect(file!.fileName).toMatch(/^openrem-ct-export-\d+\.xlsx$/);
    expect(Number(res.headers['content-length'])).toBe(file!.sizeBytes);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    expect(book.worksheets.map((w) => w.name).slice(0, 2)).toEqual(['Summary', 'All data']);
    expect(book.getWorksheet('All data')!.rowCount).toBe(2);
    const audit = await readAudit(t.db.kysely, { action: 'export.*' });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['export.queue', 'export.download']));
  });

  it('refuses patient identifiers to an export user without the pid role, as columns and as filters', async () => {
    const res = await postForm(app, exporter, '/exports', { modality: 'ct', format: 'csv', pid: '1', filter: '' });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('pid role');
    const byName = await postForm(app, exporter, '/exports', { modality: 'ct', format: 'csv', filter: 'patientName=smith' });
    expect(byName.statusCode).toBe(400);
    expect(byName.body).toContain('patientName');
  });

  it('refuses a request without the form token, and nonsense modalities, formats and filters', async () => {
    expect((await postForm(app, exporter, '/exports', { _csrf: 'wrong', modality: 'ct', format: 'csv', filter: '' })).statusCode).toBe(403);
    expect((await postForm(app, exporter, '/exports', { modality: 'xx', format: 'csv', filter: '' })).statusCode).toBe(400);
    expect((await postForm(app, exporter, '/exports', { modality: 'ct', format: 'nhsbsp', filter: '' })).statusCode).toBe(400);
    expect((await postForm(app, exporter, '/exports', { modality: 'ct', format: 'csv', filter: 'sort=dlp' })).statusCode).toBe(400);
    expect((await postForm(app, exporter, '/exports', { modality: 'ct', format: 'csv', filter: 'dlpMin=lots' })).statusCode).toBe(400);
  });

  it('a pid export has the identifiers; only its owner with the pid role downloads it', async () => {
    const id = await exportAs(pidExporter, { modality: 'ct', format: 'csv', pid: '1', filter: 'patientName=smith' });
    const file = (await getExportFile(t.db, id))!;
    expect(file.includesPid).toBe(true);
    expect(file.fileName).toMatch(/^openrem-ct-export-pid-\d+\.csv$/);
    const res = await requester(app, pidExporter)(`/exports/${id}/download`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows = parseCsv(res.body);
    expect(rows[1]).toEqual(['Filters', 'Patient name contains: smith']);
    expect(rows[3]!.slice(0, 2)).toEqual(['Patient name', 'Patient ID']);
    expect(rows).toHaveLength(5);
    expect(rows[4]![1]).toBe('123456');
    // Someone else's file does not exist for them; an administrator sees it, but without the
    // pid role may not download it.
    expect((await requester(app, colleague)(`/exports/${id}/download`)).statusCode).toBe(404);
    expect((await requester(app, colleague)('/exports')).body).not.toContain(`data-export-file="${id}"`);
    expect((await requester(app, admin)('/exports')).body).toContain(`data-export-file="${id}"`);
    expect((await requester(app, admin)(`/exports/${id}/download`)).statusCode).toBe(403);
    // The role is checked again at download: taken away since, the file is refused.
    await t.db.kysely.updateTable('app_user').set({ roles: JSON.stringify(['view', 'export']) }).where('id', '=', pidExporter.user.id).execute();
    expect((await requester(app, pidExporter)(`/exports/${id}/download`)).statusCode).toBe(403);
    await t.db.kysely.updateTable('app_user').set({ roles: JSON.stringify(['view', 'export', 'pid']) }).where('id', '=', pidExporter.user.id).execute();
  });

  it('an administrator downloads anyone’s file; users see only their own', async () => {
    const id = await exportAs(colleague, { modality: 'ct', format: 'csv', filter: '' });
    expect((await requester(app, admin)(`/exports/${id}/download`)).statusCode).toBe(200);
    expect((await requester(app, exporter)(`/exports/${id}/download`)).statusCode).toBe(404);
    const page = (await requester(app, admin)('/exports')).body;
    expect(page).toContain(colleague.user.username);
  });

  it('serves only files inside the exports folder, by names the program made', async () => {
    const id = await exportAs(exporter, { modality: 'ct', format: 'csv', filter: '' });
    await t.db.kysely.updateTable('export_file').set({ file_name: '../../openrem.sqlite3' }).where('id', '=', id).execute();
    const res = await requester(app, exporter)(`/exports/${id}/download`);
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('SQLite format');
    expect((await requester(app, exporter)('/exports/..%2F..%2Fopenrem.sqlite3/download')).statusCode).toBe(404);
  });

  it('deletes the selected files of the user (with the form token), never someone else’s', async () => {
    const mine = await exportAs(exporter, { modality: 'ct', format: 'csv', filter: '' });
    const theirs = await exportAs(colleague, { modality: 'ct', format: 'csv', filter: '' });
    const path = (id: number) => getExportFile(t.db, id).then((f) => join(exportsDir(t.dataDir), f!.fileName));
    const [minePath, theirPath] = [await path(mine), await path(theirs)];
    expect((await postForm(app, exporter, '/exports/delete', { _csrf: 'nope', id: String(mine) })).statusCode).toBe(403);
    const res = await postForm(app, exporter, '/exports/delete', { id: [String(mine), String(theirs)] });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/exports?deleted=1');
    expect(existsSync(minePath)).toBe(false);
    expect(await getExportFile(t.db, mine)).toBeUndefined();
    expect(existsSync(theirPath)).toBe(true);
    expect(await getExportFile(t.db, theirs)).toBeDefined();
    expect((await requester(app, exporter)('/exports?deleted=1')).body).toContain('One export was deleted.');
  });

  it('exports a fluoroscopy study for openSkin from its page', async () => {
    const rf = ids.get('RF-RDSR-Siemens-Zee.dcm')!;
    const page = await requester(app, exporter)(`/studies/${rf}`);
    expect(page.body).toContain('action="/exports/openskin"');
    expect((await requester(app, exporter)(`/studies/${ids.get('CT-RDSR-Siemens_Flash-QA-DS.dcm')}`)).body).not.toContain('openSkin export');
    const res = await postForm(app, exporter, '/exports/openskin', { study: String(rf) });
    expect(res.statusCode).toBe(303);
    const taskId = Number(/queued=(\d+)/.exec(res.headers.location as string)![1]);
    expect((await waitForState(t.db, taskId, ['done', 'failed', 'aborted'])).state).toBe('done');
    const file = await t.db.kysely.selectFrom('export_file').selectAll().where('task_id', '=', taskId).executeTakeFirstOrThrow();
    expect(file.file_name).toBe(`openrem-rf-openskin-${taskId}.csv`);
    expect(file.label).toBe('openSkin export of study ' + rf + ' (2016-05-12)');
    expect((await postForm(app, exporter, '/exports/openskin', { study: String(ids.get('CT-RDSR-Siemens_Flash-QA-DS.dcm')) })).statusCode).toBe(400);
    expect((await postForm(app, viewer, '/exports/openskin', { study: String(rf) })).statusCode).toBe(403);
  });
});
