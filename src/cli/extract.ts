import { DamagedDicomError, NotDicomError, readDicomFile } from '../dicom/read.js';
import { extractFromDataset } from '../extract/index.js';
import { parseArgs, usageFailure, UsageError } from './args.js';
import { writeLine } from './output.js';
import { expandPaths } from './paths.js';

const USAGE = 'openrem extract --json PATH...';

function parseExtractArgs(args: readonly string[]): string[] {
  const { positional: paths, options } = parseArgs(args, [], ['json']);
  // JSON Lines is the only output: asking for it keeps room for a readable format later.
  if (!options.has('json')) throw new UsageError('--json is required (each report is printed as one line of JSON)');
  if (paths.length === 0) throw new UsageError('give the files or folders to read');
  return paths;
}

export async function runExtract(args: string[]): Promise<number> {
  let paths: string[];
  try {
    paths = parseExtractArgs(args);
  } catch (err) {
    if (err instanceof UsageError) return usageFailure('extract', err, USAGE);
    throw err;
  }
  let failed = 0;
  for await (const item of expandPaths(paths)) {
    if (!('file' in item)) {
      failed++;
      await writeLine(JSON.stringify({ file: item.failed, ok: false, error: item.reason }));
      continue;
    }
    let out: object;
    try {
      const outcome = extractFromDataset(await readDicomFile(item.file));
      if (outcome.status === 'report') out = { file: item.file, ok: true, report: outcome.report };
      else out = { file: item.file, ok: false, error: outcome.reason, notDose: outcome.status === 'not-dose' };
    } catch (err) {
      out = { file: item.file, ok: false, error: err instanceof NotDicomError || err instanceof DamagedDicomError ? err.message : `cannot read file: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (!(out as { ok: boolean }).ok && !(out as { notDose?: boolean }).notDose) failed++;
    await writeLine(JSON.stringify(out));
  }
  return failed > 0 ? 1 : 0;
}
