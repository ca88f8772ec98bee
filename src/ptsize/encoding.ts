// Which character encoding a CSV file is in. Spreadsheets save CSV as UTF-8 (with or without a
// byte-order mark), as UTF-16 with a mark ("Unicode text"), or in the Windows code page; a file
// without a mark that is not valid UTF-8 throughout is read as Latin-1. Latin-1 is decoded as
// Windows-1252, its superset, which is what such files really are (and what browsers do).
import { open } from 'node:fs/promises';

export type EncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface DetectedEncoding {
  /** For TextDecoder. */
  name: EncodingName;
  /** Bytes of byte-order mark to skip. */
  bom: number;
  /** What the interface and the log say was used. */
  label: string;
}

/** The file cannot be read as CSV text at all; the message says why and what to do. */
export class NotTextError extends Error {}

const CHUNK = 1 << 16;

function fromBom(head: Uint8Array): DetectedEncoding | null {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { name: 'utf-8', bom: 3, label: 'UTF-8 with byte-order mark' };
  if (head[0] === 0xff && head[1] === 0xfe) return { name: 'utf-16le', bom: 2, label: 'UTF-16 little-endian (byte-order mark)' };
  if (head[0] === 0xfe && head[1] === 0xff) return { name: 'utf-16be', bom: 2, label: 'UTF-16 big-endian (byte-order mark)' };
  return null;
}

/** Zero bytes do not occur in text files in an 8-bit encoding: say what the file is instead. */
function binaryProblem(head: Uint8Array): string | null {
  if (!head.includes(0)) return null;
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    return 'this is a spreadsheet workbook (such as .xlsx), not a CSV file: save it from the spreadsheet as CSV and upload that';
  }
  if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) {
    return 'this is an old-style Excel workbook (.xls), not a CSV file: save it from the spreadsheet as CSV and upload that';
  }
  const zerosAtOdd = head.filter((b, i) => b === 0 && i % 2 === 1).length;
  const zerosAtEven = head.filter((b, i) => b === 0 && i % 2 === 0).length;
  if (zerosAtOdd > head.length / 4 || zerosAtEven > head.length / 4) {
    return 'this looks like UTF-16 text without a byte-order mark, which cannot be read reliably: save it as CSV in UTF-8';
  }
  return 'this is not a text file (it contains binary data): upload the CSV file saved from the spreadsheet';
}

/** Detects the encoding of a whole file (a file without a mark is read through once to check UTF-8). */
export async function detectEncoding(path: string): Promise<DetectedEncoding> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(CHUNK);
    const { bytesRead } = await handle.read(buffer, 0, CHUNK, 0);
    const head = buffer.subarray(0, bytesRead);
    const marked = fromBom(head);
    if (marked) return marked;
    const binary = binaryProblem(head);
    if (binary) throw new NotTextError(binary);
    const utf8 = new TextDecoder('utf-8', { fatal: true });
    let position = 0;
    for (;;) {
      const { bytesRead: n } = await handle.read(buffer, 0, CHUNK, position);
      if (n === 0) break;
      position += n;
      try {
        utf8.decode(buffer.subarray(0, n), { stream: true });
      } catch {
        return { name: 'windows-1252', bom: 0, label: 'Latin-1 (not valid UTF-8)' };
      }
    }
    try {
      utf8.decode();
    } catch {
      // The file ends inside a multi-byte sequence.
      return { name: 'windows-1252', bom: 0, label: 'Latin-1 (not valid UTF-8)' };
    }
    return { name: 'utf-8', bom: 0, label: 'UTF-8' };
  } finally {
    await handle.close();
  }
}
