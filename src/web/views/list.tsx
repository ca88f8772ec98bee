import { h, Fragment, type Child, type SafeHtml } from '../jsx.js';
import {
  filterParameters,
  maxParam,
  minParam,
  rangeFiltersFor,
  SEX_CHOICES,
  SEX_LABELS,
  TEST_DATA_CHOICES,
  textFiltersFor,
  type QueryIssue,
  type RangeFilter,
  type TextFilter,
  type TextFilterParam,
} from '../../query/filters.js';
import type { ModalitySpec } from '../../query/modalities.js';
import { BASE_SORTS, PER_PAGE_CHOICES, type ListQuery, type SortDirection, type StudyPage } from '../../query/studies.js';
import { may, type PageContext } from '../page.js';
import { listParams, listUrl, modalityListPath, type ListParamValues } from '../urls.js';
import { ExportControl } from './exports.js';
import { FieldError } from './forms.js';
import { Layout } from './layout.js';
import { Pager } from './pager.js';
import { studyDeletePath } from './study-delete.js';
import { StudyRowCells } from './study-cells.js';

/** What the filter form shows: each parameter as typed (or as the list read it). */
export type FormValues = Readonly<Record<string, string>>;

/** The list as asked for, or the problems that kept it from being made. */
export type ListOutcome = { query: ListQuery; result: StudyPage } | { issues: readonly QueryIssue[] };

interface ListProps {
  ctx: PageContext;
  spec: ModalitySpec;
  values: FormValues;
  outcome: ListOutcome;
  /** Display names suggested while typing the system filter. */
  systems: string[];
}

interface ShownList extends ListProps {
  query: ListQuery;
  result: StudyPage;
}

/** A parsed list query as the form shows it. */
export function formValuesOf(query: ListQuery): FormValues {
  return Object.fromEntries(Object.entries(query).flatMap(([k, v]) => (v === undefined || v === null ? [] : [[k, String(v)]])));
}

/** The first problem of each parameter, for the message beside its field. */
function fieldErrors(outcome: ListOutcome): Record<string, string> {
  const out: Record<string, string> = {};
  if ('issues' in outcome) for (const i of outcome.issues) if (i.param !== null && !(i.param in out)) out[i.param] = i.message;
  return out;
}

/** Each parameter as the form labels it ("Total DLP from"), for the problems listed above the list. */
function parameterLabels(spec: ModalitySpec): Record<string, string> {
  const out: Record<string, string> = { sort: 'Sort column', dir: 'Sort direction', page: 'Page', perPage: 'Per page' };
  for (const p of filterParameters(spec)) {
    if (p.names.length === 2) {
      out[p.names[0]!] = `${p.label} from`;
      out[p.names[1]!] = `${p.label} to`;
    } else out[p.names[0]!] = p.label;
  }
  return out;
}

const TEST_DATA_LABELS: Record<(typeof TEST_DATA_CHOICES)[number], string> = { exclude: 'Excluded', only: 'Only test patients' };

/** Hidden inputs carrying a list's parameters through a form that changes others. */
function Carry(props: { query: ListParamValues }): SafeHtml {
  return <>{[...listParams(props.query)].map(([name, value]) => <input type="hidden" name={name} value={value} />)}</>;
}

/** The attributes that tie an input to the message beside it. */
function invalidAttributes(name: string, error: string | undefined): { 'aria-invalid'?: 'true'; 'aria-describedby'?: string } {
  return error ? { 'aria-invalid': 'true', 'aria-describedby': `filter-${name}-error` } : {};
}

/** Where each text filter is shown in the form. */
const TEXT_GROUP: Record<TextFilterParam, 'study' | 'system' | 'patient'> = {
  studyDescription: 'study',
  requestedProcedure: 'study',
  procedure: 'study',
  acquisitionProtocol: 'study',
  view: 'study',
  accessionNumber: 'study',
  displayName: 'system',
  institutionName: 'system',
  manufacturer: 'system',
  modelName: 'system',
  stationName: 'system',
  patientName: 'patient',
  patientId: 'patient',
};

