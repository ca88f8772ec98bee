// The cookies sign-in uses: HttpOnly (no script reads them), SameSite=Lax (not sent on
// cross-site form posts), Secure when the page came over https.
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { newToken } from '../../auth/sessions.js';

export const SESSION_COOKIE = 'openrem_session';
/** Before sign-in, the sign-in form's CSRF token is bound to the browser by this cookie. */
export const CSRF_COOKIE = 'openrem_csrf';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function cookieOptions(request: FastifyRequest): CookieSerializeOptions {
  return { path: '/', httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https' };
}

/** A token-shaped cookie value, or null: anything else is not ours and is ignored. */
export function tokenCookie(request: FastifyRequest, name: string): string | null {
  const value = request.cookies[name];
  return value && TOKEN.test(value) ? value : null;
}

/** Gives an anonymous browser a CSRF token (kept in a cookie) for the forms it is shown. */
export function ensureAnonymousCsrf(request: FastifyRequest, reply: FastifyReply): void {
  if (request.user) return;
  let token = tokenCookie(request, CSRF_COOKIE);
  if (!token) {
    token = newToken();
    reply.setCookie(CSRF_COOKIE, token, cookieOptions(request));
  }
  request.csrfToken = token;
}
