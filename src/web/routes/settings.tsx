// Site settings edited on the web (admin): patient identifiers, not-patient patterns (and
// applying them to stored studies), source files after import. Each form is checked, saved
// through the settings store that imports read, and recorded in the audit log.
import { h } from '../jsx.js';
import { z } from 'zod';
import { recordAudit } from '../../audit/log.js';
import { totalStudies } from '../../admin/equipment.js';
import { INLINE_REAPPLY_LIMIT, reapplyAndRecord, reapplyNotPatientTask } from '../../admin/not-patient.js';
import { parseSettings, type SiteSettings } from '../../settings/site.js';
import { loadSettings, saveSettings } from '../../settings/store.js';
import { enqueueTask, getTask } from '../../tasks/index.js';
import type { AppContext } from '../app.js';
import { currentUser } from '../auth/access.js';
import { HttpError } from '../errors.js';
import { checkboxValue, fieldErrors, formFields, queryNumber, textValue, type FormFields } from '../forms.js';
import { AFTER_IMPORT_PATH, CONFIG_PATH, NOT_PATIENT_PATH, NOT_PATIENT_REAPPLY_PATH, PATIENT_ID_PATH } from '../config-pages.js';
import { pageContext, sendPage } from '../page.js';
import {
  AFTER_IMPORT_LABELS,
  AfterImportPage,
  ConfigIndexPage,
  NotPatientPage,
  PatientIdPage,
  PATTERN_MAX,
  type PatternList,
} from '../views/settings.js';

const check = z.preprocess(checkboxValue, z.boolean());

const patientIdForm = z
  .object({
    storePatientName: check,
    hashPatientName: check,
    storePatientId: check,
    hashPatientId: check,
    storePatientBirthDate: check,
    hashAccessionNumber: check,
  })
  .superRefine((f, ctx) => {
    if (f.hashPatientName && !f.storePatientName) ctx.addIssue({ code: 'custom', path: ['hashPatientName'], message: 'tick “Store patient name” as well, or untick this' });
    if (f.hashPatientId && !f.storePatientId) ctx.addIssue({ code: 'custom', path: ['hashPatientId'], message: 'tick “Store patient ID” as well, or untick this' });
  });

const afterImportForm = z.object(Object.fromEntries(Object.keys(AFTER_IMPORT_LABELS).map((k) => [k, check])) as Record<keyof SiteSettings['deleteAfterImport'], typeof check>);

const patternForm = z.object({
  list: z.preprocess(textValue, z.enum(['id', 'name'], { error: 'unknown list of patterns' })),
  op: z.preprocess(textValue, z.enum(['add', 'remove'], { error: 'unknown action' })),
  pattern: z.preprocess(
    textValue,
    z
      .string()
      .trim()
      .min(1, 'enter a pattern')
      .max(PATTERN_MAX, `at most ${PATTERN_MAX} characters`)
      .refine((p) => ![...p].some((c) => c <= '\u001f' || c === '\u007f'), 'control characters are not allowed')
      .refine((p) => p.replaceAll('*', '') !== '', 'a pattern of only * would flag every study'),
  ),
});

const LIST_KEYS: Record<PatternList, 'notPatientIdPatterns' | 'notPatientNamePatterns'> = { id: 'notPatientIdPatterns', name: 'notPatientNamePatterns' };
const LIST_TITLES: Record<PatternList, string> = { id: 'patient ID patterns', name: 'patient name patterns' };

/** from → to of every key that changed. */
function changedKeys<T extends object>(before: T, after: T): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of Object.keys(after) as (keyof T & string)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) out[key] = { from: before[key], to: after[key] };
  }
  return out;
}

function savedNotice(query: FormFields, changed: string): string | null {
  const n = queryNumber(query, 'saved');
  if (n === null) return null;
  return n === 0 ? 'Nothing changed.' : changed;
}

function patternNotice(query: FormFields): string | null {
  const list = textValue(query.list);
  if (list !== 'id' && list !== 'name') return null;
  if (textValue(query.added)) return `Pattern added to the ${LIST_TITLES[list]}.`;
  if (textValue(query.removed)) return `Pattern removed from the ${LIST_TITLES[list]}.`;
  return null;
}

function reapplyNotice(query: FormFields): string | null {
  const checked = queryNumber(query, 'checked');
  const changed = queryNumber(query, 'changed');
  if (checked === null || changed === null) return null;
  return `${checked} stored ${checked === 1 ? 'study' : 'studies'} with a name or ID to match checked; ${changed} changed.`;
}