function TextInput(props: { f: TextFilter; values: FormValues; errors: Record<string, string> }): SafeHtml {
  const { f, values } = props;
  const error = props.errors[f.param];
  const hint = 'pid' in f ? 'contains the text; a hashed value matches only in full' : undefined;
  return (
    <>
      <label>
        {f.label}
        <input
          type="search"
          name={f.param}
          value={values[f.param] ?? ''}
          autocomplete="off"
          title={hint}
          list={f.param === 'displayName' ? 'system-names' : undefined}
          {...invalidAttributes(f.param, error)}
        />
      </label>
      <FieldError id={`filter-${f.param}`} message={error} />
    </>
  );
}

/** The From and To fields of a range (dates, times, numbers), each with its message when it has one. */
function RangeFields(props: {
  legend: Child;
  legendTitle?: string;
  names: readonly [string, string];
  values: FormValues;
  errors: Record<string, string>;
  input: (name: string) => Record<string, string | undefined>;
}): SafeHtml {
  const { names, values, errors } = props;
  const invalid = names.some((n) => errors[n]);
  return (
    <fieldset class={invalid ? 'invalid' : undefined}>
      <legend title={props.legendTitle}>{props.legend}</legend>
      {names.map((name, i) => (
        <label>
          {i === 0 ? 'From' : 'To'} <input name={name} value={values[name] ?? ''} {...props.input(name)} {...invalidAttributes(name, errors[name])} />
        </label>
      ))}
      {names.map((name) => (
        <FieldError id={`filter-${name}`} message={errors[name]} />
      ))}
    </fieldset>
  );
}

function RangeInputs(props: { f: RangeFilter; values: FormValues; errors: Record<string, string> }): SafeHtml {
  const { f } = props;
  const whole = 'whole' in f && f.whole;
  const unit = f.unit.shown ? ` (${f.unit.shown})` : '';
  // type="number" takes 1e3 and sends it as typed; the server reads it as 1000.
  return (
    <RangeFields
      legend={
        <>
          {f.label}
          {unit}
        </>
      }
      names={[minParam(f), maxParam(f)]}
      values={props.values}
      errors={props.errors}
      input={() => ({ type: 'number', min: '0', step: whole ? '1' : 'any', inputmode: whole ? 'numeric' : 'decimal' })}
    />
  );
}

const PATIENT_RANGES = new Set<string>(['age', 'height', 'weight']);

/** A collapsible part of the form, open when one of its filters is in use. */
function Group(props: { title: string; open: boolean; children?: Child }): SafeHtml {
  return (
    <details class="filter-group" open={props.open}>
      <summary>{props.title}</summary>
      {props.children}
    </details>
  );
}

