// Exports: the "Export" control of a modality's list (its current filter to a file), the
// openSkin button of a fluoroscopy study, and the exports page: exports under way with their
// progress and an abort button, finished files to download or delete, and recent failures.
import { h, type SafeHtml } from '../jsx.js';
import type { ExportFile } from '../../export/files.js';
import { fileSizeText } from '../file-size.js';
import { formatsFor, formatTakesPid, FORMAT_LABELS } from '../../export/kinds.js';
import type { ModalitySpec } from '../../query/modalities.js';
import type { ListQuery } from '../../query/studies.js';
import type { TaskRecord } from '../../tasks/index.js';
import { may, type PageContext } from '../page.js';
import { listParams } from '../urls.js';
import { CsrfField } from './forms.js';
import { Layout } from './layout.js';
import { AbortButton, TaskNameCell, TaskOwnerCell, TaskScript, TaskStatus, TaskTimeCell } from './tasks.js';
import { UtcTime } from './values.js';

export const EXPORTS_PATH = '/exports';
export const OPENSKIN_EXPORT_PATH = '/exports/openskin';
export const DELETE_EXPORTS_PATH = '/exports/delete';

export function exportDownloadPath(id: number): string {
  return `${EXPORTS_PATH}/${id}/download`;
}

/** Seconds between refreshes of the lists while exports are under way (their bars move every second). */
const REFRESH_S = 30;

/** The filter part of a list's parameters, as a query string (sorting and paging do not change what is exported). */
export function filterQueryString(query: Partial<ListQuery>): string {
  const { sort: _sort, dir: _dir, page: _page, perPage: _perPage, ...filter } = query;
  return listParams(filter).toString();
}

/** Exports the list's studies as filtered: for users with the export role. */
export function ExportControl(props: { ctx: PageContext; spec: ModalitySpec; query: ListQuery }): SafeHtml | null {
  const { ctx, spec } = props;
  if (!may(ctx, 'export')) return null;
  const formats = formatsFor(spec.modality);
  return (
    <form class="export-form" method="post" action={EXPORTS_PATH} aria-label="Export these studies">
      <CsrfField ctx={ctx} />
      <input type="hidden" name="modality" value={spec.slug} />
      <input type="hidden" name="filter" value={filterQueryString(props.query)} />
      <label>
        Export as{' '}
        <select name="format">
          {formats.map((f) => (
            <option value={f}>{FORMAT_LABELS[f]}</option>
          ))}
        </select>
      </label>
      {may(ctx, 'pid') ? (
        <label title={`adds patient name, ID and birth date to ${formats.filter(formatTakesPid).map((f) => FORMAT_LABELS[f]).join(' and ')} files`}>
          <input type="checkbox" name="pid" value="1" /> with patient identifiers
        </label>
      ) : null}
      <button type="submit">Export</button> <a href={EXPORTS_PATH}>Exports</a>
    </form>
  );
}

/** The openSkin export of a fluoroscopy study, on its page. */
export function OpenSkinButton(props: { ctx: PageContext; studyId: number }): SafeHtml | null {
  if (!may(props.ctx, 'export')) return null;
  return (
    <form class="export-form" method="post" action={OPENSKIN_EXPORT_PATH}>
      <CsrfField ctx={props.ctx} />
      <input type="hidden" name="study" value={String(props.studyId)} />
      <button type="submit" title="a CSV of this study's irradiation events for the openSkin skin dose calculator">
        openSkin export
      </button>
    </form>
  );
}

