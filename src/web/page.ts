// What every page template gets besides its own data, and how a rendered page is sent.
// Sign-in, roles and CSRF tokens will join PageContext; templates already receive it.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { renderDocument, type SafeHtml } from './jsx.js';

export interface PageContext {
  version: string;
  /** The request path, for marking the current section in the navigation. */
  path: string;
}

export interface SiteInfo {
  version: string;
}

export function pageContext(site: SiteInfo, request: FastifyRequest): PageContext {
  return { version: site.version, path: request.url.split('?')[0] ?? '/' };
}

export function sendPage(reply: FastifyReply, page: SafeHtml, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(renderDocument(page));
}