function FilterForm(props: ListProps): SafeHtml {
  const { spec, values } = props;
  const errors = fieldErrors(props.outcome);
  const pid = may(props.ctx, 'pid');
  const texts = (group: 'study' | 'system' | 'patient') => textFiltersFor(spec).filter((f) => TEXT_GROUP[f.param] === group && (!('pid' in f) || pid));
  const set = (params: readonly string[]) => params.some((p) => values[p] !== undefined && values[p] !== '');
  const ranges = rangeFiltersFor(spec);
  const isPatient = (f: RangeFilter) => PATIENT_RANGES.has(f.base);
  const patientRanges = ranges.filter(isPatient);
  const doseRanges = ranges.filter((f) => !isPatient(f));
  const rangeParams = (list: readonly RangeFilter[]) => list.flatMap((f) => [minParam(f), maxParam(f)]);
  const withoutSystem = Object.fromEntries(Object.entries(values).filter(([k]) => k !== 'system' && k !== 'page'));
  return (
    <form class="filters" method="get" action={modalityListPath(spec)} aria-label="Filters">
      <h2>Filters</h2>
      <RangeFields legend="Study date" names={['dateFrom', 'dateTo']} values={values} errors={errors} input={() => ({ type: 'date' })} />
      {values.system !== undefined ? (
        <p class="chosen-system">
          System <strong>{values.system}</strong> <a href={listUrl(spec, withoutSystem)}>show all systems</a>
          <input type="hidden" name="system" value={values.system} />
        </p>
      ) : null}
      <Group title="Study" open={true}>
        <RangeFields
          legend="Time of day"
          legendTitle="24-hour HH:MM; a start later than the end spans midnight"
          names={['timeFrom', 'timeTo']}
          values={values}
          errors={errors}
          input={() => ({ type: 'text', placeholder: 'HH:MM', autocomplete: 'off', inputmode: 'numeric' })}
        />
        {texts('study').map((f) => (
          <TextInput f={f} values={values} errors={errors} />
        ))}
      </Group>
      <Group title="System" open={set(texts('system').map((f) => f.param))}>
        {texts('system').map((f) => (
          <TextInput f={f} values={values} errors={errors} />
        ))}
      </Group>
      <Group title="Patient" open={set([...rangeParams(patientRanges), 'sex', ...texts('patient').map((f) => f.param)])}>
        {patientRanges.map((f) => (
          <RangeInputs f={f} values={values} errors={errors} />
        ))}
        <label>
          Sex
          <select name="sex" {...invalidAttributes('sex', errors.sex)}>
            <option value="">Any</option>
            {SEX_CHOICES.map((c) => (
              <option value={c} selected={values.sex === c}>
                {SEX_LABELS[c]}
              </option>
            ))}
          </select>
        </label>
        <FieldError id="filter-sex" message={errors.sex} />
        {texts('patient').map((f) => (
          <TextInput f={f} values={values} errors={errors} />
        ))}
      </Group>
      {doseRanges.length ? (
        <Group title="Dose and acquisitions" open={set(rangeParams(doseRanges))}>
          {doseRanges.map((f) => (
            <RangeInputs f={f} values={values} errors={errors} />
          ))}
        </Group>
      ) : null}
      <label>
        Test patients
        <select name="testData" {...invalidAttributes('testData', errors.testData)}>
          <option value="">Included</option>
          {TEST_DATA_CHOICES.map((c) => (
            <option value={c} selected={values.testData === c}>
              {TEST_DATA_LABELS[c]}
            </option>
          ))}
        </select>
      </label>
      <FieldError id="filter-testData" message={errors.testData} />
      <datalist id="system-names">
        {props.systems.map((s) => (
          <option value={s} />
        ))}
      </datalist>
      {/* Sorting and paging travel with the filters, unless they are what was wrong (no field to correct them). */}
      <Carry query={Object.fromEntries((['sort', 'dir', 'perPage'] as const).filter((k) => !errors[k]).map((k) => [k, values[k]]))} />
      <div class="actions">
        <button type="submit">Apply</button>
        <a href={modalityListPath(spec)}>Clear all</a>
      </div>
    </form>
  );
}

const TEXT_SORTS = new Set(['system', 'description', 'accession']);

function SortHeading(props: { spec: ModalitySpec; query: ListQuery; sort: string; label: string; unit?: string; class?: string }): SafeHtml {
  const { query, sort } = props;
  const active = query.sort === sort;
  const firstDir: SortDirection = TEXT_SORTS.has(sort) ? 'asc' : 'desc';
  const dir: SortDirection = active ? (query.dir === 'asc' ? 'desc' : 'asc') : firstDir;
  const ariaSort = active ? (query.dir === 'asc' ? 'ascending' : 'descending') : undefined;
  return (
    <th scope="col" class={props.class} aria-sort={ariaSort}>
      <a href={listUrl(props.spec, { ...query, sort, dir, page: 1 })} title={`Sort by ${props.label.toLowerCase()}`}>
        {props.label}
        {active ? <span class="sort-mark">{query.dir === 'asc' ? ' ▲' : ' ▼'}</span> : null}
      </a>
      {props.unit ? <span class="unit heading-unit">{props.unit}</span> : null}
    </th>
  );
}

