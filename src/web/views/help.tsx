// The built-in documentation: setting up, roles, lists and their filters, study pages, units
// and administration. The tables are generated from the definitions the pages use (roles,
// filters, units, sort columns), so they cannot drift from them. Anyone may read it, signed in
// or not: it says nothing about the site's data, and the sign-in page's first-run notice and
// the footer of every page lead here.
import { h, Fragment, type Child, type SafeHtml } from '../jsx.js';
import { ROLE_DESCRIPTIONS, ROLE_MODEL_NOTE, ROLES } from '../../auth/roles.js';
import { filterParameters, type FilterParameter } from '../../query/filters.js';
import { MODALITY_SPECS, type ModalitySpec } from '../../query/modalities.js';
import { PER_PAGE_CHOICES, sortKeysFor } from '../../query/studies.js';
import { DAP, DOSE_GY, EXPOSURE, type DisplayUnit } from '../../query/units.js';
import { CONFIG_PAGES } from '../config-pages.js';
import type { PageContext } from '../page.js';
import { DEFAULT_HOST, DEFAULT_PORT } from '../server.js';
import { HELP_TOPICS, modalityListPath } from '../urls.js';
import { Layout } from './layout.js';
import { FIRST_ADMIN_COMMAND } from './login.js';

const CONVERTED: { name: string; unit: DisplayUnit }[] = [
  { name: 'Dose area product (DAP)', unit: DAP },
  { name: 'Dose at the reference point (RP)', unit: DOSE_GY },
  { name: 'Exposure (tube current–time product)', unit: EXPOSURE },
];

/** Environment variables of `openrem serve` (and the other commands) and what they do. */
const ENVIRONMENT: [string, Child][] = [
  ['OPENREM_DATA_DIR', 'folder of the embedded database, exports, the quarantine and the logs (default ./data)'],
  ['DATABASE_URL', 'postgres://user@host/database to use PostgreSQL instead of the embedded database'],
  ['OPENREM_HOST', `address to listen on (default ${DEFAULT_HOST}: every interface); --host overrides it`],
  ['OPENREM_PORT', `port to listen on (default ${DEFAULT_PORT}); --port overrides it`],
  [
    'OPENREM_TRUST_PROXY',
    <>
      behind a reverse proxy that terminates https: the proxy’s addresses, separated by commas (e.g. <code>127.0.0.1</code> or{' '}
      <code>10.0.0.0/8</code>), or <code>true</code> when nothing but the proxy can reach the server. The client’s address (sign-in limits,
      audit log) and https (sign-in cookies marked Secure) are then taken from the proxy’s X-Forwarded-For and X-Forwarded-Proto headers.
      Unset, those headers are ignored.
    </>,
  ],
];

const paramKey = (p: FilterParameter) => p.names.join(',');

/** The filters every modality has, then each modality's own, from the filter definitions. */
function filterGroups(): { spec: ModalitySpec | null; parameters: FilterParameter[] }[] {
  const perModality = MODALITY_SPECS.map((spec) => ({ spec, parameters: filterParameters(spec) }));
  const shared = new Set(perModality[0]!.parameters.map(paramKey).filter((k) => perModality.every((m) => m.parameters.some((p) => paramKey(p) === k))));
  return [
    { spec: null, parameters: perModality[0]!.parameters.filter((p) => shared.has(paramKey(p))) },
    ...perModality.map((m) => ({ spec: m.spec, parameters: m.parameters.filter((p) => !shared.has(paramKey(p))) })),
  ];
}

