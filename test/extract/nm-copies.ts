// Copies of real NM corpus objects with a few values changed, as other devices write them:
// the file is read and rewritten with dcmjs, everything not edited stays as it was.
import { createRequire } from 'node:module';
import { corpusBytes } from '../helpers/corpus.js';

/** A naturalized data set or SR content item (keywords as keys), as far as the tests touch it. */
export interface Natural {
  [keyword: string]: unknown;
  ConceptNameCodeSequence?: { CodeValue?: string; CodeMeaning?: string }[];
  MeasuredValueSequence?: { NumericValue?: number | string; MeasurementUnitsCodeSequence?: { CodeValue?: string; CodingSchemeDesignator?: string; CodeMeaning?: string }[] }[];
  ContentSequence?: Natural[];
}

interface Dcmjs {
  log: { setLevel(level: string): void };
  data: {
    DicomMessage: { readFile(buffer: ArrayBuffer): { dict: object; write(): ArrayBuffer } };
    DicomMetaDictionary: { naturalizeDataset(dict: object): Natural; denaturalizeDataset(natural: object): object };
  };
}
// dcmjs ships no type declarations; the interface above is the part used here.
const dcmjs = createRequire(import.meta.url)('dcmjs') as Dcmjs;
// Private tags of the originals are carried over unnamed; that is expected, not news.
dcmjs.log.setLevel('error');

export function editedCopy(name: string, edit: (ds: Natural) => void): Uint8Array {
  const bytes = corpusBytes(name);
  const message = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.dict);
  edit(ds);
  message.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds);
  return new Uint8Array(message.write());
}

/** First SR content item (depth first) whose concept has this code value. */
export function findItem(root: Natural, codeValue: string): Natural {
  const found = searchItem(root, codeValue);
  if (!found) throw new Error(`no content item ${codeValue}`);
  return found;
}

function searchItem(root: Natural, codeValue: string): Natural | null {
  for (const child of root.ContentSequence ?? []) {
    if (child.ConceptNameCodeSequence?.[0]?.CodeValue === codeValue) return child;
    const deeper = searchItem(child, codeValue);
    if (deeper) return deeper;
  }
  return null;
}

export function setMeasurement(item: Natural, value: number, unit: string): void {
  item.MeasuredValueSequence = [{ NumericValue: value, MeasurementUnitsCodeSequence: [{ CodeValue: unit, CodingSchemeDesignator: 'UCUM', CodeMeaning: unit }] }];
}
