// Site settings persisted in the database, so the server, workers and CLI share them.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { DEFAULT_SETTINGS, parseSettings, type SiteSettings } from './site.js';

const KEY = 'site';

export async function loadSettings(q: Kysely<Database>): Promise<SiteSettings> {
  const row = await q.selectFrom('setting').select('value').where('key', '=', KEY).executeTakeFirst();
  if (!row) return DEFAULT_SETTINGS;
  return parseSettings(JSON.parse(row.value));
}

export async function saveSettings(q: Kysely<Database>, settings: SiteSettings, now = new Date().toISOString()): Promise<void> {
  const value = JSON.stringify(settings);
  await q
    .insertInto('setting')
    .values({ key: KEY, value, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
    .execute();
}
