import { h } from '../jsx.js';
import { loadStudies } from '../../db/report-store.js';
import { parseQuery } from '../../query/filters.js';
import { MODALITY_SPECS } from '../../query/modalities.js';
import { listQuerySchema, listStudies } from '../../query/studies.js';
import { allSystemNames } from '../../query/systems.js';
import type { AppContext } from '../app.js';
import { notFound } from '../errors.js';
import { pageContext, sendPage } from '../page.js';
import { modalityListPath } from '../urls.js';
import { ListPage } from '../views/list.js';
import { StudyPage } from '../views/study.js';

export function registerStudyRoutes(ctx: AppContext): void {
  const { app, db, site } = ctx;
  for (const spec of MODALITY_SPECS) {
    const schema = listQuerySchema(spec);
    app.get(modalityListPath(spec), { config: { access: 'view' } }, async (request, reply) => {
      const query = parseQuery(schema, request.query);
      const [result, systems] = await Promise.all([listStudies(db.kysely, db.engine, spec, query), allSystemNames(db.kysely)]);
      return sendPage(reply, <ListPage ctx={pageContext(site, request)} spec={spec} query={query} result={result} systems={systems} />);
    });
  }

  app.get<{ Params: { id: string } }>('/studies/:id', { config: { access: 'view' } }, async (request, reply) => {
    const id = /^[1-9]\d{0,14}$/.test(request.params.id) ? Number(request.params.id) : null;
    const [study] = id === null ? [] : await loadStudies(db.kysely, [id]);
    if (!study) throw notFound(`There is no study ${request.params.id}.`);
    return sendPage(reply, <StudyPage ctx={pageContext(site, request)} study={study} />);
  });
}
