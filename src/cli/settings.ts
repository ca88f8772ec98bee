import { readFile } from 'node:fs/promises';
import { ioReason } from '../io-errors.js';
import { parseSettings } from '../settings/site.js';
import { loadSettings, saveSettings } from '../settings/store.js';
import { withDatabase } from './context.js';
import { atMost, parseArgs, usageFailure, UsageError } from './args.js';

const USAGE = 'openrem settings load FILE | openrem settings show';

/** The action and, for load, the file; anything more is refused by name. */
function parseSettingsArgs(args: readonly string[]): { action: 'show' } | { action: 'load'; file: string } {
  const { positional } = parseArgs(args, [], []);
  const [action, file] = positional;
  if (action === 'show') {
    atMost(positional, 1);
    return { action };
  }
  if (action === 'load') {
    if (file === undefined) throw new UsageError('give the settings file to load');
    atMost(positional, 2);
    return { action, file };
  }
  throw new UsageError(action === undefined ? 'an action is needed: load or show' : `unknown action "${action}" (load or show)`);
}

export async function runSettings(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseSettingsArgs>;
  try {
    parsed = parseSettingsArgs(args);
  } catch (err) {
    if (err instanceof UsageError) return usageFailure('settings', err, USAGE);
    throw err;
  }
  if (parsed.action === 'show') {
    return withDatabase(async (db) => {
      console.log(JSON.stringify(await loadSettings(db.kysely), null, 2));
      return 0;
    });
  }
  const { file } = parsed;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    console.error(`openrem settings: cannot read ${file}: ${ioReason(err)}`);
    return 1;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    console.error(`openrem settings: ${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  return withDatabase(async (db) => {
    let settings;
    try {
      settings = parseSettings(json, await loadSettings(db.kysely));
    } catch (err) {
      console.error(`openrem settings: ${file}: ${err instanceof Error ? err.message : String(err)}`);
      return 1;
    }
    await saveSettings(db.kysely, settings);
    console.log(`settings loaded from ${file}`);
    return 0;
  });
}