/** 1536 → "1.5 KB": the size people read, in powers of 1024. */
export function durationText(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function LiveTable(props: { ctx: PageContext; tasks: readonly TaskRecord[]; showOwner: boolean }): SafeHtml {
  if (!props.tasks.length) return <p class="missing">No export is under way.</p>;
  return (
    <table class="data tasks exports-live">
      <thead>
        <tr>
          <th scope="col">Export</th>
          {props.showOwner ? <th scope="col">Asked for by</th> : null}
          <th scope="col">Queued</th>
          <th scope="col">Status</th>
          <th scope="col">Action</th>
        </tr>
      </thead>
      <tbody>
        {props.tasks.map((task) => (
          <tr data-task-row={task.id}>
            <TaskNameCell task={task} />
            {props.showOwner ? <TaskOwnerCell task={task} /> : null}
            <TaskTimeCell iso={task.createdAt} />
            <td>
              <TaskStatus task={task} />
            </td>
            <td>
              <AbortButton ctx={props.ctx} task={task} next={EXPORTS_PATH} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function FileTable(props: { ctx: PageContext; files: readonly ExportFile[]; showOwner: boolean }): SafeHtml {
  const { ctx, files } = props;
  if (!files.length) return <p class="missing">No finished exports.</p>;
  const pid = may(ctx, 'pid');
  return (
    <form method="post" action={DELETE_EXPORTS_PATH} class="export-files">
      <CsrfField ctx={ctx} />
      <table class="data exports">
        <thead>
          <tr>
            <th scope="col">
              <span class="visually-hidden">Select</span>
            </th>
            <th scope="col">Export</th>
            {props.showOwner ? <th scope="col">Asked for by</th> : null}
            <th scope="col">Finished</th>
            <th scope="col" class="num">
              Studies
            </th>
            <th scope="col" class="num">
              Size
            </th>
            <th scope="col" class="num">
              Took
            </th>
            <th scope="col">File</th>
          </tr>
        </thead>
        <tbody>
          {files.map((f) => (
            <tr data-export-file={f.id}>
              <td>
                <input type="checkbox" name="id" value={String(f.id)} aria-label={`Select export ${f.id}`} />
              </td>
              <td>
                {f.label}
                {f.includesPid ? (
                  <span class="badge" title="has patient name, ID and birth date">
                    patient identifiers
                  </span>
                ) : null}
              </td>
              {props.showOwner ? <td>{f.startedBy.name ?? <span class="missing">system</span>}</td> : null}
              <td class="nowrap"><UtcTime iso={f.finishedAt} /></td>
              <td class="num">{f.studies}</td>
              <td class="num nowrap">{fileSizeText(f.sizeBytes)}</td>
              <td class="num nowrap">{durationText(f.durationMs)}</td>
              <td>
                {f.includesPid && !pid ? (
                  <span class="missing" title="downloading it needs the pid role">
                    {f.fileName}
                  </span>
                ) : (
                  <a href={exportDownloadPath(f.id)}>
                    {f.fileName}
                  </a>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="actions">
        <button type="submit" class="danger">
          Delete selected
        </button>
      </div>
    </form>
  );
}

function ProblemTable(props: { tasks: readonly TaskRecord[]; showOwner: boolean }): SafeHtml | null {
  if (!props.tasks.length) return null;
  return (
    <section class="panel">
      <h2>Failed or aborted</h2>
      <table class="data tasks">
        <thead>
          <tr>
            <th scope="col">Export</th>
            {props.showOwner ? <th scope="col">Asked for by</th> : null}
            <th scope="col">Ended</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {props.tasks.map((task) => (
            <tr data-task-row={task.id}>
              <TaskNameCell task={task} />
              {props.showOwner ? <TaskOwnerCell task={task} /> : null}
              <TaskTimeCell iso={task.finishedAt} />
              <td>
                <span class={`task-state ${task.state}`}>{task.state}</span>
                {task.reason ? <span class="note task-reason">{task.reason}</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export interface ExportsPageProps {
  ctx: PageContext;
  /** Running exports, then queued ones in the order they will run, up to a limit. */
  live: readonly TaskRecord[];
  /** Exports under way in all, shown or not. */
  liveTotal: number;
  files: readonly ExportFile[];
  problems: readonly TaskRecord[];
  /** Administrators see everybody's exports. */
  everyone: boolean;
  notice?: string | null;
}

export function ExportsPage(props: ExportsPageProps): SafeHtml {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title="Exports">
      <h1>Exports</h1>
      {props.notice ? <p class="success">{props.notice}</p> : null}
      <div id="export-lists" data-refresh={props.live.length ? REFRESH_S : undefined}>
        <section class="panel">
          <h2>
            Under way <small>{props.liveTotal}</small>
          </h2>
          <LiveTable ctx={ctx} tasks={props.live} showOwner={props.everyone} />
          {props.liveTotal > props.live.length ? (
            <p class="note">
              The first {props.live.length} are shown; {props.liveTotal - props.live.length} more are queued behind them.
            </p>
          ) : null}
        </section>
        <section class="panel">
          <h2>
            Finished <small>{props.files.length}, newest first</small>
          </h2>
          <FileTable ctx={ctx} files={props.files} showOwner={props.everyone} />
        </section>
        <ProblemTable tasks={props.problems} showOwner={props.everyone} />
      </div>
      <p class="meta">
        Export a modality's studies from its list: the file holds the studies the list's filter selects, with the program's version and the filter at its top.{' '}
        {props.everyone ? 'As an administrator you see everybody’s exports.' : 'You see the exports you asked for.'}
      </p>
      <TaskScript ctx={ctx} />
    </Layout>
  );
}
