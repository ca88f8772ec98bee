// A bi-plane fluoroscopy study made from a real single-plane one: the corpus has no bi-plane
// RDSR, and lists, pages and exports must show both planes.
import { createRequire } from 'node:module';
import { corpusBytes } from './corpus.js';

/** The small part of dcmjs used to rewrite a corpus file; dcmjs ships no type declarations. */
interface NaturalItem {
  ConceptNameCodeSequence?: { CodeValue?: string }[];
  ConceptCodeSequence?: { CodeValue: string; CodingSchemeDesignator: string; CodeMeaning: string }[];
  MeasuredValueSequence?: { NumericValue?: number | string }[];
  ContentSequence?: NaturalItem[];
}
interface Dcmjs {
  log: { setLevel(level: string): void };
  data: {
    DicomMessage: { readFile(buffer: ArrayBuffer): { dict: object; write(): ArrayBuffer } };
    DicomMetaDictionary: {
      naturalizeDataset(dict: object): { ContentSequence: NaturalItem[]; StudyInstanceUID: string; SOPInstanceUID: string };
      denaturalizeDataset(natural: object): object;
    };
  };
}
const dcmjs = createRequire(import.meta.url)('dcmjs') as Dcmjs;
const conceptOf = (item: NaturalItem) => item.ConceptNameCodeSequence?.[0]?.CodeValue;

function setPlane(container: NaturalItem, code: string, meaning: string): void {
  const plane = container.ContentSequence!.find((i) => conceptOf(i) === '113764')!;
  plane.ConceptCodeSequence = [{ CodeValue: code, CodingSchemeDesignator: 'DCM', CodeMeaning: meaning }];
}

function setNumber(container: NaturalItem, concept: string, value: number): void {
  container.ContentSequence!.find((i) => conceptOf(i) === concept)!.MeasuredValueSequence![0]!.NumericValue = value;
}

/**
 * The single-plane Siemens Artis RDSR rewritten as a bi-plane study of its own (new study and
 * instance UIDs): plane B gets a copy of the accumulated record with other totals (DAP
 * 4.5e-6 Gy·m², dose at RP 0.0008 Gy) and the last three events. Everything else is the real file.
 */
export function biPlaneRdsr(): Uint8Array {
  dcmjs.log.setLevel('error');
  const bytes = corpusBytes('RF-RDSR-Siemens-Zee.dcm');
  const message = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const natural = dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.dict);
  natural.StudyInstanceUID = `${natural.StudyInstanceUID}.2`;
  natural.SOPInstanceUID = `${natural.SOPInstanceUID}.2`;
  const content = natural.ContentSequence;
  const planeA = content.find((i) => conceptOf(i) === '113702')!;
  const planeB = JSON.parse(JSON.stringify(planeA)) as NaturalItem;
  setPlane(planeA, '113620', 'Plane A');
  setPlane(planeB, '113621', 'Plane B');
  setNumber(planeB, '113722', 4.5e-6); // Dose Area Product Total
  setNumber(planeB, '113725', 0.0008); // Dose (RP) Total
  content.splice(content.indexOf(planeA) + 1, 0, planeB);
  content.filter((i) => conceptOf(i) === '113706').forEach((e, i) => setPlane(e, i < 5 ? '113620' : '113621', i < 5 ? 'Plane A' : 'Plane B'));
  message.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(natural);
  return new Uint8Array(message.write());
}
