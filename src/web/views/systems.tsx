// X-ray systems: their display names grouped by modality (administrators rename them, one or
// several at once, and set the user-defined modality of units used for both DX and RF), one
// system's studies for review, and deleting them all.
import { h, type SafeHtml } from '../jsx.js';
import type { ModalitySystemGroup, SystemEntry, SystemStudyRow, SystemStudySpan } from '../../admin/equipment.js';
import type { UserDefinedModality } from '../../admin/projection-resort.js';
import type { EquipmentRow } from '../../db/schema.js';
import type { TaskRecord } from '../../tasks/index.js';
import { DISPLAY_NAMES_PATH } from '../config-pages.js';
import { may, type PageContext } from '../page.js';
import { CsrfField, FieldError, ProblemSummary, TextField } from './forms.js';
import { Layout } from './layout.js';
import { AccessionCell, StudyDateCell } from './study-cells.js';
import { studyDeletePath } from './study-delete.js';
import { TaskScript, TaskStatus } from './tasks.js';
import { utcText } from '../../time.js';
import { Missing } from './values.js';
import { DISPLAY_NAME_MAX } from '../../ingest/equipment.js';

export function systemEditPath(id: number): string {
  return `${DISPLAY_NAMES_PATH}/${id}`;
}

export function systemResortPath(id: number): string {
  return `${systemEditPath(id)}/resort`;
}

export function systemStudiesPath(id: number, page = 1): string {
  return `/config/systems/${id}/studies${page > 1 ? `?page=${page}` : ''}`;
}

/** Matches the path of systemStudiesPath (deletions may return there). */
export const SYSTEM_STUDIES_PATTERN = /^\/config\/systems\/[1-9]\d*\/studies$/;

export function systemDeletePath(id: number): string {
  return `/config/systems/${id}/delete`;
}


/** What each choice of the user-defined modality does, as the forms say it. */
export const MODALITY_CHOICES: { value: '' | UserDefinedModality; label: string }[] = [
  { value: '', label: 'None: each study DX or RF by its content' },
  { value: 'DX', label: 'DX: every projection study is radiography' },
  { value: 'RF', label: 'RF: every projection study is fluoroscopy' },
  { value: 'dual', label: 'Dual: a unit used for both; each study DX or RF by its content' },
];

const MODALITY_NOTE =
  'A study is fluoroscopy (RF) when its record shows fluoroscopy (fluoroscopy totals or fluoroscopy events, or a fluoroscopy-guided device) and radiography (DX) otherwise. ' +
  'Changing the setting sorts the unit’s stored DX and RF studies again by the same rule.';

export const SYSTEM_FIELD_LABELS: Record<string, string> = { displayName: 'Display name', userDefinedModality: 'User-defined modality', ids: 'Systems' };

function studies(n: number): string {
  return n === 1 ? '1 study' : `${n} studies`;
}

/** "all 3 studies", or "the 1 study". */
function allStudies(n: number): string {
  return n === 1 ? 'the 1 study' : `all ${n} studies`;
}

function Text(props: { value: string | null }): SafeHtml {
  return props.value ? <span>{props.value}</span> : <Missing />;
}

function SystemRow(props: { ctx: PageContext; entry: SystemEntry; showModality: boolean }): SafeHtml {
  const { entry } = props;
  const e = entry.equipment;
  const admin = may(props.ctx, 'admin');
  return (
    <tr data-equipment-id={e.id}>
      {admin ? (
        <td>
          <input type="checkbox" name="ids" value={e.id} aria-label={`Select ${e.display_name} (system ${e.id})`} />
        </td>
      ) : null}
      <td class="display-name">{admin ? <a href={systemEditPath(e.id)}>{e.display_name}</a> : e.display_name}</td>
      {props.showModality ? <td>{e.user_defined_modality ?? <Missing />}</td> : null}
      <td>
        <Text value={e.institution_name} />
      </td>
      <td>
        <Text value={e.department_name} />
      </td>
      <td>
        <Text value={e.station_name} />
      </td>
      <td>
        <Text value={e.manufacturer} />
      </td>
      <td>
        <Text value={e.model_name} />
      </td>
      <td>
        <Text value={e.serial_number} />
      </td>
      <td>
        <Text value={e.software_versions} />
      </td>
      <td>
        <Text value={e.gantry_id} />
      </td>
      <td class="num">{entry.studies}</td>
      <td class="nowrap">{entry.latestStudyDate ?? <Missing />}</td>
      {admin ? (
        <td class="nowrap">
          <a href={systemStudiesPath(e.id)}>Review studies</a>
        </td>
      ) : null}
    </tr>
  );
}

