// Patient size imports: uploading a CSV with the history of imports, choosing its columns,
// and one import's progress and log.
import { h, type Child, type SafeHtml } from '../jsx.js';
import { DELIMITER_NAMES, type CsvRecord } from '../../ptsize/csv.js';
import { ID_KIND_LABELS, ID_KINDS, type IdKind } from '../../ptsize/mapping.js';
import { mayDelete, OUTCOMES, type LogEntry, type SizeImport, type SizeImportOutcome } from '../../ptsize/store.js';
import { describeUnlisted, type OutcomeCounts } from '../../ptsize/log-limit.js';
import { describeCounts, SKIPPED_MEANS } from '../../ptsize/run-import.js';
import { HEIGHT_RANGE_TEXT, WEIGHT_RANGE_TEXT, type HeightUnitChoice } from '../../ptsize/values.js';
import type { TaskRecord } from '../../tasks/index.js';
import { fileSizeText } from '../file-size.js';
import { may, type PageContext } from '../page.js';
import { STATIC_PREFIX, studyPath } from '../urls.js';
import { CsrfField, FieldError, ProblemSummary } from './forms.js';
import { Layout } from './layout.js';
import { Pager } from './pager.js';
import { AbortButton, TaskScript, TaskStatus } from './tasks.js';
import { Missing, UtcTime } from './values.js';

export const PTSIZE_PATH = '/ptsize';
export const importPath = (id: number): string => `${PTSIZE_PATH}/${id}`;
export const columnsPath = (id: number): string => `${PTSIZE_PATH}/${id}/columns`;
export const deletePath = (id: number): string => `${PTSIZE_PATH}/${id}/delete`;
export const logCsvPath = (id: number): string => `${PTSIZE_PATH}/${id}/log.csv`;

/** The form field of the file; the upload route reads only this one. */
export const FILE_FIELD = 'file';

const OUTCOME_LABELS: Record<SizeImportOutcome, string> = { updated: 'updated', skipped: 'skipped', 'not-found': 'not found', invalid: 'errors' };

const UNIT_LABELS: Record<HeightUnitChoice, string> = {
  auto: 'work it out (a unit in the value or the column name; else below 3 is metres, from 3 up centimetres)',
  cm: 'centimetres',
  m: 'metres',
};

function By(props: { imp: SizeImport }): SafeHtml {
  return <span>{props.imp.startedBy.name ?? <span class="missing">{props.imp.source}</span>}</span>;
}

const STATE_TEXT: Record<SizeImport['state'], string> = {
  uploaded: 'waiting for columns',
  queued: 'queued',
  running: 'running',
  done: 'done',
  failed: 'failed',
  aborted: 'aborted',
};

function StateBadge(props: { imp: SizeImport }): SafeHtml {
  const cls = props.imp.state === 'uploaded' ? 'queued' : props.imp.state;
  return <span class={`task-state ${cls}`}>{STATE_TEXT[props.imp.state]}</span>;
}

function Counts(props: { imp: SizeImport }): SafeHtml | null {
  const c = props.imp.counts;
  if (props.imp.state === 'uploaded' || props.imp.state === 'queued') return null;
  return (
    <span class="size-counts" title={SKIPPED_MEANS}>
      {describeCounts(c)}
    </span>
  );
}

/** The import's state: live (following its task) while it runs, else what it ended as. */
function ImportStatus(props: { ctx: PageContext; imp: SizeImport; task: TaskRecord | null; next: string }): SafeHtml {
  const { imp, task } = props;
  const live = task && (imp.state === 'queued' || imp.state === 'running');
  return (
    <div class="size-import-status">
      {live ? (
        <div>
          <TaskStatus task={task} />
          <AbortButton ctx={props.ctx} task={task} next={props.next} />
        </div>
      ) : (
        <div>
          <StateBadge imp={imp} /> <Counts imp={imp} />
        </div>
      )}
      {imp.reason && !live ? <span class="note size-reason">{imp.reason}</span> : null}
      {imp.state === 'failed' || imp.state === 'aborted' ? (
        <span class="note size-again">Import the file again to finish: studies it already updated are then found unchanged and skipped.</span>
      ) : null}
    </div>
  );
}

