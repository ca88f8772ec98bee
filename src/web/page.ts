// What every page template gets besides its own data, and how a rendered page is sent.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Access } from '../auth/roles.js';
import type { AuthUser } from '../auth/users.js';
import type { Db } from '../db/connect.js';
import { modalitiesWithData } from '../query/systems.js';
import type { Modality } from '../report/types.js';
import { renderDocument, type SafeHtml } from './jsx.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The modalities with studies, for the navigation of users who see studies; null until looked up. */
    modalitiesWithData: readonly Modality[] | null;
  }
}

export interface PageContext {
  version: string;
  /** The request path, for marking the current section in the navigation. */
  path: string;
  /** The signed-in user (templates show only what they may use), or null. */
  user: AuthUser | null;
  /** For the hidden `_csrf` field of every form that changes something. */
  csrfToken: string;
  /** The modalities that have studies (the navigation leaves out the others). */
  modalities: readonly Modality[];
}

export interface SiteInfo {
  version: string;
}

export function pageContext(site: SiteInfo, request: FastifyRequest): PageContext {
  return {
    version: site.version,
    path: request.url.split('?')[0] ?? '/',
    user: request.user,
    csrfToken: request.csrfToken,
    modalities: request.modalitiesWithData ?? [],
  };
}

/**
 * Looks up what the navigation shows, once per request: the modalities with studies, for a
 * user who may see studies (a small table, read in well under a millisecond).
 */
export async function loadNavigation(request: FastifyRequest, db: Db): Promise<void> {
  if (request.modalitiesWithData !== null || !request.user?.hasRole('view')) return;
  request.modalitiesWithData = await modalitiesWithData(db.kysely);
}

/**
 * The first page a user may open: the home page (studies) for anyone who sees studies, else
 * their account (a user without roles). Signing in leads there, and so do the brand link and
 * the way back from an error page, so neither leads to a page the user is refused.
 */
export function landingPath(user: AuthUser | null): string {
  return !user || user.hasRole('view') ? '/' : '/account/password';
}

/** Whether the page's user may use something that needs `access` (for links and buttons). */
export function may(ctx: PageContext, access: Access): boolean {
  if (access === 'public') return true;
  if (!ctx.user) return false;
  return access === 'login' || ctx.user.hasRole(access);
}

export function sendPage(reply: FastifyReply, page: SafeHtml, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(renderDocument(page));
}
