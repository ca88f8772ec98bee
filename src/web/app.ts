// The web application: a fastify instance over an open database. `openrem serve` listens with
// it; tests drive it with app.inject. One route module per page; errors become pages that
// say what to do, never stack traces (those go to the log).
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { version } from '../cli/main.js';
import type { AppConfig } from '../config.js';
import type { Db } from '../db/connect.js';
import { QueryError } from '../query/filters.js';
import { API_PREFIX, installAccessControl } from './auth/access.js';
import { HttpError } from './errors.js';
import { h } from './jsx.js';
import { openLog } from '../log.js';
import { loadNavigation, pageContext, sendPage, type SiteInfo } from './page.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerExportRoutes } from './routes/exports.js';
import { registerHomeRoutes } from './routes/home.js';
import { registerSettingsRoutes } from './routes/settings.js';
import { registerStudyDeleteRoutes } from './routes/study-delete.js';
import { registerSystemRoutes } from './routes/systems.js';
import { registerPtsizeRoutes } from './routes/ptsize.js';
import { registerQuarantineRoutes } from './routes/quarantine.js';
import { registerStudyRoutes } from './routes/studies.js';
import { registerTaskRoutes } from './routes/tasks.js';
import { registerUserRoutes } from './routes/users.js';
import { STATIC_PREFIX } from './urls.js';
import { answerUnreadableRequest, BODY_TOO_LARGE, FORM_BODY_LIMIT, formTooLarge } from './refusals.js';
import { ErrorPage } from './views/error.js';

export interface BuildOptions {
  db: Db;
  config: AppConfig;
  /** Defaults to a file logger in the data folder's logs/. */
  logger?: FastifyBaseLogger;
}

/** What route modules get: the app to register on and what pages read. */
export interface AppContext {
  app: FastifyInstance;
  db: Db;
  config: AppConfig;
  site: SiteInfo;
}

const STATIC_ROOT = fileURLToPath(new URL('../../src/web/static/', import.meta.url));

/**
 * Pages load nothing from elsewhere (hospitals run offline) and run no inline script, so the
 * policy can be strict; it also keeps injected markup inert should escaping ever fail.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

/** What to tell the user of a multipart body the upload route could not take; null for other errors. */
function uploadRefusal(code: string | undefined, message: string | undefined): string | null {
  if (code === 'FST_FILES_LIMIT') return 'Only one file can be uploaded at a time.';
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') return 'The form sent more fields than it has.';
  // Busboy's words when the connection ends inside the body (the browser was stopped, the network dropped).
  if (message && /^Unexpected end of (form|multipart data)$/.test(message)) return 'The upload ended before the whole file arrived, so nothing was kept. Please send it again.';
  return null;
}

/**
 * True when a parsed query, params or form value holds U+0000: strings, in arrays and plain
 * records (multipart fields among them) to a small depth; streams and buffers are not text.
 */
function holdsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth >= 3 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => holdsNul(v, depth + 1));
  if (ArrayBuffer.isView(value) || typeof (value as { pipe?: unknown }).pipe === 'function') return false;
  return Object.values(value).some((v) => holdsNul(v, depth + 1));
}

