// The Deflated Explicit VR Little Endian transfer syntax: after the file meta information,
// the data set is raw DEFLATE (no zlib header) of an explicit VR little endian data set.
// dicom-parser cannot read it under Node as an ES module (its inflate path needs a Node
// Buffer and starts reading at the preamble), so the data set is inflated here and parsed
// as explicit VR little endian with the offsets of the meta information kept.
import { constants, inflateRawSync } from 'node:zlib';
import dicomParser from 'dicom-parser';

export const DEFLATED_EXPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2.1.99';

/** Where the file meta information of a Part-10 file starts: (0002,0000), right after the preamble. */
const META_START = 132;

/**
 * Where the deflated data set starts (the end of the file meta information) when the bytes
 * are a Part-10 file in the deflated transfer syntax; null otherwise, or when the meta
 * information cannot be read (the ordinary path then says why).
 */
export function deflatedDataSetStart(bytes: Uint8Array): number | null {
  const end = metaInformationEnd(bytes);
  if (end === null || end > bytes.length) return null;
  try {
    const meta = dicomParser.readPart10Header(bytes.subarray(0, end));
    return meta.string('x00020010')?.trim() === DEFLATED_EXPLICIT_LITTLE_ENDIAN ? end : null;
  } catch {
    return null;
  }
}

/** The end of the file meta information, from its group length; without one, where the meta elements end. */
function metaInformationEnd(bytes: Uint8Array): number | null {
  const valueAt = META_START + 8;
  if (bytes.length < valueAt + 4) return null;
  const isGroupLength = bytes[META_START] === 0x02 && bytes[META_START + 1] === 0 && bytes[META_START + 2] === 0 && bytes[META_START + 3] === 0;
  if (isGroupLength) return valueAt + 4 + (bytes[valueAt]! | (bytes[valueAt + 1]! << 8) | (bytes[valueAt + 2]! << 16)) + bytes[valueAt + 3]! * 0x1000000;
  // No group length (a writer's defect): walk the explicit VR meta elements.
  let at = META_START;
  while (at + 8 <= bytes.length && bytes[at] === 0x02 && bytes[at + 1] === 0) {
    const vr = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!);
    const long = ['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'UC', 'UR', 'OD', 'OL', 'OV'].includes(vr);
    if (long && at + 12 > bytes.length) return null;
    const length = long ? (bytes[at + 8]! | (bytes[at + 9]! << 8) | (bytes[at + 10]! << 16)) + bytes[at + 11]! * 0x1000000 : bytes[at + 6]! | (bytes[at + 7]! << 8);
    at += (long ? 12 : 8) + length;
  }
  return at > META_START ? at : null;
}

/** What went wrong with the deflated stream, if anything. */
export type InflateProblem =
  /** The compressed data ends before the end of the deflate stream. */
  | { kind: 'cut'; detail: string }
  /** The compressed data cannot be inflated past some point. */
  | { kind: 'corrupt'; detail: string }
  /** The data set inflates to more than the limit; `bytes` holds the part up to it. */
  | { kind: 'too-large'; detail: string };

export interface Inflated {
  /** The meta information as it was, followed by the inflated data set (offsets of the meta elements unchanged). */
  bytes: Uint8Array;
  problem: InflateProblem | null;
}

function zlibCode(err: unknown): string | undefined {
  return (err as { code?: unknown }).code as string | undefined;
}

function zlibMessage(err: unknown): string {
  return `zlib: ${err instanceof Error ? err.message : String(err)}`;
}

/** Inflating `input` to at most `limit` bytes: the output and how many input bytes were used, or why not. */
type Attempt = { ok: true; out: Buffer; used: number } | { ok: false; code: string | undefined; detail: string };

function attempt(input: Uint8Array, limit: number, partial: boolean): Attempt {
  try {
    const options = { maxOutputLength: Math.max(1, limit), info: true as const, ...(partial ? { finishFlush: constants.Z_SYNC_FLUSH } : {}) };
    const { buffer, engine } = inflateRawSync(input, options) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    return { ok: true, out: buffer, used: engine.bytesWritten };
  } catch (err) {
    return { ok: false, code: zlibCode(err), detail: zlibMessage(err) };
  }
}

/**
 * The longest prefix of `input` (longer than `fits`, shorter than `fails`, in compressed
 * bytes) whose output is readable and at most `limit` bytes, to within `step` bytes.
 */