export function UploadPage(props: {
  ctx: PageContext;
  imports: readonly SizeImport[];
  tasks: ReadonlyMap<number, TaskRecord>;
  page: number;
  pageCount: number;
  maxUploadBytes: number;
  error?: string | null;
  notice?: string | null;
}): SafeHtml {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title="Patient size imports">
      <h1>Patient size imports</h1>
      {props.notice ? <p class="success">{props.notice}</p> : null}
      <section class="panel">
        <h2>Import heights and weights from a CSV file</h2>
        <p>
          The file needs a header row naming its columns, one column identifying the study (its accession number or Study Instance UID), and columns of
          patient height and weight. After uploading you choose which column is which. Commas, semicolons or tabs may separate the values; UTF-8, UTF-16
          and Latin-1 text are recognised.
        </p>
        {props.error ? (
          <div class="form-problems" role="alert">
            <p>The file could not be used: {props.error}</p>
          </div>
        ) : null}
        {h(
          'form',
          { method: 'post', action: PTSIZE_PATH, enctype: 'multipart/form-data', class: 'stacked upload-form' },
          <CsrfField ctx={ctx} />,
          <div class="field">
            <label for="field-file">CSV file</label>
            {h('input', { id: 'field-file', type: 'file', name: FILE_FIELD, accept: '.csv,.txt,text/csv,text/plain', required: true })}
            <span class="hint">At most {fileSizeText(props.maxUploadBytes)}. The file is deleted once it has been imported.</span>
          </div>,
          <div class="actions">
            <button type="submit">Upload and choose columns</button>
          </div>,
        )}
      </section>
      <section class="panel">
        <h2>Imports</h2>
        <HistoryTable ctx={ctx} imports={props.imports} tasks={props.tasks} />
        {props.pageCount > 1 ? <Pager page={props.page} pageCount={props.pageCount} url={(p) => (p === 1 ? PTSIZE_PATH : `${PTSIZE_PATH}?page=${p}`)} /> : null}
      </section>
      <TaskScript ctx={ctx} />
      <script src={`${STATIC_PREFIX}task-reload.js?v=${encodeURIComponent(ctx.version)}`} defer />
    </Layout>
  );
}

function DeleteButton(props: { ctx: PageContext; imp: SizeImport; label?: string }): SafeHtml | null {
  if (!mayDelete(props.imp)) return null;
  return (
    <form method="post" action={deletePath(props.imp.id)} class="abort-task">
      <CsrfField ctx={props.ctx} />
      <button type="submit" class="danger" title={`Delete import ${props.imp.id} and its log`}>
        {props.label ?? 'Delete'}
      </button>
    </form>
  );
}

