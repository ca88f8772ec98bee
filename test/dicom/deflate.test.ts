// Files in the Deflated Explicit VR Little Endian transfer syntax (1.2.840.10008.1.2.1.99):
// read like any other file, their image headers read without inflating the pixel data, and a
// cut or corrupt deflate stream refused in plain words. The deflated files are made at test
// time from corpus files (explicit VR little endian) with Node's zlib, into a temporary folder.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import dicomParser from 'dicom-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { DamagedDicomError, parseDicom, readDicomFile } from '../../src/dicom/read.js';
import { extractFromBytes, extractFromDataset, type ExtractOutcome } from '../../src/extract/index.js';
import { corpusBytes } from '../helpers/corpus.js';

const DEFLATED = '1.2.840.10008.1.2.1.99';
const EXPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT']);
const PARSER_WORDS = /dicomParser|maxP ?osition|byteStream|buffer overrun/i;

const dir = mkdtempSync(join(tmpdir(), 'openrem-deflate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function explicitElement(group: number, element: number, vr: string, value: Uint8Array): Uint8Array {
  const long = LONG_VRS.has(vr);
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(element, 2);
  head.write(vr, 4, 'latin1');
  if (long) head.writeUInt32LE(value.length, 8);
  else head.writeUInt16LE(value.length, 6);
  return Buffer.concat([head, value]);
}

/** An explicit VR little endian Part-10 file split into its meta elements (group length left out) and its data set. */
function splitPart10(bytes: Uint8Array): { meta: Array<{ tag: number; vr: string; value: Uint8Array }>; dataSet: Uint8Array } {
  const header = dicomParser.readPart10Header(bytes);
  if (header.string('x00020010') !== EXPLICIT_LITTLE_ENDIAN) throw new Error('not explicit VR little endian');
  const meta: Array<{ tag: number; vr: string; value: Uint8Array }> = [];
  let at = 132;
  while (bytes[at] === 0x02 && bytes[at + 1] === 0x00) {
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    const tag = view.readUInt32LE(at);
    const vr = view.toString('latin1', at + 4, at + 6);
    const long = LONG_VRS.has(vr);
    const length = long ? view.readUInt32LE(at + 8) : view.readUInt16LE(at + 6);
    const start = at + (long ? 12 : 8);
    if (tag !== 0x00000002) meta.push({ tag, vr, value: bytes.subarray(start, start + length) });
    at = start + length;
  }
  return { meta, dataSet: bytes.subarray(at) };
}

/** A Part-10 file with `dataSet` (explicit VR little endian, raw) stored in the deflated transfer syntax. */
function part10Deflated(meta: Array<{ tag: number; vr: string; value: Uint8Array }>, dataSet: Uint8Array): Uint8Array {
  const elements = meta.map(({ tag, vr, value }) =>
    explicitElement(tag & 0xffff, tag >>> 16, vr, tag === 0x00100002 ? Buffer.from(DEFLATED, 'latin1') : value),
  );
  const body = Buffer.concat(elements);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(body.length, 0);
  const preamble = Buffer.alloc(132);
  preamble.write('DICM', 128, 'latin1');
  let deflated: Buffer = deflateRawSync(dataSet);
  // A Part-10 file is of even length: the deflated data is padded with one byte.
  if (deflated.length % 2 === 1) deflated = Buffer.concat([deflated, Buffer.alloc(1)]);
  return new Uint8Array(Buffer.concat([preamble, explicitElement(0x0002, 0x0000, 'UL', groupLength), body, deflated]));
}

function deflatedCopy(name: string): Uint8Array {
  const { meta, dataSet } = splitPart10(corpusBytes(name));
  return part10Deflated(meta, dataSet);
}

/** A corpus image whose pixel data is replaced by `pixelBytes` zero bytes, and the same deflated. */
function imageWithPixels(name: string, pixelBytes: number, before: Uint8Array = new Uint8Array(0)): { plain: Uint8Array; deflated: Uint8Array } {
  const bytes = corpusBytes(name);
  const pixel = dicomParser.parseDicom(bytes).elements['x7fe00010'];
  if (!pixel) throw new Error(`${name} has no pixel data`);
  const { meta, dataSet } = splitPart10(bytes);
  const metaEnd = bytes.length - dataSet.length;
  const header = dataSet.subarray(0, pixel.dataOffset - 12 - metaEnd);
  const newDataSet = Buffer.concat([header, before, explicitElement(0x7fe0, 0x0010, 'OW', new Uint8Array(pixelBytes))]);
  return { plain: new Uint8Array(Buffer.concat([bytes.subarray(0, metaEnd), header, explicitElement(0x7fe0, 0x0010, 'OW', new Uint8Array(4))])), deflated: part10Deflated(meta, newDataSet) };
}

function written(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function failureOf(outcome: ExtractOutcome): { reason: string; detail?: string } {
  if (outcome.status !== 'failed') throw new Error(`expected a failure, got ${outcome.status}`);
  return outcome;
}

describe('a file in the deflated transfer syntax', () => {
  it('is made as the standard says (the test helper)', () => {
    const bytes = deflatedCopy('DX-RDSR-Canon_CXDI.dcm');
    expect(dicomParser.readPart10Header(bytes).string('x00020010')).toBe(DEFLATED);
    expect(bytes.length).toBeLessThan(corpusBytes('DX-RDSR-Canon_CXDI.dcm').length);
  });

  for (const name of ['DX-RDSR-Canon_CXDI.dcm', 'CT-RDSR-Siemens_Flash-QA-DS.dcm', 'CT-RDSR-GEPixelMed.dcm']) {
    it(`gives the same report as the original: ${name}`, async () => {
      const original = extractFromBytes(corpusBytes(name));
      expect(original.status).toBe('report');
      const bytes = deflatedCopy(name);
      expect(extractFromBytes(bytes)).toEqual(original);
      // Read from a file, as the command line and the import do.
      const read = await readDicomFile(written(name, bytes));
      expect(read.damage).toBeNull();
      expect(extractFromDataset(read)).toEqual(original);
    });
  }

  it('keeps its transfer syntax and meta information readable', () => {
    const parsed = parseDicom(deflatedCopy('DX-RDSR-Canon_CXDI.dcm'));
    expect(parsed.dataset.raw.string('x00020010')).toBe(DEFLATED);
    expect(parsed.dataset.raw.string('x00020003')).toBe(parseDicom(corpusBytes('DX-RDSR-Canon_CXDI.dcm')).dataset.raw.string('x00020003'));
  });
});

describe('a deflated image', () => {
  it('has its header read without inflating its pixel data', async () => {
    const pixelBytes = 64 * 1024 * 1024;
    const { plain, deflated } = imageWithPixels('DX-Im-GE_XR220-1.dcm', pixelBytes);
    const original = extractFromBytes(plain);
    expect(original.status).toBe('report');
    const read = await readDicomFile(written('image.dcm', deflated));
    expect(read.damage).toBeNull();
    expect(read.dataset.raw.elements['x7fe00010']).toBeDefined();
    expect(read.dataset.raw.byteArray.length).toBeLessThan(pixelBytes / 2);
    expect(extractFromDataset(read)).toEqual(original);
  });

  it('is read up to its pixel data even when the first bytes inflate past the limit', () => {
    const { plain, deflated } = imageWithPixels('DX-Im-GE_XR220-1.dcm', 16 * 1024 * 1024);
    const parsed = parseDicom(deflated, { maxInflatedBytes: 1024 * 1024 });
    expect(parsed.damage).toBeNull();
    expect(parsed.dataset.raw.byteArray.length).toBeLessThanOrEqual(1024 * 1024 + 1024);
    expect(extractFromDataset(parsed)).toEqual(extractFromBytes(plain));
  });

  it('is refused in plain words when its header inflates past the limit', () => {
    const huge = explicitElement(0x0009, 0x1010, 'OB', new Uint8Array(4 * 1024 * 1024));
    const { deflated } = imageWithPixels('DX-Im-GE_XR220-1.dcm', 1024, huge);
    expect(() => parseDicom(deflated, { maxInflatedBytes: 1024 * 1024 })).toThrow(DamagedDicomError);
    expect(() => parseDicom(deflated, { maxInflatedBytes: 1024 * 1024 })).toThrow(/^too large: the deflated data set inflates to more than 1 MiB before its pixel data/);
    // Within the default limit it is read.
    expect(parseDicom(deflated).damage).toBeNull();
  });
});

describe('a deflated file whose stream is cut or corrupt', () => {
  const name = 'CT-RDSR-Siemens_Flash-QA-DS.dcm';

  it('is refused, saying it ends inside its deflated data set, when cut short', () => {
    const bytes = deflatedCopy(name);
    const failed = failureOf(extractFromBytes(bytes.subarray(0, bytes.length - 200)));
    expect(failed.reason).toMatch(/^truncated: the file ends inside its deflated data set, inside .* at byte \d+ of the inflated data set$/);
    expect(failed.reason).not.toMatch(PARSER_WORDS);
    expect(failed.detail).toMatch(/unexpected end of file/);
  });

  it('is refused when cut inside its first compressed bytes', () => {
    const bytes = deflatedCopy(name);
    const metaEnd = dicomParserMetaEnd(bytes);
    const failed = failureOf(extractFromBytes(bytes.subarray(0, metaEnd + 2)));
    expect(failed.reason).toMatch(/^truncated: the file ends inside its deflated data set/);
  });

  it('is refused in plain words when its compressed data is corrupt', () => {
    const bytes = deflatedCopy(name);
    const metaEnd = dicomParserMetaEnd(bytes);
    // An invalid block type (3) in the first block header.
    const corrupt = new Uint8Array(bytes);
    corrupt[metaEnd] = 0x07;
    const failed = failureOf(extractFromBytes(corrupt));
    expect(failed.reason).toBe('damaged: the deflated data set cannot be inflated');
    expect(failed.detail).toMatch(/zlib: invalid block type/);
  });

  it('is refused, keeping what came before, when corrupt further on', () => {
    const bytes = deflatedCopy(name);
    const corrupt = new Uint8Array(bytes);
    // Garbage in the middle of the compressed data.
    const at = Math.floor(bytes.length * 0.6);
    for (let i = at; i < at + 64; i++) corrupt[i] = 0xff;
    const failed = failureOf(extractFromBytes(corrupt));
    expect(failed.reason).toMatch(/^damaged: the deflated data set cannot be inflated past byte \d+ of the inflated data set, inside the report content \(0040,A730\)$/);
    expect(failed.detail).toMatch(/^zlib: /);
  });

  it('is read whole with a padding byte after the stream, refused with anything else after it', () => {
    const bytes = deflatedCopy(name);
    const original = extractFromBytes(corpusBytes(name));
    expect(extractFromBytes(new Uint8Array(Buffer.concat([bytes, Buffer.alloc(2)])))).toEqual(original);
    const failed = failureOf(extractFromBytes(new Uint8Array(Buffer.concat([bytes, Buffer.from('junk')]))));
    expect(failed.reason).toMatch(/^damaged: the deflated data set cannot be inflated past byte \d+ of the inflated data set, inside the element after /);
    expect(failed.detail).toMatch(/^zlib: the deflate stream ends at compressed byte \d+ of \d+/);
  });

  it('is refused by the file reader too, with the same words', async () => {
    const bytes = deflatedCopy(name);
    const path = written('cut.dcm', bytes.subarray(0, bytes.length - 200));
    const read = await readDicomFile(path);
    expect(read.damage?.kind).toBe('truncated');
    expect(failureOf(extractFromDataset(read)).reason).toBe(failureOf(extractFromBytes(bytes.subarray(0, bytes.length - 200))).reason);
  });
});

/** Where the data set of a Part-10 file starts: after the meta information, by its group length. */
function dicomParserMetaEnd(bytes: Uint8Array): number {
  return 144 + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).readUInt32LE(140);
}
