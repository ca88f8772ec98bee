// Log files as OpenREM admins know them: general, store (DICOM Store SCP) and query-retrieve,
// under <data dir>/logs. Pino writes them asynchronously; call flushLogs() before exiting.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';

export type LogName = 'openrem' | 'store' | 'qr';

const loggers = new Map<string, Logger>();
const destinations: ReturnType<typeof pino.destination>[] = [];

export function getLogger(dataDir: string, name: LogName = 'openrem'): Logger {
  const key = `${dataDir}\0${name}`;
  let logger = loggers.get(key);
  if (!logger) {
    const dir = join(dataDir, 'logs');
    mkdirSync(dir, { recursive: true });
    const dest = pino.destination({ dest: join(dir, `${name}.log`), sync: false, mkdir: true });
    destinations.push(dest);
    logger = pino({ level: process.env.OPENREM_LOG_LEVEL ?? 'info', base: { log: name } }, dest);
    loggers.set(key, logger);
  }
  return logger;
}

export function flushLogs(): void {
  for (const d of destinations) {
    try {
      d.flushSync();
    } catch {
      // A destination not yet open has nothing to flush.
    }
  }
}
