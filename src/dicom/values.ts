// Parsers for DICOM value representations as vendors really write them: padded with spaces
// or NULs, empty, multi-valued with backslashes, decimal commas, two-digit fractions.

/** NUL or what a regular expression's \\s matches (Unicode white space, incl. NBSP and BOM). */
function isPadding(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || c === 0 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * Strips the padding DICOM allows (trailing spaces and NULs) and leading spaces. Called for
 * every value read, so it scans character codes instead of running two regular expressions.
 */
export function trimValue(s: string): string {
  let start = 0;
  let end = s.length;
  while (end > 0 && isPadding(s.charCodeAt(end - 1))) end--;
  while (start < end && isPadding(s.charCodeAt(start))) start++;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** Splits a multi-valued text value; empty components are kept as empty strings. */
export function splitValues(s: string): string[] {
  if (!s.includes('\\')) return [trimValue(s)];
  return s.split('\\').map(trimValue);
}

/** The first non-empty component of a trimmed text value; null when there is none. */
export function firstValue(text: string | null): string | null {
  if (text === null) return null;
  // Most values have one component, already trimmed.
  if (!text.includes('\\')) return text;
  return splitValues(text).find((v) => v !== '') ?? null;
}

/** A decimal string (DS) or integer string (IS) component; null when empty or not a number. */
export function parseDecimal(s: string | null | undefined): number | null {
  if (s == null) return null;
  let t = trimValue(s);
  if (t === '') return null;
  // Some vendors write a decimal comma; a single comma with digits on both sides is one.
  if (/^[+-]?\d*,\d+([eE][+-]?\d+)?$/.test(t)) t = t.replace(',', '.');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/** All components of a multi-valued DS/IS; unparsable components become null. */
export function parseDecimals(s: string | null | undefined): (number | null)[] {
  if (s == null || trimValue(s) === '') return [];
  return splitValues(s).map(parseDecimal);
}

/** DA "YYYYMMDD" (also the old "YYYY.MM.DD") to "YYYY-MM-DD"; null when empty or invalid. */
export function parseDate(s: string | null | undefined): string | null {
  if (s == null) return null;
  const t = trimValue(s).replace(/[.\-/]/g, '');
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  if (!m) return null;
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(Number(y), month)) return null;
  return `${y}-${mo}-${d}`;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * TM "HHMMSS.FFFFFF" (components optional after HH; also "HH:MM:SS") to "HH:MM:SS[.ffffff]"
 * with the fraction only when non-zero.
 */
export function parseTime(s: string | null | undefined): string | null {
  if (s == null) return null;
  const t = trimValue(s).replace(/:/g, '');
  const m = /^(\d{2})(\d{2})?(\d{2})?(?:[.,](\d{1,6})\d*)?$/.exec(t);
  if (!m) return null;
  const hh = Number(m[1]);
  const mm = Number(m[2] ?? '0');
  const ss = Number(m[3] ?? '0');
  // 60 is a leap second, which TM allows.
  if (hh > 23 || mm > 59 || ss > 60) return null;
  return `${pad2(hh)}:${pad2(mm)}:${pad2(ss)}${fraction(m[4])}`;
}

function pad2(n: number): string {
  return n.toString().padStart(2, '0');
}

function fraction(f: string | undefined): string {
  if (!f) return '';
  const six = f.padEnd(6, '0');
  return /^0+$/.test(six) ? '' : `.${six}`;
}

/**
 * DT "YYYYMMDDHHMMSS.FFFFFF&ZZXX" to "YYYY-MM-DDTHH:MM:SS[.ffffff]"; the offset is dropped
 * (the contract stores local device time, as the reference system does). A date-only DT
 * gives midnight.
 */
export function parseDateTime(s: string | null | undefined): string | null {
  if (s == null) return null;
  const t = trimValue(s).replace(/[+-]\d{4}$/, '');
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,6})\d*)?$/.exec(t);
  if (!m) return null;
  const date = parseDate(`${m[1]}${m[2] ?? '01'}${m[3] ?? '01'}`);
  if (!date) return null;
  const time = parseTime(`${m[4] ?? '00'}${m[5] ?? '00'}${m[6] ?? '00'}${m[7] ? '.' + m[7] : ''}`);
  if (!time) return null;
  return `${date}T${time}`;
}

/**
 * AS "nnnD|W|M|Y" to decimal years. Vendors also send bare numbers (taken as years) and
 * lower-case units; anything else is null.
 */
export function parseAgeYears(s: string | null | undefined): number | null {
  if (s == null) return null;
  const m = /^(\d{1,3})\s*([DWMYdwmy])?$/.exec(trimValue(s));
  if (!m) return null;
  const n = Number(m[1]);
  switch ((m[2] ?? 'Y').toUpperCase()) {
    case 'D':
      return n / 365.25;
    case 'W':
      return n / 52.1775;
    case 'M':
      return n / 12;
    default:
      return n;
  }
}

/**
 * Age in decimal years at `onDate` of someone born on `birthDate` (both "YYYY-MM-DD"),
 * as the number of days between them over the mean year length, rounded to one decimal
 * as the reference system does.
 */
export function ageBetween(birthDate: string, onDate: string): number | null {
  const b = Date.parse(`${birthDate}T00:00:00Z`);
  const d = Date.parse(`${onDate}T00:00:00Z`);
  if (!Number.isFinite(b) || !Number.isFinite(d) || d < b) return null;
  const days = (d - b) / 86_400_000;
  return Math.round((days / 365.25) * 10) / 10;
}

/**
 * Person name exactly as written (all component groups, carets kept), only trimmed: hashes
 * of names must match those other systems compute from the same value.
 */
export function formatPersonName(s: string | null | undefined): string | null {
  if (s == null) return null;
  const t = trimValue(s);
  return t === '' ? null : t;
}
