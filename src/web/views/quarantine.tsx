// The quarantine page (administrators): files that failed to import, why, and what can be done.
import { h, type SafeHtml } from '../jsx.js';
import type { TaskRecord } from '../../tasks/index.js';
import { fileSizeText } from '../file-size.js';
import type { PageContext } from '../page.js';
import { STATIC_PREFIX } from '../urls.js';
import { CsrfField } from './forms.js';
import { Layout } from './layout.js';
import { AbortButton, TaskScript, TaskStatus } from './tasks.js';
import { Missing, UtcTime } from './values.js';

export const QUARANTINE_PATH = '/admin/quarantine';
export const QUARANTINE_RETRY_PATH = `${QUARANTINE_PATH}/retry`;
export const QUARANTINE_DELETE_PATH = `${QUARANTINE_PATH}/delete`;

export interface QuarantineEntry {
  /** "YYYY-MM-DD/name": the file within the quarantine folder, as forms name it. */
  id: string;
  name: string;
  bytes: number;
  quarantinedAt: string | null;
  originalPath: string | null;
  reason: string | null;
  attempts: number | null;
  kind: string | null;
}

function RetrySummary(props: { task: TaskRecord }): SafeHtml | null {
  const result = props.task.result as { files?: number; counts?: Record<string, number> } | null;
  if (props.task.state !== 'done' || !result?.counts) return null;
  const c = result.counts;
  const imported = (c.imported ?? 0) + (c.merged ?? 0);
  return (
    <span class="note">
      {result.files ?? 0} retried: {imported} imported, {c.duplicate ?? 0} duplicates, {c['not-dose'] ?? 0} not dose objects, {c.failed ?? 0} still failing.
    </span>
  );
}

export function QuarantinePage(props: {
  ctx: PageContext;
  entries: readonly QuarantineEntry[];
  total: number;
  page: number;
  pageCount: number;
  folder: string;
  retry: TaskRecord | null;
  notice?: string | null;
}): SafeHtml {
  const { ctx, retry } = props;
  const running = retry !== null && (retry.state === 'queued' || retry.state === 'running');
  return (
    <Layout ctx={ctx} title="Quarantine">
      <h1>
        Quarantine <small>{props.total} file{props.total === 1 ? '' : 's'}</small>
      </h1>
      {props.notice ? <p class="success">{props.notice}</p> : null}
      <p>
        Files that failed to import are kept here with the reason, so nothing is lost. After fixing the cause (a setting, or a newer version), retry them:
        those that now import leave the quarantine; the others stay, their reason updated. The folder is <code>{props.folder}</code>.
      </p>
      <section class="panel" id="quarantine-retry">
        <h2>Retry</h2>
        {retry ? (
          <div>
            <span class="meta">
              Last retry #{retry.id}, started <UtcTime iso={retry.createdAt} /> by {retry.startedBy.name ?? 'the system'}:
            </span>
            <TaskStatus task={retry} />
            {retry.reason ? <span class="note task-reason">{retry.reason}</span> : null}
            <RetrySummary task={retry} />
            <AbortButton ctx={ctx} task={retry} next={QUARANTINE_PATH} />
          </div>
        ) : null}
        {running || props.total === 0 ? null : (
          <form method="post" action={QUARANTINE_RETRY_PATH}>
            <CsrfField ctx={ctx} />
            <button type="submit">Retry all quarantined files</button>
          </form>
        )}
      </section>
      <section class="panel table-scroll">
        {props.entries.length === 0 ? (
          <p class="missing">The quarantine is empty: every file imported.</p>
        ) : (
          <table class="data quarantine">
            <thead>
              <tr>
                <th scope="col">Quarantined</th>
                <th scope="col">Original path</th>
                <th scope="col">Reason</th>
                <th scope="col">Attempts</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {props.entries.map((e) => (
                <tr data-quarantine-file={e.id}>
                  <td class="nowrap"><UtcTime iso={e.quarantinedAt} /></td>
                  <td>
                    {e.originalPath ?? <Missing />}
                    <span class="note">
                      kept as {e.id}, {fileSizeText(e.bytes)}
                      {e.kind ? `, ${e.kind}` : ''}
                    </span>
                  </td>
                  <td>{e.reason ?? <span class="missing">no note of the reason</span>}</td>
                  <td class="num">{e.attempts ?? <Missing />}</td>
                  <td>
                    <form method="post" action={QUARANTINE_DELETE_PATH} class="abort-task">
                      <CsrfField ctx={ctx} />
                      <input type="hidden" name="file" value={e.id} />
                      <button type="submit" class="danger" title={`Delete ${e.id} for good`}>
                        Delete
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {props.pageCount > 1 ? (
          <nav class="pager" aria-label="Pages">
            {props.page > 1 ? <a href={`${QUARANTINE_PATH}?page=${props.page - 1}`}>‹ Previous</a> : <span class="disabled">‹ Previous</span>}
            <span class="current">
              Page {props.page} of {props.pageCount}
            </span>
            {props.page < props.pageCount ? <a href={`${QUARANTINE_PATH}?page=${props.page + 1}`}>Next ›</a> : <span class="disabled">Next ›</span>}
          </nav>
        ) : null}
      </section>
      <TaskScript ctx={ctx} />
      <script src={`${STATIC_PREFIX}task-reload.js?v=${encodeURIComponent(ctx.version)}`} defer />
    </Layout>
  );
}
