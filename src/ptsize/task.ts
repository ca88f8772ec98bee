// The background task that runs an uploaded patient size import (queued by the web pages once
// its columns are chosen). Not run again after a crash: rows done before it would be logged as
// kept instead of updated; the import is marked failed and can be uploaded again.
import { z } from 'zod';
import { defineTaskKind } from '../tasks/index.js';
import { describeCounts, runSizeImport } from './run-import.js';
import { getSizeImport, settleWithTask, type SizeImportCounts } from './store.js';
import { removeUpload, uploadFile } from './uploads.js';

export const sizeImportTask = defineTaskKind({
  name: 'ptsize.import',
  title: 'Patient size import',
  params: z.object({ importId: z.number().int().positive() }),
  async run(params, ctx): Promise<SizeImportCounts & { importId: number }> {
    const imp = await getSizeImport(ctx.db, params.importId);
    if (!imp) throw new Error(`patient size import ${params.importId} no longer exists`);
    if (!imp.mapping) throw new Error('the columns to import were not chosen');
    try {
      const file = imp.uploadPath === null ? null : uploadFile(ctx.dataDir, imp.uploadPath);
      if (!file) throw new Error('the uploaded file is no longer there; upload it again');
      ctx.progress(0, 'reading the file');
      const counts = await runSizeImport(ctx.db, imp.id, file, imp.mapping, {
        signal: ctx.signal,
        onProgress: (p) => ctx.progress(p.fraction, describeCounts(p.counts)),
      });
      ctx.progress(1, describeCounts(counts));
      return { importId: imp.id, ...counts };
    } finally {
      await removeUpload(ctx.db, ctx.dataDir, imp);
    }
  },
  // Its worker died: the import takes the task's end and reason, and its file (patient
  // identifiers) is deleted now rather than at the next upload.
  async abandoned(task) {
    const imp = await getSizeImport(task.db, task.params.importId);
    if (!imp) return;
    await settleWithTask(task.db, imp);
    await removeUpload(task.db, task.dataDir, imp);
  },
});