export async function buildApp(opts: BuildOptions): Promise<FastifyInstance> {
  const fileLog = opts.logger ? null : openLog(opts.config.dataDir, 'openrem', 'web');
  const site: SiteInfo = { version: version() };
  const logger = opts.logger ?? fileLog!.logger;
  const app = Fastify({
    loggerInstance: logger,
    genReqId: () => randomBytes(6).toString('hex'),
    routerOptions: { ignoreTrailingSlash: true },
    trustProxy: opts.config.trustProxy,
    bodyLimit: FORM_BODY_LIMIT,
    // Too long an address, or a request that is not HTTP: a page, not the framework's JSON.
    clientErrorHandler: (err, socket) => answerUnreadableRequest(err, socket, { log: logger, site, headers: SECURITY_HEADERS }),
  });
  const ctx: AppContext = { app, db: opts.db, config: opts.config, site };

  if (fileLog) app.addHook('onClose', async () => fileLog.close());

  app.addHook('onSend', async (_request, reply) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
  });

  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  // Before any route: every route is checked for its access declaration as it is registered.
  installAccessControl(app, opts.db);

  // No field takes a NUL character, and PostgreSQL cannot store or compare one: refused here,
  // for every route and both engines alike.
  app.addHook('preValidation', async (request) => {
    if (holdsNul(request.query) || holdsNul(request.params) || holdsNul(request.body)) {
      throw new HttpError(400, 'Bad request', 'A value of this request holds a NUL character (U+0000), which no field accepts.');
    }
  });

  app.decorateRequest('modalitiesWithData', null);
  app.addHook('preHandler', async (request) => {
    if (!request.url.startsWith(STATIC_PREFIX) && !request.url.startsWith(API_PREFIX)) await loadNavigation(request, opts.db);
  });
  /** Error pages have the navigation too, also when the request was refused before its handler. */
  const errorPageContext = async (request: FastifyRequest) => {
    await loadNavigation(request, opts.db).catch((err: unknown) => request.log.warn({ err }, 'navigation not available'));
    return pageContext(site, request);
  };

  // Files are served by a route of our own so that it, too, declares its access.
  await app.register(fastifyStatic, { root: STATIC_ROOT, serve: false, maxAge: '1d', index: false });
  app.get<{ Params: { '*': string } }>(`${STATIC_PREFIX}*`, { config: { access: 'public' } }, (request, reply) => reply.sendFile(request.params['*']));

  registerAuthRoutes(ctx);
  registerUserRoutes(ctx);
  registerHomeRoutes(ctx);
  registerStudyRoutes(ctx);
  registerExportRoutes(ctx);
  registerStudyDeleteRoutes(ctx);
  registerSystemRoutes(ctx);
  registerSettingsRoutes(ctx);
  registerTaskRoutes(ctx);
  registerPtsizeRoutes(ctx);
  registerQuarantineRoutes(ctx);

  app.setNotFoundHandler(async (request, reply) =>
    sendPage(reply, h(ErrorPage, { ctx: await errorPageContext(request), status: 404, title: 'Not found', message: `There is no page at ${request.url.split('?')[0]}.` }), 404),
  );

  app.setErrorHandler(async (err, request, reply) => {
    const page = await errorPageContext(request);
    if (err instanceof QueryError) {
      return sendPage(
        reply,
        h(ErrorPage, { ctx: page, status: 400, title: 'Bad request', message: 'Some parameters of this address are not valid:', problems: err.problems }),
        400,
      );
    }
    if (err instanceof HttpError) return sendPage(reply, h(ErrorPage, { ctx: page, status: err.status, title: err.title, message: err.message }), err.status);
    const { code, message } = err as { code?: string; message?: string };
    if (code === BODY_TOO_LARGE) {
      request.log.warn({ contentLength: request.headers['content-length'], limit: FORM_BODY_LIMIT }, 'request body too large');
      return sendPage(reply, h(ErrorPage, { ctx: page, ...formTooLarge() }), 413);
    }
    const upload = uploadRefusal(code, message);
    if (upload) {
      request.log.info({ code, reason: message }, 'upload refused');
      return sendPage(reply, h(ErrorPage, { ctx: page, status: 400, title: 'Upload not accepted', message: upload }), 400);
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      request.log.info({ code, reason: message, status }, 'request not understood');
      return sendPage(reply, h(ErrorPage, { ctx: page, status, title: 'Bad request', message: 'The request could not be understood.' }), status);
    }
    request.log.error({ err }, 'request failed');
    return sendPage(
      reply,
      h(ErrorPage, {
        ctx: page,
        status: 500,
        title: 'Something went wrong',
        message: 'The page could not be produced. The error has been logged; please tell your administrator, with the reference below.',
        reference: String(request.id),
      }),
      500,
    );
  });

  return app;
}
