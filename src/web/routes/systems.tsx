// Systems: display names for everyone who sees studies; renaming, the user-defined modality,
// reviewing and deleting a system's studies for administrators.
import { h } from '../jsx.js';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { countSystemStudies, deleteSystemStudies, deleteSystemStudiesTask, INLINE_DELETE_LIMIT } from '../../admin/delete-studies.js';
import {
  isProjectionSystem,
  NotProjectionError,
  systemsByModality,
  systemStudies,
  systemStudyCounts,
  systemStudySpan,
  updateSystems,
  type SystemChanges,
} from '../../admin/equipment.js';
import { countProjectionStudies, INLINE_RESORT_LIMIT, resortAndRecord, resortProjectionTask, resortSummary, type ResortResult } from '../../admin/projection-resort.js';
import type { AuthUser } from '../../auth/users.js';
import type { EquipmentRow } from '../../db/schema.js';
import { enqueueTask, getTask } from '../../tasks/index.js';
import type { AppContext } from '../app.js';
import { currentUser } from '../auth/access.js';
import { HttpError, notFound } from '../errors.js';
import { fieldErrors, FORM_PROBLEM, formFields, listValue, parseId, queryNumber, textValue, type FormFields } from '../forms.js';
import { DISPLAY_NAMES_PATH } from '../config-pages.js';
import { pageContext, sendPage } from '../page.js';
import {
  DisplayNamesPage,
  SYSTEM_STUDIES_PER_PAGE,
  SystemDeletePage,
  SystemEditPage,
  systemStudiesPath,
  SystemStudiesPage,
  type SystemFormValues,
} from '../views/systems.js';
import { DISPLAY_NAME_MAX } from '../../ingest/equipment.js';

const MODALITY_VALUES = ['none', 'DX', 'RF', 'dual'] as const;

const displayName = z.string().trim().max(DISPLAY_NAME_MAX, `at most ${DISPLAY_NAME_MAX} characters`);
const modalityChoice = z.enum(MODALITY_VALUES, { error: 'choose none, DX, RF or dual' });

const systemForm = z.object({
  displayName: z.preprocess(textValue, displayName.min(1, 'enter a display name')),
  userDefinedModality: z.preprocess((v) => textValue(v) || undefined, modalityChoice.optional()),
});

const bulkForm = z
  .object({
    ids: z.preprocess(listValue, z.array(z.string().refine((id) => parseId(id) !== null, 'not a system')).min(1, 'tick at least one system')),
    displayName: z.preprocess(textValue, displayName),
    userDefinedModality: z.preprocess((v) => textValue(v) || 'keep', z.enum(['keep', ...MODALITY_VALUES], { error: 'choose keep, none, DX, RF or dual' })),
  })
  .refine((f) => f.displayName !== '' || f.userDefinedModality !== 'keep', { message: 'enter a new display name or choose a user-defined modality', path: [FORM_PROBLEM] });

const deleteAllForm = z.object({
  upToId: z.preprocess(textValue, z.string().regex(/^\d{1,15}$/, 'the form does not say which studies to delete').transform(Number)),
});

