// Requests refused before any route reads them: too large, or not HTTP the server can read.
// The person gets a page saying what happened and what to do (not the web framework's JSON),
// and the log gets the reason.
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { h, renderDocument } from './jsx.js';
import type { PageContext, SiteInfo } from './page.js';
import { ErrorPage } from './views/error.js';

/** The largest request body a form may send (fastify's default, stated so refusals can name it). */
export const FORM_BODY_LIMIT = 1024 * 1024;

/** The error code of a request body over the limit. */
export const BODY_TOO_LARGE = 'FST_ERR_CTP_BODY_TOO_LARGE';

export function byteSize(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / 1024 / 1024} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

export interface Refusal {
  status: number;
  title: string;
  message: string;
}

/** A form (or other request body) larger than FORM_BODY_LIMIT. */
export function formTooLarge(): Refusal {
  return {
    status: 413,
    title: 'Request too large',
    message: `What was sent is larger than ${byteSize(FORM_BODY_LIMIT)}, the most a form on this site may send, so it was not read and nothing was changed. Go back and send less (shorter text in the fields).`,
  };
}

/** What to tell the person whose request the server could not read at all. */
export function unreadableRequest(code: string | undefined): Refusal {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return {
      status: 431,
      title: 'Request too large',
      message: `The address of the page, with the rest of the request's headers, is larger than the ${byteSize(maxHeaderSize)} the server reads, so it was not read. This happens with very long filter values in an address: shorten them, or clear the filters and start again.`,
    };
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, title: 'Request timed out', message: 'The request did not arrive in time. Try again.' };
  return { status: 400, title: 'Bad request', message: 'The request could not be read. Try again, or go back to the home page.' };
}

function anonymousContext(site: SiteInfo): PageContext {
  return { version: site.version, path: '/', user: null, csrfToken: '', modalities: [] };
}

/**
 * For fastify's clientErrorHandler: answers a request the HTTP parser refused (too long an
 * address, malformed) with an error page, and logs why. No route, session or user exists yet.
 */
export function answerUnreadableRequest(
  err: NodeJS.ErrnoException & { bytesParsed?: number },
  socket: Socket,
  opts: { log: FastifyBaseLogger; site: SiteInfo; headers: Readonly<Record<string, string>> },
): void {
  // A reset connection has nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const refusal = unreadableRequest(err.code);
  opts.log.warn({ code: err.code, reason: err.message, bytesParsed: err.bytesParsed, remoteAddress: socket.remoteAddress, status: refusal.status }, 'request refused before it was read');
  if (socket.writable) {
    const body = renderDocument(h(ErrorPage, { ctx: anonymousContext(opts.site), ...refusal }));
    const headers = {
      ...opts.headers,
      'content-type': 'text/html; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    };
    const head = Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\r\n');
    socket.write(`HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ''}\r\n${head}\r\n\r\n${body}`);
  }
  socket.destroy(err);
}
