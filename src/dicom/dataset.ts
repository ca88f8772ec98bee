// A read-only view of a parsed DICOM data set with typed accessors that decode text with
// the Specific Character Set in force and tolerate what vendors really write.
import dicomParser from 'dicom-parser';
import { convertBytes } from 'dicom-character-set';
import { VR_OF_TAG } from './dictionary.js';
import {
  firstValue,
  formatPersonName,
  parseDate,
  parseDateTime,
  parseDecimal,
  parseDecimals,
  parseTime,
  splitValues,
  trimValue,
} from './values.js';

type Element = dicomParser.Element;
const NO_ITEMS: readonly DicomDataset[] = [];
type RawDataSet = dicomParser.DataSet;

const TEXT_VRS = new Set(['SH', 'LO', 'ST', 'LT', 'UT', 'PN', 'UC']);
const BINARY_NUMBER_VRS = new Set(['US', 'SS', 'UL', 'SL', 'FL', 'FD', 'UV', 'SV']);
const SPECIFIC_CHARACTER_SET = 'x00080005';

/** "(0018,1150)" / "00181150" / "x00181150" → dicom-parser's key "x00181150". */
export function tagKey(tag: string): string {
  const t = tag.replace(/[(),x]/gi, '').toLowerCase();
  if (!/^[0-9a-f]{8}$/.test(t)) throw new Error(`not a DICOM tag: ${tag}`);
  return `x${t}`;
}

export class DicomDataset {
  readonly raw: RawDataSet;
  /** Specific Character Set in force for this data set (inherited by sequence items). */
  readonly charset: string | undefined;
  private sequences: Map<string, readonly DicomDataset[]> | undefined;

  constructor(raw: RawDataSet, inheritedCharset?: string) {
    this.raw = raw;
    const own = raw.elements[SPECIFIC_CHARACTER_SET] ? this.bytesOf(raw.elements[SPECIFIC_CHARACTER_SET]) : null;
    this.charset = own && own.length > 0 ? latin1(own).replace(/[\s\0]+$/, '').trim() || inheritedCharset : inheritedCharset;
  }

  /** The value bytes of an element, cut at the end of the data (truncated files); null when none. */
  private bytesOf(e: Element): Uint8Array | null {
    const end = Math.min(e.dataOffset + e.length, this.raw.byteArray.length);
    return end > e.dataOffset ? this.raw.byteArray.subarray(e.dataOffset, end) : null;
  }

  element(tag: string): Element | undefined {
    return this.raw.elements[tag];
  }

  has(tag: string): boolean {
    const e = this.raw.elements[tag];
    return e !== undefined && e.length > 0;
  }

  private vrOf(tag: string, e: Element): string | undefined {
    return e.vr ?? VR_OF_TAG[tag];
  }

  /** The whole value as text (all components, backslashes kept), decoded and trimmed; null when absent or empty. */
  text(tag: string): string | null {
    const e = this.raw.elements[tag];
    if (!e || e.length === 0) return null;
    const plain = plainAsciiValue(this.raw.byteArray, e.dataOffset, Math.min(e.dataOffset + e.length, this.raw.byteArray.length));
    if (plain !== undefined) return plain;
    const bytes = this.bytesOf(e);
    if (!bytes) return null;
    const vr = this.vrOf(tag, e) ?? 'LO';
    let s: string;
    if (TEXT_VRS.has(vr)) {
      s = decodeText(this.charset, bytes, vr);
    } else {
      s = latin1(bytes);
    }
    const t = trimValue(s);
    return t === '' ? null : t;
  }

  /** Components of a multi-valued text value (empty components dropped). */
  texts(tag: string): string[] {
    const t = this.text(tag);
    return t == null ? [] : splitValues(t).filter((v) => v !== '');
  }

  /** First non-empty component of a text value. */
  string(tag: string): string | null {
    return firstValue(this.text(tag));
  }

  /** First numeric value, whatever the VR (DS, IS or binary); null when absent or unparsable. */
  number(tag: string): number | null {
    return this.numbers(tag).find((n): n is number => n !== null) ?? null;
  }

  /** All numeric values, whatever the VR; unparsable text components become null. */
  numbers(tag: string): (number | null)[] {
    const e = this.raw.elements[tag];
    if (!e || e.length === 0) return [];
    const vr = this.vrOf(tag, e);
    if (vr && BINARY_NUMBER_VRS.has(vr)) return this.binaryNumbers(tag, e, vr);
    return parseDecimals(this.text(tag));
  }

