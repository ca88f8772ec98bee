#!/usr/bin/env node
// The whole test suite: type-check, build the CLI the tests drive, then every test on
// SQLite and PostgreSQL. PostgreSQL must answer (see README); set OPENREM_TEST_ENGINES=sqlite
// to run without it, which the summary line then states.
import { spawnSync } from 'node:child_process';
import net from 'node:net';

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env, shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function reachable(host, port) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: 2000 }, () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
    s.on('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

const engines = (process.env.OPENREM_TEST_ENGINES ?? 'sqlite,postgres').split(',').map((e) => e.trim());
if (engines.includes('postgres')) {
  const url = new URL(process.env.OPENREM_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  if (!(await reachable(url.hostname, Number(url.port || 5432)))) {
    console.error(`PostgreSQL is not answering at ${url.hostname}:${url.port || 5432}.`);
    console.error('Start it (see README), or run only the SQLite half with OPENREM_TEST_ENGINES=sqlite npm test.');
    process.exit(1);
  }
}
console.log(`test engines: ${engines.join(', ')}`);
run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
run('npm', ['run', '--silent', 'build']);
run('npx', ['vitest', 'run', ...process.argv.slice(2)]);
console.log(`all tests passed on: ${engines.join(', ')}`);
