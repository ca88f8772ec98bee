// Lower-casing text the way PostgreSQL's lower() does in a UTF-8 database: one code point to
// one code point (Unicode simple case mapping). SQLite's own lower() only knows ASCII, so the
// SQLite connection replaces it with this function, and filters lower-case what people type
// with it too; a "contains" filter then finds the same studies on both engines.

/** Anything but printable ASCII and white space (text without it takes the fast path). */
const NON_ASCII = /[^\t\n\r\u0020-\u007e]/;

/**
 * JavaScript's toLowerCase applies the full mapping, which can grow a character (İ becomes
 * i + combining dot) and depends on context (final sigma); per code point, and keeping only
 * the first code point of a grown mapping, gives the simple mapping PostgreSQL uses.
 */
export function lowerText(text: string): string {
  if (!NON_ASCII.test(text)) return text.toLowerCase();
  let out = '';
  for (const ch of text) {
    const lower = ch.toLowerCase();
    out += lower.length > ch.length ? String.fromCodePoint(lower.codePointAt(0)!) : lower;
  }
  return out;
}

/** lower() for SQLite: SQL NULL stays NULL, numbers lower-case as their text, as the built-in does. */
export function sqlLower(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return lowerText(typeof value === 'string' ? value : String(value));
}