  private binaryNumbers(tag: string, e: Element, vr: string): number[] {
    const size = vr === 'US' || vr === 'SS' ? 2 : vr === 'FD' || vr === 'UV' || vr === 'SV' ? 8 : 4;
    const available = Math.min(e.length, this.raw.byteArray.length - e.dataOffset);
    const count = Math.floor(available / size);
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      let v: number | undefined;
      switch (vr) {
        case 'US':
          v = this.raw.uint16(tag, i);
          break;
        case 'SS':
          v = this.raw.int16(tag, i);
          break;
        case 'UL':
          v = this.raw.uint32(tag, i);
          break;
        case 'SL':
          v = this.raw.int32(tag, i);
          break;
        case 'FL':
          v = this.raw.float(tag, i);
          break;
        case 'FD':
          v = this.raw.double(tag, i);
          break;
        default:
          v = undefined;
      }
      if (v !== undefined && Number.isFinite(v)) out.push(v);
    }
    return out;
  }

  /** DA as "YYYY-MM-DD". */
  date(tag: string): string | null {
    return parseDate(this.string(tag));
  }

  /** TM as "HH:MM:SS[.ffffff]". */
  time(tag: string): string | null {
    return parseTime(this.string(tag));
  }

  /** DT as "YYYY-MM-DDTHH:MM:SS[.ffffff]". */
  dateTime(tag: string): string | null {
    return parseDateTime(this.string(tag));
  }

  /** PN as written (all groups), trailing empty components dropped. */
  personName(tag: string): string | null {
    return formatPersonName(this.text(tag));
  }

  /** DS/IS value with decimal comma and padding tolerated (alias of number for text VRs). */
  decimal(tag: string): number | null {
    return parseDecimal(this.string(tag));
  }

  /** Items of a sequence, including private and UN-encoded sequences dicom-parser left unparsed. */
  sequence(tag: string): readonly DicomDataset[] {
    // Extractors ask for the same sequences many times (each code, each measured value).
    const cached = this.sequences?.get(tag);
    if (cached) return cached;
    const e = this.raw.elements[tag];
    if (!e) return NO_ITEMS;
    const items = e.items ?? this.parseUnparsedSequence(e);
    const list: DicomDataset[] = [];
    for (const item of items) {
      if (item.dataSet) list.push(new DicomDataset(item.dataSet, this.charset));
    }
    (this.sequences ??= new Map()).set(tag, list);
    return list;
  }

  /** First item of a sequence, or null. */
  item(tag: string): DicomDataset | null {
    return this.sequence(tag)[0] ?? null;
  }

  /**
   * Private sequences with a defined length in implicit VR, and sequences whose VR was lost to
   * UN, are left as bytes by dicom-parser; their content is implicit VR little endian.
   */
  private parseUnparsedSequence(e: Element): Element[] {
    const arr = this.raw.byteArray;
    if (e.length < 8 || e.dataOffset + 8 > arr.length) return [];
    const isItem = arr[e.dataOffset] === 0xfe && arr[e.dataOffset + 1] === 0xff && arr[e.dataOffset + 2] === 0x00 && arr[e.dataOffset + 3] === 0xe0;
    if (!isItem) return [];
    const copy: Element = { tag: e.tag, length: e.length, dataOffset: e.dataOffset, hadUndefinedLength: e.hadUndefinedLength ?? e.length === 0xffffffff };
    try {
      const stream = new dicomParser.ByteStream(dicomParser.littleEndianByteArrayParser, arr, e.dataOffset);
      dicomParser.readSequenceItemsImplicit(stream, copy);
    } catch {
      // A damaged sequence still yields the items read before the damage.
    }
    e.items = copy.items ?? [];
    return e.items;
  }
}

const utf8 = new TextDecoder('utf-8');

function isPlainAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b >= 0x80 || b === 0x1b) return false;
  }
  return true;
}

/** The padding trimValue strips, as far as ASCII goes: NUL, tab to carriage return, space. */
function isAsciiPadding(b: number): boolean {
  return b === 0x20 || b === 0 || (b >= 0x09 && b <= 0x0d);
}

/**
 * Most values are short and plain ASCII, which reads the same in every character set and VR:
 * such a value is trimmed and decoded straight from the bytes (null when only padding).
 * Anything else gives undefined and takes the full decoding path.
 */
function plainAsciiValue(arr: Uint8Array, from: number, to: number): string | null | undefined {
  let start = from;
  let end = to;
  while (end > start && isAsciiPadding(arr[end - 1]!)) end--;
  while (start < end && isAsciiPadding(arr[start]!)) start++;
  if (start === end) return null;
  if (end - start > 128) return undefined;
  let s = '';
  for (let i = start; i < end; i++) {
    const b = arr[i]!;
    if (b >= 0x80 || b === 0x1b) return undefined;
    s += String.fromCharCode(b);
  }
  return s;
}

function latin1(bytes: Uint8Array): string {
  // Most values are a few bytes long, where building the string here beats a Buffer round trip.
  if (bytes.length <= 64) {
    let s = '';
    for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/**
 * Decodes text bytes as the Specific Character Set says. An absent or default set is read as
 * Latin-1, as other DICOM toolkits do, so vendors' undeclared accents survive.
 */
export function decodeText(charset: string | undefined, bytes: Uint8Array, vr: string): string {
  const cs = (charset ?? '').trim();
  // Most values are plain ASCII, which every character set decodes alike (escape sequences,
  // byte 0x1b, switch ISO 2022 sets and need the full decoder).
  if (cs === '' || cs === 'ISO_IR 6' || cs === 'ISO 2022 IR 6' || isPlainAscii(bytes)) {
    return latin1(bytes);
  }
  if (cs === 'ISO_IR 192') return utf8.decode(bytes);
  try {
    return convertBytes(cs, bytes, { vr });
  } catch {
    return latin1(bytes);
  }
}