export function registerSettingsRoutes(ctx: AppContext): void {
  const { app, db, site } = ctx;
  const q = db.kysely;

  /** Saves `next` over the stored settings and records what changed; returns how many keys changed. */
  const save = async (me: ReturnType<typeof currentUser>, action: string, section: keyof SiteSettings, next: SiteSettings): Promise<number> => {
    const before = await loadSettings(q);
    const diff = changedKeys(before[section] as object, next[section] as object);
    if (Object.keys(diff).length === 0) return 0;
    await saveSettings(q, next);
    await recordAudit(q, { actor: me, action, target: 'site settings', details: diff });
    return Object.keys(diff).length;
  };

  app.get(CONFIG_PATH, { config: { access: 'admin' } }, async (request, reply) => sendPage(reply, <ConfigIndexPage ctx={pageContext(site, request)} />));

  app.get(PATIENT_ID_PATH, { config: { access: 'admin' } }, async (request, reply) => {
    const settings = await loadSettings(q);
    const notice = savedNotice(formFields(request.query), 'Saved. Studies imported from now on follow these settings.');
    return sendPage(reply, <PatientIdPage ctx={pageContext(site, request)} values={settings.patientId} notice={notice} />);
  });

  app.post(PATIENT_ID_PATH, { config: { access: 'admin' } }, async (request, reply) => {
    const me = currentUser(request);
    const fields = formFields(request.body);
    const parsed = patientIdForm.safeParse(fields);
    if (!parsed.success) {
      const values = Object.fromEntries(Object.keys(patientIdForm.shape).map((k) => [k, checkboxValue(fields[k])])) as SiteSettings['patientId'];
      return sendPage(reply, <PatientIdPage ctx={pageContext(site, request)} values={values} errors={fieldErrors(parsed.error)} />, 400);
    }
    const next = parseSettings({ patientId: parsed.data }, await loadSettings(q));
    const changed = await save(me, 'settings.patient-id', 'patientId', next);
    return reply.redirect(`${PATIENT_ID_PATH}?saved=${changed}`, 303);
  });

  app.get(NOT_PATIENT_PATH, { config: { access: 'admin' } }, async (request, reply) => {
    const query = formFields(request.query);
    const taskId = queryNumber(query, 'task');
    const task = taskId === null ? undefined : await getTask(db, taskId);
    return sendPage(
      reply,
      <NotPatientPage
        ctx={pageContext(site, request)}
        settings={await loadSettings(q)}
        notice={patternNotice(query) ?? reapplyNotice(query)}
        task={task && task.kind === reapplyNotPatientTask.name ? task : null}
      />,
    );
  });

  app.post(NOT_PATIENT_PATH, { config: { access: 'admin' } }, async (request, reply) => {
    const me = currentUser(request);
    const fields = formFields(request.body);
    const settings = await loadSettings(q);
    const list: PatternList = textValue(fields.list) === 'name' ? 'name' : 'id';
    const again = (message: string) =>
      sendPage(reply, <NotPatientPage ctx={pageContext(site, request)} settings={settings} error={{ list, message, typed: textValue(fields.pattern) }} />, 400);
    const parsed = patternForm.safeParse(fields);
    if (!parsed.success) return again(Object.values(fieldErrors(parsed.error))[0]!);
    const { op, pattern } = parsed.data;
    const key = LIST_KEYS[parsed.data.list];
    const current = settings[key];
    let patterns: string[];
    if (op === 'add') {
      // Matching ignores case, so patterns differing only in case would match the same values.
      if (current.some((p) => p.toLowerCase() === pattern.toLowerCase())) return again(`“${pattern}” is already in the list`);
      patterns = [...current, pattern];
    } else {
      if (!current.includes(pattern)) throw new HttpError(409, 'Not in the list', `“${pattern}” is not among the ${LIST_TITLES[parsed.data.list]} (any more); reload the page.`);
      patterns = current.filter((p) => p !== pattern);
    }
    await saveSettings(q, parseSettings({ [key]: patterns }, settings));
    await recordAudit(q, { actor: me, action: `settings.not-patient.${op}`, target: 'site settings', details: { list: key, pattern } });
    return reply.redirect(`${NOT_PATIENT_PATH}?list=${parsed.data.list}&${op === 'add' ? 'added' : 'removed'}=1`, 303);
  });

  app.post(NOT_PATIENT_REAPPLY_PATH, { config: { access: 'admin' } }, async (request, reply) => {
    const me = currentUser(request);
    if ((await totalStudies(q)) > INLINE_REAPPLY_LIMIT) {
      const task = await enqueueTask(db, reapplyNotPatientTask, {}, { startedBy: { id: me.id, name: me.username } });
      return reply.redirect(`${NOT_PATIENT_PATH}?task=${task.id}`, 303);
    }
    const result = await reapplyAndRecord(db, me);
    return reply.redirect(`${NOT_PATIENT_PATH}?checked=${result.checked}&changed=${result.changed}`, 303);
  });

  app.get(AFTER_IMPORT_PATH, { config: { access: 'admin' } }, async (request, reply) => {
    const settings = await loadSettings(q);
    const notice = savedNotice(formFields(request.query), 'Saved. Files imported from now on follow these settings.');
    return sendPage(reply, <AfterImportPage ctx={pageContext(site, request)} values={settings.deleteAfterImport} notice={notice} />);
  });

  app.post(AFTER_IMPORT_PATH, { config: { access: 'admin' } }, async (request, reply) => {
    const me = currentUser(request);
    const parsed = afterImportForm.safeParse(formFields(request.body));
    // Checkboxes cannot be invalid: anything sent is on, anything missing off.
    if (!parsed.success) throw new HttpError(400, 'Bad request', 'The form could not be read.');
    const next = parseSettings({ deleteAfterImport: parsed.data }, await loadSettings(q));
    const changed = await save(me, 'settings.after-import', 'deleteAfterImport', next);
    return reply.redirect(`${AFTER_IMPORT_PATH}?saved=${changed}`, 303);
  });
}
