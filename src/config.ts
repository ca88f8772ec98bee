// Process configuration from the environment: where data lives, which database to use, and
// which reverse proxies the web server believes.
import { isIP } from 'node:net';
import { resolve } from 'node:path';

/**
 * Whose X-Forwarded-For / X-Forwarded-Proto headers count: nobody's (false), any sender's
 * (true: only when nothing but the proxy can reach the server), or the proxies at these
 * addresses, ranges (10.0.0.0/8) and named groups (loopback, linklocal, uniquelocal).
 */
export type TrustProxy = boolean | string[];

export interface AppConfig {
  /** Embedded database, media (exports, quarantine) and logs live here. */
  dataDir: string;
  /** postgres://… to use PostgreSQL instead of the embedded database. */
  databaseUrl: string | undefined;
  /** PostgreSQL schema (lets tests and several sites share one server). */
  pgSchema: string | undefined;
  /**
   * Behind a trusted proxy the client's address (sign-in rate limits, audit log) and whether
   * it used https (Secure cookies) come from the proxy's headers.
   */
  trustProxy: TrustProxy;
  /**
   * Worker threads that read and extract files for a bulk import (0: the main thread does it
   * all); undefined picks one per core but one, at most four.
   */
  importThreads: number | undefined;
}

const PROXY_GROUPS = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(entry: string): boolean {
  if (PROXY_GROUPS.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** OPENREM_TRUST_PROXY: empty or false, true, or a comma-separated list of proxy addresses. */
export function parseTrustProxy(text: string | undefined): TrustProxy {
  const value = text?.trim().toLowerCase() ?? '';
  if (value === '' || value === 'false' || value === 'no') return false;
  if (value === 'true' || value === 'yes') return true;
  const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
  const bad = entries.filter((e) => !isProxyAddress(e));
  if (bad.length || entries.length === 0) {
    throw new Error(
      `OPENREM_TRUST_PROXY must be true, false, or the addresses of the reverse proxies separated by commas (e.g. 127.0.0.1,10.0.0.0/8); "${bad.join(',') || text}" is none of these`,
    );
  }
  return entries;
}

/** OPENREM_IMPORT_THREADS: a whole number from 0 to 64, or empty for the default. */
export function parseImportThreads(text: string | undefined): number | undefined {
  const value = text?.trim() ?? '';
  if (value === '') return undefined;
  if (!/^\d{1,2}$/.test(value) || Number(value) > 64) throw new Error(`OPENREM_IMPORT_THREADS must be a whole number from 0 to 64 (0: no worker threads); "${value}" is not`);
  return Number(value);
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const url = env.DATABASE_URL?.trim();
  if (url && !/^postgres(ql)?:\/\//.test(url)) {
    throw new Error(`DATABASE_URL must start with postgres:// (got "${url.split('@').pop()}"); unset it to use the embedded database`);
  }
  return {
    dataDir: resolve(env.OPENREM_DATA_DIR?.trim() || 'data'),
    databaseUrl: url || undefined,
    pgSchema: env.OPENREM_PG_SCHEMA?.trim() || undefined,
    trustProxy: parseTrustProxy(env.OPENREM_TRUST_PROXY),
    importThreads: parseImportThreads(env.OPENREM_IMPORT_THREADS),
  };
}
