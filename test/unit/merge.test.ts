// Where an incoming image goes, decided from what is stored under its Study Instance UID.
import { describe, expect, it } from 'vitest';
import { decide, exposureKey, type ExistingStudy } from '../../src/ingest/merge.js';
import type { DoseReport, ProjectionEvent } from '../../src/report/types.js';

function mgImage(sop: string, event: ProjectionEvent): DoseReport {
  return {
    modality: 'MG',
    sourceKind: 'mg-image',
    sopInstanceUid: sop,
    study: { studyInstanceUid: '1.2.3' },
    patient: {},
    equipment: {},
    summary: {},
    projection: { accumulated: [], events: [event] },
    objectUidsProcessed: [sop],
  };
}

function stored(events: ProjectionEvent[], sops: string[]): ExistingStudy {
  return {
    id: 7,
    modality: 'MG',
    sourceKind: 'mg-image',
    sopInstanceUids: new Set(sops),
    eventKeys: new Set(),
    eventExposures: new Set(events.map(exposureKey).filter((k): k is string => k !== null)),
  };
}

const exposure: ProjectionEvent = { dateTimeStarted: '2013-04-12T13:22:23', laterality: 'Left', viewPosition: 'cranio-caudal', kvp: 29, exposureUAs: 63000, averageGlandularDoseMGy: 0.547 };

describe('images of one study', () => {
  it('counts the "for processing" copy of an exposure once', () => {
    const d = decide(mgImage('2', { ...exposure }), [stored([exposure], ['1'])]);
    expect(d).toMatchObject({ action: 'record-only', studyId: 7 });
  });

  it('adds tomosynthesis projections made at the same time from other angles', () => {
    const first = { ...exposure, positionerPrimaryAngleDeg: -7.5, averageGlandularDoseMGy: 0.08 };
    const second = { ...exposure, positionerPrimaryAngleDeg: -6.4, averageGlandularDoseMGy: 0.08 };
    expect(decide(mgImage('2', second), [stored([first], ['1'])])).toEqual({ action: 'append', studyId: 7 });
  });

  it('adds an exposure with no start time rather than guessing it is a copy', () => {
    const timeless = { ...exposure, dateTimeStarted: null };
    expect(decide(mgImage('2', timeless), [stored([timeless], ['1'])])).toEqual({ action: 'append', studyId: 7 });
  });

  it('skips an object already processed', () => {
    expect(decide(mgImage('1', exposure), [stored([exposure], ['1'])])).toMatchObject({ action: 'duplicate' });
  });

  it('starts a study of its own when only another modality shares the UID', () => {
    const ct: ExistingStudy = { ...stored([], ['9']), modality: 'CT', sourceKind: 'rdsr' };
    expect(decide(mgImage('2', exposure), [ct])).toEqual({ action: 'new' });
  });
});