function PerPage(props: ShownList): SafeHtml {
  const { spec, query } = props;
  const { perPage: _perPage, page: _page, ...rest } = query;
  return (
    <form class="per-page" method="get" action={modalityListPath(spec)}>
      <Carry query={rest} />
      <label>
        Per page{' '}
        <select name="perPage" data-autosubmit="">
          {PER_PAGE_CHOICES.map((n) => (
            <option value={n} selected={n === query.perPage}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" class="js-hidden">
        Show
      </button>
    </form>
  );
}

function countText(result: StudyPage): string {
  if (result.total === 0) return 'No studies match.';
  const first = (result.page - 1) * result.perPage + 1;
  const last = Math.min(result.total, result.page * result.perPage);
  if (first > result.total) return `${result.total} studies match; this page is past the last one.`;
  return `Studies ${first}–${last} of ${result.total}`;
}

/** Why no studies are listed: every problem, named as the form labels it. */
function Problems(props: { spec: ModalitySpec; issues: readonly QueryIssue[] }): SafeHtml {
  const labels = parameterLabels(props.spec);
  return (
    <div class="form-problems" role="alert" id="filter-problems">
      <p>No studies are listed: correct the marked filters and apply them again.</p>
      <ul>
        {props.issues.map((i) => (
          <li>{i.param === null ? i.message : `${labels[i.param] ?? i.param}: ${i.message}`}</li>
        ))}
      </ul>
    </div>
  );
}

function StudyTable(props: ShownList): SafeHtml {
  const { spec, query, result } = props;
  return (
    <>
      <div class="list-toolbar">
        <p class="count" id="study-count" data-total={result.total}>
          {countText(result)}
        </p>
        <PerPage {...props} />
      </div>
      <ExportControl ctx={props.ctx} spec={spec} query={query} />
      <div class="table-scroll">
        <table class="data studies">
          <thead>
            <tr>
              <SortHeading spec={spec} query={query} sort="date" label={BASE_SORTS.date} />
              <SortHeading spec={spec} query={query} sort="system" label={BASE_SORTS.system} />
              <SortHeading spec={spec} query={query} sort="description" label={BASE_SORTS.description} />
              <SortHeading spec={spec} query={query} sort="accession" label={BASE_SORTS.accession} />
              <SortHeading spec={spec} query={query} sort="events" label={BASE_SORTS.events} class="num" />
              {spec.doseColumns.map((c) => (
                <SortHeading spec={spec} query={query} sort={c.key} label={c.label} unit={c.unit.shown} class="num" />
              ))}
              {may(props.ctx, 'admin') ? (
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {result.rows.map((r) => (
              <tr>
                <StudyRowCells row={r} spec={spec} />
                {may(props.ctx, 'admin') ? (
                  <td>
                    <a href={studyDeletePath(r.id, listUrl(spec, query))} class="row-action">
                      Delete
                    </a>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {result.rows.length === 0 && result.total > 0 ? (
        <p>
          <a href={listUrl(spec, { ...query, page: 1 })}>Go to the first page</a>
        </p>
      ) : null}
      <Pager page={props.result.page} pageCount={props.result.pageCount} url={(page) => listUrl(props.spec, { ...props.query, page })} />
    </>
  );
}

export function ListPage(props: ListProps): SafeHtml {
  const { spec, outcome } = props;
  return (
    <Layout ctx={props.ctx} title={`${spec.title} studies`}>
      <div class="list-layout">
        <aside>
          <FilterForm {...props} />
        </aside>
        <section class="list-main" aria-labelledby="list-heading">
          <h1 id="list-heading">{spec.title} studies</h1>
          {'issues' in outcome ? <Problems spec={spec} issues={outcome.issues} /> : <StudyTable {...props} query={outcome.query} result={outcome.result} />}
        </section>
      </div>
    </Layout>
  );
}