function FilterTable(props: { parameters: readonly FilterParameter[] }): SafeHtml {
  return (
    <table class="data filter-parameters">
      <thead>
        <tr>
          <th scope="col">Parameter</th>
          <th scope="col">Filter</th>
          <th scope="col">Unit</th>
          <th scope="col">Value</th>
        </tr>
      </thead>
      <tbody>
        {props.parameters.map((p) => (
          <tr>
            <td>
              {p.names.map((n, i) => (
                <>
                  {i ? ', ' : ''}
                  <code>{n}</code>
                </>
              ))}
            </td>
            <td>
              {p.label}: {p.note}
            </td>
            <td>{p.unit || '–'}</td>
            <td>{p.expects}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Topic(props: { id: string; title: string; children?: Child }): SafeHtml {
  return (
    <section class="panel help-topic" id={props.id} aria-labelledby={`${props.id}-heading`}>
      <h2 id={`${props.id}-heading`}>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** A table of names (of variables, roles, parameters) and what each means. */
function NameTable(props: { names: string; meanings: string; children?: Child }): SafeHtml {
  return (
    <table class="data">
      <thead>
        <tr>
          <th scope="col">{props.names}</th>
          <th scope="col">{props.meanings}</th>
        </tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  );
}

function ParameterRow(props: { names: readonly string[]; children?: Child }): SafeHtml {
  return (
    <tr>
      <td>
        {props.names.map((n, i) => (
          <>
            {i ? ', ' : ''}
            <code>{n}</code>
          </>
        ))}
      </td>
      <td>{props.children}</td>
    </tr>
  );
}

export function HelpPage(props: { ctx: PageContext }): SafeHtml {
  return (
    <Layout ctx={props.ctx} title="Documentation">
      <div class="help">
        <h1>Documentation</h1>
        <nav class="panel help-contents" aria-label="Contents">
          <ul>
            {[...HELP_TOPICS, { id: 'studies', title: 'Study pages' }, { id: 'administration', title: 'Administration' }].map((t) => (
              <li>
                <a href={`#${t.id}`}>{t.title}</a>
              </li>
            ))}
          </ul>
        </nav>

        <Topic id="getting-started" title="Getting started">
          <p>
            OpenREM collects the radiation dose records of CT, fluoroscopy, radiography, mammography and nuclear medicine examinations and lets you
            list, filter and export them.
          </p>
          <ol>
            <li>
              Create the first administrator on the server: <code>{FIRST_ADMIN_COMMAND}</code> (it asks twice for a password of at least 10
              characters). Further users are added on the Users page.
            </li>
            <li>
              Import dose objects (radiation dose structured reports, and the image headers of units that send none):{' '}
              <code>openrem import PATH…</code> with files, folders or patterns. A file that cannot be imported is kept in the quarantine with the
              reason; administrators see it under Quarantine.
            </li>
            <li>
              Start the web interface with <code>openrem serve</code> and open the address it prints. Background work (exports, large changes) runs in
              the server, or in any number of <code>openrem worker</code> processes when the server is started with <code>--no-worker</code>.
            </li>
          </ol>
          <NameTable names="Environment variable" meanings="Meaning">
            {ENVIRONMENT.map(([name, meaning]) => (
              <ParameterRow names={[name]}>{meaning}</ParameterRow>
            ))}
          </NameTable>
        </Topic>

        <Topic id="roles" title="Roles">
          <p>
            What a user may see and do depends on the roles an administrator gives them. Pages and buttons a user may not use are not shown, and the
            server refuses them too. A superuser holds every role and is the only one who can change other superusers.
          </p>
          <NameTable names="Role" meanings="Allows">
            {ROLES.map((r) => (
              <ParameterRow names={[r]}>{ROLE_DESCRIPTIONS[r]}</ParameterRow>
            ))}
          </NameTable>
          <p>{ROLE_MODEL_NOTE}</p>
          <p>Everyone signed in can change their own password by choosing their user name at the top right.</p>
        </Topic>

        <Topic id="lists" title="Lists and filters">
          <p>
            The home page has a table for each modality with studies: one row per system with its number of studies, the date and time of its latest
            study, and its studies of the last 7 and 28 days (today included). A row leads to that system’s studies.
          </p>
          <p>
            Each modality’s list shows its studies with their dose totals; the headings sort it, and the filter form on the left narrows it. The
            whole view (filters, sorting, page) is kept in the address, so it can be bookmarked, reloaded or sent to a colleague. Text filters match
            any part of the value and ignore case. Ranges include both ends and are typed in the unit the pages show. Empty fields are ignored;
            unknown parameters are refused with an explanation.
          </p>
          <p>
            A range has a start parameter (…<code>Min</code>, …<code>From</code>) and an end (…<code>Max</code>, …<code>To</code>); either may be
            left out. A value that cannot be read is shown next to its field with what is expected, and no studies are listed until it is corrected.
            The parameters every modality’s list takes, then those of each modality:
          </p>
          {filterGroups().map((g) => (
            <section class="filter-group-help" id={g.spec ? `parameters-${g.spec.slug}` : 'parameters-all'}>
              <h3>{g.spec ? `${g.spec.title} only` : 'Every modality'}</h3>
              {g.parameters.length ? <FilterTable parameters={g.parameters} /> : <p>No filters of its own.</p>}
            </section>
          ))}
          <h3>Sorting and pages</h3>
          <NameTable names="Parameter" meanings="Meaning">
            <ParameterRow names={['sort', 'dir']}>sort column and direction (asc or desc); missing values always come last</ParameterRow>
            <ParameterRow names={['page', 'perPage']}>page number from 1; studies per page: {PER_PAGE_CHOICES.join(', ')}</ParameterRow>
          </NameTable>
          <h3>Sort columns per modality</h3>
          <ul>
            {MODALITY_SPECS.map((s) => (
              <li>
                <a href={modalityListPath(s)}>{s.title}</a>: {sortKeysFor(s).join(', ')}
              </li>
            ))}
          </ul>
          <p>Users with the export role export a list, as filtered, from the form above it; their files are on the Exports page.</p>
        </Topic>

        <Topic id="units" title="Units">
          <p>
            Values are stored as the DICOM dose reports give them. Pages and exports show them in the units below, always with the unit; every other
            value is shown in its stored unit.
          </p>
          <table class="data">
            <thead>
              <tr>
                <th scope="col">Quantity</th>
                <th scope="col">Stored</th>
                <th scope="col">Shown</th>
                <th scope="col" class="num">
                  Factor
                </th>
              </tr>
            </thead>
            <tbody>
              {CONVERTED.map(({ name, unit }) => (
                <tr>
                  <td>{name}</td>
                  <td>{unit.stored}</td>
                  <td>{unit.shown}</td>
                  <td class="num">×{unit.factor.toExponential().replace('e+', 'e')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            CTDIvol (mGy, with the phantom it refers to), DLP (mGy·cm), average glandular dose and entrance exposure (mGy), administered activity (MBq)
            and times (s or ms) are shown as stored. Pages round numbers for reading to four significant digits, keeping every digit of the whole part and one
            decimal (1102.4, 7.201, 0.2203); the full value appears when the pointer rests on a rounded one. Exports keep the full precision.
          </p>
        </Topic>

        <Topic id="studies" title="Study pages">
          <p>
            A study’s page shows every value stored for it, each with its unit: the study, the patient’s age, sex, height and weight, the
            system, the study totals, the modality’s dose record and every irradiation event (a table of the main values, then all values per
            event). Fluoroscopy units with two planes have their accumulated doses per plane; CT studies show the CT Dose Check alerts and
            notifications; comments recorded by the unit are shown as sent. Patient name, ID and birth date appear only for users with the pid role,
            and only when the site stores them.
          </p>
        </Topic>

        <Topic id="administration" title="Administration">
          <p>Administrators (the admin role) also have:</p>
          <ul>
            <li>
              <strong>Deleting studies</strong>: the Delete link of a list row shows the study with its dose totals for confirmation, then returns to
              the same list. All studies of one system can be reviewed and deleted from its page under System display names.
            </li>
            <li>
              <strong>Configuration</strong> (the Config menu):{' '}
              {CONFIG_PAGES.map((p, i) => (
                <>
                  {i ? '; ' : ''}
                  {p.title.toLowerCase()}: {p.about}
                </>
              ))}
              . Users with the view role can see the display names.
            </li>
            <li>
              <strong>Users</strong>: adding users, setting their roles and passwords, deactivating them; and the audit log, which records every
              sign-in, deletion and change of settings with who made it and when.
            </li>
            <li>
              <strong>Tasks</strong> and <strong>Quarantine</strong>: background work under way, and the files that could not be imported.
            </li>
          </ul>
          <p>The command line offers the same and more: run <code>openrem --help</code>.</p>
        </Topic>
      </div>
    </Layout>
  );
}