function HistoryTable(props: { ctx: PageContext; imports: readonly SizeImport[]; tasks: ReadonlyMap<number, TaskRecord> }): SafeHtml {
  if (!props.imports.length) return <p class="missing">No patient sizes have been imported yet.</p>;
  return (
    <table class="data size-imports">
      <thead>
        <tr>
          <th scope="col">Import</th>
          <th scope="col">By</th>
          <th scope="col">Uploaded</th>
          <th scope="col">Matched on</th>
          <th scope="col">Status</th>
          <th scope="col">Action</th>
        </tr>
      </thead>
      <tbody>
        {props.imports.map((imp) => (
          <tr data-import-row={imp.id}>
            <td>
              <a href={imp.state === 'uploaded' ? columnsPath(imp.id) : importPath(imp.id)}>
                <span class="task-id">#{imp.id}</span> {imp.fileName}
              </a>
              <span class="note">{fileSizeText(imp.fileBytes)}</span>
            </td>
            <td>
              <By imp={imp} />
            </td>
            <td class="nowrap"><UtcTime iso={imp.createdAt} precision="minute" /></td>
            <td>{imp.mapping ? ID_KIND_LABELS[imp.mapping.idKind] : <Missing />}</td>
            <td>
              <ImportStatus ctx={props.ctx} imp={imp} task={imp.taskId === null ? null : (props.tasks.get(imp.taskId) ?? null)} next={PTSIZE_PATH} />
            </td>
            <td>
              {imp.state === 'uploaded' ? (
                <a href={columnsPath(imp.id)}>Choose columns</a>
              ) : (
                <a href={importPath(imp.id)}>Log</a>
              )}
              <DeleteButton ctx={props.ctx} imp={imp} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export interface ColumnFormValues {
  idColumn: string;
  idKind: IdKind;
  heightColumn: string;
  weightColumn: string;
  heightUnit: HeightUnitChoice;
  overwrite: boolean;
}

export const COLUMN_FIELD_LABELS: Record<string, string> = {
  idColumn: 'Study identifier column',
  idKind: 'The identifier is',
  heightColumn: 'Height column',
  weightColumn: 'Weight column',
  heightUnit: 'Heights are in',
  overwrite: 'Existing values',
};

function ColumnSelect(props: { name: string; columns: readonly string[]; value: string; error?: string | undefined; optional: boolean; hint?: Child }): SafeHtml {
  const id = `field-${props.name}`;
  return (
    <div class={props.error ? 'field invalid' : 'field'}>
      <label for={id}>{COLUMN_FIELD_LABELS[props.name]}</label>
      <select id={id} name={props.name} aria-invalid={props.error ? 'true' : undefined}>
        {props.optional ? (
          <option value="" selected={props.value === ''}>
            (none in this file)
          </option>
        ) : (
          <option value="" selected={props.value === ''}>
            (choose a column)
          </option>
        )}
        {props.columns
          .filter((c) => c !== '')
          .map((c) => (
            <option value={c} selected={c === props.value}>
              {c}
            </option>
          ))}
      </select>
      {props.hint ? <span class="hint">{props.hint}</span> : null}
      <FieldError id={id} message={props.error} />
    </div>
  );
}

export function ColumnsPage(props: { ctx: PageContext; imp: SizeImport; preview: readonly CsvRecord[]; values: ColumnFormValues; errors?: Record<string, string> }): SafeHtml {
  const { imp, values } = props;
  const errors = props.errors ?? {};
  return (
    <Layout ctx={props.ctx} title={`Choose columns: ${imp.fileName}`}>
      <p>
        <a href={PTSIZE_PATH}>‹ Patient size imports</a>
      </p>
      <h1>Choose the columns of {imp.fileName}</h1>
      <p class="meta">
        {fileSizeText(imp.fileBytes)}, read as {imp.encoding}, {DELIMITER_NAMES[imp.delimiter]}-separated, {imp.columns.length} columns.
      </p>
      <section class="panel table-scroll">
        <h2>The first rows</h2>
        {props.preview.length ? null : <p class="notice">The file has a header row but no data rows.</p>}
        <table class="data preview">
          <thead>
            <tr>
              <th scope="col">Row</th>
              {imp.columns.map((c) => (
                <th scope="col">{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.preview.map((r) => (
              <tr>
                <td class="num">{r.row}</td>
                {imp.columns.map((_c, i) => (
                  <td>{r.fields[i] ?? ''}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section class="panel">
        <ProblemSummary errors={errors} labels={COLUMN_FIELD_LABELS} />
        <form method="post" action={columnsPath(imp.id)} class="stacked">
          <CsrfField ctx={props.ctx} />
          <ColumnSelect name="idColumn" columns={imp.columns} value={values.idColumn} error={errors.idColumn} optional={false} />
          <fieldset class={errors.idKind ? 'invalid' : undefined}>
            <legend>{COLUMN_FIELD_LABELS.idKind}</legend>
            {ID_KINDS.map((k) => (
              <label class="check">
                <input type="radio" name="idKind" value={k} checked={values.idKind === k} /> {k === 'accession' ? 'an' : 'a'} {ID_KIND_LABELS[k]}
              </label>
            ))}
            <FieldError id="field-idKind" message={errors.idKind} />
          </fieldset>
          <ColumnSelect
            name="heightColumn"
            columns={imp.columns}
            value={values.heightColumn}
            error={errors.heightColumn}
            optional={true}
            hint={`Stored in metres; heights outside ${HEIGHT_RANGE_TEXT} are refused.`}
          />
          <div class="field">
            <label for="field-heightUnit">{COLUMN_FIELD_LABELS.heightUnit}</label>
            <select id="field-heightUnit" name="heightUnit">
              {(Object.keys(UNIT_LABELS) as HeightUnitChoice[]).map((u) => (
                <option value={u} selected={values.heightUnit === u}>
                  {UNIT_LABELS[u]}
                </option>
              ))}
            </select>
            <FieldError id="field-heightUnit" message={errors.heightUnit} />
          </div>
          <ColumnSelect
            name="weightColumn"
            columns={imp.columns}
            value={values.weightColumn}
            error={errors.weightColumn}
            optional={true}
            hint={`In kilograms; weights outside ${WEIGHT_RANGE_TEXT} are refused.`}
          />
          <fieldset>
            <legend>{COLUMN_FIELD_LABELS.overwrite}</legend>
            <label class="check">
              <input type="checkbox" name="overwrite" value="1" checked={values.overwrite} /> Overwrite heights and weights that studies already have (otherwise they
              are kept and only missing values are filled in)
            </label>
          </fieldset>
          <p class="hint">
            A row whose height or weight is not a number (or not plausible) is not used at all; the log names its row. An empty cell or zero (taken as not
            measured) leaves that value as it is.
          </p>
          <div class="actions">
            <button type="submit">Import</button>
          </div>
        </form>
      </section>
      <section class="panel">
        <DeleteButton ctx={props.ctx} imp={imp} label="Cancel and delete the file" />
      </section>
    </Layout>
  );
}

function Mapping(props: { imp: SizeImport }): SafeHtml | null {
  const m = props.imp.mapping;
  if (!m) return null;
  const column = (name: string | null) => (name === null ? <span class="missing">none</span> : <code>{name}</code>);
  return (
    <table class="key-values">
      <tbody>
        <tr>
          <th scope="row">Study identifier</th>
          <td>
            {column(m.idColumn)} ({ID_KIND_LABELS[m.idKind]})
          </td>
        </tr>
        <tr>
          <th scope="row">Height</th>
          <td>
            {column(m.heightColumn)}
            {m.heightColumn === null ? null : `, in ${m.heightUnit === 'auto' ? 'centimetres or metres as worked out per value' : UNIT_LABELS[m.heightUnit]}`}
          </td>
        </tr>
        <tr>
          <th scope="row">Weight</th>
          <td>{column(m.weightColumn)}</td>
        </tr>
        <tr>
          <th scope="row">Existing values</th>
          <td>{m.overwrite ? 'overwritten' : 'kept (only missing values filled in)'}</td>
        </tr>
        <tr>
          <th scope="row">File</th>
          <td>
            {props.imp.fileName}, {fileSizeText(props.imp.fileBytes)}, {props.imp.encoding}, {DELIMITER_NAMES[props.imp.delimiter]}-separated
            {props.imp.uploadPath === null ? (
              <span class="note">deleted</span>
            ) : props.imp.state === 'uploaded' || props.imp.state === 'queued' || props.imp.state === 'running' ? (
              <span class="note">waiting to be imported; deleted afterwards</span>
            ) : null}
          </td>
        </tr>
      </tbody>
    </table>
  );
}

function LogTable(props: { ctx: PageContext; entries: readonly LogEntry[] }): SafeHtml {
  const linkStudies = may(props.ctx, 'view');
  return (
    <table class="data size-log">
      <thead>
        <tr>
          <th scope="col">Row</th>
          <th scope="col">Outcome</th>
          <th scope="col">Identifier</th>
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {props.entries.map((e) => (
          <tr class={`outcome-${e.outcome}`}>
            <td class="num">{e.row ?? <Missing />}</td>
            <td>{OUTCOME_LABELS[e.outcome]}</td>
            <td>{e.identifier ?? <Missing />}</td>
            <td>
              {e.studyId !== null && linkStudies ? (
                <span>
                  <a href={studyPath(e.studyId)}>study {e.studyId}</a>
                  {e.message.replace(/^study \d+/, '')}
                </span>
              ) : (
                e.message
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ImportPage(props: {
  ctx: PageContext;
  imp: SizeImport;
  task: TaskRecord | null;
  entries: readonly LogEntry[];
  /** Log lines per outcome. */
  outcomeCounts: OutcomeCounts;
  /** Rows per outcome counted but not listed in the log. */
  unlisted: OutcomeCounts;
  outcome: SizeImportOutcome | null;
  page: number;
  pageCount: number;
  notice?: string | null;
}): SafeHtml {
  const { ctx, imp } = props;
  const here = importPath(imp.id);
  const total = OUTCOMES.reduce((n, o) => n + props.outcomeCounts[o], 0);
  const filterUrl = (o: SizeImportOutcome | null, page = 1) => {
    const params = new URLSearchParams();
    if (o) params.set('outcome', o);
    if (page > 1) params.set('page', String(page));
    const qs = params.toString();
    return qs ? `${here}?${qs}` : here;
  };
  return (
    <Layout ctx={ctx} title={`Patient size import ${imp.id}`}>
      <p>
        <a href={PTSIZE_PATH}>‹ Patient size imports</a>
      </p>
      <h1>
        Patient size import #{imp.id} <small>{imp.fileName}</small>
      </h1>
      {props.notice ? <p class="success">{props.notice}</p> : null}
      <p class="meta">
        Started by <By imp={imp} /> on <UtcTime iso={imp.startedAt ?? imp.createdAt} precision="minute" />
        {imp.finishedAt ? <span>, ended <UtcTime iso={imp.finishedAt} precision="minute" /></span> : null}.
      </p>
      <section class="panel" id="size-import-status">
        <ImportStatus ctx={ctx} imp={imp} task={props.task} next={here} />
        <Mapping imp={imp} />
      </section>
      <section class="panel">
        <h2>Log</h2>
        {total === 0 ? (
          <p class="missing">{imp.state === 'queued' || imp.state === 'running' ? 'The log shows here when the import ends; the counts above move as it runs.' : 'The log is empty.'}</p>
        ) : (
          <div>
            <p class="toolbar-links">
              {props.outcome === null ? <strong>all {total.toLocaleString('en')}</strong> : <a href={filterUrl(null)}>all {total.toLocaleString('en')}</a>}
              {OUTCOMES.map((o) => {
                const text = `${OUTCOME_LABELS[o]} ${props.outcomeCounts[o].toLocaleString('en')}${props.unlisted[o] > 0 ? ` of ${(props.outcomeCounts[o] + props.unlisted[o]).toLocaleString('en')}` : ''}`;
                return props.outcome === o ? <strong>{text}</strong> : <a href={filterUrl(o)}>{text}</a>;
              })}
              <a href={logCsvPath(imp.id)}>Download the log (CSV)</a>
            </p>
            {OUTCOMES.some((o) => props.unlisted[o] > 0) ? (
              <ul class="note size-unlisted">
                {OUTCOMES.filter((o) => props.unlisted[o] > 0).map((o) => (
                  <li>{describeUnlisted(o, props.unlisted[o])}.</li>
                ))}
              </ul>
            ) : null}
            <LogTable ctx={ctx} entries={props.entries} />
            {props.pageCount > 1 ? <Pager page={props.page} pageCount={props.pageCount} url={(p) => filterUrl(props.outcome, p)} /> : null}
          </div>
        )}
      </section>
      <section class="panel">
        <DeleteButton ctx={ctx} imp={imp} label="Delete this import and its log" />
        <p class="note">Deleting an import removes its record and log; the heights and weights it stored stay in the studies.</p>
      </section>
      <TaskScript ctx={ctx} />
      <script src={`${STATIC_PREFIX}task-reload.js?v=${encodeURIComponent(ctx.version)}`} defer />
    </Layout>
  );
}
