// Deleting a study (admin): a confirmation page reached from a list row, then the deletion,
// then back to the list exactly as it was (filters, sorting, page).
import { h } from '../jsx.js';
import { z } from 'zod';
import { deleteStudy, studyToDelete } from '../../admin/delete-studies.js';
import { MODALITY_SPECS } from '../../query/modalities.js';
import type { AppContext } from '../app.js';
import { currentUser } from '../auth/access.js';
import { HttpError, notFound } from '../errors.js';
import { formFields, parseId, textValue } from '../forms.js';
import { pageContext, sendPage } from '../page.js';
import { modalityListPath } from '../urls.js';
import { StudyDeletePage } from '../views/study-delete.js';
import { SYSTEM_STUDIES_PATTERN } from '../views/systems.js';
import { safeNext } from './auth.js';

/** Resolves return addresses against this site only. */
const SITE = 'http://openrem.invalid';

/**
 * Where a deletion may return to: a path of this site (never another origin), and one of the
 * pages that lead to a deletion (a modality's list, a system's studies), with its query.
 */
export function safeReturn(next: unknown): string | null {
  const path = safeNext(next);
  if (path === null) return null;
  let url: URL;
  try {
    url = new URL(path, SITE);
  } catch {
    return null;
  }
  if (url.origin !== SITE) return null;
  const ours = MODALITY_SPECS.some((s) => url.pathname === modalityListPath(s)) || SYSTEM_STUDIES_PATTERN.test(url.pathname);
  return ours ? `${url.pathname}${url.search}` : null;
}

const deleteForm = z.object({
  uid: z.preprocess(textValue, z.string().min(1, 'the form does not say which study to delete')),
  next: z.preprocess(textValue, z.string()),
});

export function registerStudyDeleteRoutes(ctx: AppContext): void {
  const { app, db, site } = ctx;

  const load = async (idText: string) => {
    const id = parseId(idText);
    const study = id === null ? null : await studyToDelete(db.kysely, id);
    if (!study) throw notFound(`There is no study ${idText}; it may have been deleted already.`);
    return study;
  };
  const fallback = (modality: string) => {
    const spec = MODALITY_SPECS.find((s) => s.modality === modality);
    return spec ? modalityListPath(spec) : '/';
  };

  app.get<{ Params: { id: string } }>('/studies/:id/delete', { config: { access: 'admin' } }, async (request, reply) => {
    const study = await load(request.params.id);
    const next = safeReturn(textValue(formFields(request.query).next)) ?? fallback(study.modality);
    return sendPage(reply, <StudyDeletePage ctx={pageContext(site, request)} study={study} next={next} />);
  });

  app.post<{ Params: { id: string } }>('/studies/:id/delete', { config: { access: 'admin' } }, async (request, reply) => {
    const me = currentUser(request);
    const parsed = deleteForm.safeParse(formFields(request.body));
    if (!parsed.success) throw new HttpError(400, 'Bad request', 'The deletion form was incomplete. Go back to the list and choose Delete again.');
    const study = await load(request.params.id);
    const next = safeReturn(parsed.data.next) ?? fallback(study.modality);
    if (parsed.data.uid !== study.studyInstanceUid) {
      const error = 'This is not the study the confirmation was for; nothing was deleted. Check the study below and confirm again.';
      return sendPage(reply, <StudyDeletePage ctx={pageContext(site, request)} study={study} next={next} error={error} />, 409);
    }
    await deleteStudy(db, study.row.id, study.studyInstanceUid, { actor: me });
    return reply.redirect(next, 303);
  });
}
