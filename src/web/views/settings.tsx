// Site configuration pages for administrators: patient identifiers, not-patient patterns and
// what happens to source files after import; and the overview that leads to them.
import { h, type Child, type SafeHtml } from '../jsx.js';
import type { SiteSettings } from '../../settings/site.js';
import type { TaskRecord } from '../../tasks/index.js';
import { AFTER_IMPORT_PATH, CONFIG_PAGES, CONFIG_PATH, NOT_PATIENT_PATH, NOT_PATIENT_REAPPLY_PATH, PATIENT_ID_PATH } from '../config-pages.js';
import { may, type PageContext } from '../page.js';
import { CsrfField, FieldError, ProblemSummary } from './forms.js';
import { Layout } from './layout.js';
import { TaskScript, TaskStatus } from './tasks.js';


function ConfigPage(props: { ctx: PageContext; title: string; children?: Child }): SafeHtml {
  return (
    <Layout ctx={props.ctx} title={props.title}>
      <div class="config-page">
        <p>
          <a href={CONFIG_PATH}>‹ Configuration</a>
        </p>
        <h1>{props.title}</h1>
        {props.children}
      </div>
    </Layout>
  );
}

function Notice(props: { text?: string | null | undefined }): SafeHtml | null {
  return props.text ? <p class="success">{props.text}</p> : null;
}

export function ConfigIndexPage(props: { ctx: PageContext }): SafeHtml {
  return (
    <Layout ctx={props.ctx} title="Configuration">
      <div class="config-page">
        <h1>Configuration</h1>
        <section class="panel">
          <dl class="config-list">
            {CONFIG_PAGES.filter((p) => may(props.ctx, p.access)).map((p) => (
              <div>
                <dt>
                  <a href={p.path}>{p.title}</a>
                </dt>
                <dd>{p.about}</dd>
              </div>
            ))}
          </dl>
          <p class="hint">Every change is recorded in the audit log.</p>
        </section>
      </div>
    </Layout>
  );
}

const FROM_NOW_ON = 'Changes apply to studies imported from now on. Studies already stored keep what was stored when they were imported.';

type PatientIdKey = keyof SiteSettings['patientId'];

export const PATIENT_ID_LABELS: Record<PatientIdKey, string> = {
  storePatientName: 'Store patient name',
  hashPatientName: 'Store the name as a hash',
  storePatientId: 'Store patient ID',
  hashPatientId: 'Store the ID as a hash',
  storePatientBirthDate: 'Store patient birth date',
  hashAccessionNumber: 'Store the accession number as a hash',
};

function Check(props: { name: PatientIdKey; values: SiteSettings['patientId']; hint?: string; errors: Record<string, string> }): SafeHtml {
  return (
    <label class="check">
      <input type="checkbox" name={props.name} value="1" checked={props.values[props.name]} /> {PATIENT_ID_LABELS[props.name]}
      {props.hint ? <span class="hint"> — {props.hint}</span> : null}
      <FieldError id={`field-${props.name}`} message={props.errors[props.name]} />
    </label>
  );
}

export function PatientIdPage(props: { ctx: PageContext; values: SiteSettings['patientId']; errors?: Record<string, string>; notice?: string | null }): SafeHtml {
  const errors = props.errors ?? {};
  const v = props.values;
  return (
    <ConfigPage ctx={props.ctx} title="Patient identifiers">
      <Notice text={props.notice} />
      <p class="notice from-now-on">{FROM_NOW_ON}</p>
      <section class="panel">
        <p>
          By default no patient-identifiable data is stored. A hash is the SHA-256 of the value: it cannot be turned back into the name or ID, but the
          same patient gives the same hash each time (and on other systems that hash the same way), so studies of one patient can be found together.
          Only users with the <strong>pid</strong> role see or search names, IDs and birth dates.
        </p>
        <ProblemSummary errors={errors} labels={PATIENT_ID_LABELS} />
        <form method="post" action={PATIENT_ID_PATH} class="stacked">
          <CsrfField ctx={props.ctx} />
          <fieldset>
            <legend>Patient name</legend>
            <Check name="storePatientName" values={v} errors={errors} />
            <Check name="hashPatientName" values={v} errors={errors} />
          </fieldset>
          <fieldset>
            <legend>Patient ID</legend>
            <Check name="storePatientId" values={v} errors={errors} />
            <Check name="hashPatientId" values={v} errors={errors} />
          </fieldset>
          <fieldset>
            <legend>Birth date</legend>
            <Check name="storePatientBirthDate" values={v} errors={errors} hint="without it, age at the study is still stored" />
          </fieldset>
          <fieldset>
            <legend>Accession number</legend>
            <Check name="hashAccessionNumber" values={v} errors={errors} hint="it is always stored; as a hash it can still be searched by the whole number" />
          </fieldset>
          <div class="actions">
            <button type="submit">Save</button>
          </div>
        </form>
      </section>
    </ConfigPage>
  );
}

export type PatternList = 'id' | 'name';

export const PATTERN_MAX = 64;