function modalitySetting(choice: (typeof MODALITY_VALUES)[number]): SystemChanges['userDefinedModality'] {
  return choice === 'none' ? null : choice;
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What the display-name page says after a change: parameters it was redirected with. */
function changeNotice(query: FormFields): string | null {
  const parts: string[] = [];
  const saved = queryNumber(query, 'saved');
  if (saved !== null) parts.push(saved === 0 ? 'Nothing changed.' : `${count(saved, 'system', 'systems')} changed.`);
  const checked = queryNumber(query, 'sorted');
  if (checked !== null) parts.push(`${resortSummary({ checked, toDX: queryNumber(query, 'dx') ?? 0, toRF: queryNumber(query, 'rf') ?? 0 })}.`);
  const queued = queryNumber(query, 'queued');
  if (queued) parts.push(`The studies of ${count(queued, 'system are', 'systems are')} being sorted again in the background (see Tasks).`);
  return parts.length ? parts.join(' ') : null;
}

export function registerSystemRoutes(ctx: AppContext): void {
  const { app, db, site } = ctx;
  const q = db.kysely;

  const loadSystem = async (idText: string): Promise<EquipmentRow> => {
    const id = parseId(idText);
    const row = id === null ? undefined : await q.selectFrom('equipment').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(`There is no system ${idText}.`);
    return row;
  };

  /** Sorts the systems' DX and RF studies again: here when few, by a task when many. */
  const resort = async (ids: readonly number[], me: AuthUser): Promise<URLSearchParams> => {
    const total: ResortResult = { checked: 0, toDX: 0, toRF: 0 };
    let queued = 0;
    let inline = false;
    for (const id of ids) {
      if ((await countProjectionStudies(db, id)) > INLINE_RESORT_LIMIT) {
        await enqueueTask(db, resortProjectionTask, { equipmentId: id }, { startedBy: { id: me.id, name: me.username } });
        queued++;
        continue;
      }
      const r = await resortAndRecord(db, id, me);
      inline = true;
      total.checked += r.checked;
      total.toDX += r.toDX;
      total.toRF += r.toRF;
    }
    const params = new URLSearchParams();
    if (inline) {
      params.set('sorted', String(total.checked));
      params.set('dx', String(total.toDX));
      params.set('rf', String(total.toRF));
    }
    if (queued) params.set('queued', String(queued));
    return params;
  };

  const afterChange = async (me: AuthUser, changed: number, modalityChanged: readonly number[]): Promise<string> => {
    const params = await resort(modalityChanged, me);
    params.set('saved', String(changed));
    return `${DISPLAY_NAMES_PATH}?${params.toString()}`;
  };

  app.get(DISPLAY_NAMES_PATH, { config: { access: 'view' } }, async (request, reply) =>
    sendPage(reply, <DisplayNamesPage ctx={pageContext(site, request)} groups={await systemsByModality(q)} notice={changeNotice(formFields(request.query))} />),
  );

  app.post(DISPLAY_NAMES_PATH, { config: { access: 'admin' } }, async (request, reply) => {
    const me = currentUser(request);
    const fields = formFields(request.body);
    const again = async (errors: Record<string, string>) =>
      sendPage(
        reply,
        <DisplayNamesPage
          ctx={pageContext(site, request)}
          groups={await systemsByModality(q)}
          errors={errors}
          values={{ displayName: textValue(fields.displayName), userDefinedModality: textValue(fields.userDefinedModality) || 'keep' }}
        />,
        400,
      );
    const parsed = bulkForm.safeParse(fields);
    if (!parsed.success) return again(fieldErrors(parsed.error));
    const ids = [...new Set(parsed.data.ids.map(Number))];
    const known = await q.selectFrom('equipment').select('id').where('id', 'in', ids).execute();
    if (known.length !== ids.length) return again({ ids: 'some of the ticked systems no longer exist; reload the page' });
    const changes: SystemChanges = {};
    if (parsed.data.displayName) changes.displayName = parsed.data.displayName;
    if (parsed.data.userDefinedModality !== 'keep') changes.userDefinedModality = modalitySetting(parsed.data.userDefinedModality);
    try {
      const update = await updateSystems(db, ids, changes, me);
      return reply.redirect(await afterChange(me, update.changed, update.modalityChanged), 303);
    } catch (err) {
      if (err instanceof NotProjectionError) return again({ userDefinedModality: err.message });
      throw err;
    }
  });

  const editPage = async (request: FastifyRequest, system: EquipmentRow, values: SystemFormValues, errors?: Record<string, string>) => {
    const [projection, counts] = await Promise.all([isProjectionSystem(q, system), systemStudyCounts(q, system.id)]);
    return <SystemEditPage ctx={pageContext(site, request)} equipment={system} projection={projection} counts={counts} values={values} errors={errors} />;
  };

  app.get<{ Params: { id: string } }>('/config/display-names/:id', { config: { access: 'admin' } }, async (request, reply) => {
    const system = await loadSystem(request.params.id);
    const values: SystemFormValues = { displayName: system.display_name, userDefinedModality: (system.user_defined_modality ?? '') as SystemFormValues['userDefinedModality'] };
    return sendPage(reply, await editPage(request, system, values));
  });

  app.post<{ Params: { id: string } }>('/config/display-names/:id', { config: { access: 'admin' } }, async (request, reply) => {
    const me = currentUser(request);
    const system = await loadSystem(request.params.id);
    const fields = formFields(request.body);
    const typed = textValue(fields.userDefinedModality);
    const again = async (errors: Record<string, string>) => {
      const values: SystemFormValues = {
        displayName: textValue(fields.displayName),
        userDefinedModality: (typed === 'none' ? '' : (MODALITY_VALUES as readonly string[]).includes(typed) ? typed : (system.user_defined_modality ?? '')) as SystemFormValues['userDefinedModality'],
      };
      return sendPage(reply, await editPage(request, system, values, errors), 400);
    };
    const parsed = systemForm.safeParse(fields);
    if (!parsed.success) return again(fieldErrors(parsed.error));
    const changes: SystemChanges = { displayName: parsed.data.displayName };
    // The choice is offered only for systems it applies to; updateSystems refuses it elsewhere.
    if (parsed.data.userDefinedModality !== undefined) changes.userDefinedModality = modalitySetting(parsed.data.userDefinedModality);
    try {
      const update = await updateSystems(db, [system.id], changes, me);
      return reply.redirect(await afterChange(me, update.changed, update.modalityChanged), 303);
    } catch (err) {
      if (err instanceof NotProjectionError) return again({ userDefinedModality: err.message });
      throw err;
    }
  });

  app.post<{ Params: { id: string } }>('/config/display-names/:id/resort', { config: { access: 'admin' } }, async (request, reply) => {
    const me = currentUser(request);
    const system = await loadSystem(request.params.id);
    if (!(await isProjectionSystem(q, system))) throw new HttpError(400, 'Not possible', `${system.display_name} has no radiography or fluoroscopy studies to sort.`);
    const params = await resort([system.id], me);
    return reply.redirect(`${DISPLAY_NAMES_PATH}?${params.toString()}`, 303);
  });

  app.get<{ Params: { id: string } }>('/config/systems/:id/studies', { config: { access: 'admin' } }, async (request, reply) => {
    const system = await loadSystem(request.params.id);
    const query = formFields(request.query);
    const [counts, span] = await Promise.all([systemStudyCounts(q, system.id), systemStudySpan(q, system.id)]);
    const pageCount = Math.max(1, Math.ceil(span.total / SYSTEM_STUDIES_PER_PAGE));
    const page = Math.min(Math.max(queryNumber(query, 'page') ?? 1, 1), pageCount);
    const rows = await systemStudies(q, system.id, page, SYSTEM_STUDIES_PER_PAGE);
    const deleted = queryNumber(query, 'deleted');
    const taskId = queryNumber(query, 'task');
    const task = taskId === null ? undefined : await getTask(db, taskId);
    const ownTask = task && task.kind === deleteSystemStudiesTask.name && (task.params as { equipmentId?: unknown }).equipmentId === system.id ? task : null;
    return sendPage(
      reply,
      <SystemStudiesPage
        ctx={pageContext(site, request)}
        equipment={system}
        counts={counts}
        total={span.total}
        rows={rows}
        page={page}
        notice={deleted === null ? null : `${count(deleted, 'study', 'studies')} deleted.`}
        task={ownTask}
      />,
    );
  });

  app.get<{ Params: { id: string } }>('/config/systems/:id/delete', { config: { access: 'admin' } }, async (request, reply) => {
    const system = await loadSystem(request.params.id);
    const [counts, span] = await Promise.all([systemStudyCounts(q, system.id), systemStudySpan(q, system.id)]);
    if (span.total === 0) return reply.redirect(systemStudiesPath(system.id), 303);
    return sendPage(reply, <SystemDeletePage ctx={pageContext(site, request)} equipment={system} counts={counts} span={span} inlineLimit={INLINE_DELETE_LIMIT} />);
  });

  app.post<{ Params: { id: string } }>('/config/systems/:id/delete', { config: { access: 'admin' } }, async (request, reply) => {
    const me = currentUser(request);
    const system = await loadSystem(request.params.id);
    const parsed = deleteAllForm.safeParse(formFields(request.body));
    if (!parsed.success) throw new HttpError(400, 'Bad request', 'The deletion form was incomplete. Open the system’s studies and choose Delete all again.');
    const selection = { equipmentId: system.id, upToId: parsed.data.upToId };
    const selected = await countSystemStudies(q, selection);
    if (selected > INLINE_DELETE_LIMIT) {
      const task = await enqueueTask(db, deleteSystemStudiesTask, selection, {
        startedBy: { id: me.id, name: me.username },
        label: `Delete the ${selected} studies of ${system.display_name}`,
      });
      return reply.redirect(`${systemStudiesPath(system.id)}?task=${task.id}`, 303);
    }
    const result = await deleteSystemStudies(db, selection, me);
    return reply.redirect(`${systemStudiesPath(system.id)}?deleted=${result.deleted}`, 303);
  });
}
