// Exports that do not run to their end, on each engine, with `openrem worker` processes as
// deployed (on SQLite one worker process for the data folder at a time): a worker killed in
// the middle of an export, whose task a restarted worker takes up again and finishes, and an
// export aborted from the exports page, while it runs or while its killed worker holds it.
// None may leave a partial file behind or show one as finished.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/config.js';
import { exportsDir, PARTIAL_SUFFIX } from '../../src/export/paths.js';
import { buildApp } from '../../src/web/app.js';
import { killProcesses, startOpenrem, stopProcess, type RunningProcess } from '../helpers/cli.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { postForm, requester, signIn, type TestUser } from '../helpers/web.js';
import { quietLog, taskRow, waitFor, waitForState } from '../tasks/helpers.js';
import { copiesOfCorpusStudy } from './bulk.js';
import { readXlsx, sheetCell } from './helpers.js';

const STUDY = 'CT-RDSR-Siemens_Flash-QA-DS.dcm';
/** Copies of the study: an XLSX export of them takes several seconds, however fast the machine. */
const COPIES = 3000;
/** Irradiation events of the study, each a row on its protocol's sheet. */
const EVENTS = 9;
/** An export runs twice here, on a machine that may be busy with other work. */
const LONG = 240_000;

describe.each(ENGINES)('exports interrupted (%s)', (engine) => {
  let t: TestDb;
  let app: FastifyInstance;
  let exporter: TestUser;
  const workers: RunningProcess[] = [];

  const startWorker = async (): Promise<RunningProcess> => {
    const worker = await startOpenrem(['worker'], t.env);
    workers.push(worker);
    return worker;
  };

  /** Asks for an export of every CT study on the exports route, as the list's Export control does. */
  const askForExport = async (format: 'csv' | 'xlsx'): Promise<number> => {
    const res = await postForm(app, exporter, '/exports', { modality: 'ct', format, filter: '' });
    expect(res.statusCode, res.body).toBe(303);
    return Number(/queued=(\d+)/.exec(res.headers.location as string)![1]);
  };

  const exportFiles = () => (existsSync(exportsDir(t.dataDir)) ? readdirSync(exportsDir(t.dataDir)).sort() : []);
  const fileRecords = (taskId: number) => t.db.kysely.selectFrom('export_file').selectAll().where('task_id', '=', taskId).execute();

  /** Waits until the export has written part of its file, well before its end. */
  const underWay = (taskId: number, partial: string) =>
    waitFor(
      `export ${taskId} under way`,
      async () => {
        const row = await taskRow(t.db, taskId);
        if (row.state !== 'running' && row.state !== 'queued') throw new Error(`export ${taskId} ${row.state} before it could be interrupted: ${row.reason}`);
        return (row.progress ?? 0) > 0 && existsSync(partial) && row;
      },
      60_000,
    );

  beforeAll(async () => {
    t = await createTestDb(engine);
    await copiesOfCorpusStudy(t.db, STUDY, COPIES);
    app = await buildApp({ db: t.db, config: configFromEnv(t.env), logger: quietLog });
    exporter = await signIn(t.db, { roles: ['view', 'export'] });
  }, LONG);
  afterEach(async () => {
    await killProcesses(workers);
  });
  afterAll(async () => {
    await killProcesses(workers);
    await app?.close();
    await t?.cleanup();
  });

  it('a worker killed mid-export leaves no finished file; a restarted worker exports again to a complete file', async () => {
    const first = await startWorker();
    const id = await askForExport('xlsx');
    const name = `openrem-ct-export-${id}.xlsx`;
    const partial = join(exportsDir(t.dataDir), `${name}.1${PARTIAL_SUFFIX}`);
    const running = await underWay(id, partial);
    expect(running.progress).toBeLessThan(1);
    first.proc.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // What the dead worker left: a task still marked as its own, a partial file under the
    // partial name only, and nothing on the exports page's list of files.
    expect(await taskRow(t.db, id)).toMatchObject({ state: 'running', worker_pid: first.pid, attempts: 1 });
    expect(exportFiles()).toEqual([`${name}.1${PARTIAL_SUFFIX}`]);
    expect(await fileRecords(id)).toEqual([]);
    const during = await requester(app, exporter)('/exports');
    expect(during.statusCode).toBe(200);
    expect(during.body).toContain('No finished exports.');
    expect(during.body).not.toContain('data-export-file=');
    expect(during.body).not.toContain(name);
    expect(during.body).toContain(`data-task-row="${id}"`);

    // A worker starting on this machine finds the task of the dead process and queues it again.
    const second = await startWorker();
    const done = await waitForState(t.db, id, ['done', 'failed', 'aborted'], LONG / 2);
    expect(done.state, done.reason ?? '').toBe('done');
    expect(done.reason).toBe(`attempt 1 was interrupted: the worker on ${hostname()} (pid ${first.pid}) is no longer running; queued again`);
    expect(done).toMatchObject({ attempts: 2, worker_pid: second.pid, progress: 1 });
    const path = join(exportsDir(t.dataDir), name);
    expect(JSON.parse(done.result!)).toEqual({ file: name, studies: COPIES, sizeBytes: statSync(path).size });
    expect(exportFiles()).toEqual([name]);
    const [record] = await fileRecords(id);
    expect(record).toMatchObject({ file_name: name, studies: COPIES, format: 'xlsx', started_by_id: exporter.user.id });
    expect(Number(record!.size_bytes)).toBe(statSync(path).size);

    // The file is whole: every study once, every event on its protocol's sheet.
    const sheets = await readXlsx(path);
    const summary = sheets[0]!;
    expect(summary.rows.find((r) => r[0] === 'Studies')?.[1]).toBe(COPIES);
    expect(summary.rows.find((r) => r[0] === 'Irradiation events')?.[1]).toBe(COPIES * EVENTS);
    const all = sheets.find((s) => s.name === 'All data')!;
    expect(all.rows).toHaveLength(COPIES + 1);
    for (let r = 1; r <= COPIES; r++) {
      expect(sheetCell(all, r, 'Accession number')).toBe('74624646290');
      expect(sheetCell(all, r, 'DLP total (mGy·cm)')).toBe(1590);
    }
    expect(sheetCell(all, COPIES, 'E9 Protocol')).toBe('DS_hel p 0.23');
    const protocolRows = sheets.slice(2).reduce((n, s) => n + s.rows.length - 1, 0);
    expect(protocolRows).toBe(COPIES * EVENTS);
    expect(sheets.find((s) => s.name === 'DS_hel p 0.23')!.rows).toHaveLength(COPIES + 1);

    const after = (await requester(app, exporter)('/exports')).body;
    expect(after).toContain(`data-export-file="${record!.id}"`);
    expect(after).toContain(`href="/exports/${record!.id}/download"`);
    expect(await stopProcess(second)).toEqual({ code: 0, signal: null });
  }, LONG);

  it('an export whose worker was killed, aborted meanwhile, ends aborted when a worker starts, and its partial file goes', async () => {
    const first = await startWorker();
    const before = exportFiles();
    const id = await askForExport('xlsx');
    const partial = join(exportsDir(t.dataDir), `openrem-ct-export-${id}.xlsx.1${PARTIAL_SUFFIX}`);
    await underWay(id, partial);
    first.proc.kill('SIGKILL');
    await first.exited;
    // The export looks stuck to its user, who aborts it; nobody runs it to take the request.
    const res = await postForm(app, exporter, `/tasks/${id}/abort`, { next: '/exports' });
    expect(res.headers.location).toBe(`/exports?abort=requested&task=${id}`);
    expect(existsSync(partial)).toBe(true);

    await startWorker();
    const row = await waitForState(t.db, id, ['done', 'failed', 'aborted', 'queued']);
    expect(row.state).toBe('aborted');
    expect(row.reason).toBe(`aborted by ${exporter.user.username}; the worker on ${hostname()} (pid ${first.pid}) is no longer running`);
    await waitFor('the partial file of the aborted export removed', () => !existsSync(partial));
    expect(exportFiles()).toEqual(before);
    expect(await fileRecords(id)).toEqual([]);
  }, LONG);

  it('an export aborted from the exports page ends aborted, with no file and no record of one', async () => {
    const worker = await startWorker();
    const before = exportFiles();
    const id = await askForExport('xlsx');
    const partial = join(exportsDir(t.dataDir), `openrem-ct-export-${id}.xlsx.1${PARTIAL_SUFFIX}`);
    await underWay(id, partial);

    // The page's abort button: its form, as the page renders it for the running export.
    const page = (await requester(app, exporter)('/exports')).body;
    const form = new RegExp(`<form method="post" action="(/tasks/${id}/abort)"[^>]*>([\\s\\S]*?)</form>`).exec(page);
    expect(form, 'an abort button for the running export').not.toBeNull();
    const fields = Object.fromEntries([...form![2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    expect(fields).toEqual({ _csrf: exporter.csrf, next: '/exports' });
    // Without the form's token nothing happens.
    expect((await postForm(app, exporter, form![1]!, { ...fields, _csrf: 'forged' })).statusCode).toBe(403);
    expect((await taskRow(t.db, id)).abort_requested_at).toBeNull();

    const res = await postForm(app, exporter, form![1]!, fields);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/exports?abort=requested&task=${id}`);
    expect((await requester(app, exporter)(res.headers.location as string)).body).toContain(`Export #${id} is being stopped; it ends within a few seconds.`);

    const row = await waitForState(t.db, id, ['done', 'failed', 'aborted'], 30_000);
    expect(row.state).toBe('aborted');
    expect(row.reason).toBe(`aborted by ${exporter.user.username} while it ran`);
    expect(row.progress).toBeLessThan(1);
    expect(await fileRecords(id)).toEqual([]);
    expect(exportFiles()).toEqual(before);
    const after = (await requester(app, exporter)('/exports')).body;
    const problem = after.slice(after.indexOf('<h2>Failed or aborted</h2>'));
    expect(problem).toContain(`data-task-row="${id}"`);
    expect(problem).toContain(`aborted by ${exporter.user.username} while it ran`);
    expect(after).not.toContain(`openrem-ct-export-${id}.xlsx`);

    // The worker goes on to the next export.
    const next = await askForExport('csv');
    const nextRow = await waitForState(t.db, next, ['done', 'failed', 'aborted'], 60_000);
    expect(nextRow).toMatchObject({ state: 'done', worker_pid: worker.pid });
    expect(exportFiles()).toEqual([...before, `openrem-ct-export-${next}.csv`].sort());
    expect(await stopProcess(worker)).toEqual({ code: 0, signal: null });
  }, LONG);
});
