// Listening for `openrem serve`: where to listen (options, environment, defaults) and the
// reasons a server cannot start, each as one line a user can act on.
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { FastifyInstance } from 'fastify';

/** Every page needs signing in, so the server can be reached from other machines by default. */
export const DEFAULT_HOST = '0.0.0.0';
export const DEFAULT_PORT = 8000;

export interface ListenOptions {
  host: string;
  port: number;
}

/** A command-line or environment value that cannot be used. */
export class ServeUsageError extends Error {}

/** The server could not start listening; the message says why in one line. */
export class ListenError extends Error {}

function parsePort(text: string, source: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new ServeUsageError(`${source} must be a port number from 0 to 65535 (got "${text}")`);
  return Number(text);
}

/** `--host H --port P` (or `--host=H`), else OPENREM_HOST / OPENREM_PORT, else the defaults. */
export function parseServeArgs(args: readonly string[], env: NodeJS.ProcessEnv = process.env): ListenOptions {
  let host = env.OPENREM_HOST?.trim() || DEFAULT_HOST;
  let port = env.OPENREM_PORT?.trim() ? parsePort(env.OPENREM_PORT.trim(), 'OPENREM_PORT') : DEFAULT_PORT;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (name !== '--host' && name !== '--port') throw new ServeUsageError(arg.startsWith('-') ? `unknown option ${arg}` : `unexpected argument "${arg}"`);
    const value = inline ?? args[++i];
    if (value === undefined || value === '') throw new ServeUsageError(`${name} needs a value`);
    if (name === '--host') host = value;
    else port = parsePort(value, '--port');
  }
  return { host, port };
}

function describeListenFailure(err: NodeJS.ErrnoException, { host, port }: ListenOptions): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is already in use (is OpenREM already running?); choose another with --port`;
    case 'EACCES':
      return `not allowed to listen on port ${port} (ports below 1024 need administrator rights); choose another with --port`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine; use --host with one of its addresses, or 0.0.0.0 for all`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `host "${host}" is not a known name or address; use --host with an address of this machine`;
    default:
      return `cannot listen on ${host}:${port}: ${err.message}`;
  }
}

/** The URL a browser uses for a listening address. */
export function urlFor(host: string, port: number): string {
  const shown = host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}/`;
}

/** Whether a host means every interface of the machine. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/**
 * The URLs a browser can use for a server on `host`: for every interface, one per address of
 * the machine (this machine's first, IPv4 before IPv6, link-local addresses left out).
 */
export function urlsFor(host: string, port: number, interfaces = networkInterfaces()): string[] {
  if (!isWildcardHost(host)) return [urlFor(host, port)];
  const ipv6 = host !== '0.0.0.0';
  const addresses = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((a) => (a.family === 'IPv4' || ipv6) && !a.address.startsWith('fe80:'))
    .sort((a, b) => Number(b.internal) - Number(a.internal) || (a.family === b.family ? 0 : a.family === 'IPv4' ? -1 : 1));
  const urls = [...new Set(addresses.map((a) => urlFor(a.address, port)))];
  return urls.length ? urls : [urlFor(ipv6 ? '::1' : '127.0.0.1', port)];
}

/**
 * Starts listening; returns the server's URL (with the real port when 0 asked for any; this
 * machine's own address when listening on every interface).
 */
export async function listen(app: FastifyInstance, opts: ListenOptions): Promise<string> {
  try {
    await app.listen({ host: opts.host, port: opts.port });
  } catch (err) {
    throw new ListenError(describeListenFailure(err as NodeJS.ErrnoException, opts));
  }
  const address = app.server.address() as AddressInfo;
  return urlsFor(opts.host, address.port)[0]!;
}
