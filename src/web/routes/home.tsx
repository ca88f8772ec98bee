import { h } from '../jsx.js';
import { systemActivity } from '../../query/systems.js';
import type { AppContext } from '../app.js';
import { pageContext, sendPage } from '../page.js';
import { HomePage } from '../views/home.js';
import { HelpPage } from '../views/help.js';

export function registerHomeRoutes(ctx: AppContext): void {
  const { app, db, site } = ctx;
  app.get('/', { config: { access: 'view' } }, async (request, reply) => {
    const modalities = await systemActivity(db.kysely);
    return sendPage(reply, <HomePage ctx={pageContext(site, request)} modalities={modalities} />);
  });
  app.get('/help', { config: { access: 'public' } }, async (request, reply) => sendPage(reply, <HelpPage ctx={pageContext(site, request)} />));
}
