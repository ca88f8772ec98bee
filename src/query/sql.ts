// The few SQL fragments whose spelling must be chosen so SQLite and PostgreSQL give the same
// answers: case-insensitive "contains" and text ordering. Values are always bound parameters.
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { Engine } from '../db/engine.js';

/** `!` escapes LIKE wildcards: unlike a backslash it means the same on both engines. */
const LIKE_ESCAPE = '!';

/** A LIKE pattern matching any text that contains `needle` literally (lower-cased). */
export function containsPattern(needle: string): string {
  const escaped = needle.toLowerCase().replace(/[!%_]/g, (c) => LIKE_ESCAPE + c);
  return `%${escaped}%`;
}

/** `expr` contains `needle`, ignoring case. */
export function containsCi(expr: Expression<string | null>, needle: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`lower(${expr}) like ${containsPattern(needle)} escape '!'`;
}

/**
 * The key to sort text by: lower-cased, in code-point order on both engines (PostgreSQL would
 * otherwise follow the database's locale, SQLite its binary collation).
 */
export function textSortKey(engine: Engine, expr: Expression<string | null>): RawBuilder<string | null> {
  return engine === 'postgres' ? sql<string | null>`lower(${expr}) collate "C"` : sql<string | null>`lower(${expr})`;
}
