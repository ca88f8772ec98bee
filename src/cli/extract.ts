import { readDicomFile, NotDicomError } from '../dicom/read.js';
import { extractFromDataset } from '../extract/index.js';
import { USAGE_ERROR } from './main.js';
import { writeLine } from './output.js';
import { expandPaths } from './paths.js';

export async function runExtract(args: string[]): Promise<number> {
  const paths = args.filter((a) => a !== '--json');
  if (!args.includes('--json') || paths.length === 0) {
    console.error('Usage: openrem extract --json PATH...');
    return USAGE_ERROR;
  }
  let failed = 0;
  for await (const item of expandPaths(paths)) {
    if (!('file' in item)) {
      failed++;
      await writeLine(JSON.stringify({ file: item.missing, ok: false, error: item.reason }));
      continue;
    }
    let out: object;
    try {
      const outcome = extractFromDataset(await readDicomFile(item.file));
      if (outcome.status === 'report') out = { file: item.file, ok: true, report: outcome.report };
      else out = { file: item.file, ok: false, error: outcome.reason, notDose: outcome.status === 'not-dose' };
    } catch (err) {
      out = { file: item.file, ok: false, error: err instanceof NotDicomError ? err.message : `cannot read file: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (!(out as { ok: boolean }).ok && !(out as { notDose?: boolean }).notDose) failed++;
    await writeLine(JSON.stringify(out));
  }
  return failed > 0 ? 1 : 0;
}
