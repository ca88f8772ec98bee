// Worksheet names Excel accepts: at most 31 characters, none of []:*?/\ , not starting or
// ending with an apostrophe, not "History", and unique regardless of case.

export const MAX_SHEET_NAME = 31;

const ILLEGAL = /[[\]:*?/\\]/g;

/** Control characters (C0 and DEL) Excel refuses in a sheet name. */
function withoutControls(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    out += code < 0x20 || code === 0x7f ? '_' : ch;
  }
  return out;
}
const RESERVED = ['history'];

/** Cuts text to `max` UTF-16 units without splitting a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}

/** A legal sheet name for `name` (illegal characters become "_"); "Unknown" for none. */
export function legalSheetName(name: string | null | undefined): string {
  const cleaned = withoutControls(name ?? '')
    .replace(ILLEGAL, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^'+|'+$/g, '')
    .trim();
  return cut(cleaned, MAX_SHEET_NAME).replace(/'+$/, '').trim() || 'Unknown';
}

/** Hands out legal names, each unique within the workbook: a repeated name gets " (2)", " (3)", ... */
export class SheetNames {
  readonly #taken = new Set<string>(RESERVED);

  constructor(reserved: readonly string[] = []) {
    for (const r of reserved) this.#taken.add(r.toLowerCase());
  }

  take(name: string | null | undefined): string {
    const base = legalSheetName(name);
    for (let n = 1; ; n++) {
      const suffix = n === 1 ? '' : ` (${n})`;
      const candidate = `${cut(base, MAX_SHEET_NAME - suffix.length).trimEnd()}${suffix}`;
      if (!this.#taken.has(candidate.toLowerCase())) {
        this.#taken.add(candidate.toLowerCase());
        return candidate;
      }
    }
  }
}
