// Reading DICOM bytes into a DicomDataset: Part-10 files with explicit or implicit VR (the
// deflated transfer syntax inflated first), bare data sets without the Part-10 header, and
// large image files read only up to their pixel data. Where the bytes end or break before the
// data set is whole, what was read is kept and the damage is described in plain words (the
// parser's own message goes to the log only).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import dicomParser from 'dicom-parser';
import { DicomDataset } from './dataset.js';
import { deflatedDataSetStart, inflateDataSet, parseInflated, type Inflated } from './deflate.js';
import { resumeAfterExplicitUnSequence } from './un-sequence.js';

const PIXEL_DATA = 'x7fe00010';
const IMPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2';
/** Sequence Delimitation Item (FFFE,E0DD) with its zero length, little endian. */
const SEQUENCE_DELIMITER = [0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0];
const DELIMITER_BYTES = SEQUENCE_DELIMITER.length;

/** How the positions of damage are told: in the file, or in the inflated data set of a deflated file. */
type Place = 'file' | 'inflated';

function byteAt(at: number, place: Place): string {
  return place === 'inflated' ? `byte ${at} of the inflated data set` : `byte ${at}`;
}

/** Names of the elements a damaged file most often ends in, for the user's message. */
const ELEMENT_NAMES: Readonly<Record<string, string>> = {
  x0040a730: 'the report content',
  x7fe00010: 'Pixel Data',
};

export interface DicomDamage {
  /** `truncated`: the data ends inside an element; `damaged`: an element cannot be read. */
  kind: 'truncated' | 'damaged';
  /**
   * The top-level element (dicom-parser key, e.g. x0040a730) the data ends or breaks in;
   * every element before it was read whole. Null when it cannot be told.
   */
  tag: string | null;
  /** Where the data ends (truncated) or where the unreadable element starts (damaged), in bytes. */
  at: number;
  /** One line for the user, e.g. "truncated: the file ends inside ... at byte 5000". */
  reason: string;
  /** The parser's own message, for the log. */
  detail: string | null;
}

export interface ParsedDicom {
  dataset: DicomDataset;
  /** Set when the bytes ended or broke before the data set was complete. */
  damage: DicomDamage | null;
}

/** The bytes are not DICOM at all. */
export class NotDicomError extends Error {}

/** The bytes start like DICOM but not one element could be read. */
export class DamagedDicomError extends Error {
  constructor(
    message: string,
    /** The parser's own message, for the log. */
    readonly detail: string | null,
  ) {
    super(message);
  }
}

/** A deflated data set that inflates to more than the limit before its pixel data: reading more of the file cannot help. */
export class InflatedTooLargeError extends DamagedDicomError {}

/** True when the bytes look like DICOM at all (Part-10 preamble or a plausible first group). */
export function looksLikeDicom(bytes: Uint8Array): boolean {
  if (hasPart10Preamble(bytes)) return true;
  // A bare data set starts with a group 0008 element (little endian).
  return bytes.length >= 8 && bytes[0] === 0x08 && bytes[1] === 0x00;
}

