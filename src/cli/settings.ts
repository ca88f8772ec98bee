import { readFile } from 'node:fs/promises';
import { parseSettings } from '../settings/site.js';
import { loadSettings, saveSettings } from '../settings/store.js';
import { withDatabase } from './context.js';
import { USAGE_ERROR } from './main.js';

export async function runSettings(args: string[]): Promise<number> {
  const [action, file] = args;
  if (action === 'show' && !file) {
    return withDatabase(async (db) => {
      console.log(JSON.stringify(await loadSettings(db.kysely), null, 2));
      return 0;
    });
  }
  if (action === 'load' && file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      console.error(`openrem settings: cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(err)}`);
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
  console.error('Usage: openrem settings load FILE | openrem settings show');
  return USAGE_ERROR;
}
