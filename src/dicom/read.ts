// Reading DICOM bytes into a DicomDataset: Part-10 files with explicit or implicit VR, bare
// data sets without the Part-10 header, truncated files (what was read before the damage is
// kept) and large image files read only up to their pixel data.
import { open } from 'node:fs/promises';
import dicomParser from 'dicom-parser';
import { DicomDataset } from './dataset.js';
import { resumeAfterExplicitUnSequence } from './un-sequence.js';

const PIXEL_DATA = 'x7fe00010';
const IMPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2';

export interface ParsedDicom {
  dataset: DicomDataset;
  /** True when the bytes ended or broke before the data set was complete. */
  truncated: boolean;
  /** Why parsing stopped early, when it did. */
  problem: string | null;
}

/** The bytes are not DICOM at all. */
export class NotDicomError extends Error {}

/** The bytes start like DICOM but not one element could be read. */
export class DamagedDicomError extends Error {}

/** True when the bytes look like DICOM at all (Part-10 preamble or a plausible first group). */
export function looksLikeDicom(bytes: Uint8Array): boolean {
  if (bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d) return true;
  // A bare data set starts with a group 0008 element (little endian).
  return bytes.length >= 8 && bytes[0] === 0x08 && bytes[1] === 0x00;
}

/**
 * Parses DICOM bytes. Stops before the pixel data (image headers are all we need). A parse
 * error after some elements were read gives those elements with `truncated` set; bytes that
 * are not DICOM throw NotDicomError, DICOM with nothing readable DamagedDicomError.
 */
export function parseDicom(bytes: Uint8Array): ParsedDicom {
  if (!looksLikeDicom(bytes)) throw new NotDicomError('not a DICOM file (no DICM preamble and no recognisable data set)');
  const hasPreamble = bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
  const options: dicomParser.ParseDicomOptions = { untilTag: PIXEL_DATA };
  if (!hasPreamble) options.TransferSyntaxUID = IMPLICIT_LITTLE_ENDIAN;
  try {
    const raw = dicomParser.parseDicom(bytes, options);
    return { dataset: new DicomDataset(raw), truncated: false, problem: null };
  } catch (err) {
    const partial = (err as { dataSet?: dicomParser.DataSet }).dataSet;
    const message = describe(err);
    if (partial && Object.keys(partial.elements).length > 0) {
      if (hasPreamble && resumeAfterExplicitUnSequence(bytes, partial, PIXEL_DATA)) return { dataset: new DicomDataset(partial), truncated: false, problem: null };
      return { dataset: new DicomDataset(partial), truncated: true, problem: message };
    }
    throw new DamagedDicomError(`unreadable DICOM: ${message}`);
  }
}

function describe(err: unknown): string {
  if (typeof err === 'string') return err;
  if (err instanceof Error) return err.message;
  const inner = (err as { exception?: unknown }).exception;
  if (inner !== undefined) return describe(inner);
  return String(err);
}

/** How much of a file to read first; image headers sit well inside it. */
export const FIRST_READ_BYTES = 1 << 20;

/**
 * Reads a file's DICOM header without loading pixel data: reads the first MiB and, only if
 * the data set did not end inside it, reads more (doubling) up to the whole file.
 */
export async function readDicomFile(path: string): Promise<ParsedDicom & { bytesRead: number; fileSize: number }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    let want = Math.min(size, FIRST_READ_BYTES);
    for (;;) {
      const buf = Buffer.allocUnsafe(want);
      const { bytesRead } = await handle.read(buf, 0, want, 0);
      const bytes = new Uint8Array(buf.buffer, buf.byteOffset, bytesRead);
      const parsed = parseDicom(bytes);
      const reachedPixelData = parsed.dataset.raw.elements[PIXEL_DATA] !== undefined;
      if (!parsed.truncated || reachedPixelData || bytesRead >= size) {
        return { ...parsed, bytesRead, fileSize: size };
      }
      want = Math.min(size, want * 4);
    }
  } finally {
    await handle.close();
  }
}
