import { h, Fragment, type Child, type SafeHtml } from '../jsx.js';
import {
  maxParam,
  minParam,
  rangeFiltersFor,
  SEX_CHOICES,
  SEX_LABELS,
  TEST_DATA_CHOICES,
  textFiltersFor,
  type RangeFilter,
  type TextFilter,
  type TextFilterParam,
} from '../../query/filters.js';
import type { ModalitySpec } from '../../query/modalities.js';
import { BASE_SORTS, PER_PAGE_CHOICES, type ListQuery, type SortDirection, type StudyPage } from '../../query/studies.js';
import { formatValue } from '../../query/units.js';
import { may, type PageContext } from '../page.js';
import { listParams, listUrl, modalityListPath, studyPath } from '../urls.js';
import { ExportControl } from './exports.js';
import { Layout } from './layout.js';
import { studyDeletePath } from './study-delete.js';
import { Missing } from './values.js';

interface ListProps {
  ctx: PageContext;
  spec: ModalitySpec;
  query: ListQuery;
  result: StudyPage;
  /** Display names suggested while typing the system filter. */
  systems: string[];
}

const TEST_DATA_LABELS: Record<(typeof TEST_DATA_CHOICES)[number], string> = { exclude: 'Excluded', only: 'Only test patients' };

/** Hidden inputs carrying a list's parameters through a form that changes others. */
function Carry(props: { query: Partial<ListQuery> }): SafeHtml {
  return <>{[...listParams(props.query)].map(([name, value]) => <input type="hidden" name={name} value={value} />)}</>;
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

function TextInput(props: { f: TextFilter; query: ListQuery }): SafeHtml {
  const { f, query } = props;
  const hint = 'pid' in f ? 'contains the text; a hashed value matches only in full' : undefined;
  return (
    <label>
      {f.label}
      <input type="search" name={f.param} value={query[f.param] ?? ''} autocomplete="off" title={hint} list={f.param === 'displayName' ? 'system-names' : undefined} />
    </label>
  );
}

function RangeInputs(props: { f: RangeFilter; query: ListQuery }): SafeHtml {
  const { f, query } = props;
  const whole = 'whole' in f && f.whole;
  const unit = f.unit.shown ? ` (${f.unit.shown})` : '';
  return (
    <fieldset>
      <legend>
        {f.label}
        {unit}
      </legend>
      <label>
        From <input type="number" name={minParam(f)} min="0" step={whole ? '1' : 'any'} value={query[minParam(f)] ?? ''} inputmode={whole ? 'numeric' : 'decimal'} />
      </label>
      <label>
        To <input type="number" name={maxParam(f)} min="0" step={whole ? '1' : 'any'} value={query[maxParam(f)] ?? ''} inputmode={whole ? 'numeric' : 'decimal'} />
      </label>
    </fieldset>
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
  const { spec, query } = props;
  const pid = may(props.ctx, 'pid');
  const texts = (group: 'study' | 'system' | 'patient') => textFiltersFor(spec).filter((f) => TEXT_GROUP[f.param] === group && (!('pid' in f) || pid));
  const set = (params: readonly string[]) => params.some((p) => query[p as keyof ListQuery] !== undefined);
  const ranges = rangeFiltersFor(spec);
  const isPatient = (f: RangeFilter) => PATIENT_RANGES.has(f.base);
  const patientRanges = ranges.filter(isPatient);
  const doseRanges = ranges.filter((f) => !isPatient(f));
  const rangeParams = (list: readonly RangeFilter[]) => list.flatMap((f) => [minParam(f), maxParam(f)]);
  return (
    <form class="filters" method="get" action={modalityListPath(spec)} aria-label="Filters">
      <h2>Filters</h2>
      <fieldset>
        <legend>Study date</legend>
        <label>
          From <input type="date" name="dateFrom" value={query.dateFrom ?? ''} />
        </label>
        <label>
          To <input type="date" name="dateTo" value={query.dateTo ?? ''} />
        </label>
      </fieldset>
      {query.system !== undefined ? (
        <p class="chosen-system">
          System <strong>{query.system}</strong> <a href={listUrl(spec, { ...query, system: undefined, page: 1 })}>show all systems</a>
          <input type="hidden" name="system" value={query.system} />
        </p>
      ) : null}
      <Group title="Study" open={true}>
        <fieldset>
          <legend title="a start later than the end spans midnight">Time of day</legend>
          <label>
            From <input type="text" name="timeFrom" value={query.timeFrom ?? ''} placeholder="HH:MM" autocomplete="off" />
          </label>
          <label>
            To <input type="text" name="timeTo" value={query.timeTo ?? ''} placeholder="HH:MM" autocomplete="off" />
          </label>
        </fieldset>
        {texts('study').map((f) => (
          <TextInput f={f} query={query} />
        ))}
      </Group>
      <Group title="System" open={set(texts('system').map((f) => f.param))}>
        {texts('system').map((f) => (
          <TextInput f={f} query={query} />
        ))}
      </Group>
      <Group title="Patient" open={set([...rangeParams(patientRanges), 'sex', ...texts('patient').map((f) => f.param)])}>
        {patientRanges.map((f) => (
          <RangeInputs f={f} query={query} />
        ))}
        <label>
          Sex
          <select name="sex">
            <option value="">Any</option>
            {SEX_CHOICES.map((c) => (
              <option value={c} selected={query.sex === c}>
                {SEX_LABELS[c]}
              </option>
            ))}
          </select>
        </label>
        {texts('patient').map((f) => (
          <TextInput f={f} query={query} />
        ))}
      </Group>
      {doseRanges.length ? (
        <Group title="Dose and acquisitions" open={set(rangeParams(doseRanges))}>
          {doseRanges.map((f) => (
            <RangeInputs f={f} query={query} />
          ))}
        </Group>
      ) : null}
      <label>
        Test patients
        <select name="testData">
          <option value="">Included</option>
          {TEST_DATA_CHOICES.map((c) => (
            <option value={c} selected={query.testData === c}>
              {TEST_DATA_LABELS[c]}
            </option>
          ))}
        </select>
      </label>
      <datalist id="system-names">
        {props.systems.map((s) => (
          <option value={s} />
        ))}
      </datalist>
      <Carry query={{ sort: query.sort, dir: query.dir, perPage: query.perPage }} />
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

function Pager(props: ListProps): SafeHtml {
  const { spec, query, result } = props;
  const link = (page: number, text: string, rel?: string) =>
    page >= 1 && page <= result.pageCount && page !== result.page ? (
      <a href={listUrl(spec, { ...query, page })} rel={rel}>
        {text}
      </a>
    ) : (
      <span class="disabled">{text}</span>
    );
  return (
    <nav class="pager" aria-label="Pages">
      {link(1, '« First')}
      {link(result.page - 1, '‹ Previous', 'prev')}
      <span class="current">
        Page {result.page} of {result.pageCount}
      </span>
      {link(result.page + 1, 'Next ›', 'next')}
      {link(result.pageCount, 'Last »')}
    </nav>
  );
}

function PerPage(props: ListProps): SafeHtml {
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

export function ListPage(props: ListProps): SafeHtml {
  const { spec, query, result } = props;
  return (
    <Layout ctx={props.ctx} title={`${spec.title} studies`}>
      <div class="list-layout">
        <aside>
          <FilterForm {...props} />
        </aside>
        <section class="list-main" aria-labelledby="list-heading">
          <h1 id="list-heading">{spec.title} studies</h1>
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
                    <td class="nowrap">
                      <a href={studyPath(r.id)}>{r.studyDate ?? 'no date'}</a>
                      {r.studyTime ? <span class="time"> {r.studyTime.slice(0, 5)}</span> : null}
                      {r.notPatientIndicator ? (
                        <span class="badge" title={r.notPatientIndicator}>
                          test
                        </span>
                      ) : null}
                    </td>
                    <td>{r.systemName}</td>
                    <td>{r.studyDescription ?? r.requestedProcedure ?? <Missing />}</td>
                    <td>{r.accessionNumberHashed ? <span title="stored as a hash">(hashed)</span> : (r.accessionNumber ?? <Missing />)}</td>
                    <td class="num">{r.numberOfEvents ?? <Missing />}</td>
                    {spec.doseColumns.map((c) => {
                      const text = formatValue(r.totals[c.key], c.unit);
                      return <td class="num">{text === '' ? <Missing /> : text}</td>;
                    })}
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
          <Pager {...props} />
        </section>
      </div>
    </Layout>
  );
}
