// Retrying the quarantine as a background task (the quarantine page's "retry"): every
// quarantined file is imported again; those that now import leave the quarantine.
import { z } from 'zod';
import { loadSettings } from '../settings/store.js';
import { defineTaskKind } from '../tasks/index.js';
import type { FileStatus } from './import-file.js';
import { quarantinedFiles, retryQuarantined } from './retry-quarantine.js';

/** Results listed in the task's result; the rest are counted only (the general log has them all). */
const LISTED = 100;

export interface RetryQuarantineResult {
  files: number;
  counts: Record<FileStatus, number>;
  /** The first LISTED files: name (without folder), outcome and reason. */
  results: { file: string; status: FileStatus; message: string }[];
}

export const retryQuarantineTask = defineTaskKind({
  name: 'quarantine.retry',
  title: 'Retry quarantined files',
  params: z.object({}),
  // Running it again is safe: files that imported have left the quarantine.
  retry: true,
  async run(_params, ctx): Promise<RetryQuarantineResult> {
    const settings = await loadSettings(ctx.db.kysely);
    const total = (await quarantinedFiles(ctx.dataDir)).length;
    const out: RetryQuarantineResult = { files: 0, counts: { imported: 0, merged: 0, duplicate: 0, 'not-dose': 0, failed: 0 }, results: [] };
    ctx.progress(total ? 0 : 1, `${total} quarantined file${total === 1 ? '' : 's'}`);
    await retryQuarantined(ctx.db, settings, ctx.dataDir, ctx.log, (r) => {
      out.files++;
      out.counts[r.status]++;
      if (out.results.length < LISTED) out.results.push({ file: r.file.split(/[\\/]/).pop() ?? r.file, status: r.status, message: r.message });
      ctx.progress(total ? out.files / total : 1, `${out.files} of ${total} files retried, ${out.counts.failed} still failing`);
      // Stops between files: each file retried so far is settled (imported, or back in quarantine with its note).
      ctx.signal.throwIfAborted();
    });
    return out;
  },
});