function PatternTable(props: { ctx: PageContext; list: PatternList; title: string; patterns: readonly string[]; typed: string; error?: string | undefined }): SafeHtml {
  const { list } = props;
  return (
    <section class="panel patterns" id={`patterns-${list}`} aria-labelledby={`patterns-heading-${list}`}>
      <h2 id={`patterns-heading-${list}`}>{props.title}</h2>
      {props.patterns.length ? (
        <table class="data">
          <tbody>
            {props.patterns.map((p) => (
              <tr>
                <td>
                  <code>{p}</code>
                </td>
                <td class="num">
                  <form method="post" action={NOT_PATIENT_PATH} class="inline-form">
                    <CsrfField ctx={props.ctx} />
                    <input type="hidden" name="list" value={list} />
                    <input type="hidden" name="op" value="remove" />
                    <input type="hidden" name="pattern" value={p} />
                    <button type="submit" class="secondary" aria-label={`Remove ${p}`}>
                      Remove
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="missing">No patterns.</p>
      )}
      <form method="post" action={NOT_PATIENT_PATH} class="add-pattern">
        <CsrfField ctx={props.ctx} />
        <input type="hidden" name="list" value={list} />
        <input type="hidden" name="op" value="add" />
        <label>
          New pattern{' '}
          <input type="text" name="pattern" value={props.typed} maxlength={PATTERN_MAX} autocomplete="off" aria-invalid={props.error ? 'true' : undefined} />
        </label>{' '}
        <button type="submit">Add</button>
        <FieldError id={`field-pattern-${list}`} message={props.error} />
      </form>
    </section>
  );
}

export function NotPatientPage(props: {
  ctx: PageContext;
  settings: SiteSettings;
  notice?: string | null;
  error?: { list: PatternList; message: string; typed: string } | null;
  task?: TaskRecord | null;
}): SafeHtml {
  const { settings, error } = props;
  const p = settings.patientId;
  const clear = (p.storePatientName && !p.hashPatientName) || (p.storePatientId && !p.hashPatientId);
  return (
    <ConfigPage ctx={props.ctx} title="Not-patient indicators">
      <Notice text={props.notice} />
      <section class="panel how-patterns-match">
        <p>
          Studies of QA phantoms, physics tests and test objects are flagged when their patient ID or patient name matches a pattern, so lists, charts
          and exports can leave them out (the “Test patients” filter). How they match:
        </p>
        <ul>
          <li>A pattern matches the whole value, ignoring upper and lower case.</li>
          <li>
            <code>*</code> stands for any run of characters, including none: <code>QA*</code> matches “QA12345” and “qa-head” but not “Head QA”;{' '}
            <code>*PHANTOM*</code> matches any value containing “phantom”; <code>TEST</code> matches only “test”.
          </li>
          <li>
            Patterns are checked on the name and ID as the object carries them, before any hashing; the study records which patterns matched, e.g.{' '}
            <code>IDs: qa* | Names: </code>.
          </li>
        </ul>
        <p class="notice from-now-on">New and removed patterns apply to studies imported from now on; to apply them to stored studies, use the action below.</p>
      </section>
      <PatternTable
        ctx={props.ctx}
        list="id"
        title="Patient ID patterns"
        patterns={settings.notPatientIdPatterns}
        typed={error?.list === 'id' ? error.typed : ''}
        error={error?.list === 'id' ? error.message : undefined}
      />
      <PatternTable
        ctx={props.ctx}
        list="name"
        title="Patient name patterns"
        patterns={settings.notPatientNamePatterns}
        typed={error?.list === 'name' ? error.typed : ''}
        error={error?.list === 'name' ? error.message : undefined}
      />
      <section class="panel reapply" aria-labelledby="reapply-heading">
        <h2 id="reapply-heading">Apply the patterns to stored studies</h2>
        <p>
          Only studies whose patient name or ID is stored as it is can be checked again. Where a name or ID is not stored, or stored as a hash, the
          patterns can only apply at import: such a study keeps what was found when it was imported.
        </p>
        {clear ? null : (
          <p class="notice">
            This site stores patient names and IDs only as hashes or not at all, so new patterns apply only at import; applying them now checks only
            studies stored while names or IDs were kept as they are.
          </p>
        )}
        {props.task ? (
          <div class="reapply-task">
            <TaskStatus task={props.task} />
            <TaskScript ctx={props.ctx} />
          </div>
        ) : null}
        <form method="post" action={NOT_PATIENT_REAPPLY_PATH}>
          <CsrfField ctx={props.ctx} />
          <button type="submit">Apply the patterns to stored studies</button>
        </form>
      </section>
    </ConfigPage>
  );
}

type AfterImportKey = keyof SiteSettings['deleteAfterImport'];

export const AFTER_IMPORT_LABELS: Record<AfterImportKey, string> = {
  rdsr: 'Radiation dose structured reports (CT, projection X-ray, radiopharmaceutical; also Enhanced SR)',
  dx: 'Radiography (DX, CR) image headers',
  mg: 'Mammography image headers',
  ctPhilips: 'CT dose secondary captures (Philips)',
  nm: 'Nuclear medicine and PET images',
};

export function AfterImportPage(props: { ctx: PageContext; values: SiteSettings['deleteAfterImport']; notice?: string | null }): SafeHtml {
  return (
    <ConfigPage ctx={props.ctx} title="After import">
      <Notice text={props.notice} />
      <section class="panel">
        <p>
          Source files of the ticked kinds are deleted once their data is safely stored; files of the other kinds are left where they are. A file that
          fails to import is never deleted: it is kept in the quarantine folder with the reason.
        </p>
        <p class="notice from-now-on">Changes apply to files imported from now on.</p>
        <form method="post" action={AFTER_IMPORT_PATH} class="stacked">
          <CsrfField ctx={props.ctx} />
          <fieldset>
            <legend>Delete after import</legend>
            {(Object.keys(AFTER_IMPORT_LABELS) as AfterImportKey[]).map((k) => (
              <label class="check">
                <input type="checkbox" name={k} value="1" checked={props.values[k]} /> {AFTER_IMPORT_LABELS[k]}
              </label>
            ))}
          </fieldset>
          <div class="actions">
            <button type="submit">Save</button>
          </div>
        </form>
      </section>
    </ConfigPage>
  );
}
