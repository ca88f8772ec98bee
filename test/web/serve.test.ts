// `openrem serve`: where it listens, and one clear line when it cannot.
import { createServer, type Server } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/config.js';
import { buildApp } from '../../src/web/app.js';
import { DEFAULT_HOST, DEFAULT_PORT, listen, ListenError, parseServeArgs, ServeUsageError, urlFor, urlsFor } from '../../src/web/server.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { signIn } from '../helpers/web.js';

describe('serve options', () => {
  it('defaults to every interface on port 8000 (every page needs signing in), then the environment, then the command line', () => {
    expect(parseServeArgs([], {})).toEqual({ host: DEFAULT_HOST, port: DEFAULT_PORT });
    expect(DEFAULT_HOST).toBe('0.0.0.0');
    expect(DEFAULT_PORT).toBe(8000);
    expect(parseServeArgs([], { OPENREM_HOST: '0.0.0.0', OPENREM_PORT: '9000' })).toEqual({ host: '0.0.0.0', port: 9000 });
    expect(parseServeArgs(['--host', '::1', '--port=8080'], { OPENREM_PORT: '9000' })).toEqual({ host: '::1', port: 8080 });
  });

  it('refuses bad ports and unknown options with a usage error', () => {
    expect(() => parseServeArgs(['--port', '70000'], {})).toThrow(new ServeUsageError('--port must be a port number from 0 to 65535 (got "70000")'));
    expect(() => parseServeArgs([], { OPENREM_PORT: 'http' })).toThrow('OPENREM_PORT must be a port number from 0 to 65535 (got "http")');
    expect(() => parseServeArgs(['--port'], {})).toThrow('--port needs a value');
    expect(() => parseServeArgs(['--verbose'], {})).toThrow('unknown option --verbose');
  });

  it('shows IPv6 hosts in brackets', () => {
    expect(urlFor('::1', 8000)).toBe('http://[::1]:8000/');
    expect(urlFor('127.0.0.1', 8000)).toBe('http://127.0.0.1:8000/');
  });

  it('lists a URL for each address of the machine when listening on every interface', () => {
    const interfaces = {
      lo: [
        { address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' },
        { address: '::1', netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', family: 'IPv6' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '::1/128', scopeid: 0 },
      ],
      eth0: [
        { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6' as const, mac: '02:00:00:00:00:01', internal: false, cidr: 'fe80::1/64', scopeid: 2 },
        { address: '2001:db8::5', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6' as const, mac: '02:00:00:00:00:01', internal: false, cidr: '2001:db8::5/64', scopeid: 0 },
        { address: '192.0.2.10', netmask: '255.255.255.0', family: 'IPv4' as const, mac: '02:00:00:00:00:01', internal: false, cidr: '192.0.2.10/24' },
      ],
    };
    expect(urlsFor('0.0.0.0', 8000, interfaces)).toEqual(['http://127.0.0.1:8000/', 'http://192.0.2.10:8000/']);
    expect(urlsFor('::', 8000, interfaces)).toEqual(['http://127.0.0.1:8000/', 'http://[::1]:8000/', 'http://192.0.2.10:8000/', 'http://[2001:db8::5]:8000/']);
    expect(urlsFor('127.0.0.1', 8000, interfaces)).toEqual(['http://127.0.0.1:8000/']);
  });
});

describe('listening', () => {
  let t: TestDb;
  let blocker: Server;
  let busyPort: number;
  const apps: FastifyInstance[] = [];
  const newApp = async () => {
    const app = await buildApp({ db: t.db, config: configFromEnv(t.env) });
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    t = await createTestDb('sqlite');
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    busyPort = (blocker.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await new Promise((resolve) => blocker.close(resolve));
    await t.cleanup();
  });

  it('listens on a free port: the sign-in page first, the home page once signed in', async () => {
    const app = await newApp();
    const url = await listen(app, { host: '127.0.0.1', port: 0 });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const anonymous = await fetch(url, { redirect: 'manual' });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toBe('/login');
    const res = await fetch(url, { headers: { cookie: (await signIn(t.db, { roles: ['view'] })).cookie } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<h1>Studies by system</h1>');
  });

  it('on every interface, answers on this machine’s own address', async () => {
    const url = await listen(await newApp(), { host: '0.0.0.0', port: 0 });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await fetch(`${url}login`)).status).toBe(200);
  });

  it('says in one line that a port is in use', async () => {
    const err = await listen(await newApp(), { host: '127.0.0.1', port: busyPort }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ListenError);
    expect((err as Error).message).toBe(`port ${busyPort} on 127.0.0.1 is already in use (is OpenREM already running?); choose another with --port`);
  });

  it('says in one line that a host is not usable', async () => {
    const unknown = await listen(await newApp(), { host: 'no-such-host.invalid', port: 0 }).catch((e: unknown) => e);
    expect((unknown as Error).message).toBe('host "no-such-host.invalid" is not a known name or address; use --host with an address of this machine');
    const foreign = await listen(await newApp(), { host: '192.0.2.1', port: 0 }).catch((e: unknown) => e);
    expect((foreign as Error).message).toBe('192.0.2.1 is not an address of this machine; use --host with one of its addresses, or 0.0.0.0 for all');
  });
});
