// Dose objects cut short or damaged: refused with a plain reason (the parser's own words kept
// for the log), unless what was lost provably holds no dose data; and the kind of an X-ray
// dose report read from what it holds, not from the one item that names its procedure.
import { describe, expect, it } from 'vitest';
import { DamagedDicomError, FIRST_READ_BYTES, parseDicom, readDicomFile } from '../../src/dicom/read.js';
import { extractFromBytes, extractFromDataset, type ExtractOutcome } from '../../src/extract/index.js';
import type { DoseReport } from '../../src/report/types.js';
import { corpusBytes, corpusBytesReplaced, corpusFile } from '../helpers/corpus.js';

const CONTENT_SEQUENCE = 'x0040a730';
const PARSER_WORDS = /dicomParser|maxP ?osition|byteStream|buffer overrun/i;

function reportOf(outcome: ExtractOutcome): DoseReport {
  if (outcome.status !== 'report') throw new Error(`expected a report, got ${outcome.status}: ${outcome.reason}`);
  return outcome.report;
}

function failureOf(outcome: ExtractOutcome): { reason: string; detail?: string } {
  if (outcome.status !== 'failed') throw new Error(`expected a failure, got ${outcome.status}`);
  return outcome;
}

function cut(name: string, length: number): Uint8Array {
  return corpusBytes(name).subarray(0, length);
}

describe('a dose report cut short', () => {
  it('is refused, saying where the file ends, instead of becoming a radiography study without dose', () => {
    const failed = failureOf(extractFromBytes(cut('CT-RDSR-Siemens_Flash-QA-DS.dcm', 5000)));
    expect(failed.reason).toBe('truncated: the file ends inside the report content (0040,A730) at byte 5000');
    // The parser's own message is kept for the log, never shown as the reason.
    expect(failed.detail).toMatch(PARSER_WORDS);
  });

  it('is refused wherever the content is cut, for CT and fluoroscopy reports alike', () => {
    for (const [name, at] of [
      ['CT-RDSR-ToshibaPixelMed.dcm', 9000],
      ['RF-RDSR-Philips_Azurion.dcm', 600_000],
      ['RF-RDSR-Philips_Azurion.dcm', 1_267_900],
    ] as const) {
      const failed = failureOf(extractFromBytes(cut(name, at)));
      expect(failed.reason, name).toBe(`truncated: the file ends inside the report content (0040,A730) at byte ${at}`);
    }
  });

  it('is refused when it ends inside its file meta information', () => {
    expect(() => parseDicom(cut('CT-RDSR-Siemens_Flash-QA-DS.dcm', 200))).toThrow(DamagedDicomError);
    const failed = failureOf(extractFromBytes(cut('CT-RDSR-Siemens_Flash-QA-DS.dcm', 200)));
    expect(failed.reason).toBe('truncated: the file ends inside its file meta information at byte 200');
    expect(failed.reason).not.toMatch(PARSER_WORDS);
  });

  it('keeps every value when only what follows the complete content is lost, and says so', () => {
    const name = 'CT-RDSR-Toshiba_DoseCheck.dcm';
    const intact = reportOf(extractFromBytes(corpusBytes(name)));
    const bytes = corpusBytes(name);
    const report = reportOf(extractFromBytes(bytes.subarray(0, bytes.length - 4)));
    expect(report.ct).toEqual(intact.ct);
    expect(report.summary).toEqual(intact.summary);
    expect(report.warnings).toEqual([`truncated: the file ends inside element (7005,1030) at byte ${bytes.length - 4}, after the complete dose report: no dose data is missing`]);
  });

  it('without any content is refused as holding no dose data, never stored as an empty study', () => {
    const name = 'CT-RDSR-Siemens_Flash-QA-DS.dcm';
    const content = parseDicom(corpusBytes(name)).dataset.element(CONTENT_SEQUENCE)!;
    // Ends exactly where the content would start (tag, VR, reserved bytes and length: 12 bytes): nothing is cut, the content is absent.
    const headerOnly = cut(name, content.dataOffset - 12);
    expect(parseDicom(headerOnly).damage).toBeNull();
    expect(failureOf(extractFromBytes(headerOnly)).reason).toBe('no dose data in the report (no accumulated dose data and no irradiation events)');
  });
});