function GroupTable(props: { ctx: PageContext; group: ModalitySystemGroup }): SafeHtml {
  const { group } = props;
  const admin = may(props.ctx, 'admin');
  const spec = group.spec;
  const title = spec ? (spec.title === spec.modality ? spec.title : `${spec.title} (${spec.modality})`) : (group.modality ?? 'Systems without studies');
  const slug = group.spec?.slug ?? group.modality?.toLowerCase() ?? 'none';
  const showModality = group.systems.some((s) => s.projection);
  return (
    <section class="panel" id={`systems-${slug}`} aria-labelledby={`systems-heading-${slug}`}>
      <h2 id={`systems-heading-${slug}`}>
        {title} <small>{group.systems.length === 1 ? '1 system' : `${group.systems.length} systems`}</small>
      </h2>
      <div class="table-scroll">
        <table class="data systems">
          <thead>
            <tr>
              {admin ? (
                <th scope="col">
                  <span class="visually-hidden">Select</span>
                </th>
              ) : null}
              <th scope="col">Display name</th>
              {showModality ? <th scope="col">User-defined modality</th> : null}
              <th scope="col">Institution</th>
              <th scope="col">Department</th>
              <th scope="col">Station</th>
              <th scope="col">Manufacturer</th>
              <th scope="col">Model</th>
              <th scope="col">Serial number</th>
              <th scope="col">Software</th>
              <th scope="col">Gantry</th>
              <th scope="col" class="num">
                Studies
              </th>
              <th scope="col">Latest study</th>
              {admin ? (
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {group.systems.map((entry) => (
              <SystemRow ctx={props.ctx} entry={entry} showModality={showModality} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export interface BulkValues {
  displayName: string;
  userDefinedModality: string;
}

export function DisplayNamesPage(props: {
  ctx: PageContext;
  groups: ModalitySystemGroup[];
  notice?: string | null;
  errors?: Record<string, string>;
  values?: BulkValues;
}): SafeHtml {
  const admin = may(props.ctx, 'admin');
  const errors = props.errors ?? {};
  const values = props.values ?? { displayName: '', userDefinedModality: 'keep' };
  const tables = props.groups.map((g) => <GroupTable ctx={props.ctx} group={g} />);
  return (
    <Layout ctx={props.ctx} title="System display names">
      <h1>System display names</h1>
      <p class="intro">
        Each row is one combination of the identifying fields a system writes into its objects (manufacturer, institution, station, department, model,
        serial number, software version, gantry). Lists, charts and exports show and filter systems by their display name; rows that share a name
        (say, one unit before and after a software upgrade) count as one system. A system is listed under each modality it has studies in.
      </p>
      {props.notice ? <p class="success">{props.notice}</p> : null}
      {props.groups.length === 0 ? <p class="panel missing">No systems yet: they appear here when their first study is imported.</p> : null}
      {admin && props.groups.length ? (
        <form method="post" action={DISPLAY_NAMES_PATH} class="bulk-names">
          <CsrfField ctx={props.ctx} />
          <section class="panel bulk-edit" aria-labelledby="bulk-heading">
            <h2 id="bulk-heading">Change several systems at once</h2>
            <ProblemSummary errors={errors} labels={SYSTEM_FIELD_LABELS} />
            <p class="hint">Tick the systems below, then give them one display name, a user-defined modality, or both.</p>
            <div class="bulk-fields">
              <TextField name="displayName" label="New display name" value={values.displayName} maxlength={DISPLAY_NAME_MAX} error={errors.displayName} hint="Leave empty to keep each name." />
              <label>
                User-defined modality
                <select name="userDefinedModality">
                  <option value="keep" selected={values.userDefinedModality === 'keep'}>
                    Keep as it is
                  </option>
                  {MODALITY_CHOICES.map((c) => (
                    <option value={c.value || 'none'} selected={values.userDefinedModality === (c.value || 'none')}>
                      {c.label}
                    </option>
                  ))}
                </select>
                <FieldError id="field-userDefinedModality" message={errors.userDefinedModality} />
              </label>
              <button type="submit">Apply to ticked systems</button>
            </div>
            <p class="hint">The user-defined modality applies to systems with radiography or fluoroscopy studies only. {MODALITY_NOTE}</p>
          </section>
          {tables}
        </form>
      ) : (
        tables
      )}
    </Layout>
  );
}

export interface SystemFormValues {
  displayName: string;
  userDefinedModality: '' | UserDefinedModality;
}

function EquipmentFacts(props: { equipment: EquipmentRow; counts: { modality: string; studies: number }[] }): SafeHtml {
  const e = props.equipment;
  const facts: [string, string | null][] = [
    ['Institution', e.institution_name],
    ['Department', e.department_name],
    ['Station', e.station_name],
    ['Manufacturer', e.manufacturer],
    ['Model', e.model_name],
    ['Serial number', e.serial_number],
    ['Software', e.software_versions],
    ['Gantry', e.gantry_id],
    ['Device observer UID', e.device_observer_uid],
    ['First seen', utcText(e.created_at, 'minute')],
    ['Studies', props.counts.length ? props.counts.map((c) => `${c.modality}: ${c.studies}`).join(', ') : 'none'],
  ];
  return (
    <table class="key-values equipment-facts">
      <tbody>
        {facts.map(([label, value]) => (
          <tr>
            <th scope="row">{label}</th>
            <td>
              <Text value={value} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function SystemEditPage(props: {
  ctx: PageContext;
  equipment: EquipmentRow;
  projection: boolean;
  counts: { modality: string; studies: number }[];
  values: SystemFormValues;
  errors?: Record<string, string>;
  notice?: string | null;
}): SafeHtml {
  const { equipment: e, values } = props;
  const errors = props.errors ?? {};
  return (
    <Layout ctx={props.ctx} title={`System ${e.display_name}`}>
      <section class="panel system-form">
        <p>
          <a href={DISPLAY_NAMES_PATH}>‹ All display names</a>
        </p>
        <h1>
          {e.display_name} <span class="subtitle">System {e.id}</span>
        </h1>
        {props.notice ? <p class="success">{props.notice}</p> : null}
        <EquipmentFacts equipment={e} counts={props.counts} />
        <ProblemSummary errors={errors} labels={SYSTEM_FIELD_LABELS} />
        <form method="post" action={systemEditPath(e.id)} class="stacked">
          <CsrfField ctx={props.ctx} />
          <TextField
            name="displayName"
            label={SYSTEM_FIELD_LABELS.displayName!}
            value={values.displayName}
            required
            maxlength={DISPLAY_NAME_MAX}
            error={errors.displayName}
            hint="Shown in every list, chart and export. Give the same name to rows of one unit (before and after a software upgrade) to count them as one system."
          />
          {props.projection ? (
            <fieldset class={errors.userDefinedModality ? 'modality-choice invalid' : 'modality-choice'}>
              <legend>{SYSTEM_FIELD_LABELS.userDefinedModality}</legend>
              {MODALITY_CHOICES.map((c) => (
                <label class="check">
                  <input type="radio" name="userDefinedModality" value={c.value || 'none'} checked={values.userDefinedModality === c.value} /> {c.label}
                </label>
              ))}
              <span class="hint">{MODALITY_NOTE} Later imports from this unit follow the setting too.</span>
              <FieldError id="field-userDefinedModality" message={errors.userDefinedModality} />
            </fieldset>
          ) : null}
          <div class="actions">
            <button type="submit">Save</button>
          </div>
        </form>
      </section>
      <section class="panel system-actions">
        <h2>Studies</h2>
        <p>
          <a href={systemStudiesPath(e.id)}>Review the studies of this system</a> (and delete them).
        </p>
        {props.projection ? (
          <form method="post" action={systemResortPath(e.id)}>
            <CsrfField ctx={props.ctx} />
            <button type="submit">Sort its studies into DX and RF again</button>{' '}
            <span class="hint">by the setting above, as when it changes.</span>
          </form>
        ) : null}
      </section>
    </Layout>
  );
}

export const SYSTEM_STUDIES_PER_PAGE = 50;

export function SystemStudiesPage(props: {
  ctx: PageContext;
  equipment: EquipmentRow;
  counts: { modality: string; studies: number }[];
  total: number;
  rows: SystemStudyRow[];
  page: number;
  notice?: string | null;
  task?: TaskRecord | null;
}): SafeHtml {
  const { equipment: e, page, total } = props;
  const pageCount = Math.max(1, Math.ceil(total / SYSTEM_STUDIES_PER_PAGE));
  const here = systemStudiesPath(e.id, page);
  return (
    <Layout ctx={props.ctx} title={`Studies of ${e.display_name}`}>
      <p>
        <a href={systemEditPath(e.id)}>‹ System {e.display_name}</a> · <a href={DISPLAY_NAMES_PATH}>All display names</a>
      </p>
      <h1>
        Studies of {e.display_name} <span class="subtitle">System {e.id}</span>
      </h1>
      {props.notice ? <p class="success">{props.notice}</p> : null}
      {props.task ? (
        <section class="panel">
          <h2>{props.task.label}</h2>
          <TaskStatus task={props.task} />
          <TaskScript ctx={props.ctx} />
        </section>
      ) : null}
      <section class="panel">
        <EquipmentFacts equipment={e} counts={props.counts} />
        {total > 0 ? (
          <p>
            <a href={systemDeletePath(e.id)} class="button-link danger-link">
              Delete {allStudies(total)} of this system…
            </a>
          </p>
        ) : null}
      </section>
      <section class="panel">
        <p class="count" id="system-study-count" data-total={total}>
          {total === 0 ? 'No studies.' : `${studies(total)}, newest first; page ${page} of ${pageCount}.`}
        </p>
        {props.rows.length ? (
          <table class="data studies">
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Modality</th>
                <th scope="col">Study description</th>
                <th scope="col">Accession number</th>
                <th scope="col" class="num">
                  Events
                </th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => (
                <tr>
                  <StudyDateCell id={r.id} date={r.studyDate} time={r.studyTime} />
                  <td>{r.modality}</td>
                  <td>{r.description ?? <Missing />}</td>
                  <AccessionCell value={r.accessionNumber} hashed={r.accessionNumberHashed} />
                  <td class="num">{r.numberOfEvents ?? <Missing />}</td>
                  <td>
                    <a href={studyDeletePath(r.id, here)} class="row-action">
                      Delete
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {pageCount > 1 ? (
          <nav class="pager" aria-label="Pages">
            {page > 1 ? <a href={systemStudiesPath(e.id, page - 1)}>‹ Previous</a> : <span class="disabled">‹ Previous</span>}
            <span class="current">
              Page {page} of {pageCount}
            </span>
            {page < pageCount ? <a href={systemStudiesPath(e.id, page + 1)}>Next ›</a> : <span class="disabled">Next ›</span>}
          </nav>
        ) : null}
      </section>
    </Layout>
  );
}

export function SystemDeletePage(props: { ctx: PageContext; equipment: EquipmentRow; counts: { modality: string; studies: number }[]; span: SystemStudySpan; inlineLimit: number }): SafeHtml {
  const { equipment: e, span } = props;
  return (
    <Layout ctx={props.ctx} title={`Delete the studies of ${e.display_name}`}>
      <section class="panel danger-zone">
        <h1>
          Delete {allStudies(span.total)} of {e.display_name}?
        </h1>
        <EquipmentFacts equipment={e} counts={props.counts} />
        <p>
          Study dates from {span.firstDate ?? 'unknown'} to {span.lastDate ?? 'unknown'}. Every study is removed with its irradiation events and the
          record of the objects it was imported from; the system’s display name is kept for studies imported later. Studies that arrive after this
          page was opened are not deleted. This cannot be undone; it is recorded in the audit log.
        </p>
        {span.total > props.inlineLimit ? (
          <p class="notice">More than {props.inlineLimit} studies are deleted by a background task, one study at a time, while everything else carries on.</p>
        ) : null}
        <form method="post" action={systemDeletePath(e.id)} class="confirm-delete">
          <CsrfField ctx={props.ctx} />
          <input type="hidden" name="upToId" value={span.maxId} />
          <button type="submit" class="danger">
            Delete {studies(span.total)}
          </button>{' '}
          <a href={systemStudiesPath(e.id)}>Cancel</a>
        </form>
      </section>
    </Layout>
  );
}
