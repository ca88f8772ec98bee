// Access control for every route, in one place. Each route declares
// `config: { access: 'public' | 'login' | Role }`; a route without it stops the app from
// starting. Requests are matched to their session here, refused here when the user may not
// use the route, and every state-changing request must carry the session's CSRF token.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isAccess, ROLE_DESCRIPTIONS, type Access } from '../../auth/roles.js';
import { DEFAULT_SESSION_POLICY, findSession, type SessionPolicy } from '../../auth/sessions.js';
import type { AuthUser } from '../../auth/users.js';
import type { Db } from '../../db/connect.js';
import { HttpError } from '../errors.js';
import { cookieOptions, CSRF_COOKIE, SESSION_COOKIE, tokenCookie } from './cookies.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may use the route; required on every route (checked when it is registered). */
    access?: Access;
  }
  interface FastifyRequest {
    /** The signed-in user, or null. */
    user: AuthUser | null;
    /** The token state-changing requests must carry (the session's, or the sign-in form's). */
    csrfToken: string;
    /** SHA-256 of the session token, when signed in. */
    sessionHash: string | null;
  }
}

/** Routes under this prefix answer in JSON: 401/403 instead of a redirect or an error page. */
export const API_PREFIX = '/api/';
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface RouteAccess {
  method: string;
  url: string;
  access: Access;
}

const routeTables = new WeakMap<FastifyInstance, RouteAccess[]>();

/** Every route registered so far with the access it declares (for tests and documentation). */
export function routeTable(app: FastifyInstance): readonly RouteAccess[] {
  return routeTables.get(app) ?? [];
}

function isApi(request: FastifyRequest): boolean {
  return request.url.startsWith(API_PREFIX);
}

/** The sign-in page, returning to `url` afterwards. */
export function loginUrl(url?: string): string {
  return url && url !== '/' ? `/login?next=${encodeURIComponent(url)}` : '/login';
}

function csrfFromRequest(request: FastifyRequest): string | null {
  const header = request.headers[CSRF_HEADER];
  if (typeof header === 'string' && header) return header;
  const body = request.body;
  if (body && typeof body === 'object') {
    const field: unknown = (body as Record<string, unknown>)[CSRF_FIELD];
    if (typeof field === 'string') return field;
    // Multipart forms parsed with attachFieldsToBody give each field as { value }.
    if (field && typeof field === 'object' && typeof (field as { value?: unknown }).value === 'string') return (field as { value: string }).value;
  }
  return null;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function installAccessControl(app: FastifyInstance, db: Db, policy: SessionPolicy = DEFAULT_SESSION_POLICY): void {
  const routes: RouteAccess[] = [];
  routeTables.set(app, routes);
  app.decorateRequest('user', null);
  app.decorateRequest('csrfToken', '');
  app.decorateRequest('sessionHash', null);

  app.addHook('onRoute', (route) => {
    const access: unknown = route.config?.access;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!isAccess(access)) {
      throw new Error(
        `route ${methods.join(',')} ${route.url} must declare who may use it with config: { access: 'public' | 'login' | a role }` +
          (access === undefined ? '' : ` (got ${JSON.stringify(access)})`),
      );
    }
    for (const method of methods) routes.push({ method, url: route.url, access });
  });

  app.addHook('onRequest', async (request, reply) => {
    const token = tokenCookie(request, SESSION_COOKIE);
    if (token) {
      const session = await findSession(db.kysely, token, { policy });
      if (session) {
        request.user = session.user;
        request.csrfToken = session.csrfToken;
        request.sessionHash = session.tokenHash;
      } else {
        reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
      }
    }
    // Unknown addresses have no access of their own: they reach the not-found page.
    const access = request.routeOptions.config.access;
    if (access === undefined || access === 'public') return;
    if (!request.user) {
      if (isApi(request)) return reply.code(401).send({ error: 'sign-in required' });
      const back = request.method === 'GET' || request.method === 'HEAD' ? request.url : undefined;
      return reply.redirect(loginUrl(back), back ? 302 : 303);
    }
    if (access !== 'login' && !request.user.hasRole(access)) {
      if (isApi(request)) return reply.code(403).send({ error: `the ${access} role is needed` });
      throw new HttpError(
        403,
        'Not allowed',
        `Your account does not have the ${access} role this page needs (${ROLE_DESCRIPTIONS[access]}). Ask an administrator if you need it.`,
      );
    }
  });

  app.addHook('preHandler', async (request, reply) => {
    if (!STATE_CHANGING.has(request.method)) return;
    const expected = request.user ? request.csrfToken : tokenCookie(request, CSRF_COOKIE);
    const given = csrfFromRequest(request);
    if (expected && given && sameToken(expected, given)) return;
    if (isApi(request)) return reply.code(403).send({ error: `missing or wrong CSRF token (send it in the ${CSRF_HEADER} header)` });
    throw new HttpError(403, 'Form expired', 'This form has expired or did not come from this site. Go back, reload the page and try again.');
  });
}

/** The signed-in user of a route that requires one (the access check has run). */
export function currentUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw new HttpError(401, 'Sign-in required', 'Please sign in.');
  return request.user;
}
