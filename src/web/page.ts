// What every page template gets besides its own data, and how a rendered page is sent.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Access } from '../auth/roles.js';
import type { AuthUser } from '../auth/users.js';
import { renderDocument, type SafeHtml } from './jsx.js';

export interface PageContext {
  version: string;
  /** The request path, for marking the current section in the navigation. */
  path: string;
  /** The signed-in user (templates show only what they may use), or null. */
  user: AuthUser | null;
  /** For the hidden `_csrf` field of every form that changes something. */
  csrfToken: string;
}

export interface SiteInfo {
  version: string;
}

export function pageContext(site: SiteInfo, request: FastifyRequest): PageContext {
  return { version: site.version, path: request.url.split('?')[0] ?? '/', user: request.user, csrfToken: request.csrfToken };
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