function longestReadablePrefix(input: Uint8Array, fits: number, fails: number, limit: number, step: number): Buffer {
  let lo = fits;
  let hi = fails;
  let best: Buffer | null = null;
  while (hi - lo > step) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const tried = attempt(input.subarray(0, mid), limit, true);
    if (tried.ok) {
      lo = mid;
      best = tried.out;
    } else {
      hi = mid;
    }
  }
  if (best === null) {
    const tried = attempt(input.subarray(0, lo), limit, true);
    best = tried.ok ? tried.out : Buffer.alloc(0);
  }
  return best;
}

function joined(meta: Uint8Array, inflated: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(meta.length + inflated.length);
  bytes.set(meta, 0);
  bytes.set(inflated, meta.length);
  return bytes;
}

/**
 * Inflates the first `take` compressed bytes of the data set starting at `start`, to at most
 * `limit` bytes. When `take` is less than all there is, a stream that has not ended yet is
 * no problem (the rest was not given); the output is what those bytes inflate to.
 */
export function inflateDataSet(bytes: Uint8Array, start: number, limit: number, take = bytes.length - start): Inflated {
  const meta = bytes.subarray(0, start);
  const all = bytes.length - start;
  const input = bytes.subarray(start, start + Math.min(take, all));
  const partial = input.length < all;
  const first = attempt(input, limit, partial);
  if (first.ok) {
    // The stream ends before the compressed data does: what follows is not padding, so the
    // data was corrupt (zlib read it as an end too early).
    const rest = input.subarray(first.used);
    const early = rest.some((b) => b !== 0) ? ({ kind: 'corrupt', detail: `zlib: the deflate stream ends at compressed byte ${first.used} of ${input.length}` } as const) : null;
    return { bytes: joined(meta, first.out), problem: early };
  }
  if (first.code === 'Z_BUF_ERROR' && !partial) {
    // The stream ends early: inflate what is there.
    const cut = attempt(input, limit, true);
    if (cut.ok) return { bytes: joined(meta, cut.out), problem: { kind: 'cut', detail: first.detail } };
    if (cut.code !== 'ERR_BUFFER_TOO_LARGE') return readable(meta, input, limit, { kind: 'corrupt', detail: cut.detail });
    return readable(meta, input, limit, { kind: 'too-large', detail: cut.detail });
  }
  if (first.code === 'ERR_BUFFER_TOO_LARGE') return readable(meta, input, limit, { kind: 'too-large', detail: first.detail });
  return readable(meta, input, limit, { kind: 'corrupt', detail: first.detail });
}

/** The output of the longest prefix of `input` that inflates without error within the limit. */
function readable(meta: Uint8Array, input: Uint8Array, limit: number, problem: InflateProblem): Inflated {
  // Corrupt data is searched for to the byte; the size limit to within 1 KiB of input.
  const out = longestReadablePrefix(input, 0, input.length, limit, problem.kind === 'too-large' ? 1024 : 1);
  return { bytes: joined(meta, out), problem };
}

/**
 * Parses meta information and inflated data set (as from inflateDataSet) the way
 * dicom-parser parses any other file: the data set as explicit VR little endian, the meta
 * elements added after it; on an error, throws `{ exception, dataSet }` with the elements
 * of the data set read before it.
 */
export function parseInflated(bytes: Uint8Array, start: number, untilTag: string): dicomParser.DataSet {
  const meta = dicomParser.readPart10Header(bytes.subarray(0, start));
  const stream = new dicomParser.ByteStream(dicomParser.littleEndianByteArrayParser, bytes, start);
  const DataSet = (dicomParser as unknown as { DataSet: new (parser: dicomParser.ByteArrayParser, byteArray: Uint8Array, elements: Record<string, dicomParser.Element>) => dicomParser.DataSet }).DataSet;
  const dataSet = new DataSet(stream.byteArrayParser, bytes, {});
  dataSet.warnings = stream.warnings;
  try {
    dicomParser.parseDicomDataSetExplicit(dataSet, stream, bytes.length, { untilTag });
  } catch (exception) {
    // dicom-parser's own error shape, read by the caller.
    throw { exception, dataSet };
  }
  for (const [tag, element] of Object.entries(meta.elements)) dataSet.elements[tag] = element;
  dataSet.warnings = meta.warnings.concat(dataSet.warnings);
  return dataSet;
}