describe('the kind of an X-ray dose report', () => {
  it('is CT when it holds CT dose data, whatever its "procedure reported" says', () => {
    const name = 'CT-RDSR-Siemens_Flash-QA-DS.dcm';
    const intact = reportOf(extractFromBytes(corpusBytes(name)));
    // Neither the code nor the meaning of the procedure names CT any more.
    const unnamed = corpusBytesReplaced(name, { 'P5-08000': 'XX-99999', 'Computed Tomography X-Ray': 'Unknown Procedure Entered' });
    const report = reportOf(extractFromBytes(unnamed));
    expect(report.modality).toBe('CT');
    expect(report.ct!.events).toEqual(intact.ct!.events);
    expect(report.summary.totalDlpMGyCm).toBe(intact.summary.totalDlpMGyCm);
    expect(report.ct!.events).toHaveLength(9);
  });

  it('is projection X-ray when it holds accumulated X-ray dose and irradiation events', () => {
    const report = reportOf(extractFromBytes(corpusBytesReplaced('RF-RDSR-Philips_Azurion.dcm', { '113704': '999999', 'Projection X-Ray': 'Unknown Xxxxxxxx' })));
    expect(report.modality).toBe('RF');
    expect(report.projection!.events).toHaveLength(89);
  });
});

describe('image headers', () => {
  it('cut inside their pixel data are read whole: every header value comes before it', () => {
    const name = 'NM-PetIm-GE.dcm';
    const bytes = corpusBytes(name);
    const pixelData = parseDicom(bytes).dataset.element('x7fe00010')!;
    const inside = bytes.subarray(0, pixelData.dataOffset + 1000);
    expect(parseDicom(inside).damage).toBeNull();
    expect(reportOf(extractFromBytes(inside))).toEqual(reportOf(extractFromBytes(bytes)));
  });

  it('cut before their pixel data are refused: dose values may have been lost', () => {
    const failed = failureOf(extractFromBytes(cut('DX-Im-GE_XR220-1.dcm', 2050)));
    expect(failed.reason).toBe('truncated: the file ends inside element (0018,115E) at byte 2050');
  });

  it('with a SOP class that is not a UID are refused as damaged, not skipped as another kind of object', () => {
    const damaged = corpusBytesReplaced('DX-Im-GE_XR220-1.dcm', { '1.2.840.10008.5.1.4.1.1.1.1': '1.2.840.10008.5.1.4.1:1.1.1' });
    expect(failureOf(extractFromBytes(damaged)).reason).toBe('damaged: the SOP Class UID is not a valid UID ("1.2.840.10008.5.1.4.1:1.1.1.1")');
  });
});

describe('reading a file', () => {
  it('reads a dose report larger than the first read to its end, with every event', async () => {
    const file = corpusFile('RF-Pat-Orientation-Modifier-Missing.dcm');
    const parsed = await readDicomFile(file);
    expect(parsed.fileSize).toBeGreaterThan(FIRST_READ_BYTES);
    expect(parsed.bytesRead).toBe(parsed.fileSize);
    expect(parsed.damage).toBeNull();
    const report = reportOf(extractFromDataset(parsed));
    expect(report.projection!.events).toHaveLength(316);
    expect(report).toEqual(reportOf(extractFromBytes(corpusBytes('RF-Pat-Orientation-Modifier-Missing.dcm'))));
  });

  it('reads a large image only up to its pixel data', async () => {
    const parsed = await readDicomFile(corpusFile('NM-NmIm-Siemens.dcm'));
    expect(parsed.bytesRead).toBe(FIRST_READ_BYTES);
    expect(parsed.fileSize).toBeGreaterThan(FIRST_READ_BYTES);
    expect(parsed.damage).toBeNull();
  });
});
