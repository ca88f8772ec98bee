// Log files as OpenREM admins know them, under <data dir>/logs: openrem.log (general: imports,
// web), store.log (DICOM Store SCP) and qr.log (query-retrieve). JSON lines (pino), written
// synchronously: little is logged, and the lines before a crash are the ones that matter.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';

export type LogName = 'openrem' | 'store' | 'qr';

export function logDirectory(dataDir: string): string {
  return join(dataDir, 'logs');
}

export function logFile(dataDir: string, name: LogName = 'openrem'): string {
  return join(logDirectory(dataDir), `${name}.log`);
}

export interface FileLog {
  logger: Logger;
  close(): void;
}

export function openLog(dataDir: string, name: LogName = 'openrem', service = 'cli'): FileLog {
  const destination = pino.destination({ dest: logFile(dataDir, name), mkdir: true, sync: true });
  // Several processes (a server, workers, imports; on several machines) may share one log.
  const logger = pino({ level: process.env.OPENREM_LOG_LEVEL ?? 'info', base: { service, pid: process.pid, host: hostname() } }, destination);
  return { logger, close: () => destination.end() };
}
