// The server's log: JSON lines (pino) in the data folder's logs/, where administrators look.
// Written synchronously: a web interface logs little, and the lines before a crash are the
// ones that matter.
import { join } from 'node:path';
import { pino, type Logger } from 'pino';

export const LOG_FILE = 'openrem.log';

export function logDirectory(dataDir: string): string {
  return join(dataDir, 'logs');
}

export interface FileLog {
  logger: Logger;
  close(): void;
}

export function openFileLog(dataDir: string, level: string = process.env.OPENREM_LOG_LEVEL ?? 'info'): FileLog {
  const destination = pino.destination({ dest: join(logDirectory(dataDir), LOG_FILE), mkdir: true, sync: true });
  return { logger: pino({ level, base: { service: 'web' } }, destination), close: () => destination.end() };
}
