import { h } from '../jsx.js';
import { loadStudies } from '../../db/report-store.js';
import { parseQuery, QueryError } from '../../query/filters.js';
import { MODALITY_SPECS } from '../../query/modalities.js';
import { listQuerySchema, listStudies, type ListQuery } from '../../query/studies.js';
import { allSystemNames } from '../../query/systems.js';
import type { AppContext } from '../app.js';
import { currentUser } from '../auth/access.js';
import { notFound } from '../errors.js';
import { parseId } from '../forms.js';
import { pageContext, sendPage } from '../page.js';
import { modalityListPath } from '../urls.js';
import { formValuesOf, ListPage, type FormValues } from '../views/list.js';
import { StudyPage } from '../views/study.js';

/** The query string as typed, for the form sent back when it cannot be read (one value per parameter; empty ones are absent). */
function typedValues(raw: unknown): FormValues {
  if (typeof raw !== 'object' || raw === null) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const first: unknown = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string' && first !== '') out[k] = first;
  }
  return out;
}

export function registerStudyRoutes(ctx: AppContext): void {
  const { app, db, site } = ctx;
  for (const spec of MODALITY_SPECS) {
    app.get(modalityListPath(spec), { config: { access: 'view' } }, async (request, reply) => {
      // Patient name and ID are search fields for users with the pid role only.
      const schema = listQuerySchema(spec, { pid: currentUser(request).hasRole('pid') });
      const page = pageContext(site, request);
      let query: ListQuery;
      try {
        query = parseQuery(schema, request.query);
      } catch (err) {
        if (!(err instanceof QueryError)) throw err;
        // The form comes back as typed, each problem beside its field; no studies until corrected.
        request.log.info({ problems: err.problems }, 'list filters not valid');
        const values = typedValues(request.query);
        return sendPage(reply, <ListPage ctx={page} spec={spec} values={values} outcome={{ issues: err.issues }} systems={await allSystemNames(db.kysely)} />, 400);
      }
      const [result, systems] = await Promise.all([listStudies(db.kysely, db.engine, spec, query), allSystemNames(db.kysely)]);
      return sendPage(reply, <ListPage ctx={page} spec={spec} values={formValuesOf(query)} outcome={{ query, result }} systems={systems} />);
    });
  }

  app.get<{ Params: { id: string } }>('/studies/:id', { config: { access: 'view' } }, async (request, reply) => {
    const id = parseId(request.params.id);
    const [study] = id === null ? [] : await loadStudies(db.kysely, [id]);
    if (!study) throw notFound(`There is no study ${request.params.id}.`);
    return sendPage(reply, <StudyPage ctx={pageContext(site, request)} study={study} />);
  });
}
