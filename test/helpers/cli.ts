// Running the built `openrem` command as a user would, against a test database.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from './corpus.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `input` is written to the command's standard input (which is otherwise empty). */
export function openrem(args: string[], env: Record<string, string>, input?: string): CliResult {
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, CI: 'true', NO_COLOR: '1', ...env };
  if (!env.DATABASE_URL) delete fullEnv.DATABASE_URL;
  const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'openrem.js'), ...args], { env: fullEnv, encoding: 'utf8', maxBuffer: 1 << 26, input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
