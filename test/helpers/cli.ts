// Running the built `openrem` command as a user would, against a test database: to its end,
// or left running (workers, servers) until the test stops or kills it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
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

/** `openrem ARGS` run to its end beside others (several importers, first starts at once). */
export function openremAsync(args: string[], env: Record<string, string>): Promise<CliResult> {
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, CI: 'true', NO_COLOR: '1', ...env };
  if (!env.DATABASE_URL) delete fullEnv.DATABASE_URL;
  const proc = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'openrem.js'), ...args], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => proc.on('close', (status) => resolve({ status, stdout, stderr })));
}

/** What long-running commands (serve, worker) print once they are ready. */
export const READY_LINE = 'Press Ctrl+C to stop.';

/** A command left running (a worker, a server) for a test to stop or kill. */
export interface RunningProcess {
  proc: ChildProcess;
  pid: number;
  /** What it has printed so far. */
  stdout: string;
  stderr: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `openrem ARGS` and waits until it says it is ready. `script` runs another entry point
 * taking the same arguments (the command with test task kinds registered).
 */
export async function startOpenrem(args: string[], env: Record<string, string>, script = join(PROJECT_ROOT, 'bin', 'openrem.js')): Promise<RunningProcess> {
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!env.DATABASE_URL) delete fullEnv.DATABASE_URL;
  const proc = spawn(process.execPath, [script, ...args], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const child: RunningProcess = {
    proc,
    pid: proc.pid!,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  proc.stdout!.on('data', (d: Buffer) => (child.stdout += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (child.stderr += d.toString()));
  const deadline = Date.now() + 15_000;
  while (!child.stdout.includes(READY_LINE)) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`openrem ${args.join(' ')} exited: ${child.stderr}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`openrem ${args.join(' ')} did not start: ${child.stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return child;
}

/** Stops it the way a service manager does (SIGTERM); resolves with how it exited. */
export function stopProcess(child: RunningProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  child.proc.kill('SIGTERM');
  return child.exited;
}

/** Kills those still running and waits for them to be gone (after each test). */
export async function killProcesses(children: RunningProcess[]): Promise<void> {
  for (const child of children.splice(0)) {
    if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
    await child.exited;
  }
}
