// The few SQL fragments whose spelling must be chosen so SQLite and PostgreSQL give the same
// answers: case-insensitive "contains" and text ordering. Values are always bound parameters.
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { Engine } from '../db/engine.js';
import { lowerText } from './text-case.js';

/** `!` escapes LIKE wildcards: unlike a backslash it means the same on both engines. */
const LIKE_ESCAPE = '!';

/** A LIKE pattern matching any text that contains `needle` literally (lower-cased). */
export function containsPattern(needle: string): string {
  const escaped = lowerText(needle).replace(/[!%_]/g, (c) => LIKE_ESCAPE + c);
  return `%${escaped}%`;
}

/** `expr` contains `needle`, ignoring case (Unicode-aware on both engines: see text-case.ts). */
export function containsCi(expr: Expression<string | null>, needle: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`lower(${expr}) like ${containsPattern(needle)} escape '!'`;
}

/** Restricts a distinct-value walk to rows with this value in a column (say, one modality). */
export interface DistinctScope {
  column: string;
  value: string;
}

/**
 * `expr` is one of the values of `table.column` containing `needle` (ignoring case). The
 * distinct values are walked with one index seek each (a loose index scan, which neither
 * engine does by itself), so only they are lower-cased and matched, not every row: at a
 * million studies a study description filter counts in milliseconds instead of a scan. Needs
 * an index on (scope column, column); for columns with few distinct values (descriptions,
 * protocols, views), not for identifiers.
 */
export function inDistinctContaining(expr: Expression<string | null>, table: string, column: string, needle: string, scope?: DistinctScope): RawBuilder<SqlBool> {
  const col = sql.ref(column);
  const within = scope ? sql`${sql.ref(scope.column)} = ${scope.value} and ` : sql``;
  return sql<SqlBool>`${expr} in (with recursive d(v) as (
      select min(${col}) from ${sql.table(table)} where ${within}${col} is not null
      union all
      select (select min(${col}) from ${sql.table(table)} where ${within}${col} > d.v) from d where d.v is not null
    ) select v from d where lower(v) like ${containsPattern(needle)} escape '!')`;
}

/**
 * The key to sort text by: lower-cased, in code-point order on both engines (PostgreSQL would
 * otherwise follow the database's locale, SQLite its binary collation).
 */
export function textSortKey(engine: Engine, expr: Expression<string | null>): RawBuilder<string | null> {
  return engine === 'postgres' ? sql<string | null>`lower(${expr}) collate "C"` : sql<string | null>`lower(${expr})`;
}
