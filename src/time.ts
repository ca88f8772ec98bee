// Moments as people read them. The database stores them in UTC as ISO 8601 text; pages and
// export headings show them in UTC too, saying so, so that every reader sees the same time.

/** How precisely a moment is shown: to the minute where seconds would only clutter a table. */
export type TimePrecision = 'minute' | 'second';

/** "2024-03-04T05:06:07.089Z" → "2024-03-04 05:06:07 UTC" (or "2024-03-04 05:06 UTC"). */
export function utcText(iso: string, precision: TimePrecision = 'second'): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, precision === 'minute' ? 16 : 19)} UTC`;
}