function hasPart10Preamble(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/** "(0040,A730)" from "x0040a730". */
export function formatTag(key: string): string {
  return `(${key.slice(1, 5)},${key.slice(5, 9)})`.toUpperCase();
}

function describeElement(key: string): string {
  const name = ELEMENT_NAMES[key];
  return name ? `${name} ${formatTag(key)}` : `element ${formatTag(key)}`;
}

function parserMessage(err: unknown): string {
  if (typeof err === 'string') return err;
  if (err instanceof Error) return err.message;
  const inner = (err as { exception?: unknown }).exception;
  if (inner !== undefined) return parserMessage(inner);
  return String(err);
}

/** Parser messages that mean the data ran out (as opposed to values that make no sense). */
function ranOut(message: string): boolean {
  return /past end|overrun|overread|maxP ?osition|eof|unexpected end/i.test(message);
}

/** Where the data of an element read by dicom-parser ends, its delimiter included. */
function elementEnd(e: dicomParser.Element): number {
  // Sequences of undefined length are measured without the delimitation item that closes them.
  if (e.hadUndefinedLength && e.items) return e.dataOffset + e.length + DELIMITER_BYTES;
  return e.dataOffset + e.length;
}

/** Whether an element of undefined length read as raw bytes really ends with its delimiter. */
function closedByDelimiter(bytes: Uint8Array, e: dicomParser.Element): boolean {
  const end = e.dataOffset + e.length;
  if (end - DELIMITER_BYTES < e.dataOffset) return false;
  return SEQUENCE_DELIMITER.every((b, i) => bytes[end - DELIMITER_BYTES + i] === b);
}

/** The elements of the data set proper, in file order (dicom-parser appends the file meta group). */
function instanceTags(raw: dicomParser.DataSet): string[] {
  return Object.keys(raw.elements).filter((k) => !k.startsWith('x0002'));
}

function lastInstanceTag(raw: dicomParser.DataSet): string | null {
  const tags = instanceTags(raw);
  return tags[tags.length - 1] ?? null;
}

/** The tag of the element starting at `offset`, or null when the bytes end first. */
function tagAt(raw: dicomParser.DataSet, offset: number): string | null {
  if (offset + 4 > raw.byteArray.length) return null;
  const group = raw.byteArrayParser.readUint16(raw.byteArray, offset);
  const element = raw.byteArrayParser.readUint16(raw.byteArray, offset + 2);
  return `x${group.toString(16).padStart(4, '0')}${element.toString(16).padStart(4, '0')}`;
}

/** The element named for the user: the one given, else the one after `after`, else the first. */
function elementWords(tag: string | null, after: string | null): string {
  return tag ? describeElement(tag) : after ? `the element after ${formatTag(after)}` : 'the first element';
}

function truncatedIn(tag: string | null, end: number, after: string | null, detail: string | null, place: Place): DicomDamage {
  const where = elementWords(tag, after);
  const what = place === 'inflated' ? 'the data set' : 'the file';
  return { kind: 'truncated', tag, at: end, reason: `truncated: ${what} ends inside ${where} at ${byteAt(end, place)}`, detail };
}

/**
 * Checks a data set the parser read without complaint: the parser stops quietly at the end
 * of the bytes, so the last element read may still be cut short (its declared length runs
 * past the end, or its sequence was never closed).
 */
function silentDamage(raw: dicomParser.DataSet, place: Place): DicomDamage | null {
  const tags = instanceTags(raw);
  const lastTag = tags[tags.length - 1];
  // Reading stops at the pixel data on purpose: the header before it is whole.
  if (lastTag === undefined || lastTag === PIXEL_DATA) return null;
  const last = raw.elements[lastTag]!;
  const end = raw.byteArray.length;
  const cut = elementEnd(last) > end || (last.hadUndefinedLength === true && !last.items && !closedByDelimiter(raw.byteArray, last));
  if (!cut) return null;
  const eof = raw.warnings.find((w) => /eof/i.test(w)) ?? null;
  return truncatedIn(lastTag, end, null, eof, place);
}

/** Describes a parse that threw after `raw` was read: in the last element, or the one after it. */
function thrownDamage(raw: dicomParser.DataSet, detail: string, place: Place): DicomDamage | null {
  const tags = instanceTags(raw);
  const lastTag = tags[tags.length - 1] ?? null;
  const end = raw.byteArray.length;
  const last = lastTag ? raw.elements[lastTag]! : null;
  if (last && lastTag !== PIXEL_DATA && elementEnd(last) > end) return truncatedIn(lastTag, end, null, detail, place);
  const nextOffset = last ? elementEnd(last) : null;
  const nextTag = nextOffset !== null ? tagAt(raw, nextOffset) : null;
  // Cut in the pixel data's own header: every value before it was read.
  if (nextTag === PIXEL_DATA || lastTag === PIXEL_DATA) return null;
  if (ranOut(detail)) return truncatedIn(nextTag, end, lastTag, detail, place);
  const at = nextOffset ?? 0;
  return { kind: 'damaged', tag: nextTag, at, reason: `damaged: ${elementWords(nextTag, lastTag)} at ${byteAt(at, place)} cannot be read`, detail };
}

/** Whether the bytes end before the file meta information's declared end (the parser stops there quietly). */
function metaInformationCut(bytes: Uint8Array): boolean {
  // (0002,0000) File Meta Information Group Length, UL, right after the preamble.
  const groupLengthAt = 132;
  const valueAt = groupLengthAt + 8;
  if (bytes.length < valueAt + 4) return true;
  const isGroupLength = bytes[groupLengthAt] === 0x02 && bytes[groupLengthAt + 1] === 0 && bytes[groupLengthAt + 2] === 0 && bytes[groupLengthAt + 3] === 0;
  if (!isGroupLength) return false;
  const length = (bytes[valueAt]! | (bytes[valueAt + 1]! << 8) | (bytes[valueAt + 2]! << 16)) + bytes[valueAt + 3]! * 0x1000000;
  return bytes.length < valueAt + 4 + length;
}

/** The most a deflated data set is inflated to when reading it (up to its pixel data). */
export const MAX_INFLATED_BYTES = 128 * 1024 * 1024;
/** How many compressed bytes are inflated first; four times as many each round until the pixel data is reached. */
const FIRST_INFLATE_BYTES = 16 * 1024;

export interface ParseDicomOptions {
  /** The most a deflated data set is inflated to (MAX_INFLATED_BYTES unless given). */
  maxInflatedBytes?: number;
}

/**
 * Parses DICOM bytes. Stops before the pixel data (image headers are all we need). When the
 * bytes end or break before the data set is whole, the elements read before are kept and
 * `damage` says where; bytes that are not DICOM throw NotDicomError, DICOM with nothing
 * readable DamagedDicomError.
 */
export function parseDicom(bytes: Uint8Array, options: ParseDicomOptions = {}): ParsedDicom {
  if (!looksLikeDicom(bytes)) throw new NotDicomError('not a DICOM file (no DICM preamble and no recognisable data set)');
  const hasPreamble = hasPart10Preamble(bytes);
  const deflatedAt = hasPreamble ? deflatedDataSetStart(bytes) : null;
  if (deflatedAt !== null) return parseDeflated(bytes, deflatedAt, options.maxInflatedBytes ?? MAX_INFLATED_BYTES);
  const parserOptions: dicomParser.ParseDicomOptions = { untilTag: PIXEL_DATA };
  if (!hasPreamble) parserOptions.TransferSyntaxUID = IMPLICIT_LITTLE_ENDIAN;
  return parseWith(bytes, hasPreamble, 'file', () => dicomParser.parseDicom(bytes, parserOptions));
}

/** Runs a dicom-parser parse of `bytes` and describes how it ended. */
function parseWith(bytes: Uint8Array, hasPreamble: boolean, place: Place, parse: () => dicomParser.DataSet): ParsedDicom {
  try {
    const raw = parse();
    return { dataset: new DicomDataset(raw), damage: silentDamage(raw, place) };
  } catch (err) {
    const partial = (err as { dataSet?: dicomParser.DataSet }).dataSet;
    const detail = parserMessage(err);
    if (partial && instanceTags(partial).length > 0) {
      if (hasPreamble && resumeAfterExplicitUnSequence(bytes, partial, PIXEL_DATA)) return { dataset: new DicomDataset(partial), damage: silentDamage(partial, place) };
      return { dataset: new DicomDataset(partial), damage: thrownDamage(partial, detail, place) };
    }
    if (!partial) {
      const reason = ranOut(detail) || metaInformationCut(bytes) ? `truncated: the file ends inside its file meta information at byte ${bytes.length}` : 'damaged: the file meta information cannot be read';
      throw new DamagedDicomError(reason, detail);
    }
    const reason = ranOut(detail) ? `truncated: the ${place === 'inflated' ? 'data set' : 'file'} ends inside its first element at ${byteAt(bytes.length, place)}` : 'damaged: not one element of the data set can be read';
    throw new DamagedDicomError(reason, detail);
  }
}

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB` : `${bytes} bytes`;
}

/**
 * Parses a file in the deflated transfer syntax whose data set starts at `start`: inflates
 * the first compressed bytes and, until the pixel data or the end is reached, more (four
 * times as many each round), never to more than `limit` bytes. A huge deflated image is so
 * inflated only a little past its header.
 */
function parseDeflated(bytes: Uint8Array, start: number, limit: number): ParsedDicom {
  const compressed = bytes.length - start;
  for (let take = FIRST_INFLATE_BYTES; ; take *= 4) {
    const all = take >= compressed;
    const inflated = inflateDataSet(bytes, start, limit, all ? compressed : take);
    // A problem found in part of the data (corrupt, or too large already) is not mended by more.
    const last = all || inflated.problem !== null;
    let parsed: ParsedDicom;
    try {
      parsed = parseWith(inflated.bytes, true, 'inflated', () => parseInflated(inflated.bytes, start, PIXEL_DATA));
    } catch (err) {
      if (!(err instanceof DamagedDicomError)) throw err;
      if (!last) continue;
      if (inflated.problem) throw streamError(inflated, limit, null);
      throw err;
    }
    if (parsed.dataset.raw.elements[PIXEL_DATA] !== undefined) return parsed;
    if (!last) continue;
    if (!inflated.problem) return parsed;
    if (inflated.problem.kind === 'too-large') throw streamError(inflated, limit, lastInstanceTag(parsed.dataset.raw));
    return { dataset: parsed.dataset, damage: streamDamage(parsed, inflated) };
  }
}

/** A deflated data set whose stream failed before one element could be read, or that is too large. */
function streamError(inflated: Inflated, limit: number, lastTag: string | null): DamagedDicomError {
  const problem = inflated.problem!;
  if (problem.kind === 'too-large') return new InflatedTooLargeError(`too large: the deflated data set inflates to more than ${mib(limit)} before its pixel data${lastTag ? ` (read up to ${formatTag(lastTag)})` : ''}`, problem.detail);
  if (problem.kind === 'cut') return new DamagedDicomError('truncated: the file ends inside its deflated data set, before its first element', problem.detail);
  return new DamagedDicomError('damaged: the deflated data set cannot be inflated', problem.detail);
}

/** The damage of a deflated data set whose stream was cut or corrupt: the elements inflated before are kept. */
function streamDamage(parsed: ParsedDicom, inflated: Inflated): DicomDamage {
  const problem = inflated.problem!;
  const found = parsed.damage;
  // An element that cannot be read before the stream ends is the first damage.
  if (problem.kind === 'cut' && found?.kind === 'damaged') return found;
  const tag = found?.tag ?? null;
  const end = inflated.bytes.length;
  const where = elementWords(tag, lastInstanceTag(parsed.dataset.raw));
  const detail = found?.detail ? `${problem.detail}; ${found.detail}` : problem.detail;
  if (problem.kind === 'cut') return { kind: 'truncated', tag, at: end, reason: `truncated: the file ends inside its deflated data set, inside ${where} at ${byteAt(end, 'inflated')}`, detail };
  return { kind: 'damaged', tag, at: end, reason: `damaged: the deflated data set cannot be inflated past ${byteAt(end, 'inflated')}, inside ${where}`, detail };
}

/** How much of a file to read first; image headers sit well inside it. */
export const FIRST_READ_BYTES = 1 << 20;

/**
 * Reads a file's DICOM header without loading pixel data: reads the first MiB and, until the
 * pixel data or the end of the file is reached, more (four times as much each round). A data
 * set read from part of a file is never taken as whole: it may stop cleanly between elements.
 * A deflated data set is inflated from what was read, in rounds too, never past
 * MAX_INFLATED_BYTES (see parseDicom).
 *
 * The reads are synchronous: a header read takes well under a millisecond, while the four
 * thread-pool round trips of an asynchronous open, stat, read and close each wait for the
 * event loop, which a bulk import keeps busy; they cost more than the reading itself.
 */
export async function readDicomFile(path: string): Promise<ParsedDicom & { bytesRead: number; fileSize: number }> {
  return readDicomFileNow(path);
}

function readDicomFileNow(path: string): ParsedDicom & { bytesRead: number; fileSize: number } {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    let want = Math.min(size, FIRST_READ_BYTES);
    for (;;) {
      const buf = Buffer.allocUnsafe(want);
      const bytesRead = readFully(fd, buf, want);
      const bytes = new Uint8Array(buf.buffer, buf.byteOffset, bytesRead);
      const whole = bytesRead >= size || bytesRead < want;
      let parsed: ParsedDicom;
      try {
        parsed = parseDicom(bytes);
      } catch (err) {
        // A first element longer than what was read: read more before judging.
        if (whole || !(err instanceof DamagedDicomError) || err instanceof InflatedTooLargeError) throw err;
        want = Math.min(size, want * 4);
        continue;
      }
      if (whole || parsed.dataset.raw.elements[PIXEL_DATA] !== undefined) return { ...parsed, bytesRead, fileSize: size };
      want = Math.min(size, want * 4);
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads up to `want` bytes from the start; fewer only at the end of the file. */
function readFully(fd: number, buf: Buffer, want: number): number {
  let done = 0;
  while (done < want) {
    const n = readSync(fd, buf, done, want - done, done);
    if (n === 0) break;
    done += n;
  }
  return done;
}
